"""Faults: the broker, the cache or the database down; bodies too large; personal pages never cached (issue 12)."""

import datetime
import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from celery.app.task import Task
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connections
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from kombu.exceptions import OperationalError as BrokerError

from evaluatie.models import EvaluationCycle
from matching.models import BatchRun, HelpRequest, Match
from netwerken import background, offline
from netwerken.models import OutgoingEmail, Resident, User, Volunteer

from .factories import EvaluationCycleFactory
from .test_requests import online_payload
from .test_roles import ALLOWED, POST_ONLY, _url, set_help_type_for
from .test_volunteers import signup_payload

ROOT = Path(__file__).resolve().parent.parent
BROKEN_CACHE = {
    "default": {"BACKEND": "buurthulp.cache.FailSafeCache", "OPTIONS": {"BACKEND": "tests.broken_cache.BrokenCache"}}
}


@pytest.fixture(autouse=True)
def _broker_state():
    background.reset()
    yield
    background.reset()


@pytest.fixture
def broker_down():
    """Every publish fails as kombu fails with Redis stopped; the calls are counted."""
    with mock.patch.object(Task, "apply_async", autospec=True, side_effect=BrokerError("Connection refused")) as down:
        yield down


def _age_outgoing_mail():
    OutgoingEmail.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))


def _run_mail_sweep():
    from netwerken.tasks import send_pending_emails

    _age_outgoing_mail()
    return send_pending_emails.apply().get()


# --- 1. the broker down ---------------------------------------------------------------------------------------


