"""Outgoing mail: queued as a row, sent by a Celery task after the transaction commits.

The row is the source of truth: if the task is lost, the periodic sweep (send_pending_emails) sends it.
Each mail has one Message-ID (stored with the row) and is claimed in its own committed transaction before it
is sent, so a worker killed at any moment sends it at most once, except for the crash between the server's
acceptance and our commit: then a second copy, with the same Message-ID.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutgoingEmail, new_message_id

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


def lease():
    """How long a claim keeps other workers off a mail: longer than any send can take (EMAIL_TIMEOUT per step)."""
    return timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS)


def _claim(email_id):
    """Claims the mail for one send and commits that: attempts + 1 and `sending_since`. None if it is sent
    already, gone, or claimed by a send less than a lease ago (it may be on its way to the server now)."""
    now = timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id, sent_at__isnull=True).first()
        if email is None or (email.sending_since is not None and email.sending_since > now - lease()):
            return None
        email.attempts += 1
        email.sending_since = now
        if not email.message_id:  # a row from before Message-IDs were stored: given one now, kept from now on
            email.message_id = new_message_id()
        email.save(update_fields=["attempts", "sending_since", "message_id"])
    return email


def deliver(email_id):
    """Sends one queued email at most once. Returns True if it was sent now, False if there was nothing to do.

    Three steps, each committed: the claim (attempts + 1, `sending_since`), the send, the result (`sent_at`).
    A worker killed mid-send leaves the claim: the task redelivered at once finds it younger than the lease and
    does nothing; the sweep sends it again only after the lease. Only a crash between the server's acceptance
    and our commit gives a second copy, and it carries the same Message-ID. A failure is recorded (the claim
    released) and then raised, so the task's retry with backoff takes over.
    """
    email = _claim(email_id)
    if email is None:
        return False
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body_text, to=[email.to], headers={"Message-ID": email.message_id}
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except Exception as exc:
        # Released only if the claim is still ours (a send that outlived its lease may have been taken over).
        OutgoingEmail.objects.filter(pk=email.pk, sending_since=email.sending_since).update(
            last_error=str(exc)[:2000], sending_since=None
        )
        logger.warning("Sending email %s failed (attempt %s): %s", email_id, email.attempts, exc)
        raise
    OutgoingEmail.objects.filter(pk=email.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), last_error="", sending_since=None
    )
    return True


def pending_email_ids(older_than=None):
    """Emails whose task may have been lost: unsent, not brand new, not given up on, and not claimed by a
    send less than a lease ago."""
    now = timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.EMAIL_PENDING_PATIENCE_SECONDS)
    return list(
        OutgoingEmail.objects.filter(sent_at__isnull=True, created_at__lt=now - older_than, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lte=now - lease()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def check_lease(app_configs=None, **kwargs):
    """System check: a lease shorter than a send can take would let the sweep send a slow mail twice."""
    from django.core.checks import Warning

    if settings.EMAIL_SEND_LEASE_SECONDS <= 3 * settings.EMAIL_TIMEOUT:
        return [
            Warning(
                "EMAIL_SEND_LEASE_SECONDS is not longer than three times EMAIL_TIMEOUT: a slow mail server can make "
                "the sweep send a mail a second time while the first send is still under way.",
                id="netwerken.W001",
            )
        ]
    return []
