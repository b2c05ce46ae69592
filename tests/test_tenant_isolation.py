"""No URL leaks one organisation's objects to another organisation's users, whatever their role."""

import pytest
from django.urls import reverse
from django_scopes import ScopeError, scope, scopes_disabled

from matching.proposals import proposal_token
from netwerken.models import Membership

from .conftest import ALL_ROLES
from .urlmap import tenant_routes

# How to fill in each URL keyword for an object that belongs to `tenant`. A new URL keyword fails
# test_every_url_keyword_has_a_filler until it is added here.
FILLERS = {
    "org": lambda tenant: tenant.organisation.slug,
    "membership": lambda tenant: tenant.objects["membership"].pk,
    "area": lambda tenant: tenant.objects["area"].pk,
    "category": lambda tenant: tenant.objects["category"].pk,
    "volunteer": lambda tenant: tenant.objects["volunteer"].pk,
    "offer": lambda tenant: tenant.objects["offer"].pk,
    "help_request": lambda tenant: tenant.objects["help_request"].pk,
    "match": lambda tenant: tenant.objects["match"].pk,
    "resident": lambda tenant: tenant.objects["resident"].pk,
    "run": lambda tenant: tenant.objects["run"].pk,
    "proposal": lambda tenant: tenant.objects["proposal"].pk,
    "token": lambda tenant: proposal_token(tenant.objects["match"]),
}

ROUTES = tenant_routes()


def url_for(route, owner, org_slug):
    kwargs = {name: FILLERS[name](owner) for name in route.kwargs}
    kwargs["org"] = org_slug
    return reverse(route.name, kwargs=kwargs)


def test_the_isolation_test_covers_the_tenant_pages():
    names = {route.name for route in ROUTES}
    assert {"netwerken:org_home", "netwerken:member_edit", "netwerken:funder_dashboard"} <= names
    print(f"\nisolation test covers {len(ROUTES)} tenant URL patterns")


def test_every_url_keyword_has_a_filler():
    missing = {name for route in ROUTES for name in route.kwargs} - FILLERS.keys()
    assert not missing, f"add a filler for URL keyword(s) {missing} in tests/test_tenant_isolation.py"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_other_organisations_pages_answer_404(client, tenant_a, tenant_b, route):
    """A user of A, in every role, asks for B's page with B's objects: the 404 of a page that does not exist."""
    url = url_for(route, tenant_b, tenant_b.organisation.slug)
    for role in ALL_ROLES:
        client.force_login(tenant_a.user(role))
        if getattr(route.view, "tenant_public", False):
            # A public page (sign-up, online request, emailed link) opens for anyone, and shows nobody's data.
            response = client.get(url)
            assert response.status_code == 200, role
            assert_shows_nothing_of(tenant_b, response)
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (method, route.name, role)


@pytest.mark.parametrize("route", [r for r in ROUTES if set(r.kwargs) - {"org"}], ids=lambda r: r.name)
def test_other_organisations_objects_under_own_url_answer_404(client, tenant_a, tenant_b, route):
    """A user of A, in every role, puts B's object ids into A's own URLs: 404 (or 403 without the role)."""
    url = url_for(route, tenant_b, tenant_a.organisation.slug)
    for role in ALL_ROLES:
        client.force_login(tenant_a.user(role))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            # 405: a POST-only URL refuses a GET before looking anything up.
            allowed = (403, 404, 405) if method == "get" else (403, 404)
            assert response.status_code in allowed, (method, route.name, role)
            assert_shows_nothing_of(tenant_b, response)


def assert_shows_nothing_of(tenant, response):
    content = response.content.decode()
    assert tenant.members["coordinator"].user.email not in content
    assert tenant.objects["resident"].name not in content
    assert tenant.objects["volunteer"].phone not in content


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_visitors_are_sent_to_login(client, tenant_a, route):
    response = client.get(url_for(route, tenant_a, tenant_a.organisation.slug))
    if getattr(route.view, "tenant_public", False):
        assert response.status_code == 200
        assert_shows_nothing_of(tenant_a, response)
        return
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_unknown_organisation_answers_404_like_a_foreign_one(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    assert client.get("/o/bestaat-niet/").status_code == 404


def test_tenant_queries_outside_a_scope_are_an_error(tenant_a):
    with pytest.raises(ScopeError):
        list(Membership.objects.all())


def test_a_scope_shows_only_its_own_organisation(tenant_a, tenant_b):
    with scope(organisation=tenant_a.organisation):
        own = set(Membership.objects.values_list("organisation_id", flat=True))
    assert own == {tenant_a.organisation.pk}
    with scopes_disabled():
        assert Membership.objects.filter(organisation=tenant_b.organisation).exists()


def test_funder_sees_only_the_organisations_it_funds(client, tenant_a, tenant_b):
    client.force_login(tenant_a.user("funder"))
    own_report = client.get(reverse("netwerken:funder_dashboard", kwargs={"org": tenant_a.organisation.slug}))
    assert own_report.status_code == 200
    foreign_report = client.get(reverse("netwerken:funder_dashboard", kwargs={"org": tenant_b.organisation.slug}))
    assert foreign_report.status_code == 404


def test_funder_report_shows_counts_not_names(client, tenant_a):
    client.force_login(tenant_a.user("funder"))
    response = client.get(reverse("netwerken:funder_dashboard", kwargs={"org": tenant_a.organisation.slug}))
    content = response.content.decode()
    for membership in tenant_a.members.values():
        assert membership.user.email not in content
        assert membership.user.name not in content
    assert response.context["figures"]["volunteer_count"] == 1
