"""Strings of Django and allauth whose Chinese the project's own catalogue supplies.

`make messages` reads only the project's sources, so these are named here for it to keep
them in locale/*/django.po; at run time the project's catalogue is read before Django's
and allauth's (LOCALE_PATHS), so its translation wins. Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

OVERRIDES = (
    # Django 5.2 writes its password-length messages with %d; its zh_Hans catalogue still
    # has them with %(min_length)d, so without these they show in English.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    # allauth's zh_Hans catalogue greets with "Hello!" in English.
    gettext_noop("Hello from %(site_name)s!"),
)
