"""Which URLs a webhook may be sent to: checked at registration and again before each send.

A target must be https (http only with WEBHOOKS_ALLOW_INSECURE_TARGETS, for local work
and the test receiver) and every address its host resolves to must be public: no
private, loopback, link-local, multicast, reserved, shared or unspecified address,
IPv4-mapped IPv6 included (unless WEBHOOKS_ALLOW_PRIVATE_TARGETS, never in production).
The sender connects to the address checked here, not to a second lookup, so a DNS
answer that changes between check and connect (rebinding) cannot reach the inside.
"""

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

MAX_URL_LENGTH = 500


UnsafeTarget = DomainError.define(
    "UnsafeTarget", "unsafe_target", _("Webhooks can only be sent to a public https address.")
)
# The host has no address now; at send time this is a network error and is retried.
UnresolvableTarget = UnsafeTarget.define(
    "UnresolvableTarget", "unresolvable_target", _("The address of this host could not be found.")
)


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]  # the checked IP addresses, the only ones connected to


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # IPv6 forms that carry an IPv4 address inside (mapped, 6to4, Teredo) are judged by it too.
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        return _is_public(mapped)
    teredo = getattr(ip, "teredo", None)
    for inner in (getattr(ip, "sixtofour", None), teredo and teredo[1]):
        if inner is not None and not _is_public(inner):
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def parse_target(url: str) -> tuple[str, str, int, str]:
    """Return (scheme, host, port, path) of an acceptable URL shape, or raise UnsafeTarget."""
    allowed = {"https", "http"} if settings.WEBHOOKS_ALLOW_INSECURE_TARGETS else {"https"}
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
        raise UnsafeTarget(_("Enter a valid URL of at most %(max)d characters."), max=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeTarget(_("Enter a valid URL.")) from None
    if parts.scheme.lower() not in allowed:
        raise UnsafeTarget(_("The URL must start with https://."))
    if not parts.hostname:
        raise UnsafeTarget(_("Enter a valid URL."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("Leave the user name and password out of the URL: the signature authenticates."))
    if parts.fragment:
        raise UnsafeTarget(_("Leave the #fragment out of the URL."))
    scheme = parts.scheme.lower()
    default_port = 443 if scheme == "https" else 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname.lower(), port or default_port, path


# Lookups run here so that a slow resolver costs a timeout, not a stuck request or worker.
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")
DEFAULT_LOOKUP_TIMEOUT_SECONDS = 5


def _getaddrinfo(host: str, port: int, timeout: float):
    future = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise UnresolvableTarget() from None


def resolve_target(url: str, *, timeout: float = DEFAULT_LOOKUP_TIMEOUT_SECONDS) -> Target:
    """Check `url` and its host's addresses now; return where to connect."""
    scheme, host, port, path = parse_target(url)
    try:
        infos = _getaddrinfo(host, port, timeout)
    except (OSError, UnicodeError):
        raise UnresolvableTarget() from None
    addresses = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        try:
            addresses.append(ipaddress.ip_address(sockaddr[0].split("%")[0]))
        except ValueError:
            continue
    if not addresses:
        raise UnresolvableTarget()
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS and not all(_is_public(ip) for ip in addresses):
        raise UnsafeTarget(
            _("This host has a private or reserved address; webhooks go to public hosts only.")
        )
    unique = tuple(dict.fromkeys(str(ip) for ip in addresses))
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=unique)
