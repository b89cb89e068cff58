"""The status maps of the lifecycle after approval, on the one mechanism (core.transitions).

- A merchant's standing: any open standing may become any other as its requirements
  change (the requirements decide, not a person); a closed shop stays closed. Each move,
  and each change of the requirements without a move, is a `ComplianceEvent` and a
  `merchant.requirements_updated` webhook to the merchant's endpoints.
- A document uploaded after approval waits for review, then is in force or refused; the
  one it replaces is superseded.
- A category request and a deposit bank transfer are decided once.
"""

from core.transitions import Workflow
from core.webhooks.models import EventType
from core.webhooks.subjects import WebhookSubject

from ..models import (
    ApplicationDocument,
    CategoryRequest,
    CategoryRequestEvent,
    CategoryRequestStatus,
    ComplianceEvent,
    DepositTransfer,
    DepositTransferEvent,
    DepositTransferStatus,
    DocumentEvent,
    DocumentStatus,
    MerchantCompliance,
    Standing,
)
from ..workflows import merchant_endpoints


def compliance_subject(state: MerchantCompliance) -> WebhookSubject:
    def describe():
        return {
            "merchant": {"id": str(state.merchant.public_id), "standing": state.status},
            "requirements": state.requirements,
        }

    return WebhookSubject(recipients=merchant_endpoints(state.merchant_id), describe=describe)


_OPEN = {Standing.GOOD, Standing.ACTION_REQUIRED, Standing.RESTRICTED}

COMPLIANCE_WORKFLOW = Workflow(
    model=MerchantCompliance,
    transitions={standing: ({*_OPEN, Standing.CLOSED} - {standing}) for standing in _OPEN},
    event_model=ComplianceEvent,
    event_subject_field="compliance",
    webhook_event=EventType.REQUIREMENTS_UPDATED,
    webhook_subject=compliance_subject,
)

DOCUMENT_WORKFLOW = Workflow(
    model=ApplicationDocument,
    transitions={
        DocumentStatus.PENDING: {DocumentStatus.CURRENT, DocumentStatus.REFUSED},
        DocumentStatus.CURRENT: {DocumentStatus.SUPERSEDED},
    },
    event_model=DocumentEvent,
    event_subject_field="document",
    reason_required={DocumentStatus.REFUSED},
)

CATEGORY_REQUEST_WORKFLOW = Workflow(
    model=CategoryRequest,
    transitions={
        CategoryRequestStatus.SUBMITTED: {
            CategoryRequestStatus.APPROVED,
            CategoryRequestStatus.REJECTED,
            CategoryRequestStatus.WITHDRAWN,
        },
    },
    event_model=CategoryRequestEvent,
    event_subject_field="request",
    reason_required={CategoryRequestStatus.REJECTED},
)

DEPOSIT_TRANSFER_WORKFLOW = Workflow(
    model=DepositTransfer,
    transitions={
        DepositTransferStatus.SUBMITTED: {DepositTransferStatus.CONFIRMED, DepositTransferStatus.REFUSED}
    },
    event_model=DepositTransferEvent,
    event_subject_field="transfer",
    reason_required={DepositTransferStatus.REFUSED},
)
