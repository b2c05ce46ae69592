"""Sessions: staff signed out after inactivity and after an absolute lifetime, volunteers after days; signing out
ends the session on the server. Time moves by patching the clock of netwerken.sessions, never by sleeping."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from netwerken import sessions
from netwerken.roles import Role

from .factories import MembershipFactory, ResidentFactory, UserFactory

MINUTE, HOUR, DAY = 60, 3600, 86400
DASHBOARDS = {
    Role.COORDINATOR: "netwerken:coordinator_dashboard",
    Role.PROFESSIONAL: "netwerken:professional_dashboard",
    Role.ORG_ADMIN: "netwerken:admin_dashboard",
    Role.FUNDER: "netwerken:funder_dashboard",
    Role.VOLUNTEER: "netwerken:volunteer_dashboard",
}


class Clock:
    def __init__(self, start=1_900_000_000.0):
        self.moment = start

    def __call__(self):
        return self.moment

    def advance(self, seconds):
        self.moment += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(sessions, "now", clock)
    return clock


def _sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return response


def _url(role, slug="oost"):
    return reverse(DASHBOARDS[role], kwargs={"org": slug})


def _expired_to_login(response, url):
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login")) and "next=" in response.url
    return response


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PROFESSIONAL, Role.ORG_ADMIN, Role.FUNDER])
def test_staff_are_signed_out_after_30_minutes_without_activity(client, tenant_a, clock, role):
    _sign_in(client, tenant_a.user(role))
    assert client.session[sessions.KIND] == sessions.STAFF
    url = _url(role)
    assert client.get(url).status_code == 200
    clock.advance(29 * MINUTE)
    assert client.get(url).status_code == 200, "29 minutes is not yet too long"
    clock.advance(31 * MINUTE)
    response = _expired_to_login(client.get(url), url)
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "Log opnieuw in om verder te gaan" in page


def test_activity_keeps_a_staff_session_but_not_beyond_12_hours(client, tenant_a, clock):
    _sign_in(client, tenant_a.user(Role.COORDINATOR))
    url = _url(Role.COORDINATOR)
    for _ in range(23):  # a request every 25 minutes: 9 h 35 min
        clock.advance(25 * MINUTE)
        assert client.get(url).status_code == 200
    clock.advance(2 * HOUR + 20 * MINUTE)  # 11 h 55 min after signing in, but idle for 2 h 20 min
    _expired_to_login(client.get(url), url)

    _sign_in(client, tenant_a.user(Role.COORDINATOR))
    for _ in range(28):  # a request every 25 minutes, 11 h 40 min in all
        clock.advance(25 * MINUTE)
        assert client.get(url).status_code == 200
    clock.advance(25 * MINUTE)  # 12 h 5 min after signing in, never idle for more than 25 minutes
    _expired_to_login(client.get(url), url)


def test_an_expired_staff_session_shows_no_resident_data(client, tenant_a, clock):
    resident = ResidentFactory(organisation=tenant_a.organisation, name="Geertruida Pietersen-Uniek")
    url = reverse("netwerken:resident_detail", kwargs={"org": "oost", "resident": resident.pk})
    _sign_in(client, tenant_a.user(Role.COORDINATOR))
    assert "Geertruida Pietersen-Uniek" in client.get(url).content.decode()
    clock.advance(31 * MINUTE)
    response = client.get(url, follow=True)
    page = response.content.decode()
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    assert "Geertruida Pietersen-Uniek" not in page
    assert "Log opnieuw in om verder te gaan" in page
    # A POST after expiry is refused the same way, before any view runs.
    assert client.post(url).status_code == 302


def test_a_volunteer_stays_signed_in_for_days(client, tenant_a, clock):
    _sign_in(client, tenant_a.user(Role.VOLUNTEER))
    assert client.session[sessions.KIND] == sessions.VOLUNTEER
    url = _url(Role.VOLUNTEER)
    clock.advance(13 * DAY)
    assert client.get(url).status_code == 200, "a volunteer on their own phone is not signed out after a day"
    clock.advance(15 * DAY)
    _expired_to_login(client.get(url), url)


def test_a_volunteer_who_is_also_staff_somewhere_gets_the_staff_limits(client, tenant_a, tenant_b, clock):
    user = tenant_a.user(Role.VOLUNTEER)
    MembershipFactory(organisation=tenant_b.organisation, user=user, roles=(Role.COORDINATOR,))
    _sign_in(client, user)
    assert client.session[sessions.KIND] == sessions.STAFF
    clock.advance(31 * MINUTE)
    _expired_to_login(client.get(_url(Role.VOLUNTEER)), None)


def test_a_volunteer_promoted_while_signed_in_becomes_staff_at_the_first_staff_page(client, tenant_a, clock):
    membership = tenant_a.members[Role.VOLUNTEER]
    _sign_in(client, membership.user)
    assert client.session[sessions.KIND] == sessions.VOLUNTEER
    with scopes_disabled():
        type(membership).objects.filter(pk=membership.pk).update(is_coordinator=True)
    assert client.get(_url(Role.COORDINATOR)).status_code == 200
    assert client.session[sessions.KIND] == sessions.STAFF
    clock.advance(31 * MINUTE)
    _expired_to_login(client.get(_url(Role.VOLUNTEER)), None)


def test_django_admin_users_and_people_without_a_membership_are_staff(db, clock):
    assert sessions.session_kind(UserFactory(is_staff=True)) == sessions.STAFF
    assert sessions.session_kind(UserFactory()) == sessions.STAFF


def test_an_ordinary_page_costs_no_session_write(client, tenant_a, clock):
    _sign_in(client, tenant_a.user(Role.COORDINATOR))
    url = _url(Role.COORDINATOR)
    client.get(url)
    clock.advance(10)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    clock.advance(2 * MINUTE)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_signing_out_ends_the_session_on_the_server(client, tenant_a, clock):
    _sign_in(client, tenant_a.user(Role.COORDINATOR))
    url = _url(Role.COORDINATOR)
    assert client.get(url).status_code == 200
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=old_cookie).exists()
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = replay.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_an_expired_session_is_gone_from_the_server_too(client, tenant_a, clock):
    _sign_in(client, tenant_a.user(Role.COORDINATOR))
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    clock.advance(31 * MINUTE)
    client.get(_url(Role.COORDINATOR))
    assert not Session.objects.filter(session_key=old_cookie).exists()


def test_the_limits_come_from_the_environment():
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 60,
        "SESSION_STAFF_IDLE_MINUTES": "15",
        "SESSION_STAFF_MAX_HOURS": "8",
        "SESSION_VOLUNTEER_IDLE_DAYS": "7",
        "SESSION_VOLUNTEER_MAX_DAYS": "30",
    }
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_STAFF_IDLE_TIMEOUT, s.SESSION_STAFF_MAX_AGE,"
        " s.SESSION_VOLUNTEER_IDLE_TIMEOUT, s.SESSION_VOLUNTEER_MAX_AGE)"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'buurthulp.settings'); {code}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout.split()
    assert out == [str(15 * 60), str(8 * 3600), str(7 * 86400), str(30 * 86400)]
    assert (settings.SESSION_STAFF_IDLE_TIMEOUT, settings.SESSION_STAFF_MAX_AGE) == (30 * 60, 12 * 3600)
