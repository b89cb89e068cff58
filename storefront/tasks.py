"""Celery tasks of the catalog."""

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.tasks import IDEMPOTENT_TASK_OPTIONS
from core.uploads import make_webp_sizes

from . import compliance, counters
from .imports import preview_import_job, run_import_job, sweep_import_jobs
from .models import ImportJob, ImportJobStatus, Product, ProductImage
from .services import good_changed

logger = logging.getLogger(__name__)

LARGE_SIDE = 1280
THUMBNAIL_SIDE = 400


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def process_product_image_task(image_id: int) -> None:
    """Decode the private original, make upright WebP sizes without EXIF, publish them, drop the original.

    Safe to run twice: an image that already has its sizes is left alone. A file that
    does not decode is removed from the product (the listing stays, without a photo).
    """

    image = ProductImage.objects.select_related("product").filter(pk=image_id).first()
    if image is None or image.large or not image.original:
        return
    try:
        with image.original.open("rb") as source:
            large, thumbnail = make_webp_sizes(source, sizes=(LARGE_SIDE, THUMBNAIL_SIDE))
    except Exception:  # a file that Pillow cannot decode is not a photo
        logger.warning("product image %s could not be decoded; removed", image_id)
        with transaction.atomic():
            image.delete()
            _changed(image.product_id)
        image.original.delete(save=False)
        return
    image.large.save("large.webp", ContentFile(large), save=False)
    image.thumbnail.save("thumb.webp", ContentFile(thumbnail), save=False)
    storage, original = image.original.storage, image.original.name
    image.original = ""
    # The sizes and the good's new updated_at (its card's key) commit together: a retry
    # finds the sizes and stops, so it must not find them without the card moved on.
    with transaction.atomic():
        image.save(update_fields=["large", "thumbnail", "original", "updated_at"])
        _changed(image.product_id)
    storage.delete(original)  # only once nothing points at it


def _changed(product_id: int) -> None:
    """The good's photos changed: partners' feeds send it again (storefront.catalog), and its
    card is drawn again (storefront.cards, storefront.fragments)."""

    Product.objects.filter(pk=product_id).update(updated_at=timezone.now())
    good_changed(product_id)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def flush_product_counters_task() -> dict:
    """Add buffered views and clicks to the products (Celery beat, every minute)."""

    return counters.flush()


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def sync_restricted_goods_task(merchant_id: int) -> tuple[int, int]:
    """Hide or restore a merchant's goods as its restriction now stands (safe to run twice)."""
    return compliance.sync_restricted_goods(merchant_id)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def take_shop_offline_task(merchant_id: int) -> tuple[int, int]:
    """Take a closed shop's goods offline and withdraw its open sign-ups (safe to run twice)."""
    return compliance.take_shop_offline(merchant_id)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def preview_import_job_task(job_id: int) -> None:
    """Check a large uploaded spreadsheet (safe to run twice: only a pending job is checked)."""
    job = ImportJob.objects.select_related("merchant__user").filter(pk=job_id).first()
    if job is not None and job.status == ImportJobStatus.PENDING:
        preview_import_job(job)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def import_products_task(job_id: int) -> None:
    """Write a confirmed import's goods (safe to run twice: the job's end commits with them)."""
    run_import_job(job_id)


@shared_task(**IDEMPOTENT_TASK_OPTIONS)
def sweep_import_jobs_task() -> tuple[int, int]:
    """End expired previews and lost import jobs (Celery beat, hourly; safe to run twice)."""
    return sweep_import_jobs()
