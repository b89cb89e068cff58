"""Who may do what in the accounts app; pages, admin and API all ask here."""

from .roles import StaffGroup


def user_in_staff_group(user, group: StaffGroup) -> bool:
    """Return whether `user` is active staff in `group` (superusers are in every group)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=str(group)).exists()


def user_can_manage_api_token(user, token) -> bool:
    """Return whether `user` may see or revoke `token`: its owner or support staff."""
    if not user.is_authenticated:
        return False
    return token.user_id == user.pk or user_in_staff_group(user, StaffGroup.SUPPORT)
