"""Two-factor sign-in (allauth.mfa) is required for staff who see residents' data (MFA_ENFORCE): a coordinator,
professional, org admin or Django-admin user without an authenticator reaches the set-up page, never a resident's
data; volunteers and funders are offered it but not forced. The suite runs with MFA_ENFORCE=0 (pyproject.toml);
these tests turn it on."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from netwerken.roles import Role

from .factories import ResidentFactory, UserFactory

NAME = "Geertruida Pietersen-Uniek"
SETUP = reverse("mfa_activate_totp")
DASHBOARDS = {
    Role.COORDINATOR: "netwerken:coordinator_dashboard",
    Role.PROFESSIONAL: "netwerken:professional_dashboard",
    Role.ORG_ADMIN: "netwerken:admin_dashboard",
    Role.FUNDER: "netwerken:funder_dashboard",
    Role.VOLUNTEER: "netwerken:volunteer_dashboard",
}
STAFF_ROLES = [Role.COORDINATOR, Role.PROFESSIONAL, Role.ORG_ADMIN]

enforced = override_settings(MFA_ENFORCE=True)


def _current_code(secret):
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _activate_totp(user):
    return TOTP.activate(user, generate_totp_secret())


def _resident_url(tenant):
    resident = ResidentFactory(organisation=tenant.organisation, name=NAME)
    return reverse("netwerken:resident_detail", kwargs={"org": tenant.organisation.slug, "resident": resident.pk})


def _admin_person_url():
    """Django admin holds no Resident; a person's data there is a user's name and email."""
    person = UserFactory(name=NAME)
    return reverse(f"admin:{person._meta.app_label}_user_change", args=[person.pk])


def _to_setup(response):
    assert response.status_code == 302 and response.url == SETUP, (response.status_code, response.get("Location"))


def _no_name(client, url):
    response = client.get(url, follow=True)
    assert NAME not in response.content.decode()
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith(("/accounts/",))
    return response


@enforced
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_without_a_second_factor_reach_the_setup_page_and_no_resident(client, tenant_a, role):
    user = tenant_a.user(role)
    resident_url = _resident_url(tenant_a)
    dashboard = reverse(DASHBOARDS[role], kwargs={"org": tenant_a.organisation.slug})
    client.force_login(user)
    _to_setup(client.get(dashboard))
    _to_setup(client.get(resident_url))
    _to_setup(client.post(resident_url))
    _no_name(client, dashboard)
    _no_name(client, resident_url)

    _activate_totp(user)
    assert client.get(dashboard).status_code == 200
    response = client.get(resident_url)
    if role == Role.COORDINATOR:
        assert response.status_code == 200 and NAME in response.content.decode()
    else:
        assert response.status_code != 302


@enforced
def test_a_django_admin_user_without_a_second_factor_reaches_the_setup_page(client, tenant_a):
    admin = UserFactory(is_staff=True, is_superuser=True)
    url = _admin_person_url()
    client.force_login(admin)
    _to_setup(client.get(reverse("admin:index")))
    _to_setup(client.get(url))
    _no_name(client, url)

    _activate_totp(admin)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.get(url)
    assert response.status_code == 200 and NAME in response.content.decode()


@enforced
def test_a_staff_user_in_another_organisation_is_staff_everywhere(client, tenant_a, tenant_b):
    from .factories import MembershipFactory

    user = tenant_a.user(Role.VOLUNTEER)
    MembershipFactory(organisation=tenant_b.organisation, user=user, roles=(Role.COORDINATOR,))
    client.force_login(user)
    _to_setup(client.get(reverse(DASHBOARDS[Role.VOLUNTEER], kwargs={"org": tenant_a.organisation.slug})))


@enforced
@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.FUNDER])
def test_volunteers_and_funders_are_offered_but_not_forced(client, tenant_a, role):
    user = tenant_a.user(role)
    client.force_login(user)
    slug = tenant_a.organisation.slug
    response = client.get(reverse(DASHBOARDS[role], kwargs={"org": slug}))
    assert response.status_code == 200
    if role == Role.VOLUNTEER:
        assert reverse("mfa_index") in response.content.decode(), "two-factor sign-in is offered"
    assert client.get(reverse("mfa_index")).status_code == 200


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_with_mfa_enforce_off_staff_are_not_forced(client, tenant_a, role):
    assert settings.MFA_ENFORCE is False
    client.force_login(tenant_a.user(role))
    assert client.get(reverse(DASHBOARDS[role], kwargs={"org": tenant_a.organisation.slug})).status_code == 200


@enforced
def test_the_allowed_pages_open_without_a_second_factor(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def _sign_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    return response


@enforced
def test_a_coordinator_sets_up_totp_after_signing_in_and_then_sees_residents(client, tenant_a):
    user = tenant_a.user(Role.COORDINATOR)
    resident_url = _resident_url(tenant_a)
    _sign_in(client, user)
    _to_setup(client.get(resident_url))
    # allauth asks for the password once more before a second factor is added (its re-authentication page).
    response = client.get(SETUP)
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    assert NAME not in client.get(response.url).content.decode()
    response = client.post(response.url, {"password": settings.DEMO_PASSWORD})
    assert response.status_code == 302 and response.url == SETUP
    page = client.get(SETUP)
    assert page.status_code == 200, page.get("Location")
    assert NAME not in page.content.decode()
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(SETUP, {"code": "000000" if _current_code(secret) != "000000" else "111111"})
    assert response.status_code == 200 and not Authenticator.objects.filter(user=user).exists()
    response = client.post(SETUP, {"code": _current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    response = client.get(resident_url)
    assert response.status_code == 200 and NAME in response.content.decode()


@enforced
def test_signing_in_with_totp_asks_for_the_code_after_the_password(client, tenant_a):
    user = tenant_a.user(Role.COORDINATOR)
    resident_url = _resident_url(tenant_a)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = _sign_in(client, user)
    assert response.url == reverse("mfa_authenticate"), response.url
    assert "_auth_user_id" not in client.session, "the password alone does not sign in"
    assert client.get(resident_url).status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200 and NAME not in page.content.decode()
    assert client.post(response.url, {"code": "12345"}).status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    response = client.get(resident_url)
    assert response.status_code == 200 and NAME in response.content.decode()


@enforced
def test_removing_the_authenticator_sends_a_coordinator_back_to_setup(client, tenant_a):
    user = tenant_a.user(Role.COORDINATOR)
    client.force_login(user)
    url = reverse(DASHBOARDS[Role.COORDINATOR], kwargs={"org": tenant_a.organisation.slug})
    authenticator = _activate_totp(user)
    assert client.get(url).status_code == 200
    from allauth.mfa.signals import authenticator_removed

    class _Request:
        session = client.session

    authenticator.instance.delete()
    request = _Request()
    authenticator_removed.send(sender=Authenticator, request=request, user=user, authenticator=authenticator.instance)
    request.session.save()
    _to_setup(client.get(url))


@enforced
def test_a_volunteer_pays_the_mfa_queries_once_per_session_not_per_page(client, tenant_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(tenant_a.user(Role.VOLUNTEER))
    url = reverse(DASHBOARDS[Role.VOLUNTEER], kwargs={"org": tenant_a.organisation.slug})
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    assert any("mfa_authenticator" in q["sql"] for q in first.captured_queries)
    assert not any("mfa_authenticator" in q["sql"] for q in second.captured_queries), "remembered in the session"
    assert len(second.captured_queries) <= len(first.captured_queries) - 2


@enforced
def test_a_volunteer_made_coordinator_while_signed_in_is_sent_to_setup(client, tenant_a):
    membership = tenant_a.members[Role.VOLUNTEER]
    client.force_login(membership.user)
    slug = tenant_a.organisation.slug
    assert client.get(reverse(DASHBOARDS[Role.VOLUNTEER], kwargs={"org": slug})).status_code == 200
    membership.is_coordinator = True
    membership.save(update_fields=["is_coordinator"])
    _to_setup(client.get(reverse(DASHBOARDS[Role.COORDINATOR], kwargs={"org": slug})))
    _no_name(client, _resident_url(tenant_a))


@enforced
def test_a_volunteer_given_django_admin_access_while_signed_in_is_sent_to_setup(client, tenant_a):
    user = tenant_a.user(Role.VOLUNTEER)
    client.force_login(user)
    assert (
        client.get(reverse(DASHBOARDS[Role.VOLUNTEER], kwargs={"org": tenant_a.organisation.slug})).status_code == 200
    )
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    _to_setup(client.get(reverse("admin:index")))
