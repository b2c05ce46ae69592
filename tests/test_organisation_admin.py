from django.urls import reverse
from django_scopes import scopes_disabled

from netwerken.models import Organisation


def test_org_admin_changes_type_but_not_the_phase_in_the_settings(client, tenant_a):
    """The phase moves only on the phase page, where the move and its open items are recorded."""
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("netwerken:admin_dashboard", kwargs={"org": tenant_a.organisation.slug})
    phase = tenant_a.organisation.phase
    response = client.post(
        url,
        {
            "name": "Buurthulp Oost",
            "municipality": "Utrecht",
            "help_type": "voor_elkaar",
            "phase": "opzetten",
            "retention_months": "36",
        },
    )
    assert response.status_code == 302
    tenant_a.organisation.refresh_from_db()
    assert tenant_a.organisation.help_type == Organisation.HelpType.MUTUAL
    assert tenant_a.organisation.phase == phase != "opzetten"
    assert "fase/" in client.get(url).content.decode()
    assert tenant_a.organisation.retention_months == 36


def test_org_settings_errors_are_dutch_and_keep_input(client, tenant_a):
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("netwerken:admin_dashboard", kwargs={"org": tenant_a.organisation.slug})
    response = client.post(url, {"name": "", "municipality": "Utrecht", "help_type": "onzin", "phase": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Dit veld is verplicht." in content
    assert "Selecteer een geldige keuze" in content
    assert 'value="Utrecht"' in content


def test_member_roles_can_be_changed(client, tenant_a):
    volunteer = tenant_a.members["volunteer"]
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("netwerken:member_edit", kwargs={"org": tenant_a.organisation.slug, "membership": volunteer.pk})
    response = client.post(url, {"roles": ["volunteer", "coordinator"]})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.roles == {"volunteer", "coordinator"}


def test_member_needs_a_role(client, tenant_a):
    volunteer = tenant_a.members["volunteer"]
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("netwerken:member_edit", kwargs={"org": tenant_a.organisation.slug, "membership": volunteer.pk})
    response = client.post(url, {})
    assert "Kies minstens één rol." in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.roles == {"volunteer"}


def test_last_org_admin_cannot_drop_the_role(client, tenant_a):
    admin = tenant_a.members["org_admin"]
    client.force_login(admin.user)
    url = reverse("netwerken:member_edit", kwargs={"org": tenant_a.organisation.slug, "membership": admin.pk})
    response = client.post(url, {"roles": ["coordinator"]})
    assert "De organisatie heeft minstens één beheerder nodig." in response.content.decode()
    with scopes_disabled():
        admin.refresh_from_db()
    assert admin.is_org_admin


def test_unknown_role_value_is_a_form_error_not_a_500(client, tenant_a):
    volunteer = tenant_a.members["volunteer"]
    client.force_login(tenant_a.user("org_admin"))
    url = reverse("netwerken:member_edit", kwargs={"org": tenant_a.organisation.slug, "membership": volunteer.pk})
    response = client.post(url, {"roles": ["superuser"]})
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()


def test_staff_list_query_count_does_not_grow_with_the_team(client, tenant_a, django_assert_max_num_queries):
    from .factories import MembershipFactory

    client.force_login(tenant_a.user("coordinator"))
    url = reverse("netwerken:staff_list", kwargs={"org": tenant_a.organisation.slug})
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    MembershipFactory.create_batch(15, organisation=tenant_a.organisation)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"]) == 19
    assert len(many) == len(few)


def test_new_organisation_in_django_admin_gets_default_categories(client, db):
    from matching.models import Category
    from netwerken.models import User

    superuser = User.objects.create_superuser(email="root@example.nl", password="x")
    client.force_login(superuser)
    response = client.post(
        "/admin/netwerken/organisation/add/",
        {
            "name": "Buurthulp Zuilen",
            "slug": "zuilen",
            "municipality": "Utrecht",
            "kind": "buurthulp",
            "help_type": "liefdadigheid",
            "phase": "verkennen",
            "retention_months": "24",
            "fundings_received-TOTAL_FORMS": "0",
            "fundings_received-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        names = set(Category.objects.filter(organisation__slug="zuilen").values_list("name", flat=True))
    assert {"Boodschappen", "Bezoek en gezelschap", "Wandelen"} <= names
