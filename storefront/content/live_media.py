"""A live session's cover: the private upload made into a public WebP, as product photos are."""

import logging

from django.core.files.base import ContentFile
from django.db import transaction

from core.uploads import make_webp_sizes

from .live import live_changed
from .models import LiveSession

logger = logging.getLogger(__name__)

COVER_SIDE = 960


def process_live_cover(session_id: int) -> None:
    """Decode the private cover, write an upright WebP without EXIF (so no GPS), drop the original.

    Safe to run twice: a session without an original is left alone. A file that does not
    decode is removed (the session keeps its placeholder).
    """
    session = LiveSession.objects.filter(pk=session_id).first()
    if session is None or not session.cover_original:
        return
    storage, original = session.cover_original.storage, session.cover_original.name
    try:
        with session.cover_original.open("rb") as source:
            (cover,) = make_webp_sizes(source, sizes=(COVER_SIDE,))
    except Exception:  # a file that Pillow cannot decode is not a picture
        logger.warning("live session %s cover could not be decoded; removed", session_id)
        LiveSession.objects.filter(pk=session_id).update(cover_original="")
        storage.delete(original)
        return
    old_cover = session.cover.name if session.cover else ""
    session.cover.save("cover.webp", ContentFile(cover), save=False)
    session.cover_original = ""
    with transaction.atomic():
        session.save(update_fields=["cover", "cover_original", "updated_at"])
        live_changed()
    storage.delete(original)  # only once nothing points at it
    if old_cover:
        session.cover.storage.delete(old_cover)
