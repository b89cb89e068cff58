"""Signed webhooks for partners: an outbox written with the change, sent by Celery after commit.

Design
------
- **Endpoints** (`models.WebhookEndpoint`): a URL, the event types it wants and a random
  secret. A merchant token registers endpoints for its own shop; a provider token for its
  provider (any member of the team sees them). The secret is stored in the clear because
  every request is signed with it; it is shown on creation and rotation only.
- **Emission** happens in one place, `core.transitions.Workflow`: a workflow declares
  `webhook_event` (applications: `application.status_changed`; memberships:
  `membership.status_changed`, creation included; products: `product.published`,
  `.unpublished`, `.hidden`, `.deleted`). Inside the transaction of the move,
  `services.webhook_emit` finds the recipients in one query (the merchant's own endpoints;
  for a membership its responsible provider's; for an application the provider that
  recruited the merchant, while it serves that belt) and writes one `WebhookDelivery`
  per endpoint, all with the same event id. No recipient, no row. A rollback leaves
  nothing, and sending is queued with `transaction.on_commit`.
- **Sending** (`delivery.send`): a POST of the JSON payload `{id, type, created_at, data}`
  signed as Standard Webhooks (standardwebhooks.com) asks, with the reference
  `standardwebhooks` package: `webhook-id`, `webhook-timestamp` and `webhook-signature:
  v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64-decoded
  `whsec_` secret. The former `X-Webhook-Id`, `X-Webhook-Timestamp` and
  `X-Webhook-Signature: v1=<hex>` (over "{timestamp}.{body}") go beside them until
  2027-06-30, as docs/webhooks.md announces. Through http.client: redirects are never
  followed, the connection goes to the address `targets` just checked (DNS rebinding),
  timeout WEBHOOKS_TIMEOUT_SECONDS.
- **`webhook-id` is the event id**, not the delivery's public id. The specification wants
  an id unique per message and reused when that message is sent again; one event fans out
  to several endpoints (a merchant's and its provider's), and we treat the event as the
  message, as Svix (whose scheme the specification took up) gives every endpoint of a
  fan-out the same message id. So the header equals the body's `id` and the former
  `X-Webhook-Id` (nothing changes for receivers that de-duplicate by them), the delivery
  log shows it as `event_id`, and every attempt and redelivery of a delivery reuses it
  (the row holds it). A receiver that points two endpoints at one server sees one id
  twice for one event: the same body, to de-duplicate per endpoint if it wants both.
- **Secret rotation** keeps the replaced secret signing for WEBHOOKS_SECRET_ROTATION_HOURS
  (read with its default of 24, `services.secret_rotation_window`): meanwhile
  `webhook-signature` carries one `v1,…` per secret, so a receiver holding either
  verifies; the sweeper erases it afterwards. Secrets issued before Standard Webhooks
  (URL-safe, unpadded) are no key that every library decodes alike; they sign the former
  header only, until rotated.
- **Retries** are the outbox's, not Celery's: a network error or a 5xx sets
  `next_attempt_at` to 1, 2, 4 … minutes later (WEBHOOKS_RETRY_BASE_SECONDS × 2^n, capped)
  up to WEBHOOKS_MAX_ATTEMPTS; a 3xx or 4xx ends the delivery as failed at once. The beat
  sweeper queues every pending delivery that is due, so a lost message or a restarted
  worker loses nothing. A claim (`SELECT … FOR UPDATE SKIP LOCKED`, then a lease in
  `next_attempt_at`) lets one worker send a delivery at a time, and the HTTP request runs
  outside any transaction. Every attempt is logged (`WebhookAttempt`) with its code.
- **Disabling**: WEBHOOKS_DISABLE_AFTER_FAILURES deliveries failing in a row disable the
  endpoint, fail its pending deliveries and e-mail the owner; a success resets the count.
- **Targets** (`targets`): https only and public addresses only, at registration (a 400
  on `url`, code `unsafe_target` / `unresolvable_target`) and again before every send (a
  failed attempt, never a crash). Local and test settings allow http and loopback.

Departures from Saleor's outbox: retries are scheduled by the row, not by Celery's
countdown, so the database alone says what is owed; redelivery reuses the row (same
event id, so a receiver that already has it can drop it) and adds attempts to its log.
Delivery is at least once: a worker killed after the receiver got a request but before
the answer was recorded leaves the claim to lapse, and the sweeper sends it again
(tests/core/test_webhooks_faults.py).
"""
