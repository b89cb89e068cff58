"""The video and live-session status maps and their webhook subjects (core.transitions).

Video: uploading → processing → published, or failed when the file cannot be used (the
reason is the failure code); staff hide a published video with a reason and restore it.
Live session: scheduled → live → ended; a scheduled session can be cancelled (by its
merchant, or by staff with a reason); the beat sweep ends a session that overran and
cancels one that never started.
"""

from core.transitions import Workflow
from core.webhooks.models import EventType
from core.webhooks.subjects import WebhookSubject
from merchants.workflows import merchant_endpoints

from .models import LiveSession, LiveSessionEvent, Video, VideoEvent
from .models import LiveStatus as L
from .models import VideoStatus as V


def video_subject(video) -> WebhookSubject:
    """Only the video's merchant hears of it, like its goods."""

    def describe():
        row = Video.objects.filter(pk=video.pk).values("public_id", "title", "merchant__public_id").get()
        products = video.products.values_list("public_id", flat=True)
        return {
            "video": {
                "id": str(row["public_id"]),
                "status": video.status,
                "title": row["title"],
                "merchant": str(row["merchant__public_id"]),
                "products": [str(public_id) for public_id in products],
            }
        }

    return WebhookSubject(recipients=merchant_endpoints(video.merchant_id), describe=describe)


def live_session_subject(session) -> WebhookSubject:
    def describe():
        row = (
            LiveSession.objects.filter(pk=session.pk)
            .values("public_id", "title", "starts_at", "expected_end_at", "room_url", "merchant__public_id")
            .get()
        )
        return {
            "live_session": {
                "id": str(row["public_id"]),
                "status": session.status,
                "title": row["title"],
                "starts_at": row["starts_at"].isoformat(),
                "expected_end_at": row["expected_end_at"].isoformat(),
                "room_url": row["room_url"],
                "merchant": str(row["merchant__public_id"]),
            }
        }

    return WebhookSubject(recipients=merchant_endpoints(session.merchant_id), describe=describe)


VIDEO_WORKFLOW = Workflow(
    model=Video,
    transitions={
        V.UPLOADING: {V.PROCESSING, V.FAILED, V.DELETED},
        V.PROCESSING: {V.PUBLISHED, V.FAILED, V.DELETED},
        V.PUBLISHED: {V.HIDDEN, V.DELETED},
        V.HIDDEN: {V.PUBLISHED, V.DELETED},
        V.FAILED: {V.DELETED},
    },
    event_model=VideoEvent,
    event_subject_field="video",
    reason_required={V.HIDDEN, V.FAILED},
    webhook_event={V.PUBLISHED: EventType.VIDEO_PUBLISHED},
    webhook_subject=video_subject,
)

LIVE_SESSION_WORKFLOW = Workflow(
    model=LiveSession,
    transitions={
        L.SCHEDULED: {L.LIVE, L.CANCELLED},
        L.LIVE: {L.ENDED},
    },
    event_model=LiveSessionEvent,
    event_subject_field="session",
    webhook_event={L.LIVE: EventType.LIVE_SESSION_STARTED},
    webhook_subject=live_session_subject,
)
