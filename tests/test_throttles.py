"""Django admin's login is throttled like allauth's; password-reset mails to one address are limited."""

import types

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.urls import reverse

from netwerken.models import OutgoingEmail

from .factories import UserFactory

ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def clock(monkeypatch):
    """allauth's rate-limit clock, moved by the test (the cache lock still uses the real monotonic clock)."""
    import time as real

    state = {"now": 1_900_000_000.0}
    fake = types.SimpleNamespace(time=lambda: state["now"], monotonic=real.monotonic, sleep=real.sleep)
    monkeypatch.setattr(allauth_ratelimit, "time", fake)
    return state


@pytest.fixture
def superuser(db):
    return UserFactory(email="beheer@example.nl", is_staff=True, is_superuser=True)


def _admin_login(client, username, password):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"})


def test_25_wrong_admin_passwords_are_stopped_and_then_even_the_right_one(client, superuser, clock):
    statuses = [_admin_login(client, superuser.email, f"fout-{i}").status_code for i in range(25)]
    assert statuses[:5] == [200] * 5, "the first failures show the admin's own form error"
    assert set(statuses[5:]) == {429}, statuses
    refused = _admin_login(client, superuser.email, settings.DEMO_PASSWORD)
    assert refused.status_code == 429
    assert "Te veel pogingen" in refused.content.decode()
    assert "verkeerd wachtwoord" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    clock["now"] += 16 * 60  # the window has passed
    response = _admin_login(client, superuser.email, settings.DEMO_PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(superuser.pk)


def test_the_limit_is_per_address_and_username(client, superuser, clock):
    for i in range(5):
        _admin_login(client, superuser.email, f"fout-{i}")
    assert _admin_login(client, superuser.email, "fout").status_code == 429
    # Another visitor (address) is not locked out by someone else's guessing.
    other = _admin_login(client.__class__(REMOTE_ADDR="203.0.113.9"), superuser.email, settings.DEMO_PASSWORD)
    assert other.status_code == 302


def test_one_address_trying_many_usernames_is_stopped_too(client, db, clock):
    statuses = [_admin_login(client, f"persoon{i}@example.nl", "fout").status_code for i in range(25)]
    assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}


def test_a_successful_admin_login_resets_the_count_for_that_username(client, superuser, clock):
    for i in range(4):
        _admin_login(client, superuser.email, f"fout-{i}")
    assert _admin_login(client, superuser.email, settings.DEMO_PASSWORD).status_code == 302
    client.logout()
    assert [_admin_login(client, superuser.email, "fout").status_code for _ in range(5)] == [200] * 5


def test_the_admin_login_page_itself_still_opens(client, db):
    assert client.get(ADMIN_LOGIN).status_code == 200


def _reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def test_password_reset_mails_to_one_address_are_limited(client, db, clock, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = _reset(client, user.email)
        second = _reset(client, user.email)
        third = _reset(client, user.email.upper())
    assert first.status_code == 302
    assert second.status_code == 429 and third.status_code == 429
    assert "Te veel pogingen" in second.content.decode()
    assert OutgoingEmail.objects.filter(to=user.email).count() == 1, "the 2nd and 3rd within 5 minutes: no mail"

    for _ in range(2):  # every 6 minutes one more, up to three an hour
        clock["now"] += 6 * 60
        with django_capture_on_commit_callbacks(execute=True):
            assert _reset(client, user.email).status_code == 302
    clock["now"] += 6 * 60
    with django_capture_on_commit_callbacks(execute=True):
        assert _reset(client, user.email).status_code == 429
    assert OutgoingEmail.objects.filter(to=user.email).count() == 3

    # Another address is not held back by this one.
    other = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert _reset(client, other.email).status_code == 302
    assert OutgoingEmail.objects.filter(to=other.email).count() == 1