def test_no_bare_enqueue_outside_the_helper():
    """Every enqueue goes through netwerken/background.py, which never raises into a committed request."""
    offenders = []
    for app in ("buurthulp", "netwerken", "matching", "evaluatie"):
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "netwerken" / "background.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"\.(delay|apply_async|send_task)\(", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use netwerken.background.enqueue(_on_commit):\n" + "\n".join(offenders)


def test_a_failed_enqueue_is_logged_and_the_broker_rested(broker_down, caplog):
    from netwerken.tasks import send_email

    with caplog.at_level(logging.WARNING, logger="netwerken.background"):
        assert background.enqueue(send_email, 1) is False
        assert background.enqueue(send_email, 2) is False
    assert "Broker unavailable (OperationalError)" in caplog.text
    # After one failure the broker is taken as down for a while: the next enqueue does not wait on it again.
    assert broker_down.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_status_change_with_the_broker_down_answers_and_the_sweep_sends_the_mail(tenant_a, broker_down, caplog):
    client = Client()
    client.force_login(tenant_a.user("coordinator"))
    help_request = tenant_a.objects["help_request"]
    url = reverse("matching:request_transition", kwargs={"org": "oost", "help_request": help_request.pk})
    with caplog.at_level(logging.WARNING, logger="netwerken.background"):
        response = client.post(url, {"to_status": "geannuleerd", "reason": "Bewoner is verhuisd"})
    assert response.status_code == 302
    assert broker_down.call_count >= 1 and "not enqueued" in caplog.text
    with scopes_disabled():
        assert HelpRequest.objects.get(pk=help_request.pk).status == HelpRequest.Status.CANCELLED
        mail = OutgoingEmail.objects.get(to=tenant_a.objects["volunteer"].membership.user.email)
    assert mail.sent_at is None


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_what_the_broker_did_not_take(tenant_a):
    client = Client()
    client.force_login(tenant_a.user("coordinator"))
    help_request = tenant_a.objects["help_request"]
    url = reverse("matching:request_transition", kwargs={"org": "oost", "help_request": help_request.pk})
    with mock.patch.object(Task, "apply_async", autospec=True, side_effect=BrokerError("down")):
        assert client.post(url, {"to_status": "geannuleerd", "reason": "Verhuisd"}).status_code == 302
    to = tenant_a.objects["volunteer"].membership.user.email
    assert OutgoingEmail.objects.get(to=to).sent_at is None
    background.reset()
    assert _run_mail_sweep() >= 1
    assert OutgoingEmail.objects.get(to=to).sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_proposal_answer_with_the_broker_down_answers_and_is_saved(tenant_a, broker_down):
    from matching.proposals import proposal_token

    match = tenant_a.objects["match"]
    link = reverse("matching:proposal_link", kwargs={"org": "oost", "token": proposal_token(match)})
    response = Client().post(link, {"action": "accept"})
    assert response.status_code in (200, 302)
    with scopes_disabled():
        assert Match.objects.get(pk=match.pk).status == Match.Status.ACCEPTED
        # The coordinator's mail waits in the database for the sweep.
        assert OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    broker_down.side_effect = lambda task, args: task.apply(args)  # the broker is back
    background.reset()
    assert _run_mail_sweep() >= 1
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_public_request_form_with_the_broker_down_saves_and_the_sweep_locates(tenant_a, broker_down, settings):
    from netwerken.tasks import sweep_locations

    # With PDOK configured the new resident's exact address is looked up in the background.
    settings.PDOK_LOCATIESERVER_URL = "https://pdok.invalid/free"
    response = Client().post(reverse("matching:online_request", kwargs={"org": "oost"}), online_payload(tenant_a))
    assert response.status_code == 302
    assert broker_down.call_count == 1
    with scopes_disabled():
        saved = HelpRequest.objects.select_related("resident").filter(channel="online").get()
    assert saved.resident.location_requested_at is not None
    broker_down.side_effect = lambda task, args: task.apply(args)  # the broker is back
    background.reset()
    _back_in_time(Resident, "location_requested_at", pk=saved.resident_id)
    with mock.patch("netwerken.geo.pdok_lookup", return_value=(52.03, 5.05)):
        assert sweep_locations.apply().get() == 1
    with scopes_disabled():
        assert Resident.objects.get(pk=saved.resident_id).latitude == 52.03


@pytest.mark.django_db(transaction=True)
def test_volunteer_signup_with_the_broker_down_saves_and_the_sweeps_catch_up(tenant_a, broker_down):
    from matching.tasks import sweep_suggestions

    response = Client().post(reverse("matching:volunteer_signup", kwargs={"org": "oost"}), signup_payload(tenant_a))
    assert response.status_code == 302
    with scopes_disabled():
        volunteer = Volunteer.objects.get(membership__user__email="sanne@example.nl")
    assert volunteer.suggestions_synced_at is None
    assert OutgoingEmail.objects.get(to="sanne@example.nl").sent_at is None, "the verification mail waits"
    broker_down.side_effect = lambda task, args: task.apply(args)  # the broker is back
    background.reset()
    assert _run_mail_sweep() >= 1
    sweep_suggestions.apply().get()
    assert OutgoingEmail.objects.get(to="sanne@example.nl").sent_at is not None
    with scopes_disabled():
        assert Volunteer.objects.get(pk=volunteer.pk).suggestions_synced_at is not None


def _back_in_time(model, field, minutes=30, **filters):
    with scopes_disabled():
        model.objects.filter(**filters).update(**{field: timezone.now() - datetime.timedelta(minutes=minutes)})


@pytest.mark.django_db(transaction=True)
def test_survey_mail_asked_with_the_broker_down_is_sent_once_by_the_sweep(tenant_a, broker_down):
    from evaluatie.tasks import sweep_survey_invitations

    cycle = EvaluationCycleFactory(organisation=tenant_a.organisation)
    client = Client()
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("evaluatie:survey_send", kwargs={"org": "oost", "cycle": cycle.pk})
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert EvaluationCycle.objects.get(pk=cycle.pk).survey_requested_at is not None
    mails = OutgoingEmail.objects.filter(subject__icontains="enquête")
    assert not mails.exists()
    broker_down.side_effect = lambda task, args: task.apply(args)
    background.reset()
    assert sweep_survey_invitations.apply().get() == 0, "not before its patience is over"
    _back_in_time(EvaluationCycle, "survey_requested_at", pk=cycle.pk)
    assert sweep_survey_invitations.apply().get() == 1
    sent = OutgoingEmail.objects.count()
    assert sent > 0
    # Done once: the request is cleared with the mails, a second sweep sends nothing more.
    assert sweep_survey_invitations.apply().get() == 0
    assert OutgoingEmail.objects.count() == sent


@pytest.mark.django_db(transaction=True)
def test_batch_run_started_with_the_broker_down_is_run_by_the_sweep(tenant_a, broker_down):
    from matching import batch
    from matching.tasks import sweep_batch_runs

    with scope(organisation=tenant_a.organisation):
        run = batch.batch_start(organisation=tenant_a.organisation, by=tenant_a.user("coordinator"))
    with scopes_disabled():
        assert BatchRun.objects.get(pk=run.pk).status == BatchRun.Status.QUEUED
    broker_down.side_effect = lambda task, args: task.apply(args)
    background.reset()
    _back_in_time(BatchRun, "created_at", pk=run.pk)
    assert sweep_batch_runs.apply().get() >= 1
    with scopes_disabled():
        assert BatchRun.objects.get(pk=run.pk).status == BatchRun.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_a_location_asked_with_the_broker_down_is_refined_by_the_sweep(tenant_a, broker_down, settings):
    from netwerken import services
    from netwerken.tasks import sweep_locations

    settings.PDOK_LOCATIESERVER_URL = "https://pdok.invalid/free"
    with scope(organisation=tenant_a.organisation):
        resident = services.resident_create(
            organisation=tenant_a.organisation, name="Mevrouw Jansen", phone="", postcode="3401 AB", house_number="3"
        )
    with scopes_disabled():
        assert Resident.objects.get(pk=resident.pk).location_requested_at is not None
    broker_down.side_effect = lambda task, args: task.apply(args)
    background.reset()
    _back_in_time(Resident, "location_requested_at", pk=resident.pk)
    with mock.patch("netwerken.geo.pdok_lookup", return_value=(52.03, 5.05)):
        assert sweep_locations.apply().get() == 1
    with scopes_disabled():
        refined = Resident.objects.get(pk=resident.pk)
    assert (refined.latitude, refined.longitude, refined.location_requested_at) == (52.03, 5.05, None)


# --- 1. the cache down ----------------------------------------------------------------------------------------


def test_the_broken_cache_really_raises():
    from .broken_cache import BrokenCache

    with pytest.raises(Exception, match="Connection refused"):
        BrokenCache("", {}).get("x")


def test_production_wraps_its_redis_in_the_fail_safe_cache():
    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'buurthulp.settings'; "
        "from django.conf import settings; "
        "print(json.dumps([settings.CACHES, settings.SESSION_ENGINE, settings.DATABASES['default']]))"
    )
    env = {"PATH": "", "SECRET_KEY": "x" * 50, "CELERY_BROKER_URL": "redis://redis:6379/0"}
    env["DATABASE_URL"] = "postgres://u:p@db:5432/buurthulp"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    caches, session_engine, database = json.loads(result.stdout)
    assert caches["default"]["BACKEND"] == "buurthulp.cache.FailSafeCache"
    assert caches["default"]["OPTIONS"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert caches["default"]["OPTIONS"]["OPTIONS"]["socket_timeout"] == 1
    # Sessions in the database: a cache outage signs nobody out.
    assert session_engine == "django.contrib.sessions.backends.db"
    assert database["CONN_HEALTH_CHECKS"] is True and database["CONN_MAX_AGE"] == 60


@override_settings(CACHES=BROKEN_CACHE)
def test_login_works_with_the_cache_down(client, tenant_a, caplog):
    user = tenant_a.user("volunteer")
    with caplog.at_level(logging.WARNING, logger="buurthulp.cache"):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "buurthulp-demo"})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == user
    assert "Cache unavailable" in caplog.text


