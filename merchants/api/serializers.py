from rest_framework import serializers

from ..models import User


class MeSerializer(serializers.ModelSerializer):
    token_name = serializers.SerializerMethodField()
    token_scopes = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["email", "name", "language", "token_name", "token_scopes"]
        read_only_fields = fields

    def get_token_name(self, user) -> str:
        return self.context["request"].auth.name

    def get_token_scopes(self, user) -> list[str]:
        return list(self.context["request"].auth.scopes)
