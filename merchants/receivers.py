"""Handlers for allauth's signals (a third-party hook, so a signal is the way in)."""

from allauth.account.adapter import get_adapter
from allauth.account.signals import email_confirmed, password_reset
from django.dispatch import receiver

from . import services


@receiver(email_confirmed, dispatch_uid="merchants.welcome_on_email_confirmed")
def welcome_on_email_confirmed(sender, request, email_address, **kwargs):
    services.user_send_welcome(user=email_address.user, request=request)


@receiver(password_reset, dispatch_uid="merchants.unlock_login_on_password_reset")
def unlock_login_on_password_reset(sender, request, user, **kwargs):
    """Lift the account's failed log-in lock: the e-mailed reset link proved the owner is here.

    The per-account limit on failed log-ins can be tripped by anyone who knows the address;
    this is the way out that only the address's owner has (docs/permissions.md).
    """
    get_adapter(request)._delete_login_attempts_cached_email(request, email=user.email)
