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


# --- at most once: a committed claim, a lease and one Message-ID per mail -------------------------------


def _sent_ids():
    return [m.message()["Message-ID"] for m in mail.outbox]


def test_each_mail_gets_its_own_message_id_in_the_platform_domain_when_queued(db, settings):
    settings.DEFAULT_FROM_EMAIL = "Buurthulp <noreply@buurthulp.nl>"
    first = outbox.queue_email(to="a@example.nl", subject="Een", body_text="x")
    second = outbox.queue_email(to="b@example.nl", subject="Twee", body_text="x")
    assert first.message_id.startswith("<") and first.message_id.endswith("@buurthulp.nl>")
    assert first.message_id != second.message_id


def test_the_stored_message_id_is_the_one_sent_on_every_attempt(db, monkeypatch):
    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Twee pogingen", body_text="x")
    real_send = outbox.EmailMultiAlternatives.send
    seen = []

    def flaky_send(self, fail_silently=False):
        seen.append(self.message()["Message-ID"])
        if len(seen) == 1:
            raise SMTPException("even weg")
        return real_send(self, fail_silently)

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", flaky_send)
    with pytest.raises(SMTPException):
        outbox.deliver(email.pk)
    email.refresh_from_db()
    assert email.sending_since is None, "a known failure releases the claim: the retry need not wait a lease"
    assert outbox.deliver(email.pk) is True
    assert seen == [email.message_id, email.message_id]
    assert _sent_ids() == [email.message_id]


def test_the_claim_is_committed_before_the_server_is_spoken_to(transactional_db, monkeypatch):
    from django.db import transaction

    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Eerst claimen", body_text="x")
    real_send = outbox.EmailMultiAlternatives.send
    during = {}

    def watching_send(self, fail_silently=False):
        during["in_transaction"] = transaction.get_connection().in_atomic_block
        during["row"] = OutgoingEmail.objects.values("attempts", "sending_since", "sent_at").get(pk=email.pk)
        return real_send(self, fail_silently)

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", watching_send)
    assert outbox.deliver(email.pk) is True
    # Sent outside any transaction, after the claim was committed: a kill now leaves the claim, not a rollback.
    assert during["in_transaction"] is False
    assert during["row"]["attempts"] == 1 and during["row"]["sending_since"] is not None
    assert during["row"]["sent_at"] is None
    email.refresh_from_db()
    assert email.sent_at is not None and email.sending_since is None


def _killed_mid_send(seconds_ago):
    """A mail as a worker killed while talking to the server leaves it: claimed, attempted once, not sent."""
    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Half verstuurd", body_text="x")
    OutgoingEmail.objects.filter(pk=email.pk).update(
        attempts=1,
        sending_since=timezone.now() - timedelta(seconds=seconds_ago),
        created_at=timezone.now() - timedelta(minutes=10),
    )
    return email


def test_a_task_redelivered_at_once_after_a_killed_send_sends_nothing(db):
    email = _killed_mid_send(seconds_ago=5)
    assert send_email.apply(args=[email.pk]).get() is False
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.attempts == 1 and email.sent_at is None


def test_the_sweep_leaves_a_claimed_mail_until_its_lease_is_over_then_sends_it_with_the_same_message_id(db, settings):
    settings.EMAIL_SEND_LEASE_SECONDS = 300
    email = _killed_mid_send(seconds_ago=299)
    assert send_pending_emails.apply().get() == 0
    assert mail.outbox == []
    OutgoingEmail.objects.filter(pk=email.pk).update(sending_since=timezone.now() - timedelta(seconds=301))
    assert send_pending_emails.apply().get() == 1
    email.refresh_from_db()
    assert _sent_ids() == [email.message_id]
    assert (email.attempts, email.sending_since) == (2, None) and email.sent_at is not None


def test_a_mail_queued_before_message_ids_gets_one_at_its_claim_and_keeps_it(db, monkeypatch):
    email = OutgoingEmail.objects.create(to="a@example.nl", subject="Oud", body_text="x")
    OutgoingEmail.objects.filter(pk=email.pk).update(message_id="")

    def broken_send(self, fail_silently=False):
        raise SMTPException("server weg")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    with pytest.raises(SMTPException):
        outbox.deliver(email.pk)
    email.refresh_from_db()
    assert email.message_id.startswith("<")
    monkeypatch.undo()
    assert outbox.deliver(email.pk) is True
    assert _sent_ids() == [email.message_id]


def test_a_lease_no_longer_than_a_send_can_take_is_warned_about(settings):
    settings.EMAIL_TIMEOUT, settings.EMAIL_SEND_LEASE_SECONDS = 20, 60
    assert [w.id for w in outbox.check_lease()] == ["netwerken.W001"]
    settings.EMAIL_SEND_LEASE_SECONDS = 300
    assert outbox.check_lease() == []


def test_the_sweeps_that_recover_a_killed_workers_work_run_every_minute_or_two(settings):
    beat = settings.CELERY_BEAT_SCHEDULE
    for name in ("send-pending-emails", "sweep-suggestions", "sweep-batch-runs", "sweep-funder-reports"):
        assert beat[name]["schedule"] <= 120, name
