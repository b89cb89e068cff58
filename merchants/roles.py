"""Staff groups and the model permissions each one holds.

Staff are never superusers by necessity: each job is a Django group, created by a
data migration (0002) and kept in step with GROUP_PERMISSIONS after every migrate. Pages, admin
and API test membership through `permissions.py`, never by group name inline.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffGroup(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    BELT_OPERATIONS = "belt-operations", _("Belt operations")
    CONTENT_EDITOR = "content-editor", _("Content editor")
    SUPPORT = "support", _("Support")
    FINANCE = "finance", _("Finance")


# Moderating merchants' goods, live sessions and videos (storefront), and reading their
# histories: belt operations and content editors both do it, with the same rights.
CONTENT_MODERATION: dict[str, tuple[str, ...]] = {
    "product": ("view", "moderate"),
    "productevent": ("view",),
    "productimage": ("view",),
    "productlink": ("view",),
    # Live sessions: the model's key is "livesession"; its permission is spelt
    # moderate_live_session (the codename is "<action>_<key>", so keyed apart).
    "livesession": ("view",),
    "live_session": ("moderate",),
    "livesessionevent": ("view",),
    "video": ("view", "moderate"),
    "videoevent": ("view",),
}

# app_label -> model -> actions, per group. A feature adds its models here; the
# post_migrate sync grants them on the next migrate.
GROUP_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    StaffGroup.REVIEWER: {
        "merchants": {
            "user": ("view",),
            "onboardingapplication": ("view", "review"),
            "applicationdocument": ("view",),
            "applicationevent": ("view",),
            "merchantprofile": ("view",),
            "saleschannel": ("view",),
            "category": ("view",),
            "qualificationtype": ("view",),
            "region": ("view",),
            # After approval: renewed documents and category additions.
            "documentevent": ("view",),
            "categoryrequest": ("view", "review"),
            "categoryrequestevent": ("view",),
            "merchantcompliance": ("view",),
            "complianceevent": ("view",),
            "compliancereminder": ("view",),
        },
    },
    StaffGroup.BELT_OPERATIONS: {
        "merchants": {
            "user": ("view",),
            "merchantprofile": ("view",),
            "category": ("view", "add", "change"),
            "qualificationtype": ("view", "add", "change"),
            "region": ("view",),
        },
        "industrybelts": {
            "belt": ("view", "add", "change"),
            "base": ("view", "add", "change", "delete"),
            "serviceprovider": ("view", "change"),
            "providerassignment": ("view", "add", "change"),
            # Members join by the invitation they accept, never picked in admin; staff may remove one.
            "providermember": ("view", "delete"),
            "providercomplaint": ("view", "add", "change"),
            "beltmembership": ("view", "decide"),
            "merchantinvitation": ("view",),
            "providerevent": ("view",),
            "membershipevent": ("view",),
        },
        "storefront": {
            **CONTENT_MODERATION,
            "discoverysettings": ("view", "change"),
            "campaign": ("view", "add", "change", "delete"),
            "campaignentry": ("view",),
            "campaignleaderboardrow": ("view",),
            "exposurehealth": ("view",),
            "productexposure": ("view",),
        },
    },
    StaffGroup.CONTENT_EDITOR: {
        "storefront": {
            **CONTENT_MODERATION,
            "schoolitem": ("view", "add", "change", "publish"),
            "schoolimage": ("view", "add", "change", "delete"),
            "schooltag": ("view", "add", "change"),
            "schoolrevision": ("view",),
            "schoolevent": ("view",),
        },
        "industrybelts": {"belt": ("view",)},
    },
    StaffGroup.SUPPORT: {
        "merchants": {
            # Deactivate merchants and resend verification; rights and credentials stay superusers'.
            "user": ("view", "change"),
            # Revoke tokens; minting one for someone else would be acting as them.
            "apitoken": ("view", "change"),
            "merchantprofile": ("view",),
        },
        # A merchant's spreadsheet imports, to answer "why did my file fail?".
        "storefront": {"importjob": ("view",)},
        # Partners' webhooks (the kernel's outbox): disable or enable an endpoint, redeliver,
        # read the log.
        "core": {
            "webhookendpoint": ("view", "change"),
            "webhookdelivery": ("view", "change"),
            "webhookattempt": ("view",),
        },
        "account": {"emailaddress": ("view",)},
    },
    StaffGroup.FINANCE: {
        "merchants": {
            # Deposits only: transfers and their receipts, the ledger, the hold period.
            # Identity documents stay the reviewers'.
            "merchantprofile": ("view",),
            "deposittransfer": ("view", "confirm"),
            "deposittransferevent": ("view",),
            "depositentry": ("view", "record"),
            "merchantcompliance": ("view",),
            "compliancepolicy": ("view", "change"),
        },
    },
}


def sync_staff_groups(apps) -> None:
    """Create missing staff groups and give each exactly the permissions GROUP_PERMISSIONS lists.

    Runs after every migrate (post_migrate, see apps.py), so a group picks up the
    permissions of models added later, loses those taken out of the table (a right removed
    here is removed from every deployment), and a test database flush restores the groups.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, by_app in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(group_name))
        granted = []
        for app_label, by_model in by_app.items():
            for model, actions in by_model.items():
                codenames = [f"{action}_{model}" for action in actions]
                granted += Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
        group.permissions.set(granted)


def create_staff_groups(apps, schema_editor=None) -> None:
    """Create the staff groups from a data migration.

    Permissions are normally created by post_migrate, after all migrations; here
    they are created first so the groups get them on the very first migrate.
    """
    # Late: a migration imports this module, and auth's management code reaches models.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_staff_groups(apps)