@override_settings(CACHES=BROKEN_CACHE)
def test_password_reset_works_with_the_cache_down(client, tenant_a, django_capture_on_commit_callbacks):
    user = tenant_a.user("volunteer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert OutgoingEmail.objects.filter(to=user.email).exists()


@override_settings(CACHES=BROKEN_CACHE)
def test_public_request_form_works_with_the_cache_down(client, tenant_a):
    response = client.post(reverse("matching:online_request", kwargs={"org": "oost"}), online_payload(tenant_a))
    assert response.status_code == 302
    with scopes_disabled():
        assert HelpRequest.objects.filter(channel="online", description__startswith="Wie kan").count() == 1


@override_settings(CACHES=BROKEN_CACHE)
def test_volunteer_signup_works_with_the_cache_down(client, tenant_a):
    response = client.post(reverse("matching:volunteer_signup", kwargs={"org": "oost"}), signup_payload(tenant_a))
    assert response.status_code == 302
    assert User.objects.filter(email="sanne@example.nl").exists()


@override_settings(CACHES=BROKEN_CACHE)
def test_admin_login_works_with_the_cache_down(client, db):
    from .factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(reverse("admin_login_throttled"), {"username": admin.email, "password": "fout"})
    assert response.status_code == 200  # the form again, not a 500


# --- 2. the database down -------------------------------------------------------------------------------------


def _db_down():
    return mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("connection refused"))


def test_a_view_meeting_a_database_that_is_down_answers_the_dutch_503(client, tenant_a):
    offline._known.clear()
    client.get(reverse("netwerken:public_page", kwargs={"org": "oost"}))  # served once: its phone is known
    # The view's own query fails: the middleware answers (no uncaught exception, nothing re-raised here).
    with mock.patch("netwerken.views.selectors.public_organisations", side_effect=OperationalError("gone")):
        response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Even niet beschikbaar" in response.content.decode()


def test_a_page_load_with_the_database_down_is_a_503_with_the_phone_number(tenant_a):
    from netwerken import services

    with scope(organisation=tenant_a.organisation):
        services.organisation_update(
            organisation=tenant_a.organisation,
            name="Buurthulp Oost",
            municipality="Utrecht",
            help_type=tenant_a.organisation.help_type,
            retention_months=24,
            phone="030 123 4567",
        )
    offline._known.clear()  # a process that never served the organisation: the phone comes from the cache
    offline.publish(tenant_a.organisation)
    offline._known.clear()
    client = Client(raise_request_exception=False)
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("netwerken:coordinator_dashboard", kwargs={"org": "oost"})
    with _db_down():
        response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 503, content[:300]
    assert "Even niet beschikbaar" in content and 'href="tel:+31301234567"' in content
    assert response["Retry-After"] and "no-store" in response["Cache-Control"]


