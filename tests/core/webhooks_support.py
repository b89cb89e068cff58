"""A real HTTP receiver on loopback for the webhook tests, and the helpers they share."""

import contextlib
import hashlib
import hmac
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rest_framework.test import APIClient

from core.api.scopes import Scope
from core.webhooks import services
from core.webhooks.models import WebhookDelivery
from merchants import services as merchant_services

HANG = "hang"
REDIRECT_PATH = "/redirected"


@dataclass
class ReceivedRequest:
    path: str
    headers: dict
    body: bytes


class Receiver:
    """Records every request; answers with the queued codes, then `default` (200).

    With `delay`, each answer waits that many seconds after the request is recorded (a
    slow receiver); an answer to a sender that has gone meanwhile is dropped quietly.
    """

    def __init__(self, tls: tuple[str, str] | None = None):
        self.requests: list[ReceivedRequest] = []
        self.answers: deque = deque()
        self.default = 200
        self.delay = 0.0
        self._changed = threading.Condition()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._changed:
                    receiver.requests.append(ReceivedRequest(self.path, dict(self.headers.items()), body))
                    answer = receiver.answers.popleft() if receiver.answers else receiver.default
                    receiver._changed.notify_all()
                if answer == HANG:
                    receiver._release.wait(10)
                    return
                if receiver.delay:
                    receiver._release.wait(receiver.delay)
                with contextlib.suppress(ConnectionError):  # the sender died while we waited
                    self.send_response(answer)
                    if 300 <= answer < 400:
                        self.send_header("Location", receiver.url(REDIRECT_PATH))
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path="/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *codes) -> None:
        self.answers.extend(codes)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[ReceivedRequest]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.requests) < count:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"expected {count} requests, got {len(self.requests)}"
                self._changed.wait(remaining)
            return list(self.requests)

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


def running_receiver():
    """Yield a started Receiver and stop it afterwards (each test module's `receiver` fixture)."""
    receiver = Receiver()
    yield receiver
    receiver.close()


def legacy_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The deprecated `X-Webhook-Signature` (docs/webhooks.md), written independently of the sender."""
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def endpoint_for(user, url, event_types, provider=None):
    endpoint, _secret = services.webhook_endpoint_create(
        owner=user, provider=provider, url=url, event_types=event_types
    )
    return endpoint


def wait_for_delivery(delivery_id, *, done, timeout: float = 20.0) -> WebhookDelivery:
    """Poll the row until `done(delivery)`: the worker of the PostgreSQL run writes it."""
    deadline = time.monotonic() + timeout
    while True:
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        if done(delivery):
            return delivery
        assert time.monotonic() < deadline, f"delivery still {delivery.status} after {delivery.attempts}"
        time.sleep(0.05)


def api_client(user, *, scopes=(Scope.WEBHOOKS_READ, Scope.WEBHOOKS_WRITE), provider=None):
    token, raw_key = merchant_services.api_token_create(user=user, name="ERP", scopes=list(scopes))
    if provider is not None:
        token.provider = provider
        token.save(update_fields=["provider"])
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    client.token = token
    return client
