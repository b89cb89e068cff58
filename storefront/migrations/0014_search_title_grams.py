"""Re-index every good's search grams with its title's grams a second time, marked (`t:翡翠`).

The marks let a search list the goods whose title holds the query first, on the same
GIN index (storefront.catalog.title_ranking, docs/search.md). As 0012: batches by
primary key (no whole-table UPDATE in one statement), each batch its own transaction
(the migration is not atomic), and only rows whose grams change are written, so
running it again writes nothing. Reversing leaves the marks, which nothing without
the ranking reads.
"""

from types import SimpleNamespace

from django.db import migrations, transaction

BATCH = 2000


def reindex(apps, schema_editor):
    from storefront.indexing import product_grams

    Product = apps.get_model("storefront", "Product")
    db = schema_editor.connection.alias
    columns = (
        *("pk", "title", "intro", "source_kind", "search_grams"),
        *("category__name", "category__name_en", "belt__name", "belt__name_en"),
    )
    last = 0
    while True:
        rows = list(
            Product.objects.using(db).filter(pk__gt=last).order_by("pk").values_list(*columns)[:BATCH]
        )
        if not rows:
            return
        last = rows[-1][0]
        changed = []
        for pk, title, intro, kind, grams, category, category_en, belt, belt_en in rows:
            new = product_grams(
                title=title,
                intro=intro,
                category=SimpleNamespace(name=category, name_en=category_en) if category else None,
                belt=SimpleNamespace(name=belt, name_en=belt_en) if belt else None,
                source_kind=kind,
            )
            if new != sorted(grams or []):
                changed.append(Product(pk=pk, search_grams=new))
        if changed:
            with transaction.atomic(using=db):
                Product.objects.using(db).bulk_update(changed, ["search_grams"], batch_size=500)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("storefront", "0013_product_restricted_status"),
    ]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True)]
