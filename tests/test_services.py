"""Runs only in `make test-services`: PostgreSQL, a real Redis broker and a real Celery worker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django.urls import reverse

from buurthulp.celery import app as celery_app
from netwerken import mail
from netwerken.models import OutgoingEmail

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker():
    """A real worker consuming from the Redis broker in CELERY_BROKER_URL, in a thread of this process."""
    assert not celery_app.conf.task_always_eager
    celery_app.control.purge()
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
    ) as worker:
        yield worker


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_runs_on_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert celery_app.conf.broker_url.startswith("redis://")


def test_email_task_travels_through_redis_to_the_worker_and_lands_in_postgresql(celery_worker):
    with transaction.atomic():
        email = mail.queue_email(to="bewoner@example.nl", subject="Via de worker", body_text="Hallo")
    assert wait_for(lambda: OutgoingEmail.objects.get(pk=email.pk).sent_at is not None)
    assert OutgoingEmail.objects.get(pk=email.pk).attempts == 1


def test_rolled_back_transaction_enqueues_nothing(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.queue_email(to="bewoner@example.nl", subject="Nooit", body_text="x")
        raise RuntimeError("rollback")
    time.sleep(1)
    assert not OutgoingEmail.objects.exists()


def test_healthz_reports_a_live_broker(client):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
