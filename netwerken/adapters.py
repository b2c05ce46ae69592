from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .mail import queue_message


def mail_signer(request):
    """Who signs an account mail: the organisation whose page it came from (a volunteer signing up at
    /o/<org>/word-vrijwilliger/), else the platform (PLATFORM_NAME). Never the host the request came in on."""
    tenant = getattr(request, "tenant", None) if request is not None else None
    if tenant is not None and tenant.organisation is not None:
        return tenant.organisation.name
    return settings.PLATFORM_NAME


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Rendered exactly as allauth does, but queued in the database and sent by Celery. Without the sites
        # framework allauth's `current_site` is the request's host ("127.0.0.1:8000"); our templates
        # (templates/account/email/) sign with `signer` instead, and `current_site` names it too, so a template
        # of allauth's we did not override cannot show the host either.
        request = allauth_context.request
        signer = mail_signer(request)
        ctx = {
            "request": request,
            "email": email,
            "signer": signer,
            "platform_name": settings.PLATFORM_NAME,
        }
        ctx.update(context)  # allauth's notification mails bring their own current_site: replaced here
        ctx["current_site"] = SimpleNamespace(name=signer, domain=signer)
        queue_message(self.render_mail(template_prefix, email, ctx))

    def format_email_subject(self, subject):
        return f"[{mail_signer(allauth_context.request)}] {subject}"

    def clean_email(self, email):
        # The form accepts up to 320 characters, the database column 254: refuse it here, not with a 500.
        if len(email) > 254:
            raise ValidationError(_("Een e-mailadres is hooguit 254 tekens lang."))
        return super().clean_email(email)
