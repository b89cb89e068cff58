"""Sign and send one webhook request: a POST of the JSON body, no redirects, one deadline.

WEBHOOKS_TIMEOUT_SECONDS bounds the whole attempt — lookup, connect, send and the status
line — not each socket read: a receiver that trickles a byte a second cannot hold a
worker past it (a timer shuts the socket down at the deadline).

The signature is HMAC-SHA256 with the endpoint's secret over ``f"{timestamp}.{body}"``
(the exact bytes sent), hex-encoded in ``X-Webhook-Signature: v1=<hex>``. http.client,
not urllib, because it never follows a redirect and lets the connection go to the
address `targets` checked (the Host header and TLS name stay the URL's host).
"""

import contextlib
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from . import targets

SIGNATURE_VERSION = "v1"
USER_AGENT = "KSP-Webhooks/1.0"


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` under `secret`."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"{SIGNATURE_VERSION}={sign(secret=secret, timestamp=timestamp, body=body)}"


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a response code, or an error; and whether to try again."""

    status_code: int | None
    error: str
    retryable: bool
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


# A host with many addresses that all hang must not multiply the deadline's connect share.
MAX_ADDRESSES_TRIED = 2


def _connect(addresses, port, timeout) -> socket.socket:
    """Connect to the first of the checked addresses that answers (as create_connection does)."""
    error = OSError("no address to connect to")
    for address in addresses[:MAX_ADDRESSES_TRIED]:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, addresses, timeout):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self):
        self.sock = _connect(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to a checked address; the certificate must still match the URL's host name."""

    def __init__(self, host, port, *, addresses, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self):
        sock = _connect(self._addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _cut_off(connection) -> None:
    """At the deadline: wake whatever read is blocked on the connection's socket."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing to wake
            sock.shutdown(socket.SHUT_RDWR)


def send(*, url: str, secret: str, event_id: str, payload: dict, timestamp: int | None = None) -> Outcome:
    """POST `payload` to `url`, signed; never raise for what the network or receiver does."""
    started = time.monotonic()

    def outcome(status_code=None, error="", retryable=False):
        return Outcome(status_code, error[:300], retryable, int((time.monotonic() - started) * 1000))

    deadline = started + settings.WEBHOOKS_TIMEOUT_SECONDS
    try:
        target = targets.resolve_target(url, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS)
    except targets.UnresolvableTarget as error:
        return outcome(error=str(error), retryable=True)
    except targets.UnsafeTarget as error:
        return outcome(error=f"refused target: {error}")
    body = encode_body(payload)
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Webhook-Id": event_id,
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": signature_header(secret=secret, timestamp=timestamp, body=body),
    }
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    remaining = max(deadline - time.monotonic(), 0.1)
    connection = connection_class(target.host, target.port, addresses=target.addresses, timeout=remaining)
    watchdog = threading.Timer(remaining, _cut_off, args=(connection,))
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        # The status line is all we need; the body is not read, so a slow one cannot hold us.
        code = connection.getresponse().status
    except (OSError, ValueError, http.client.HTTPException) as error:
        # Timeouts, refused connections, TLS failures, broken responses, the deadline: try later.
        if time.monotonic() >= deadline:
            return outcome(error="timed out: no answer within the deadline", retryable=True)
        return outcome(
            error=f"{type(error).__name__}: {error}" if str(error) else type(error).__name__, retryable=True
        )
    finally:
        watchdog.cancel()
        connection.close()
    if 200 <= code < 300:
        return outcome(code)
    if 300 <= code < 400:
        return outcome(code, error=f"HTTP {code}: redirects are not followed")
    return outcome(code, error=f"HTTP {code}", retryable=code >= 500)
