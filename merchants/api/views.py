from drf_spectacular.utils import extend_schema
from rest_framework import generics

from .serializers import MeSerializer


class MeView(generics.RetrieveAPIView):
    """The account the presented token belongs to, and the token's scopes."""

    serializer_class = MeSerializer

    @extend_schema(operation_id="me_retrieve", tags=["account"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return self.request.user
