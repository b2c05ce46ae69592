"""Runs only in `make test-services`: PostgreSQL, a real Redis broker and a real Celery worker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

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
    from unittest import mock

    from netwerken.tasks import send_email

    with mock.patch.object(send_email, "apply_async", wraps=send_email.apply_async) as published:
        with pytest.raises(RuntimeError), transaction.atomic():
            mail.queue_email(to="bewoner@example.nl", subject="Nooit", body_text="x")
            raise RuntimeError("rollback")
        assert published.call_count == 0, "a rolled-back mail must not reach the broker"
        with transaction.atomic():
            sent = mail.queue_email(to="bewoner@example.nl", subject="Wel", body_text="x")
        assert published.call_count == 1
    # The committed one travels through Redis to the worker; the rolled-back one never existed.
    assert wait_for(lambda: OutgoingEmail.objects.get(pk=sent.pk).sent_at is not None)
    assert list(OutgoingEmail.objects.values_list("subject", flat=True)) == ["Wel"]


def test_healthz_reports_a_live_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_says_degraded_when_the_real_broker_is_unreachable(client, monkeypatch):
    from kombu import Connection

    # The same check against a real Redis client, at a port where no Redis listens. (Patched on the view's
    # side only: Celery's own connection pool keeps its broker for the tests that follow.)
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("error")


# --- matching on the real stack -----------------------------------------------------------------------

import threading  # noqa: E402

from django.db import connections  # noqa: E402
from django_scopes import scope  # noqa: E402

from matching import lifecycle, proposals  # noqa: E402
from matching.models import HelpRequest, Match, MatchSuggestion  # noqa: E402
from netwerken import availability  # noqa: E402

from .factories import (  # noqa: E402
    CategoryFactory,
    HelpRequestFactory,
    MatchFactory,
    OrganisationFactory,
    ResidentFactory,
    VolunteerFactory,
)


def test_suggestions_task_goes_through_redis_and_the_worker_stores_them(celery_worker):
    org = OrganisationFactory()
    category = CategoryFactory(organisation=org)
    VolunteerFactory.create_batch(3, organisation=org, categories=[category])
    help_request = HelpRequestFactory(organisation=org, category=category)
    with scope(organisation=org), transaction.atomic():
        lifecycle.request_transition(help_request=help_request, to_status="zoekend")
    assert wait_for(
        lambda: MatchSuggestion.objects.with_scopes_disabled().filter(help_request=help_request).count() == 3
    )
    help_request.refresh_from_db()
    assert help_request.suggestions_computed_at >= help_request.suggestions_requested_at


def test_fifty_concurrent_proposals_and_accepts_never_double_book():
    org = OrganisationFactory()
    category = CategoryFactory(organisation=org)
    tuesday = {"date": timezone.localdate() + timezone.timedelta(days=7), "slots": availability.ALL}
    # 25 coordinators propose 25 different volunteers for one single-helper request, at once.
    contested = HelpRequestFactory(organisation=org, category=category, status="zoekend", **tuesday)
    candidates = VolunteerFactory.create_batch(25, organisation=org, categories=[category])
    # One volunteer holds 25 proposals for requests at the same moment, and accepts them all at once.
    keen = VolunteerFactory(organisation=org, categories=[category])
    overlapping = []
    for _ in range(25):
        request = HelpRequestFactory(
            organisation=org,
            category=category,
            status="voorgesteld",
            resident=ResidentFactory(organisation=org),
            **tuesday,
        )
        overlapping.append(MatchFactory(help_request=request, volunteer=keen, organisation=org))

    barrier = threading.Barrier(50)
    outcomes = []

    def run(action):
        try:
            barrier.wait()
            with scope(organisation=org):
                action()
            outcomes.append("ok")
        except proposals.ProposalError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    actions = [lambda v=v: proposals.match_propose(help_request=contested, volunteer=v) for v in candidates]
    actions += [lambda m=m: proposals.match_accept(match=m) for m in overlapping]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == 50, "every thread finished (no deadlock)"
    with scope(organisation=org):
        assert Match.objects.filter(help_request=contested, status__in=Match.ACTIVE).count() == 1
        assert Match.objects.filter(volunteer=keen, status=Match.Status.ACCEPTED).count() == 1
        assert HelpRequest.objects.get(pk=contested.pk).status == "voorgesteld"
    assert outcomes.count("ok") == 2 and outcomes.count("refused") == 48


def _posted_at_once(url, payloads, login=None):
    """Each payload posted by its own browser (its own address, for the rate limits), all released at one moment.
    Returns the responses; a 500 would raise in its thread and leave one missing."""
    from django.test import Client

    barrier = threading.Barrier(len(payloads))
    responses = []

    def post(n, payload):
        try:
            client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
            if login is not None:
                client.force_login(login)
            barrier.wait()
            responses.append(client.post(url, payload))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(n, payload)) for n, payload in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


def test_eight_parallel_sign_ups_with_one_email_make_one_account_and_no_500(tenant_a):
    """A double-clicked 'Aanmelden' (or two tabs) races the unique email on PostgreSQL: one account and one
    volunteer; every other post answers the form again with the Dutch message."""
    from netwerken.models import User, Volunteer

    from .test_volunteers import signup_payload

    url = reverse("matching:volunteer_signup", kwargs={"org": "oost"})
    answers = [(r.status_code, r.content.decode()) for r in _posted_at_once(url, [signup_payload(tenant_a)] * 8)]

    assert len(answers) == 8
    assert sorted(status for status, _ in answers) == [200] * 7 + [302]
    assert all("Er bestaat al een account met dit e-mailadres" in page for status, page in answers if status == 200)
    assert User.objects.filter(email="sanne@example.nl").count() == 1
    with scope(organisation=tenant_a.organisation):
        assert Volunteer.objects.filter(membership__user__email="sanne@example.nl").count() == 1


def test_a_logged_in_persons_double_submitted_sign_up_makes_one_volunteer(tenant_a, tenant_b):
    from netwerken.models import Volunteer

    from .test_volunteers import signup_payload

    person = tenant_b.user("professional")
    url = reverse("matching:volunteer_signup", kwargs={"org": "oost"})
    payload = {
        k: v for k, v in signup_payload(tenant_a).items() if k not in ("name", "email", "password1", "password2")
    }
    answers = [r.status_code for r in _posted_at_once(url, [payload] * 4, login=person)]

    assert answers == [302] * 4, "each tab lands on the thanks page"
    with scope(organisation=tenant_a.organisation):
        assert Volunteer.objects.filter(membership__user=person).count() == 1


def test_four_parallel_posts_of_one_online_request_form_make_one_request(tenant_a):
    """The resident's 'Versturen' clicked four times at once: one request, one resident; every click is thanked."""
    from netwerken.models import Resident

    from .test_requests import online_payload

    url = reverse("matching:online_request", kwargs={"org": "oost"})
    payload = online_payload(tenant_a, submission="0b5f3a52-6c1e-4d7a-9f0e-3c2b1a4d5e6f")
    answers = [r.status_code for r in _posted_at_once(url, [payload] * 4)]

    assert answers == [302] * 4
    with scope(organisation=tenant_a.organisation):
        assert HelpRequest.objects.filter(resident__name="Ahmed Bakkali").count() == 1
        assert Resident.objects.filter(name="Ahmed Bakkali").count() == 1