def test_the_first_page_a_process_serves_publishes_the_phone_for_the_other_processes(tenant_a):
    """A process that never served the organisation (another gunicorn worker) still names its phone on the 503
    page: the first page of any process writes it to the shared cache, without a cache write on every page."""
    from django.core.cache import cache

    tenant_a.organisation.phone = "+31301234567"
    tenant_a.organisation.save(update_fields=["phone"])
    offline._known.clear()
    cache.delete(offline._cache_key("oost"))
    client = Client(raise_request_exception=False)
    client.force_login(tenant_a.user("coordinator"))
    url = reverse("netwerken:coordinator_dashboard", kwargs={"org": "oost"})
    with mock.patch.object(cache, "set", wraps=cache.set) as writes:
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200
    assert [call.args[0] for call in writes.call_args_list].count(offline._cache_key("oost")) == 1
    offline._known.clear()  # the other process: nothing in its memory
    with _db_down():
        response = client.get(url)
    assert response.status_code == 503
    assert 'href="tel:+31301234567"' in response.content.decode()


def test_healthz_says_the_database_is_down(client, db):
    with _db_down():
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    state = response.json()
    assert state["status"] == "error" and state["database"] == "error: OperationalError"
    shared = settings.CACHES["default"]["LOCATION"].startswith("redis")
    assert state["cache"] == ("ok" if shared else "in-process") and state["broker"] == "in-process"


@override_settings(CACHES=BROKEN_CACHE)
def test_healthz_says_the_cache_is_down_but_stays_200(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["cache"] == "error: ConnectionError"


def test_database_connections_are_checked_before_reuse():
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# --- 5. request bodies capped ---------------------------------------------------------------------------------


def test_a_50_mb_upload_to_the_public_form_is_refused_by_its_length(client, tenant_a):
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    body = b'--x\r\nContent-Disposition: form-data; name="description"\r\n\r\nhallo\r\n--x--\r\n'
    response = client.generic(
        "POST", url, body, content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(50 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "Te veel gegevens" in response.content.decode() and "2,5 MB" in response.content.decode()
    with scopes_disabled():
        assert not HelpRequest.objects.filter(channel="online").exists()


def test_a_real_body_just_over_the_cap_is_refused(client, tenant_a, settings):
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    part = SimpleUploadedFile("foto.jpg", b"x" * settings.MAX_REQUEST_BODY_BYTES, content_type="image/jpeg")
    response = client.post(url, {**online_payload(tenant_a), "bijlage": part})
    assert response.status_code == 413 and "Te veel gegevens" in response.content.decode()


def test_too_much_form_data_for_django_is_a_dutch_413_not_a_400(client, tenant_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = reverse("matching:online_request", kwargs={"org": "oost"})
    response = client.post(url, online_payload(tenant_a, description="lang " * 400))
    assert response.status_code == 413 and "Te veel gegevens" in response.content.decode()


def test_an_ordinary_form_is_not_affected(client, tenant_a):
    response = client.post(reverse("matching:online_request", kwargs={"org": "oost"}), online_payload(tenant_a))
    assert response.status_code == 302


# --- 6. personal pages are not cached -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(name for name in ALLOWED if name not in POST_ONLY))
def test_every_logged_in_page_is_sent_with_no_store(client, tenant_a, name):
    set_help_type_for(tenant_a, name)
    role = sorted(ALLOWED[name])[0]
    client.force_login(tenant_a.user(role))
    response = client.get(_url(tenant_a, name))
    assert response.status_code in (200, 302), role
    assert "no-store" in response.get("Cache-Control", ""), f"{name} as {role}"


@pytest.mark.parametrize("name", ["home", "backstop_queue", "phase_overview", "account_email"])
def test_logged_in_pages_outside_an_organisation_are_sent_with_no_store(client, tenant_a, name):
    client.force_login(tenant_a.user("professional"))
    response = client.get(reverse(name))
    assert "no-store" in response.get("Cache-Control", ""), name


def test_anonymous_tenant_forms_are_no_store_and_the_public_pages_stay_cacheable(client, tenant_a):
    form = client.get(reverse("matching:online_request", kwargs={"org": "oost"}))
    assert "no-store" in form.get("Cache-Control", "")
    for url in (reverse("netwerken:public_page", kwargs={"org": "oost"}), reverse("home")):
        response = client.get(url)
        assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", ""), url
