"""Staff groups and the model permissions each one holds.

Staff are never superusers by necessity: each job is a Django group, created by a
data migration (0002) and extended by the migrations of later features. Pages, admin
and API test membership through `permissions.py`, never by group name inline.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffGroup(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    BELT_OPERATIONS = "belt-operations", _("Belt operations")
    CONTENT_EDITOR = "content-editor", _("Content editor")
    SUPPORT = "support", _("Support")


# app_label -> model -> actions, per group. Later features add their models here
# and a migration that calls grant_group_permissions again.
GROUP_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    StaffGroup.REVIEWER: {
        "merchants": {"user": ("view",)},
    },
    StaffGroup.BELT_OPERATIONS: {
        "merchants": {"user": ("view",)},
    },
    StaffGroup.CONTENT_EDITOR: {},
    StaffGroup.SUPPORT: {
        "merchants": {"user": ("view", "change"), "apitoken": ("view", "add", "change")},
        "account": {"emailaddress": ("view", "change")},
    },
}


def grant_group_permissions(apps, schema_editor=None):
    """Create the staff groups and give each the permissions in GROUP_PERMISSIONS.

    Runs inside migrations, where permissions are not created yet (post_migrate
    comes later), so it creates them for the apps it needs first.
    """
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for group_name, by_app in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(group_name))
        for app_label, by_model in by_app.items():
            for model, actions in by_model.items():
                codenames = [f"{action}_{model}" for action in actions]
                perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                group.permissions.add(*perms)
