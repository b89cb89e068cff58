"""The token owner's requirements after approval and its deposit, read-only.

`GET /api/v1/merchant/requirements/` answers what the merchant's home shows: the standing,
the requirement groups (Stripe Connect's names), the earliest deadline, why the shop is
disabled if it is, and the deposit held and still owed. Labels and texts come in the
request's language (Accept-Language). A change is also pushed as the
`merchant.requirements_updated` webhook, whose `data.requirements` has the same groups
with labels in every language.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.scopes import HasScope, Scope

from ..api.shop import shop_of
from . import services
from .requirements import GROUPS


class RequirementItemSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="What kind of requirement, e.g. `document.expired`, `deposit.unpaid`."
    )
    key = serializers.CharField(
        help_text="The document slot (`business_licence`, `qualification-<code>`) or `deposit`."
    )
    label = serializers.CharField()
    text = serializers.CharField(help_text="What to do, in the request's language.")
    deadline = serializers.DateField(allow_null=True)
    reason = serializers.CharField(help_text="A reviewer's or finance's reason, for refusals.")
    category_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Categories held back when past due; empty: the whole shop.",
    )


class RequirementsSerializer(serializers.Serializer):
    standing = serializers.CharField(help_text="good, action_required, restricted or closed.")
    past_due = RequirementItemSerializer(many=True)
    currently_due = RequirementItemSerializer(many=True)
    eventually_due = RequirementItemSerializer(many=True)
    pending_verification = RequirementItemSerializer(many=True)
    errors = RequirementItemSerializer(many=True)
    current_deadline = serializers.DateField(allow_null=True)
    disabled_reason = serializers.CharField(
        help_text="`requirements.past_due`, `shop.suspended`, `shop.closed` or empty."
    )
    restricted_shop = serializers.BooleanField()
    restricted_category_ids = serializers.ListField(child=serializers.IntegerField())
    deposit_held = serializers.DecimalField(max_digits=12, decimal_places=2)
    deposit_owed = serializers.DecimalField(max_digits=12, decimal_places=2)
    refund_due_on = serializers.DateField(allow_null=True)


def requirements_payload(merchant) -> dict:
    state, requirements = services.current_requirements(merchant)
    if state is None:
        raise NotFound(_("Requirements apply once the shop is approved."))
    held, owed = services.deposit_balance(merchant)
    return {
        "standing": state.status,
        **{group: getattr(requirements, group) for group in GROUPS},
        "current_deadline": requirements.current_deadline,
        "disabled_reason": requirements.disabled_reason,
        "restricted_shop": requirements.restricted_shop,
        "restricted_category_ids": list(requirements.restricted_category_ids),
        "deposit_held": held,
        "deposit_owed": owed,
        "refund_due_on": state.refund_due_on,
    }


@extend_schema(tags=["merchant"])
class RequirementsView(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {"GET": Scope.APPLICATION_READ}

    @extend_schema(
        operation_id="merchant_requirements_retrieve",
        responses={
            200: RequirementsSerializer,
            404: OpenApiResponse(description="`not_found`: no shop, or the shop is not approved yet."),
        },
    )
    def get(self, request):
        merchant = shop_of(request.user)
        return Response(RequirementsSerializer(requirements_payload(merchant)).data)
