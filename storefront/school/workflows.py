"""The school item status map (on the shared mechanism, core.transitions).

Staff write drafts and publish or schedule them; a service provider's article goes
through review first: draft → submitted → published / scheduled / changes requested /
rejected. Beat publishes scheduled items when their time comes.
"""

from core.transitions import Workflow

from .models import SchoolEvent, SchoolItem
from .models import SchoolStatus as S

SCHOOL_WORKFLOW = Workflow(
    model=SchoolItem,
    transitions={
        S.DRAFT: {S.SUBMITTED, S.SCHEDULED, S.PUBLISHED},
        S.SUBMITTED: {S.DRAFT, S.SCHEDULED, S.PUBLISHED, S.CHANGES_REQUESTED, S.REJECTED},
        S.CHANGES_REQUESTED: {S.SUBMITTED},
        S.SCHEDULED: {S.PUBLISHED, S.DRAFT},
        S.PUBLISHED: {S.ARCHIVED},
        S.ARCHIVED: {S.PUBLISHED, S.DRAFT},
    },
    event_model=SchoolEvent,
    event_subject_field="item",
    reason_required={S.CHANGES_REQUESTED, S.REJECTED},
)

# Where each kind of author may move an item; staff moves need the publish permission.
PROVIDER_EDITABLE = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
