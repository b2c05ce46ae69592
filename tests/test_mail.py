from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone

from netwerken import mail as outbox
from netwerken.models import OutgoingEmail
from netwerken.tasks import send_email, send_pending_emails

from .conftest import celery_conf


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
    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts == 1
    assert "server weg" in email.last_error


def test_the_task_retries_until_the_server_takes_the_mail(db, monkeypatch):
    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Na twee keer", body_text="x")
    real_send = outbox.EmailMultiAlternatives.send
    tries = []

    def flaky_send(self, fail_silently=False):
        tries.append(1)
        if len(tries) <= 2:
            raise SMTPException("even weg")
        return real_send(self, fail_silently)

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", flaky_send)
    # In-process, Celery runs the retries at once (no countdown): the third try goes through.
    with celery_conf(task_eager_propagates=False):
        assert send_email.apply(args=[email.pk]).get() is True
    email.refresh_from_db()
    assert (len(tries), email.attempts, email.last_error) == (3, 3, "")
    assert email.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Na twee keer"]


def test_the_task_gives_up_after_max_attempts_and_the_sweep_leaves_it(db, monkeypatch):
    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Kapot", body_text="x")

    def broken_send(self, fail_silently=False):
        raise SMTPException("server weg")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    with celery_conf(task_eager_propagates=False):
        result = send_email.apply(args=[email.pk])
    assert result.failed() and isinstance(result.result, SMTPException)
    email.refresh_from_db()
    assert email.attempts == outbox.MAX_ATTEMPTS + 1 and email.sent_at is None
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert send_pending_emails.apply().get() == 0, "given up on: the sweep does not try forever"
