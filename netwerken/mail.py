"""Outgoing mail: queued as a row, sent by a Celery task after the transaction commits.

The row is the source of truth: if the task is lost, the periodic sweep (send_pending_emails) sends it.
"""

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def queue_email(*, to, subject, body_text, body_html="", organisation_id=None, resident_id=None):
    """Queues one mail. `organisation_id` and `resident_id` say whose it is, for erasure."""
    email = OutgoingEmail.objects.create(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        organisation_id=organisation_id,
        resident_id=resident_id,
    )
    from .background import enqueue_on_commit
    from .tasks import send_email

    enqueue_on_commit(send_email, email.pk)
    return email


def queue_message(message):
    """Queues a rendered django EmailMessage (as allauth renders them), one row per recipient."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = content
    if message.content_subtype == "html":
        html, text = message.body, ""
    else:
        text = message.body
    return [queue_email(to=to, subject=message.subject, body_text=text, body_html=html) for to in message.to]


def deliver(email_id):
    """Sends one queued email once. Returns True if it was sent now, False if there was nothing to do.

    The row stays locked while sending, so two workers given the same id send it once. A failure is
    recorded (committed) and then raised, so the task's retry with backoff takes over.
    """
    failure = None
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id, sent_at__isnull=True).first()
        if email is None:
            return False
        email.attempts += 1
        message = EmailMultiAlternatives(subject=email.subject, body=email.body_text, to=[email.to])
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        try:
            message.send()
        except Exception as exc:
            failure = exc
            email.last_error = str(exc)[:2000]
            email.save(update_fields=["attempts", "last_error"])
        else:
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "sent_at", "last_error"])
    if failure is not None:
        logger.warning("Sending email %s failed (attempt %s): %s", email_id, email.attempts, failure)
        raise failure
    return True


def pending_email_ids(older_than=timedelta(minutes=2)):
    """Emails whose task may have been lost: unsent, not brand new, not given up on."""
    cutoff = timezone.now() - older_than
    return list(
        OutgoingEmail.objects.filter(sent_at__isnull=True, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
