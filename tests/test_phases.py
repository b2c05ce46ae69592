"""Development phases: the seed's checklists, editing items, moving on with the open items recorded, a network's
initiative, and where each organisation a professional or org admin serves stands."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from netwerken import services
from netwerken.models import Organisation, PhaseChecklistItem, PhaseMove
from netwerken.phases import DEFAULT_ITEMS, checklist_item_update, phase_checklist_ensure, phase_move
from netwerken.roles import Role

from .factories import MembershipFactory, OrganisationFactory, PhaseChecklistItemFactory, UserFactory

pytestmark = pytest.mark.django_db
C, V, P, A, F = Role.COORDINATOR, Role.VOLUNTEER, Role.PROFESSIONAL, Role.ORG_ADMIN, Role.FUNDER
Phase = Organisation.Phase


def _url(name, **kwargs):
    return reverse(f"netwerken:{name}", kwargs={"org": "oost", **kwargs})


def _items(org, network=None, **filters):
    with scopes_disabled():
        return list(
            PhaseChecklistItem.objects.filter(organisation=org, network=network, **filters).order_by("position", "pk")
        )


def _reload(obj):
    with scopes_disabled():
        obj.refresh_from_db()
    return obj


def _set_phase(org, phase):
    with scopes_disabled():
        Organisation.objects.filter(pk=org.pk).update(phase=phase)
    org.phase = phase


@pytest.fixture
def checklist(tenant_a):
    """Tenant A in the first phase with the seed's checklist (the fixture's own item removed)."""
    org = tenant_a.organisation
    with scopes_disabled():
        PhaseChecklistItem.objects.filter(organisation=org).delete()
    _set_phase(org, Phase.EXPLORING)
    with scope(organisation=org):
        phase_checklist_ensure(organisation=org)
    return tenant_a


@scopes_disabled()
def test_defaults_created_once_and_move_records_open_items():
    org = OrganisationFactory(phase="verkennen")
    user = UserFactory()
    n = phase_checklist_ensure(organisation=org)
    assert n > 0 and phase_checklist_ensure(organisation=org) == 0
    items = list(PhaseChecklistItem.objects.filter(organisation=org, phase="verkennen").order_by("position"))
    checklist_item_update(item=items[0], by=user, done=True)
    assert items[0].done_at is not None
    move = phase_move(organisation=org, to_phase="opzetten", note="", by=user)
    assert move.open_items == [i.title for i in items[1:]]
    org.refresh_from_db()
    assert org.phase == "opzetten"
    with pytest.raises(ValidationError):
        phase_move(organisation=org, to_phase="opzetten", note="", by=user)


@scopes_disabled()
def test_defaults_are_the_seed_texts_per_phase_in_order():
    org = OrganisationFactory(phase="verkennen")
    phase_checklist_ensure(organisation=org)
    for phase in Phase.values:
        assert [i.title for i in _items(org, phase=phase)] == [str(t) for t in DEFAULT_ITEMS[phase]]
    titles = [i.title for i in _items(org)]
    assert any("wijksafari" in t for t in titles)
    assert any("PDCA" in t for t in titles)
    assert len(titles) == sum(len(v) for v in DEFAULT_ITEMS.values())


def test_a_new_organisation_gets_its_checklist_from_the_setup_hook(db):
    org = OrganisationFactory(phase="verkennen")
    assert _items(org) == []
    services.organisation_setup(organisation=org)
    assert len(_items(org)) == sum(len(v) for v in DEFAULT_ITEMS.values())
    services.organisation_setup(organisation=org)  # twice: nothing doubles
    assert len(_items(org)) == sum(len(v) for v in DEFAULT_ITEMS.values())


def test_admin_creating_an_organisation_runs_the_setup(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:netwerken_organisation_add"),
        {
            "name": "Buurthulp Noord",
            "slug": "noord",
            "municipality": "Utrecht",
            "kind": "buurthulp",
            "help_type": "liefdadigheid",
            "phase": "verkennen",
            "retention_months": "24",
            "fundings_received-TOTAL_FORMS": "0",
            "fundings_received-INITIAL_FORMS": "0",
        },
    )
    with scopes_disabled():
        org = Organisation.objects.filter(slug="noord").first()
    assert org is not None, response.context["adminform"].form.errors if response.context else response.status_code
    assert _items(org, phase="verkennen")


# --- the page -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [A, P, C])
def test_checklist_page_shows_the_current_phase_open_and_the_items(client, checklist, role):
    client.force_login(checklist.user(role))
    response = client.get(_url("phase_checklist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Verkennen en voorbereiden" in content and "Opzetten" in content and "Uitvoering" in content
    groups = response.context["groups"]
    assert [g["phase"] for g in groups] == ["verkennen", "opzetten", "uitvoering"]
    assert [g["current"] for g in groups] == [True, False, False]
    assert str(DEFAULT_ITEMS[Phase.EXPLORING][0]) in content
    editing = role in (A, P)
    assert response.context["can_manage"] is editing
    assert ("Punt toevoegen" in content) is editing
    assert ("Naar de volgende fase" in content) is editing
    assert "Afvinken" in content


def test_org_admin_edits_owner_due_done_and_notes(client, checklist):
    item = _items(checklist.organisation, phase="verkennen")[0]
    owner = checklist.user(C)
    due = timezone.localdate() + datetime.timedelta(days=14)
    client.force_login(checklist.user(A))
    response = client.post(
        _url("checklist_item_edit", item=item.pk),
        {"title": item.title, "owner": owner.pk, "due": due.isoformat(), "done": "on", "notes": "Gebeld met Henk"},
        follow=True,
    )
    assert response.status_code == 200
    item = _reload(item)
    assert (item.owner, item.due, item.done, item.notes) == (owner, due, True, "Gebeld met Henk")
    assert item.done_at is not None
    assert "is opgeslagen" in response.content.decode()
    assert "Gebeld met Henk" in response.content.decode()


def test_owner_must_be_of_the_team_of_this_organisation(client, checklist, tenant_b):
    item = _items(checklist.organisation, phase="verkennen")[0]
    client.force_login(checklist.user(P))
    for stranger in (tenant_b.user(C), checklist.user(V), checklist.user(F)):
        response = client.post(
            _url("checklist_item_edit", item=item.pk), {"title": "Nieuwe titel", "owner": stranger.pk, "notes": "x"}
        )
        assert response.status_code == 200
        assert "owner" in response.context["form"].errors
        content = response.content.decode()
        assert 'id="id_owner_error"' in content and "Nieuwe titel" in content
        assert _reload(item).owner is None and _reload(item).title != "Nieuwe titel"


def test_due_date_with_a_mistyped_year_is_refused_but_an_old_due_date_may_stay(client, checklist):
    item = _items(checklist.organisation, phase="verkennen")[0]
    old = timezone.localdate() - datetime.timedelta(days=800)
    with scopes_disabled():
        PhaseChecklistItem.objects.filter(pk=item.pk).update(due=old)
    client.force_login(checklist.user(A))
    url = _url("checklist_item_edit", item=item.pk)
    response = client.post(url, {"title": item.title, "due": "0001-01-01"})
    assert response.status_code == 200 and "due" in response.context["form"].errors
    response = client.post(url, {"title": item.title, "due": old.isoformat(), "done": "on"})
    assert response.status_code == 302
    assert _reload(item).done and _reload(item).due == old


def test_coordinator_ticks_an_item_but_cannot_change_the_rest(client, checklist):
    item = _items(checklist.organisation, phase="verkennen")[0]
    client.force_login(checklist.user(C))
    url = _url("checklist_item_edit", item=item.pk)
    response = client.post(url, {"done": "on", "title": "Overschreven", "notes": "Overschreven"}, follow=True)
    assert "is afgevinkt" in response.content.decode()
    item = _reload(item)
    assert item.done and item.title != "Overschreven" and item.notes == ""
    client.post(url, {"alleen": "afvinken"})
    assert not _reload(item).done and _reload(item).done_at is None
    for name in ("checklist_item_add", "phase_move"):
        assert client.post(_url(name), {"title": "x", "phase": "verkennen"}).status_code == 403
    assert client.post(_url("checklist_item_delete", item=item.pk), {"bevestig": "ja"}).status_code == 403
    assert _reload(item).pk


def test_add_and_delete_an_item(client, checklist):
    org = checklist.organisation
    client.force_login(checklist.user(P))
    payload = {"title": "Buurtbarbecue plannen", "phase": "opzetten"}
    response = client.post(_url("checklist_item_add"), payload, follow=True)
    assert "staat op de lijst" in response.content.decode()
    added = [i for i in _items(org, phase="opzetten") if i.title == "Buurtbarbecue plannen"]
    assert len(added) == 1 and added[0].position == len(DEFAULT_ITEMS[Phase.SETTING_UP])
    # The same again (a double submit): refused, not added twice.
    response = client.post(_url("checklist_item_add"), {"title": "buurtbarbecue plannen ", "phase": "opzetten"})
    assert response.status_code == 200 and "staat al op de lijst" in response.content.decode()
    assert len([i for i in _items(org, phase="opzetten") if i.title.lower() == "buurtbarbecue plannen"]) == 1
    # Deleting needs the confirmation button.
    url = _url("checklist_item_delete", item=added[0].pk)
    response = client.post(url, {}, follow=True)
    assert "niet verwijderd" in response.content.decode()
    response = client.post(url, {"bevestig": "ja"}, follow=True)
    assert "van de lijst gehaald" in response.content.decode()
    assert not [i for i in _items(org) if i.title == "Buurtbarbecue plannen"]
    assert client.post(url, {"bevestig": "ja"}).status_code == 404


def test_move_page_lists_open_items_and_the_move_records_them_in_the_history(client, checklist):
    org = checklist.organisation
    items = _items(org, phase="verkennen")
    with scopes_disabled():
        PhaseChecklistItem.objects.filter(pk=items[0].pk).update(done=True)
    client.force_login(checklist.user(A))
    page = client.get(_url("phase_move"))
    content = page.content.decode()
    assert page.status_code == 200
    assert all(i.title in content for i in items[1:]) and items[0].title not in content.split("Nog open")[1]
    response = client.post(
        _url("phase_move"), {"from_phase": "verkennen", "to_phase": "opzetten", "note": "Plan is klaar"}, follow=True
    )
    assert "Nu in de fase ‘Opzetten’" in response.content.decode()
    assert _reload(org).phase == "opzetten"
    with scopes_disabled():
        move = PhaseMove.objects.get(organisation=org)
    assert move.open_items == [i.title for i in items[1:]] and move.by == checklist.user(A)
    assert (move.from_phase, move.to_phase, move.note) == ("verkennen", "opzetten", "Plan is klaar")
    history = client.get(_url("phase_checklist"))
    text = history.content.decode()
    assert "Nog open bij de overgang" in text and items[-1].title in text and "Plan is klaar" in text
    assert [g["current"] for g in history.context["groups"]] == [False, True, False]
    # The same post from an old tab: refused, and the phase moved only once.
    again = client.post(_url("phase_move"), {"from_phase": "verkennen", "to_phase": "opzetten"})
    assert again.status_code == 200 and "al veranderd" in again.content.decode()
    with scopes_disabled():
        assert PhaseMove.objects.filter(organisation=org).count() == 1


def test_move_refuses_the_same_phase_skipping_and_back_without_a_reason(client, checklist):
    org = checklist.organisation
    _set_phase(org, Phase.SETTING_UP)
    client.force_login(checklist.user(P))
    url = _url("phase_move")
    cases = [
        ({"from_phase": "opzetten", "to_phase": "opzetten"}, "Je zit al in deze fase."),
        ({"from_phase": "opzetten", "to_phase": "verkennen"}, "Schrijf erbij waarom je een fase teruggaat."),
    ]
    for payload, message in cases:
        response = client.post(url, payload)
        assert response.status_code == 200 and message in response.content.decode()
    _set_phase(org, Phase.EXPLORING)
    response = client.post(url, {"from_phase": "verkennen", "to_phase": "uitvoering"})
    assert "maar één fase tegelijk" in response.content.decode()
    assert _reload(org).phase == "verkennen"
    with scopes_disabled():
        assert not PhaseMove.objects.filter(organisation=org).exists()
    # Back, with a reason: the service allows it; the page offers it.
    _set_phase(org, Phase.SETTING_UP)
    assert "Je gaat een fase terug." in client.get(url + "?naar=verkennen").content.decode()
    response = client.post(url, {"from_phase": "opzetten", "to_phase": "verkennen", "note": "Te vroeg begonnen"})
    assert response.status_code == 302 and _reload(org).phase == "verkennen"


def test_last_phase_has_no_next(client, checklist):
    _set_phase(checklist.organisation, Phase.RUNNING)
    client.force_login(checklist.user(A))
    content = client.get(_url("phase_move")).content.decode()
    assert "Dit is de laatste fase." in content
    assert "Dit is de laatste fase." in client.get(_url("phase_checklist")).content.decode()


# --- a network's initiative -----------------------------------------------------------------------------


def test_network_checklist_starts_with_the_first_move_and_is_separate(client, checklist):
    org, network = checklist.organisation, checklist.objects["network"]
    client.force_login(checklist.user(P))
    page = client.get(_url("network_phase", network=network.pk))
    assert page.status_code == 200
    assert "nog geen fase" in page.content.decode()
    assert _items(org, network=network) == []
    response = client.post(
        _url("network_phase_move", network=network.pk), {"from_phase": "", "to_phase": "verkennen"}, follow=True
    )
    assert response.status_code == 200
    assert _reload(network).phase == "verkennen" and _reload(org).phase == "verkennen"
    network_items = _items(org, network=network)
    assert len(network_items) == sum(len(v) for v in DEFAULT_ITEMS.values())
    # Ticking a network item leaves the organisation's own list alone, and the other way round.
    client.post(_url("checklist_item_edit", item=network_items[0].pk), {"alleen": "afvinken", "done": "on"})
    assert _reload(network_items[0]).done
    assert not any(i.done for i in _items(org))
    response = client.post(
        _url("checklist_item_add"), {"title": "Vaste wandelroute", "phase": "verkennen", "network": network.pk}
    )
    assert response.url.startswith(_url("network_phase", network=network.pk))
    assert "Vaste wandelroute" in [i.title for i in _items(org, network=network)]
    assert "Vaste wandelroute" not in [i.title for i in _items(org)]
    response = client.post(
        _url("network_phase_move", network=network.pk), {"from_phase": "verkennen", "to_phase": "opzetten"}
    )
    with scopes_disabled():
        move = PhaseMove.objects.get(network=network, to_phase="opzetten")
    assert network_items[0].title not in move.open_items and "Vaste wandelroute" in move.open_items
    assert _reload(org).phase == "verkennen"
    content = client.get(_url("network_phase", network=network.pk)).content.decode()
    assert "Vaste wandelroute" in content and network.name in content
    assert not client.get(_url("phase_checklist")).context["history"]


def test_a_network_of_another_organisation_cannot_get_an_item(client, checklist, tenant_b):
    client.force_login(checklist.user(A))
    response = client.post(
        _url("checklist_item_add"),
        {"title": "Inbraak", "phase": "verkennen", "network": tenant_b.objects["network"].pk},
    )
    assert response.status_code == 200 and "network" in response.context["form"].errors
    with scopes_disabled():
        assert not PhaseChecklistItem.objects.filter(title="Inbraak").exists()


# --- query counts -------------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_checklist_query_count_is_the_same_for_few_and_many_items(client, checklist):
    org = checklist.organisation
    client.force_login(checklist.user(A))
    url = _url("phase_checklist")
    client.get(url)
    few = _count(client, url)
    owner = checklist.user(C)
    for i in range(40):
        PhaseChecklistItemFactory(organisation=org, phase=Phase.values[i % 3], owner=owner, due=timezone.localdate())
    with scope(organisation=org):
        phase_move(organisation=org, to_phase="opzetten", note="", by=owner)
        phase_move(organisation=org, to_phase="uitvoering", note="", by=owner)
    many = _count(client, url)
    print(f"\nphase_checklist: {few} queries with the defaults, {many} with 58 items and 2 moves")
    assert many == few


# --- where each organisation stands ----------------------------------------------------------------------


def _serve(user, organisations, role=P):
    for org in organisations:
        MembershipFactory(user=user, organisation=org, roles=(role,))


def test_overview_lists_only_the_organisations_served_in_that_role(client, checklist, tenant_b):
    professional = UserFactory(name="Petra Wijkteam")
    other = OrganisationFactory(name="Buurthulp Zuid", slug="zuid", phase="opzetten")
    as_volunteer = OrganisationFactory(name="Buurthulp Elders", slug="elders", phase="opzetten")
    _serve(professional, [checklist.organisation])
    _serve(professional, [other], role=A)
    _serve(professional, [as_volunteer], role=V)
    items = _items(checklist.organisation, phase="verkennen")
    with scopes_disabled():
        PhaseChecklistItem.objects.filter(pk=items[0].pk).update(done=True)
        PhaseChecklistItem.objects.filter(pk=items[1].pk).update(due=timezone.localdate() - datetime.timedelta(days=3))
    with scope(organisation=other):
        phase_checklist_ensure(organisation=other)
    client.force_login(professional)
    response = client.get(reverse("phase_overview"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["organisation"].slug for r in rows] == ["oost", "zuid"]
    oost = rows[0]
    assert (oost["phase"], oost["done"], oost["total"]) == ("verkennen", 1, len(DEFAULT_ITEMS[Phase.EXPLORING]))
    assert [i.title for i in oost["overdue"]] == [items[1].title]
    assert oost["last_move"] is None
    assert (rows[1]["phase"], rows[1]["done"], rows[1]["total"]) == ("opzetten", 0, 6)
    content = response.content.decode()
    # (The header's organisation switcher names every membership; the overview links only the served ones.)
    assert reverse("netwerken:phase_checklist", kwargs={"org": "elders"}) not in content
    assert tenant_b.organisation.name not in content
    assert reverse("netwerken:phase_checklist", kwargs={"org": "oost"}) in content


def test_overview_shows_nothing_of_an_organisation_the_user_does_not_serve(client, checklist, tenant_b):
    """tests/test_tenant_isolation.py covers tenant URLs only: this page is outside one tenant."""
    with scopes_disabled():
        PhaseChecklistItem.objects.filter(organisation=tenant_b.organisation).update(
            title="Geheim punt van West", due=timezone.localdate() - datetime.timedelta(days=5)
        )
        Organisation.objects.filter(pk=tenant_b.organisation.pk).update(phase="verkennen")
    with scope(organisation=tenant_b.organisation):
        PhaseMove.objects.create(organisation=tenant_b.organisation, to_phase="verkennen", by=tenant_b.user(A))
    for role in (P, A):
        client.force_login(checklist.user(role))
        response = client.get(reverse("phase_overview"))
        assert response.status_code == 200
        content = response.content.decode()
        assert [r["organisation"].slug for r in response.context["rows"]] == ["oost"]
        assert "Geheim punt van West" not in content and tenant_b.organisation.name not in content
        assert "/o/west/" not in content
        assert response.context["rows"][0]["last_move"] is None
    for role in (C, V, F):
        client.force_login(checklist.user(role))
        assert client.get(reverse("phase_overview")).status_code == 403
    client.logout()
    assert client.get(reverse("phase_overview")).status_code == 302


def test_overview_query_count_is_the_same_for_1_and_5_organisations(client, db):
    professional = UserFactory()
    first = OrganisationFactory(phase="verkennen")
    _serve(professional, [first])
    with scopes_disabled():
        phase_checklist_ensure(organisation=first)
    client.force_login(professional)
    url = reverse("phase_overview")
    client.get(url)
    one = _count(client, url)
    others = [OrganisationFactory(phase=Phase.values[i % 3]) for i in range(4)]
    _serve(professional, others)
    with scopes_disabled():
        for org in others:
            phase_checklist_ensure(organisation=org)
            PhaseChecklistItem.objects.filter(organisation=org).update(
                due=timezone.localdate() - datetime.timedelta(1), owner=professional
            )
            PhaseMove.objects.create(organisation=org, to_phase=org.phase, by=professional)
    five = _count(client, url)
    response = client.get(url)
    assert len(response.context["rows"]) == 5 and all(r["overdue"] for r in response.context["rows"][1:] if r)
    print(f"\nphase_overview: {one} queries for 1 organisation, {five} for 5")
    assert one == five


@pytest.mark.parametrize("role, page", [(P, "professional_dashboard"), (A, "admin_dashboard")])
def test_dashboard_card_shows_the_phase_and_links_to_the_checklist(client, checklist, role, page):
    client.force_login(checklist.user(role))
    content = client.get(_url(page)).content.decode()
    assert "Verkennen en voorbereiden: 0 van 6 punten gedaan." in content
    assert _url("phase_checklist") in content and reverse("phase_overview") in content
