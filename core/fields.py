"""The fields every app's rows share: timestamps, a public id, the key to the user who acted,
and the choice between a row's Chinese and English names.

Kept apart from core/models.py, which imports the webhook outbox's models so that Django
finds them: those models use these pieces too, and importing core.models from them would
close a circle.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract row with `created_at` and `updated_at` (docs/contributing.md: on everything).

    A model whose creation time has a name of its own ("uploaded at", "applied at")
    overrides `created_at` with that verbose name; the column stays the same.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def public_id_field() -> models.UUIDField:
    """Return the random, unique and fixed id a URL or the API shows instead of the row's key."""
    return models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)


def user_reference(verbose_name, **options) -> models.ForeignKey:
    """Return a key to the user who did something (acted, accepted, wrote, reported).

    The row outlives the account: the key becomes NULL when the user is deleted. The user
    gets no reverse accessor (`related_name="+"`).
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **options,
    )


def localized_name(name: str | None, name_en: str | None) -> str | None:
    """A staff-edited row's name in the page's language, from its `name` and `name_en`
    columns (the English one where the page is English and the row has one). Models use it
    through their `localized_name`; pages that read plain rows call it directly."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name
