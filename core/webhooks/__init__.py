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
  with `X-Webhook-Id`, `X-Webhook-Timestamp` and `X-Webhook-Signature: v1=<hex
  HMAC-SHA256(secret, "{timestamp}.{body}")>`, through http.client: redirects are never
  followed, the connection goes to the address `targets` just checked (DNS rebinding),
  timeout WEBHOOKS_TIMEOUT_SECONDS.
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
"""
