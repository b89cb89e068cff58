"""The allauth adapter: sign-up stores the visitor's language; mail goes through Celery."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.emails import send_after_commit
from core.sites import current_site

# RFC 5321 caps an address at 254 characters; the column is that wide too.
EMAIL_MAX_LENGTH = 254


class MerchantAccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The lock is per account and anyone may trip it: say how its owner lifts it at once.
        "too_many_login_attempts": gettext_lazy(
            "Too many failed log-in attempts. Try again in a few minutes, or reset your password "
            "by e-mail to unlock your account now."
        ),
    }

    def clean_email(self, email):
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                _("An e-mail address can have at most %(limit)d characters.") % {"limit": EMAIL_MAX_LENGTH}
            )
        return super().clean_email(email)

    def get_login_redirect_url(self, request):
        """Staff land in admin; everyone else on their dashboard, the wizard's start (not the
        home page, where a new merchant who just confirmed the e-mail would find no way on)."""
        if request.user.is_authenticated and request.user.is_staff:
            return reverse("admin:index")
        return reverse("merchants:dashboard")

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address):
        """A merchant who just confirmed its address (and is logged in by it) goes on to its
        dashboard; one who confirmed it logged out goes to log in."""
        if self.request.user.is_authenticated:
            return self.get_login_redirect_url(self.request)
        return super().get_email_verification_redirect_url(email_address)

    def save_user(self, request, user, form, commit=True):
        language = translation.get_language() or settings.LANGUAGE_CODE
        supported = {code for code, _name in settings.LANGUAGES}
        user.language = language if language in supported else settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        """Render as allauth does, but send from Celery once the transaction commits."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": current_site(request)}
        ctx.update(context)
        send_after_commit(self.render_mail(template_prefix, email, ctx))
