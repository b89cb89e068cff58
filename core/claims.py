"""Review claims: one reviewer works on an object at a time, and everyone sees who.

A reviewer claims an object (an application, a membership, a product under moderation…)
before deciding on it, or the decision panel claims it on opening from the queue. A
claim lasts REVIEW_CLAIM_MINUTES (default 30) from its last renewal; after that it has
lapsed and anyone may claim. While it holds, a decision by someone else is refused
unless they take the object over explicitly, and the take-over is recorded in the
object's history (its workflow's event, `details.kind = "takeover"`).

One row per object (a unique content type and id), written under the row's lock, so
two reviewers claiming at once cannot both hold it.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import DomainError


def claim_minutes() -> int:
    return getattr(settings, "REVIEW_CLAIM_MINUTES", 30)


class ReviewClaim(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), on_delete=models.CASCADE, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("review claim")
        verbose_name_plural = _("review claims")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="review_claim_once_per_object")
        ]
        indexes = [models.Index(fields=["content_type", "expires_at"], name="review_claim_active_idx")]

    def __str__(self):
        return f"{self.claimed_by} ({self.expires_at:%H:%M})"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()


ClaimedByOther = DomainError.define(
    "ClaimedByOther",
    "claimed_by_other",
    _("%(holder)s is reviewing this; take it over to decide."),
    http_status=409,
)


def _key(obj) -> dict:
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}


def holder(obj) -> ReviewClaim | None:
    """The active claim on `obj`, if any."""
    claim = ReviewClaim.objects.select_related("claimed_by").filter(**_key(obj)).first()
    return claim if claim is not None and claim.is_active else None


@transaction.atomic
def claim(obj, *, by, take_over: bool = False, workflow=None) -> ReviewClaim:
    """Claim `obj` for `by` (renewing their own claim); refuse another's unless `take_over`.

    A take-over is written to `workflow`'s history of the object, with whom it was taken from.
    """
    now = timezone.now()
    key = _key(obj)
    claim_row = ReviewClaim.objects.select_for_update().select_related("claimed_by").filter(**key).first()
    previous = claim_row.claimed_by if claim_row is not None and claim_row.is_active else None
    if previous is not None and previous.pk != by.pk:
        if not take_over:
            raise ClaimedByOther(holder=previous.name or previous.email)
        if workflow is not None:
            workflow.record(obj=obj, by=by, reason="", details={"kind": "takeover", "from": previous.email})
    expires = now + datetime.timedelta(minutes=claim_minutes())
    if claim_row is None:
        return ReviewClaim.objects.create(**key, claimed_by=by, claimed_at=now, expires_at=expires)
    if previous is None or previous.pk != by.pk:
        claim_row.claimed_by, claim_row.claimed_at = by, now
    claim_row.expires_at = expires
    claim_row.save(update_fields=["claimed_by", "claimed_at", "expires_at"])
    return claim_row


def require_holder(obj, *, by) -> None:
    """Refuse a decision by anyone but the claim's holder while the claim holds."""
    current = holder(obj)
    if current is not None and current.claimed_by_id != by.pk:
        raise ClaimedByOther(holder=current.claimed_by.name or current.claimed_by.email)


def release(obj) -> None:
    ReviewClaim.objects.filter(**_key(obj)).delete()


def claimed_ids(model) -> dict[int, ReviewClaim]:
    """Active claims on `model`'s objects, by object id (one query, for a queue page)."""
    now = timezone.now()
    claims = ReviewClaim.objects.select_related("claimed_by").filter(
        content_type=ContentType.objects.get_for_model(model), expires_at__gt=now
    )
    return {claim_row.object_id: claim_row for claim_row in claims}
