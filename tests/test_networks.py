"""Resident networks (bewonersnetwerken): create and edit, members of three kinds, the list's filters and
map, constant query counts, and a member's data going with the person when they are erased."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from netwerken import network_selectors, networks, privacy
from netwerken.models import Network, NetworkMember
from netwerken.roles import Role

from .factories import (
    ActivityFactory,
    AreaFactory,
    NetworkFactory,
    NetworkMemberFactory,
    ParticipationFactory,
    ResidentFactory,
    VolunteerFactory,
)

C, V, P, A, F = Role.COORDINATOR, Role.VOLUNTEER, Role.PROFESSIONAL, Role.ORG_ADMIN, Role.FUNDER


def url(name, tenant, **kwargs):
    return reverse(f"netwerken:{name}", kwargs={"org": tenant.organisation.slug, **kwargs})


def _login(client, tenant, role=C):
    client.force_login(tenant.user(role))
    return client


def _get(pk):
    with scopes_disabled():
        return NetworkMember.objects.get(pk=pk)


# --- create and edit ------------------------------------------------------------------------------------


def test_a_coordinator_adds_a_network_with_its_neighbourhoods_and_a_normalised_phone(client, tenant_a):
    _login(client, tenant_a)
    area = tenant_a.objects["area"]
    response = client.post(
        url("network_create", tenant_a),
        {
            "name": "  Moestuin   De Linde ",
            "kind": "nieuw_initiatief",
            "status": "in_oprichting",
            "areas": [str(area.pk)],
            "contact_name": "Henk Jansen",
            "contact_phone": "06-12 34 56 78",
            "contact_volunteer": str(tenant_a.objects["volunteer"].pk),
        },
        follow=True,
    )
    assert response.status_code == 200
    with scopes_disabled():
        network = Network.objects.get(organisation=tenant_a.organisation, name="Moestuin De Linde")
        assert list(network.areas.all()) == [area]
    assert network.contact_phone == "+31612345678"
    assert network.status == "in_oprichting"
    content = response.content.decode()
    assert "Het netwerk Moestuin De Linde is toegevoegd." in content
    assert "06 12345678" in content  # shown the Dutch way
    assert area.name in content


def test_a_professional_edits_a_network_and_a_taken_name_is_refused_with_the_input_kept(client, tenant_a):
    network = tenant_a.objects["network"]
    other = NetworkFactory(organisation=tenant_a.organisation, name="Ouderenbond Oost")
    _login(client, tenant_a, P)
    phase_before = network.phase
    edit = url("network_edit", tenant_a, network=network.pk)
    page = client.get(edit).content.decode()
    assert f'value="{network.name}"' in page and "Henk Netwerk van oost" in page
    response = client.post(edit, {"name": "ouderenbond oost", "kind": "ouderenbond", "status": "actief"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Er is al een netwerk met deze naam."]
    assert 'value="ouderenbond oost"' in response.content.decode()
    response = client.post(
        edit, {"name": "Wandelgroep De Brink", "kind": "sportclub", "status": "slapend", "phase": "opzetten"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        network.refresh_from_db()
        assert list(network.areas.all()) == []  # unticked: the network no longer covers the neighbourhood
    assert (network.name, network.kind, network.status) == ("Wandelgroep De Brink", "sportclub", "slapend")
    assert network.phase == phase_before, "the phase moves only on the phase page, recorded"
    assert 'name="phase"' not in page
    assert other.name == "Ouderenbond Oost"


def test_the_service_refuses_an_empty_or_taken_name(tenant_a):
    org = tenant_a.organisation
    with scope(organisation=org):
        with pytest.raises(networks.NetworkError) as refused:
            networks.network_save(organisation=org, name=tenant_a.objects["network"].name.upper(), kind="kerk", by=None)
        assert "Er is al een netwerk" in refused.value.message
        with pytest.raises(networks.NetworkError):
            networks.network_save(organisation=org, name="  ", kind="kerk", by=None)
        saved = networks.network_save(
            organisation=org, name="Kerk", kind="kerk", contact_phone="0348 123456", areas=[], by=None
        )
    assert saved.contact_phone == "+31348123456"


# --- members ----------------------------------------------------------------------------------------------


@pytest.fixture
def garden(tenant_a):
    """A network without members, and a resident and a volunteer who are in no network yet."""
    org = tenant_a.organisation
    return {
        "network": NetworkFactory(organisation=org, name="Moestuin"),
        "resident": ResidentFactory(organisation=org, name="Truus Bakker", phone="+31611111111"),
        "volunteer": VolunteerFactory(organisation=org, membership__user__name="Sven Vrijwilliger"),
    }


def test_each_kind_of_member_is_added_once_and_a_duplicate_is_refused_in_dutch(tenant_a, garden):
    network, org = garden["network"], tenant_a.organisation
    with scope(organisation=org):
        by_resident = networks.network_member_add(network=network, resident=garden["resident"], by=None)
        by_volunteer = networks.network_member_add(network=network, volunteer=garden["volunteer"], by=None)
        by_name = networks.network_member_add(network=network, name=" Kees  ", phone="06-22334455", by=None)
        assert (by_resident.display_name, by_volunteer.display_name, by_name.display_name) == (
            "Truus Bakker",
            "Sven Vrijwilliger",
            "Kees",
        )
        assert by_name.phone == "+31622334455" and by_name.joined_on == timezone.localdate()
        for again in (
            {"resident": garden["resident"]},
            {"volunteer": garden["volunteer"]},
            {"name": "kees", "phone": "0622334455"},
        ):
            with pytest.raises(networks.NetworkError) as refused:
                networks.network_member_add(network=network, by=None, **again)
            assert "doet al mee aan Moestuin" in refused.value.message
        # Another Kees (another number) is someone else.
        networks.network_member_add(network=network, name="Kees", phone="06-48887766", by=None)
        for wrong in (
            {},
            {"resident": garden["resident"], "name": "Truus"},
            {"phone": "0611111111"},
            {"name": "Piet", "phone": "12345"},
        ):
            with pytest.raises(networks.NetworkError):
                networks.network_member_add(network=network, by=None, **wrong)
        assert NetworkMember.objects.filter(network=network).count() == 4


def test_a_member_leaves_once_stays_listed_as_left_and_can_come_back(tenant_a, garden):
    network = garden["network"]
    with scope(organisation=tenant_a.organisation):
        member = networks.network_member_add(
            network=network, resident=garden["resident"], joined_on=datetime.date(2026, 1, 5), by=None
        )
        networks.network_member_add(network=network, name="Anna", by=None)
        left = networks.network_member_leave(member=member, by=None)
        assert left.left_on == timezone.localdate()
        with pytest.raises(networks.AlreadyLeft) as refused:
            networks.network_member_leave(member=member, by=None)
        assert "was al gestopt" in refused.value.message
        # Active first, those who left after them.
        assert [m.display_name for m in network_selectors.network_members(network)] == ["Anna", "Truus Bakker"]
        back = networks.network_member_add(network=network, resident=garden["resident"], by=None)
        assert back.pk == member.pk and back.left_on is None  # the same row: the history stays theirs


def test_leaving_before_joining_is_refused(tenant_a, garden):
    with scope(organisation=tenant_a.organisation):
        member = networks.network_member_add(network=garden["network"], name="Anna", by=None)
        with pytest.raises(networks.NetworkError):
            networks.network_member_leave(member=member, left_on=member.joined_on - datetime.timedelta(days=1), by=None)


def test_the_detail_page_finds_people_adds_them_and_marks_who_left(client, tenant_a, garden):
    network = garden["network"]
    ActivityFactory(network=network, title="Zaaien in april", status="voorgesteld")
    _login(client, tenant_a)
    detail = url("network_detail", tenant_a, network=network.pk)
    found = client.get(detail + "?zoek=truus").content.decode()
    assert "Voeg Truus Bakker toe" in found
    add = url("member_add", tenant_a, network=network.pk)
    assert client.post(add, {"lid-resident": garden["resident"].pk}).status_code == 302
    found = client.get(detail + "?zoek=sven").content.decode()
    assert "Voeg Sven Vrijwilliger toe" in found
    assert client.post(add, {"lid-volunteer": garden["volunteer"].pk}).status_code == 302
    response = client.post(add, {"lid-name": "Kees de Groot", "lid-phone": "06-22334455"}, follow=True)
    assert "Kees de Groot doet nu mee aan Moestuin." in response.content.decode()
    # Found again: already in it, no button.
    page = client.get(detail + "?zoek=truus").content.decode()
    assert "Voeg Truus Bakker toe" not in page and "bewoner, doet al mee" in page
    # A duplicate by hand: the page again, with the message and what was typed.
    response = client.post(add, {"lid-name": "kees de groot", "lid-phone": "0622334455"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "kees de groot doet al mee aan Moestuin." in content or "Kees de Groot doet al mee" in content
    assert 'value="0622334455"' in content
    with scopes_disabled():
        kees = NetworkMember.objects.get(network=network, name="Kees de Groot")
    response = client.post(url("member_leave", tenant_a, network=network.pk, member=kees.pk), follow=True)
    content = response.content.decode()
    assert "Kees de Groot is gestopt bij Moestuin." in content
    assert f"gestopt op {timezone.localdate():%d-%m-%Y}" in content
    assert "Zaaien in april" in content and "voorgesteld" in content
    assert "06 22334455" in content


def test_a_member_of_another_network_is_404_under_this_network(client, tenant_a, garden):
    member = tenant_a.objects["member"]  # of the fixture's walking group, not of the garden
    _login(client, tenant_a)
    response = client.post(url("member_leave", tenant_a, network=garden["network"].pk, member=member.pk))
    assert response.status_code == 404
    assert _get(member.pk).left_on is None


# --- the list: filters, pagination, the map ---------------------------------------------------------------


@pytest.fixture
def mapped(tenant_a):
    """Three neighbourhoods around IJsselstein and networks in them."""
    org = tenant_a.organisation
    centrum = tenant_a.objects["area"]  # 52.02, 5.04
    noord = AreaFactory(organisation=org, name="Noord", latitude=52.03, longitude=5.05)
    west = AreaFactory(organisation=org, name="Westpoort", latitude=52.015, longitude=5.02)
    church = NetworkFactory(organisation=org, name="Kerk Sint Nicolaas", kind="kerk", areas=[centrum, noord])
    club = NetworkFactory(organisation=org, name="Voetbalclub IJVV", kind="sportclub", status="slapend", areas=[noord])
    return {"centrum": centrum, "noord": noord, "west": west, "church": church, "club": club}


def test_list_filters_by_kind_status_neighbourhood_and_name(client, tenant_a, mapped):
    _login(client, tenant_a, A)
    base = url("network_list", tenant_a)
    walking = tenant_a.objects["network"]

    def shown(query=""):
        return {n.name for n in client.get(base + query).context["page"]}

    assert shown() == {walking.name, "Kerk Sint Nicolaas", "Voetbalclub IJVV"}
    assert shown("?kind=kerk") == {"Kerk Sint Nicolaas"}
    assert shown("?status=slapend") == {"Voetbalclub IJVV"}
    assert shown(f"?area={mapped['noord'].pk}") == {"Kerk Sint Nicolaas", "Voetbalclub IJVV"}
    assert shown(f"?area={mapped['centrum'].pk}&kind=kerk") == {"Kerk Sint Nicolaas"}
    assert shown("?q=nicol") == {"Kerk Sint Nicolaas"}
    assert shown(f"?area={mapped['west'].pk}") == set()
    # Nonsense is a message on the field and filters nothing, never a 500.
    response = client.get(base + "?kind=kapot&area=99999999999999999999&pagina=xyz&q=%00")
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()
    # The active members are counted per row.
    row = next(n for n in client.get(base).context["page"] if n.pk == walking.pk)
    assert row.active_members == 3  # the resident, the volunteer and a guest without a record


def test_list_paginates(client, tenant_a):
    for i in range(30):
        NetworkFactory(organisation=tenant_a.organisation, name=f"Netwerk {i:02d}")
    _login(client, tenant_a)
    base = url("network_list", tenant_a)
    first = client.get(base)
    assert len(first.context["page"]) == 25 and "Pagina 1 van 2" in first.content.decode()
    assert len(client.get(base + "?pagina=2").context["page"]) == 6


def test_the_map_draws_each_neighbourhood_sized_by_its_networks_with_a_table_alongside(client, tenant_a, mapped):
    _login(client, tenant_a, P)
    response = client.get(url("network_list", tenant_a))
    content = response.content.decode()
    svg = content[content.index("<svg") : content.index("</svg>")]
    assert "<script" not in svg and "href" not in svg  # nothing to load: drawn on the server
    areas = {area.name: area for area in response.context["map"]["areas"]}
    assert set(areas) == {mapped["centrum"].name, "Noord", "Westpoort"}
    counts = {name: area.network_count for name, area in areas.items()}
    assert counts == {mapped["centrum"].name: 2, "Noord": 2, "Westpoort": 0}  # the walking group and the church
    for name, area in areas.items():
        assert f'cx="{area.x}" cy="{area.y}" r="{area.r}"' in svg
        assert f">{name} ({area.network_count})</text>" in svg
        assert 0 < area.x < 600 and 0 < area.y < 400
        # The text alternative says the same.
        assert re.search(rf"<tr><td>{re.escape(name)}</td><td>{area.network_count}</td></tr>", content)
    # North is up, east is right; more networks, a bigger circle.
    assert areas["Noord"].y < areas[mapped["centrum"].name].y < areas["Westpoort"].y
    assert areas["Westpoort"].x < areas[mapped["centrum"].name].x < areas["Noord"].x
    assert areas["Westpoort"].r < areas["Noord"].r
    assert 'role="img"' in svg and "<title" in svg


def test_the_map_of_one_neighbourhood_or_none_draws_without_dividing_by_zero(tenant_a, tenant_b):
    with scope(organisation=tenant_a.organisation):
        single = network_selectors.network_map()
    assert [area.network_count for area in single["areas"]] == [1]
    assert single["areas"][0].x == 300 and single["areas"][0].y == 200
    from netwerken.models import Area

    with scope(organisation=tenant_b.organisation):
        Area.objects.all().delete()
        assert network_selectors.network_map()["areas"] == []


def _count_queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_is_the_same_for_1_and_40_networks(client, tenant_a):
    _login(client, tenant_a)
    base = url("network_list", tenant_a)
    client.get(base)  # warm caches (session, content types)
    few = _count_queries(client, base)
    org = tenant_a.organisation
    areas = [AreaFactory(organisation=org, name=f"Buurt {i}", latitude=52 + i / 100) for i in range(5)]
    for i in range(40):
        network = NetworkFactory(organisation=org, areas=areas[: 1 + i % 3])
        NetworkMemberFactory(network=network)
    many = _count_queries(client, base)
    filtered = _count_queries(client, base + f"?kind=nieuw_initiatief&status=actief&q=wandel&area={areas[0].pk}")
    print(f"\nnetwork_list: {few} queries with 1 network, {many} with 41, {filtered} filtered")
    assert many == few
    assert filtered <= few + 1  # validating the chosen neighbourhood looks it up once
    assert few <= 12


def test_detail_query_count_is_the_same_for_1_and_40_members(client, tenant_a, garden):
    network = garden["network"]
    NetworkMemberFactory(network=network, resident=garden["resident"], name="")
    _login(client, tenant_a)
    detail = url("network_detail", tenant_a, network=network.pk)
    client.get(detail)
    few = _count_queries(client, detail)
    org = tenant_a.organisation
    for _i in range(13):
        NetworkMemberFactory(network=network, resident=ResidentFactory(organisation=org), name="")
        NetworkMemberFactory(network=network, volunteer=VolunteerFactory(organisation=org), name="")
        NetworkMemberFactory(network=network, left_on=timezone.localdate())
    ActivityFactory.create_batch(5, network=network)
    many = _count_queries(client, detail)
    print(f"\nnetwork_detail: {few} queries with 1 member, {many} with 40")
    assert many == few
    assert few <= 12


# --- the menu ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [C, P, A, V])
def test_the_menu_shows_networks_to_coordinator_professional_and_admin(client, tenant_a, role):
    _login(client, tenant_a, role)
    page = client.get(url("org_home", tenant_a), follow=True).content.decode()
    assert (f'href="{url("network_list", tenant_a)}"' in page) == (role != V)


# --- a person's data --------------------------------------------------------------------------------------


def test_a_residents_network_membership_is_exported_and_erased_with_them(client, tenant_a):
    resident, member = tenant_a.objects["resident"], tenant_a.objects["member"]
    with scopes_disabled():
        NetworkMember.objects.filter(pk=member.pk).update(name="Tante Riek", phone="+31612121212")
    _login(client, tenant_a)
    data = json.loads(client.get(url("resident_export", tenant_a, resident=resident.pk)).content)
    assert data["netwerken"] == [
        {
            "netwerk": tenant_a.objects["network"].name,
            "naam": "Tante Riek",
            "telefoon": "+31612121212",
            "lid_sinds": member.joined_on.isoformat(),
            "gestopt_op": None,
        }
    ]
    with scope(organisation=tenant_a.organisation):
        privacy.resident_erase(resident=resident, by=tenant_a.user(C))
    erased = _get(member.pk)
    assert (erased.name, erased.phone) == ("", "")
    assert erased.erased_at is not None and erased.left_on == timezone.localdate()
    assert erased.resident_id == resident.pk  # the row stays counted, linked to the erased record
    with scopes_disabled():
        assert NetworkMember.objects.filter(network=member.network).count() == 3
    page = client.get(url("network_detail", tenant_a, network=member.network_id)).content.decode()
    assert "Tante Riek" not in page and resident.name not in page


def test_a_volunteers_network_membership_is_exported_and_erased_with_them(tenant_a):
    volunteer = tenant_a.objects["volunteer"]
    with scopes_disabled():
        member = NetworkMember.objects.get(volunteer=volunteer)
        NetworkMember.objects.filter(pk=member.pk).update(phone="+31613131313")
    with scope(organisation=tenant_a.organisation):
        exported = privacy.volunteer_export(volunteer=volunteer, by=None)
        assert [row["telefoon"] for row in exported["netwerken"]] == ["+31613131313"]
        privacy.volunteer_erase(volunteer=volunteer, by=None)
    erased = _get(member.pk)
    assert erased.phone == "" and erased.erased_at is not None and erased.volunteer_id == volunteer.pk
    # Someone else's membership is untouched.
    other = _get(tenant_a.objects["member"].pk)
    assert other.erased_at is None and other.left_on is None


def test_retention_keeps_a_resident_who_is_still_in_a_network(tenant_a):
    resident = tenant_a.objects["resident"]
    long_ago = timezone.now() - datetime.timedelta(days=5 * 365)
    with scope(organisation=tenant_a.organisation):
        from matching.models import HelpRequest
        from netwerken.models import Resident

        HelpRequest.objects.filter(resident=resident).delete()
        Resident.objects.filter(pk=resident.pk).update(created_at=long_ago)
        assert resident.pk not in privacy.residents_past_retention()
        NetworkMember.objects.filter(resident=resident).update(
            joined_on=(long_ago - datetime.timedelta(days=1)).date(), left_on=long_ago.date()
        )
        assert resident.pk in privacy.residents_past_retention()


def test_a_participant_without_a_record_is_erased_on_the_network_page_and_stays_counted(client, tenant_a):
    network = tenant_a.objects["network"]
    guest = tenant_a.objects["guest"]
    session = tenant_a.objects["session"]
    with scopes_disabled():
        ParticipationFactory(session=session, member=guest, attended=True)
    _login(client, tenant_a, C)
    detail = url("network_detail", tenant_a, network=network.pk)
    erase = url("member_erase", tenant_a, network=network.pk, guest=guest.pk)
    assert erase in client.get(detail).content.decode()
    page = client.post(erase, follow=True).content.decode()
    assert "zijn gewist" in page and guest.name not in page and "687654321" not in page
    with scopes_disabled():
        guest.refresh_from_db()
        assert (guest.name, guest.phone) == ("", "")
        assert guest.erased_at is not None and guest.left_on is not None
        assert guest.participations.filter(attended=True).count() == 1, "attendance stays counted"
    assert "waren al gewist" in client.post(erase, follow=True).content.decode()


def test_a_residents_membership_is_not_erased_on_its_own(tenant_a):
    member = tenant_a.objects["member"]
    with scope(organisation=tenant_a.organisation), pytest.raises(networks.NetworkError, match="via de bewoner"):
        networks.network_member_erase(member=member, by=None)
