from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .mail import queue_message


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Rendered exactly as allauth does, but queued in the database and sent by Celery.
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        queue_message(self.render_mail(template_prefix, email, ctx))

    def clean_email(self, email):
        # The form accepts up to 320 characters, the database column 254: refuse it here, not with a 500.
        if len(email) > 254:
            raise ValidationError(_("Een e-mailadres is hooguit 254 tekens lang."))
        return super().clean_email(email)
