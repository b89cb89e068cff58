"""Handlers for allauth's signals (a third-party hook, so a signal is the way in)."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from . import services


@receiver(email_confirmed, dispatch_uid="merchants.welcome_on_email_confirmed")
def welcome_on_email_confirmed(sender, request, email_address, **kwargs):
    services.user_send_welcome(user=email_address.user, request=request)
