"""Who may see or change what in the merchants app: pages, admin and API all ask here.

- A merchant sees and edits only its own profile and application, and edits only
  while the application is a draft or changes are requested.
- Reviewing staff (the `review_onboardingapplication` permission, held by the
  reviewer group) see every application and its documents and decide on them.
- Other staff (support, belt operations, content editors) do not see documents.
- A member of a service provider sees the applications and documents of merchants
  who applied to a belt it serves or signed up through its invitation; read only.
  industrybelts builds on merchants, so it adds that rule through `application_viewers`
  (and its managers' rule through `token_managers`) in its AppConfig.ready().
"""

from core.hooks import Hook

from .roles import StaffGroup

application_viewers = Hook(
    "merchants.application_viewers", "rule(user, merchant) -> bool: user may read the merchant's application"
)
token_managers = Hook("merchants.token_managers", "rule(user, token) -> bool: user may see or revoke token")

REVIEW_PERMISSION = "merchants.review_onboardingapplication"


def active_staff_with(user, permission: str) -> bool:
    """Return whether `user` is an active staff account holding `permission`: every staff
    right in every app is asked this way, so a deactivated or demoted account loses them all."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.has_perm(permission))


def user_in_staff_group(user, group: StaffGroup) -> bool:
    """Return whether `user` is active staff in `group` (superusers are in every group)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=str(group)).exists()


def user_can_manage_api_token(user, token) -> bool:
    """Return whether `user` may see or revoke `token`: its owner, support staff, or for a
    provider's token the provider's owners and managers."""
    if not user.is_authenticated:
        return False
    if token.user_id == user.pk or user_in_staff_group(user, StaffGroup.SUPPORT):
        return True
    return token_managers.any(user, token)


def can_review_applications(user) -> bool:
    return active_staff_with(user, REVIEW_PERMISSION)


def is_application_owner(user, application) -> bool:
    return bool(user.is_authenticated and application.merchant.user_id == user.pk)


def can_view_application(user, application) -> bool:
    if is_application_owner(user, application) or can_review_applications(user):
        return True
    return application_viewers.any(user, application.merchant)


def can_view_document(user, document) -> bool:
    return can_view_application(user, document.application)


# --- Staff rights ---------------------------------------------------------------------
# Staff groups (roles.py) do their jobs through model permissions; no group may raise
# anyone's rights, its own included. Rights are: superuser and staff flags, groups and
# direct permissions, a password or e-mail address (each leads to the account), and API
# tokens for someone else. Only an active superuser changes those; admin screens ask here.

PRIVILEGED_USER_FIELDS = ("email", "is_staff", "is_superuser", "groups", "user_permissions")


def can_grant_rights(user) -> bool:
    """Return whether `user` may change the rights and credentials of accounts (superusers only)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.is_superuser)


def can_change_account(user, account) -> bool:
    """Return whether `user` may edit `account`'s ordinary fields (name, language, active flag).

    Staff with the user-change permission edit non-staff accounts and their own; another
    staff account is a superuser's to edit, so no group can lock out or rename a colleague.
    """
    if can_grant_rights(user):
        return True
    if not active_staff_with(user, "merchants.change_user"):
        return False
    return account is None or account.pk == user.pk or not (account.is_staff or account.is_superuser)


def user_readonly_fields(user, account) -> tuple[str, ...]:
    """The account fields `user` sees but may not change on `account`'s admin page."""
    if can_grant_rights(user):
        return ()
    fields = PRIVILEGED_USER_FIELDS
    if account is not None and (account.pk == user.pk or account.is_staff or account.is_superuser):
        fields = (*fields, "is_active")  # support deactivates merchants, never staff
    return fields
