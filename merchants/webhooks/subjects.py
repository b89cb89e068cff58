"""What each webhook event says and who receives it, per subject model.

The workflows declare *which* moves are events (`Workflow.webhook_event`); this module
knows, for each subject, the merchant it concerns, the providers that may follow it
and the `data` of the payload. Providers receive an event only while they are approved
and the endpoint's owner is still one of their members.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q


@dataclass(frozen=True)
class Subject:
    merchant_id: int
    # Providers whose endpoints also receive the event: a queryset of ids or a list.
    provider_ids: object
    kind: str


def _recruiting_providers(merchant_id):
    """Providers whose invitation the merchant accepted, in a belt they still serve (one subquery)."""
    from industrybelts.models import MerchantInvitation
    from industrybelts.permissions import active_assignments

    serving = active_assignments().filter(provider=OuterRef("provider"), belt=OuterRef("belt"))
    return (
        MerchantInvitation.objects.filter(accepted_by__merchant__pk=merchant_id)
        .filter(Exists(serving))
        .values("provider")
    )


def subject_of(obj) -> Subject:
    label = obj._meta.label_lower
    if label == "merchants.onboardingapplication":
        return Subject(obj.merchant_id, _recruiting_providers(obj.merchant_id), "application")
    if label == "industrybelts.beltmembership":
        return Subject(obj.merchant_id, [obj.provider_id] if obj.provider_id else [], "membership")
    if label == "storefront.product":
        return Subject(obj.merchant_id, [], "product")
    raise LookupError(f"No webhook subject is declared for {label}.")


def recipients_filter(subject: Subject) -> Q:
    """Endpoints that receive events about `subject`: the merchant's own and its providers'."""
    from industrybelts.models import ProviderMember, ProviderStatus

    own = Q(provider__isnull=True, owner__merchant__pk=subject.merchant_id)
    if isinstance(subject.provider_ids, list) and not subject.provider_ids:
        return own
    still_member = ProviderMember.objects.filter(provider=OuterRef("provider"), user=OuterRef("owner"))
    providers = Q(provider__in=subject.provider_ids, provider__status=ProviderStatus.APPROVED) & Q(
        Exists(still_member)
    )
    return own | providers


def event_data(obj, *, subject: Subject, transition) -> dict:
    """Return the payload's `data`: the subject's ids and status, the move and its reason."""
    data = {
        "from_status": transition.from_status,
        "to_status": transition.to_status,
        "reason": transition.reason,
    }
    model = type(obj)
    if subject.kind == "application":
        row = model.objects.filter(pk=obj.pk).values("public_id", "merchant__public_id").get()
        data["application"] = {
            "id": str(row["public_id"]),
            "status": obj.status,
            "merchant": str(row["merchant__public_id"]),
        }
    elif subject.kind == "membership":
        row = (
            model.objects.filter(pk=obj.pk)
            .values("public_id", "merchant__public_id", "belt__slug", "provider__public_id")
            .get()
        )
        data["membership"] = {
            "id": str(row["public_id"]),
            "status": obj.status,
            "merchant": str(row["merchant__public_id"]),
            "belt": row["belt__slug"],
            "provider": str(row["provider__public_id"]) if row["provider__public_id"] else None,
        }
    else:
        row = model.objects.filter(pk=obj.pk).values("public_id", "title", "merchant__public_id").get()
        data["product"] = {
            "id": str(row["public_id"]),
            "status": obj.status,
            "title": row["title"],
            "merchant": str(row["merchant__public_id"]),
        }
    return data
