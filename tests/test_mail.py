from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone

from netwerken import mail as outbox
from netwerken.models import OutgoingEmail
from netwerken.tasks import send_email, send_pending_emails


def test_queued_mail_is_sent_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = outbox.queue_email(to="a@example.nl", subject="Welkom", body_text="Hallo")
    assert len(mail.outbox) == 0, "nothing leaves before the transaction commits"
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == ["Welkom"]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_sending_twice_sends_once(db):
    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Eén keer", body_text="x")
    assert send_email.apply(args=[email.pk]).get() is True
    assert send_email.apply(args=[email.pk]).get() is False
    assert len(mail.outbox) == 1


def test_lost_task_is_redone_by_the_sweep(db):
    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Verloren taak", body_text="x")
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    fresh = OutgoingEmail.objects.create(to="b@example.nl", subject="Net aangemaakt", body_text="x")
    assert send_pending_emails.apply().get() == 1
    assert [m.subject for m in mail.outbox] == ["Verloren taak"]
    fresh.refresh_from_db()
    assert fresh.sent_at is None


def test_smtp_failure_is_recorded_and_retried(db, monkeypatch):
    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Storing", body_text="x")

    def broken_send(self, fail_silently=False):
        raise SMTPException("server weg")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    with pytest.raises(SMTPException):
        outbox.deliver(email.pk)
    assert send_email.retry_backoff and SMTPException in send_email.autoretry_for
    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts == 1
    assert "server weg" in email.last_error
