"""What the belts API reads and writes: public bases, memberships, and the provider's side."""

from django.utils import timezone
from rest_framework import serializers

from core.api.serializers import StrictSerializer
from merchants.models import EntityType, SellerType
from merchants.validators import normalize_mainland_mobile

from ..models import Base, BeltMembership, MembershipStatus, MerchantInvitation


class BaseSerializer(serializers.ModelSerializer):
    belt = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = Base
        fields = ["id", "belt", "name", "kind", "region", "address", "capacity", "description"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    merchant = serializers.UUIDField(source="merchant.public_id", read_only=True)
    shop_name = serializers.CharField(source="merchant.display_name", read_only=True)
    belt = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    base = serializers.CharField(source="base.name", read_only=True)
    invited = serializers.SerializerMethodField()

    class Meta:
        model = BeltMembership
        fields = [
            "id", "merchant", "shop_name", "belt", "base", "status", "invited", "pre_reviewed_at",
            "decided_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_invited(self, membership) -> bool:
        return membership.invitation_id is not None


class MembershipFilterSerializer(serializers.Serializer):
    """The provider's membership list filters (query parameters; the others are the page's)."""

    belt = serializers.CharField(
        required=False, allow_blank=True, help_text="Slug of a belt the provider serves (another is a 400)."
    )
    status = serializers.ChoiceField(choices=MembershipStatus.choices, required=False, allow_blank=True)


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class RejectionSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500, help_text="What the merchant reads.")


class BeltSummarySerializer(serializers.Serializer):
    """A belt as the APIs list it (the public list and the provider's add what they need)."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    category = serializers.CharField(source="category.code")
    requires_invitation = serializers.BooleanField()


class ProviderBeltSerializer(BeltSummarySerializer):
    status = serializers.CharField()


class InvitationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    belt = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    state = serializers.SerializerMethodField()
    accepted_by_merchant = serializers.SerializerMethodField()

    class Meta:
        model = MerchantInvitation
        fields = [
            "id", "belt", "note", "state", "prefill", "expires_at", "accepted_at", "accepted_by_merchant",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_state(self, invitation) -> str:
        if invitation.accepted_at is not None:
            return "accepted"
        return "open" if invitation.expires_at > timezone.now() else "expired"

    def get_accepted_by_merchant(self, invitation) -> str | None:
        profile = getattr(invitation.accepted_by, "merchant", None) if invitation.accepted_by_id else None
        return str(profile.public_id) if profile else None


class CreatedInvitationSerializer(InvitationSerializer):
    """The invitation just made, with its link: shown in this response only, never stored."""

    link = serializers.URLField(read_only=True)

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]
        read_only_fields = fields


class InvitationCreateSerializer(StrictSerializer):
    belt = serializers.SlugField(help_text="Slug of a belt the provider serves.")
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="Who it is for.")


class RecruitCreateSerializer(InvitationCreateSerializer):
    """A prepared application: what the provider knows of the seller, filled into its draft."""

    email = serializers.EmailField(required=False, allow_blank=True, help_text="Send the link to the seller.")
    shop_name = serializers.CharField(max_length=60)
    seller_type = serializers.ChoiceField(choices=SellerType.choices)
    contact_mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    entity_type = serializers.ChoiceField(choices=EntityType.choices, required=False, allow_blank=True)
    legal_name = serializers.CharField(max_length=100, required=False, allow_blank=True)

    def validate_contact_mobile(self, value):
        return normalize_mainland_mobile(value) if value else value

    def prefill(self) -> dict:
        data = self.validated_data
        prefill = {
            "display_name": data["shop_name"],
            "seller_type": data["seller_type"],
            "contact_mobile": data.get("contact_mobile", ""),
            "entity_type": data.get("entity_type", ""),
            "legal_name": data.get("legal_name", ""),
        }
        return {key: value for key, value in prefill.items() if value}


class DocumentSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    qualification = serializers.CharField(source="qualification.code", allow_null=True, default=None)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField(source="created_at")


class ApplicationSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    entity_type = serializers.CharField()
    legal_name = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    documents = DocumentSummarySerializer(many=True)


class ProviderMerchantSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    shop_name = serializers.CharField(source="display_name")
    seller_type = serializers.CharField()
    region = serializers.CharField(source="region.code", allow_null=True, default=None)
    follower_count = serializers.IntegerField()
    application = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_application(self, merchant) -> ApplicationSummarySerializer(allow_null=True):
        # `applications` is prefetched newest first: the active one, else the latest rejected.
        applications = list(merchant.applications.all())
        active = next((a for a in applications if a.status != "rejected"), None)
        application = active or (applications[0] if applications else None)
        return ApplicationSummarySerializer(application).data if application else None
