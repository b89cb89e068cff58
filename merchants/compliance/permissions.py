"""Who may decide what after approval; services, admin, pages and the API ask here.

- A merchant sees and acts on its own requirements, documents, category requests,
  transfers and ledger, and nobody else's.
- Reviewers (the onboarding review permission) decide on renewed documents and confirm
  validity dates; category requests need their own permission, which reviewers hold.
- Finance (a staff group, merchants.roles) confirms or refuses bank transfers, records
  deductions and refunds; it reads the ledger and the receipts, not identity documents.
"""

from ..permissions import REVIEW_PERMISSION, active_staff_with

CATEGORY_REVIEW_PERMISSION = "merchants.review_categoryrequest"
TRANSFER_CONFIRM_PERMISSION = "merchants.confirm_deposittransfer"
LEDGER_RECORD_PERMISSION = "merchants.record_depositentry"


def can_review_documents(user) -> bool:
    return active_staff_with(user, REVIEW_PERMISSION)


def can_review_category_requests(user) -> bool:
    return active_staff_with(user, CATEGORY_REVIEW_PERMISSION)


def can_handle_deposits(user) -> bool:
    return active_staff_with(user, TRANSFER_CONFIRM_PERMISSION) and user.has_perm(LEDGER_RECORD_PERMISSION)


def can_view_receipt(user, transfer) -> bool:
    """The merchant who uploaded it, and finance."""
    if not user.is_authenticated:
        return False
    return transfer.merchant.user_id == user.pk or active_staff_with(user, TRANSFER_CONFIRM_PERMISSION)
