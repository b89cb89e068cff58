from rest_framework import serializers

from core.api.serializers import StrictSerializer

from .. import selectors
from ..models import ApplicationDocument, MerchantProfile, OnboardingApplication, User


class MeSerializer(serializers.ModelSerializer):
    token_name = serializers.SerializerMethodField()
    token_scopes = serializers.SerializerMethodField()
    token_provider = serializers.SerializerMethodField(help_text="The provider a provider token acts for.")

    class Meta:
        model = User
        fields = ["email", "name", "language", "token_name", "token_scopes", "token_provider"]
        read_only_fields = fields

    def get_token_provider(self, user) -> str | None:
        token = self.context["request"].auth
        return token.provider.name if token.provider_id else None

    def get_token_name(self, user) -> str:
        return self.context["request"].auth.name

    def get_token_scopes(self, user) -> list[str]:
        return list(self.context["request"].auth.scopes)


class ChannelSerializer(serializers.Serializer):
    platform = serializers.CharField()
    url = serializers.URLField()


class ProfileSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    shop_name = serializers.CharField(source="display_name", read_only=True)
    region = serializers.CharField(source="region.code", allow_null=True, default=None, read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    channels = ChannelSerializer(many=True, read_only=True)

    class Meta:
        model = MerchantProfile
        fields = [
            "id", "shop_name", "seller_type", "region", "contact_mobile", "categories", "channels",
            "follower_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    qualification = serializers.CharField(source="qualification.code", allow_null=True, default=None)
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ApplicationDocument
        fields = [
            "id", "kind", "qualification", "content_type", "size", "width", "height", "original_name",
            "uploaded_at", "status", "issued_on", "valid_until",
        ]  # fmt: skip
        read_only_fields = fields


class DocumentSlotSerializer(serializers.Serializer):
    slot = serializers.CharField(source="key", help_text="The `slot` to upload this document under.")
    label = serializers.CharField()
    accepts_pdf = serializers.BooleanField(source="allow_pdf")
    document = DocumentSerializer(allow_null=True)


class ApplicationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = serializers.SerializerMethodField(help_text="Masked: only the last 4 characters.")
    missing = serializers.SerializerMethodField(help_text="What still blocks submitting, in words.")
    documents = serializers.SerializerMethodField()

    class Meta:
        model = OnboardingApplication
        fields = [
            "id", "status", "entity_type", "legal_name", "uscc", "legal_representative", "id_number",
            "deposit_amount", "deposit_acknowledged_at", "submitted_at", "decided_at", "missing",
            "documents", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_id_number(self, application) -> str:
        number = application.id_number or ""
        return "*" * max(len(number) - 4, 0) + number[-4:]

    def get_missing(self, application) -> list[str]:
        if not application.is_editable:
            return []
        return [str(item) for item in selectors.missing_for_submit(application)]

    def get_documents(self, application) -> DocumentSlotSerializer(many=True):
        return DocumentSlotSerializer(selectors.document_slots(application), many=True).data


class DocumentUploadSerializer(StrictSerializer):
    slot = serializers.CharField(help_text="A `slot` from the application's `documents`, e.g. `id_front`.")
    file = serializers.FileField(help_text="JPEG, PNG or WebP (or PDF where the slot accepts it), ≤ 10 MB.")
    issued_on = serializers.DateField(required=False, help_text="The issue date printed on the document.")
    valid_until = serializers.DateField(
        required=False, help_text="The last day it is valid; leave out for a long-term (长期) document."
    )
