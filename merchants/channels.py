"""The sales platforms a merchant may link to, and the domains each one serves shops from.

A link is accepted for a platform only when its host is one of the platform's
domains or a subdomain of one (shop.taobao.com, item.jd.com, m.tb.cn…). The
catalog reuses this to check a product's purchase links.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .models import SalesPlatform

PLATFORM_DOMAINS: dict[str, tuple[str, ...]] = {
    SalesPlatform.KUAISHOU: (
        "kuaishou.com",
        "kwaixiaodian.com",
        "gifshow.com",
        "kwai.com",
        "chenzhongtech.com",
    ),
    SalesPlatform.TAOBAO: ("taobao.com", "tb.cn"),
    SalesPlatform.TMALL: ("tmall.com", "tmall.hk"),
    SalesPlatform.JD: ("jd.com", "jd.hk", "3.cn"),
    SalesPlatform.PINDUODUO: ("pinduoduo.com", "yangkeduo.com"),
    SalesPlatform.YOUZAN: ("youzan.com", "youzanyun.com"),
    SalesPlatform.MOKUAI: ("mockuai.com",),
}

_url_validator = URLValidator(schemes=["http", "https"])


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def host_belongs_to(host: str, domains) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def platform_for_url(url: str) -> str | None:
    """Return the platform whose domain serves `url`, or None."""
    host = _host(url)
    for platform, domains in PLATFORM_DOMAINS.items():
        if host_belongs_to(host, domains):
            return platform
    return None


def validate_shop_url(platform: str, url: str) -> str:
    """Return the URL if it is a web link on `platform`'s domains, else raise a ValidationError."""
    url = (url or "").strip()
    _url_validator(url)
    if not host_belongs_to(_host(url), PLATFORM_DOMAINS.get(platform, ())):
        allowed = "、".join(PLATFORM_DOMAINS.get(platform, ()))
        raise ValidationError(
            _("This link is not on %(platform)s. Links must be on: %(domains)s."),
            code="unknown_domain",
            params={"platform": SalesPlatform(platform).label, "domains": allowed},
        )
    return url
