"""Sign and send one webhook request: a POST of the JSON body, no redirects, one deadline.

WEBHOOKS_TIMEOUT_SECONDS bounds the whole attempt — lookup, connect, send and the status
line — not each socket read: a receiver that trickles a byte a second cannot hold a
worker past it (a timer shuts the socket down at the deadline).

The signature is Standard Webhooks' (standardwebhooks.com), made by the reference
`standardwebhooks` package so that a receiver using it (or Svix's libraries) verifies
what we send: `webhook-id` (the event id), `webhook-timestamp` (Unix seconds of this
attempt) and `webhook-signature`, one `v1,<base64 HMAC-SHA256>` of
``f"{id}.{timestamp}.{body}"`` per secret the endpoint signs with, space-separated (two
during a rotation window). The key is the base64-decoded part of the `whsec_` secret.

Deprecated, sent beside them until 2027-06-30 (docs/webhooks.md): `X-Webhook-Id`,
`X-Webhook-Timestamp` and `X-Webhook-Signature: v1=<hex HMAC-SHA256>` of
``f"{timestamp}.{body}"`` keyed with the whole secret string, the current one only, as
before (its receivers compare the header as one value, so it cannot carry two). A secret
issued before the switch (URL-safe alphabet, no padding) is not a Standard Webhooks
secret that every library decodes alike: it gets the deprecated signature only, until
its owner rotates it.

http.client, not urllib, because it never follows a redirect and lets the connection go
to the address `targets` checked (the Host header and TLS name stay the URL's host).
"""

import base64
import binascii
import contextlib
import datetime
import hashlib
import hmac
import http.client
import json
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from standardwebhooks import Webhook

from . import targets

SIGNATURE_VERSION = "v1"
USER_AGENT = "KSP-Webhooks/1.0"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
# The key sizes the Standard Webhooks specification allows, and the size we issue.
MIN_KEY_BYTES, MAX_KEY_BYTES, KEY_BYTES = 24, 64, 32


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def new_secret() -> str:
    """Return a new Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def standard_key(secret: str) -> bytes | None:
    """Return the HMAC key of a Standard Webhooks secret, or None for any other string.

    Strict base64 (padded, standard alphabet), so the key is the one every library
    decodes; the reference package's lenient decoding would read an old URL-safe secret
    as some other key than, say, Node's would.
    """
    if not secret.startswith(SECRET_PREFIX):
        return None
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        return None
    return key if MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES else None


def standard_signature(*, signing_secrets: Sequence[str], event_id: str, timestamp: int, body: bytes) -> str:
    """Return the `webhook-signature` value: one `v1,<base64>` per standard secret, space-separated."""
    signed_at = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    return " ".join(
        Webhook(key).sign(msg_id=event_id, timestamp=signed_at, data=body)
        for key in map(standard_key, signing_secrets)
        if key is not None
    )


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """Return the deprecated hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` under `secret`."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """Return the deprecated `X-Webhook-Signature` value."""
    return f"{SIGNATURE_VERSION}={sign(secret=secret, timestamp=timestamp, body=body)}"


def signed_headers(
    *, signing_secrets: Sequence[str], event_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """Return the identifying and signature headers of one attempt.

    `signing_secrets` lists the current secret first: it alone signs the deprecated header.
    """
    headers = {"webhook-id": event_id, "webhook-timestamp": str(timestamp)}
    signature = standard_signature(
        signing_secrets=signing_secrets, event_id=event_id, timestamp=timestamp, body=body
    )
    if signature:
        headers["webhook-signature"] = signature
    headers |= {
        "X-Webhook-Id": event_id,
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": signature_header(secret=signing_secrets[0], timestamp=timestamp, body=body),
    }
    return headers


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


def send(
    *, url: str, signing_secrets: Sequence[str], event_id: str, payload: dict, timestamp: int | None = None
) -> Outcome:
    """POST `payload` to `url`, signed with each of `signing_secrets` (the current one first).

    Never raise for what the network or the receiver does.
    """
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
        **signed_headers(signing_secrets=signing_secrets, event_id=event_id, timestamp=timestamp, body=body),
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
