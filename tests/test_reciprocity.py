"""Er zijn voor elkaar: who gave and who received help, counted from contact moments, with a mutual
meeting counted both ways; the period's ends; the organisation's figures per neighbourhood, in the same
number of queries for 1 linked person as for 20."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from matching import reciprocity
from matching.models import ContactLog, Match
from netwerken.models import Organisation

from .factories import (
    AreaFactory,
    HelpRequestFactory,
    MatchFactory,
    OrganisationFactory,
    ResidentFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)


def _log(match, day=DAY, mutual=False):
    return ContactLog.objects.with_scopes_disabled().create(
        organisation=match.organisation, match=match, date=day, minutes=30, mutual=mutual
    )


def _match(org, *, volunteer, resident, status=Match.Status.ACCEPTED):
    help_request = HelpRequestFactory(organisation=org, resident=resident)
    return MatchFactory(help_request=help_request, volunteer=volunteer, status=status)


@pytest.fixture
def org():
    return OrganisationFactory(help_type=Organisation.HelpType.MUTUAL)


def _linked(org, area=None):
    resident = ResidentFactory(organisation=org, area=area)
    return VolunteerFactory(organisation=org, resident=resident)


def test_a_linked_person_gave_four_and_received_three_with_a_mutual_meeting_both_ways(org):
    person = _linked(org)
    other_resident = ResidentFactory(organisation=org)
    other_volunteer = VolunteerFactory(organisation=org)
    helping = _match(org, volunteer=person, resident=other_resident)
    for _ in range(3):
        _log(helping)
    _log(helping, mutual=True)  # gave, and got something back
    helped = _match(org, volunteer=other_volunteer, resident=person.resident)
    _log(helped)
    _log(helped)
    # Someone else's help, and another organisation's, never count.
    _log(_match(org, volunteer=other_volunteer, resident=other_resident))
    stranger_org = OrganisationFactory(help_type=Organisation.HelpType.MUTUAL)
    _log(
        _match(
            stranger_org,
            volunteer=VolunteerFactory(organisation=stranger_org),
            resident=ResidentFactory(organisation=stranger_org),
        )
    )
    with scope(organisation=org):
        assert reciprocity.person_reciprocity(volunteer=person) == {"gave": 4, "received": 3}
        assert reciprocity.resident_reciprocity(resident=person.resident) == {"gave": 4, "received": 3}
        # The other side of the mutual meeting: the resident who was helped gave something back, too.
        assert reciprocity.resident_reciprocity(resident=other_resident) == {"gave": 0, "received": 5}
        assert reciprocity.person_reciprocity(volunteer=other_volunteer) == {"gave": 3, "received": 0}


def test_a_mutual_meeting_as_resident_counts_as_given(org):
    person = _linked(org)
    helped = _match(org, volunteer=VolunteerFactory(organisation=org), resident=person.resident)
    _log(helped, mutual=True)
    with scope(organisation=org):
        assert reciprocity.person_reciprocity(volunteer=person) == {"gave": 1, "received": 1}


def test_the_period_includes_its_start_and_excludes_its_end(org):
    person = _linked(org)
    helping = _match(org, volunteer=person, resident=ResidentFactory(organisation=org))
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)
    _log(helping, day=start - datetime.timedelta(days=1))
    _log(helping, day=start)
    _log(helping, day=end - datetime.timedelta(days=1))
    _log(helping, day=end)
    with scope(organisation=org):
        assert reciprocity.person_reciprocity(volunteer=person, start=start, end=end)["gave"] == 2
        assert reciprocity.person_reciprocity(volunteer=person)["gave"] == 4
        figures = reciprocity.organisation_reciprocity(start=start, end=end)
    assert figures["meetings"] == 2


def test_organisation_figures_in_total_and_per_neighbourhood(org):
    north, south = AreaFactory(organisation=org, name="Noord"), AreaFactory(organisation=org, name="Zuid")
    both = _linked(org, area=north)  # gives and receives
    gives_only = _linked(org, area=north)
    receives_only = _linked(org, area=south)
    plain_volunteer = VolunteerFactory(organisation=org)
    plain_resident = ResidentFactory(organisation=org, area=south)
    _log(_match(org, volunteer=both, resident=plain_resident))  # south meeting
    _log(_match(org, volunteer=plain_volunteer, resident=both.resident), mutual=True)  # north, mutual
    _log(_match(org, volunteer=gives_only, resident=plain_resident))  # south
    _log(_match(org, volunteer=plain_volunteer, resident=receives_only.resident))  # south
    _log(_match(org, volunteer=gives_only, resident=plain_resident), day=DAY.replace(year=2025))  # outside
    with scope(organisation=org):
        figures = reciprocity.organisation_reciprocity(start=datetime.date(2026, 1, 1), end=datetime.date(2027, 1, 1))
    assert {key: figures[key] for key in ("linked_people", "gave_and_received", "meetings", "mutual_meetings")} == {
        "linked_people": 3,
        "gave_and_received": 1,
        "meetings": 4,
        "mutual_meetings": 1,
    }
    assert figures["by_area"] == [
        {
            "area_id": north.pk,
            "area_name": "Noord",
            "linked_people": 2,
            "gave_and_received": 1,
            "meetings": 1,
            "mutual_meetings": 1,
        },
        {
            "area_id": south.pk,
            "area_name": "Zuid",
            "linked_people": 1,
            "gave_and_received": 0,
            "meetings": 3,
            "mutual_meetings": 0,
        },
    ]


def _people(org, area, n):
    for _ in range(n):
        person = _linked(org, area=area)
        _log(_match(org, volunteer=person, resident=ResidentFactory(organisation=org, area=area)), mutual=True)


def test_organisation_figures_cost_the_same_queries_for_one_and_twenty_people(org):
    area = AreaFactory(organisation=org)
    _people(org, area, 1)
    start, end = datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)
    with scope(organisation=org), CaptureQueriesContext(connection) as one:
        small = reciprocity.organisation_reciprocity(start=start, end=end)
    _people(org, area, 19)
    with scope(organisation=org), CaptureQueriesContext(connection) as twenty:
        large = reciprocity.organisation_reciprocity(start=start, end=end)
    assert (small["linked_people"], large["linked_people"]) == (1, 20)
    assert large["gave_and_received"] == 20
    assert len(one.captured_queries) == len(twenty.captured_queries) <= 3


def test_received_help_means_a_contact_moment_or_a_closed_match_as_resident(org):
    logged, closed, proposed, plain = (_linked(org) for _ in range(4))
    helper = VolunteerFactory(organisation=org)
    _log(_match(org, volunteer=helper, resident=logged.resident))
    _match(org, volunteer=helper, resident=closed.resident, status=Match.Status.CLOSED)
    _match(org, volunteer=helper, resident=proposed.resident, status=Match.Status.PROPOSED)
    with scope(organisation=org):
        assert set(reciprocity.received_help_volunteer_ids()) == {logged.pk, closed.pk}


# --- the screens: only 'er zijn voor elkaar' shows (and accepts) any of it -------------------------------


def _mutual(tenant):
    Organisation.objects.filter(pk=tenant.organisation.pk).update(help_type=Organisation.HelpType.MUTUAL)


def _client(tenant, role):
    from django.test import Client

    client = Client()
    client.force_login(tenant.user(role))
    return client


def _url(name, tenant, **kwargs):
    from django.urls import reverse

    return reverse(name, kwargs={"org": tenant.organisation.slug, **kwargs})


def _accepted(tenant):
    Match.objects.with_scopes_disabled().filter(pk=tenant.objects["match"].pk).update(status=Match.Status.ACCEPTED)
    return tenant.objects["match"]


def _volunteer(tenant):
    from netwerken.models import Volunteer

    return Volunteer.objects.with_scopes_disabled().get(pk=tenant.objects["volunteer"].pk)


def test_the_coordinator_links_a_volunteer_to_a_resident_and_unlinks(tenant_a):
    from netwerken.roles import Role

    _mutual(tenant_a)
    client = _client(tenant_a, Role.COORDINATOR)
    volunteer, resident = tenant_a.objects["volunteer"], tenant_a.objects["resident"]
    url = _url("matching:volunteer_resident", tenant_a, volunteer=volunteer.pk)
    page = client.get(url, {"q": "De Vries"})
    assert page.status_code == 200
    assert f'name="resident" value="{resident.pk}"' in page.content.decode()
    response = client.post(url, {"action": "link", "resident": resident.pk}, follow=True)
    assert response.status_code == 200
    assert _volunteer(tenant_a).resident_id == resident.pk
    assert "Geven en krijgen" in response.content.decode()  # back on the volunteer's page

    # Another volunteer cannot be the same resident: a Dutch message, nothing changes.
    other = VolunteerFactory(organisation=tenant_a.organisation)
    response = client.post(
        _url("matching:volunteer_resident", tenant_a, volunteer=other.pk), {"action": "link", "resident": resident.pk}
    )
    assert response.status_code == 200
    assert "al gekoppeld aan vrijwilliger" in response.content.decode()
    other.refresh_from_db()
    assert other.resident_id is None

    client.post(url, {"action": "unlink"})
    assert _volunteer(tenant_a).resident_id is None


def test_the_link_page_does_not_exist_outside_voor_elkaar(tenant_a):
    from netwerken.roles import Role

    client = _client(tenant_a, Role.COORDINATOR)
    volunteer, resident = tenant_a.objects["volunteer"], tenant_a.objects["resident"]
    url = _url("matching:volunteer_resident", tenant_a, volunteer=volunteer.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "link", "resident": resident.pk}).status_code == 404
    assert _volunteer(tenant_a).resident_id is None
    detail = client.get(_url("matching:volunteer_detail", tenant_a, volunteer=volunteer.pk)).content.decode()
    assert "Geven en krijgen" not in detail and "/bewoner/" not in detail


def test_a_charity_contact_form_has_no_mutual_field_and_a_posted_one_is_ignored(tenant_a):
    from netwerken.roles import Role

    match = _accepted(tenant_a)
    client = _client(tenant_a, Role.VOLUNTEER)
    url = _url("matching:my_match", tenant_a, match=match.pk)
    assert 'name="contact-mutual"' not in client.get(url).content.decode()
    today = timezone.localdate().isoformat()
    payload = {"action": "contact", "contact-date": today, "contact-minutes": "30", "contact-mutual": "on"}
    assert client.post(url, payload).status_code == 302
    log = ContactLog.objects.with_scopes_disabled().get(match=match)
    assert log.mutual is False


def test_in_voor_elkaar_the_volunteer_says_we_helped_each_other(tenant_a):
    from netwerken.roles import Role

    _mutual(tenant_a)
    match = _accepted(tenant_a)
    client = _client(tenant_a, Role.VOLUNTEER)
    url = _url("matching:my_match", tenant_a, match=match.pk)
    assert 'name="contact-mutual"' in client.get(url).content.decode()
    today = timezone.localdate().isoformat()
    payload = {"action": "contact", "contact-date": today, "contact-minutes": "30", "contact-mutual": "on"}
    assert client.post(url, payload).status_code == 302
    assert ContactLog.objects.with_scopes_disabled().get(match=match).mutual is True
    assert "we hielpen elkaar" in client.get(url).content.decode()


def _gave_four_received_three(tenant):
    """The tenant's volunteer, linked to a resident record: gave 4 (3 + a mutual one), received 3 (2 + it)."""
    org = tenant.organisation
    volunteer = _volunteer(tenant)
    volunteer.resident = ResidentFactory(organisation=org, name="Jan Ookbewoner")
    volunteer.save(update_fields=["resident"])
    helping = _match(org, volunteer=volunteer, resident=ResidentFactory(organisation=org))
    for mutual in (False, False, False, True):
        _log(helping, mutual=mutual)
    helped = _match(org, volunteer=VolunteerFactory(organisation=org), resident=volunteer.resident)
    _log(helped)
    _log(helped)
    return volunteer


def test_reciprocity_is_shown_where_the_people_are(tenant_a):
    from netwerken.roles import Role

    _mutual(tenant_a)
    volunteer = _gave_four_received_three(tenant_a)
    own = _client(tenant_a, Role.VOLUNTEER)
    home = own.get(_url("netwerken:volunteer_dashboard", tenant_a)).content.decode()
    assert "Je gaf 4 keer hulp en kreeg 3 keer hulp." in home
    assert "Je gaf 4 keer hulp" in own.get(_url("matching:my_profile", tenant_a)).content.decode()
    staff = _client(tenant_a, Role.COORDINATOR)
    detail = staff.get(_url("matching:volunteer_detail", tenant_a, volunteer=volunteer.pk)).content.decode()
    assert "gaf 4 keer hulp en kreeg 3 keer hulp." in detail
    resident_page = staff.get(_url("netwerken:resident_detail", tenant_a, resident=volunteer.resident_id))
    assert "Jan Ookbewoner gaf 4 keer hulp en kreeg 3 keer hulp." in resident_page.content.decode()


def test_a_charity_shows_no_reciprocity(tenant_a):
    from netwerken.roles import Role

    volunteer = _gave_four_received_three(tenant_a)
    home = _client(tenant_a, Role.VOLUNTEER).get(_url("netwerken:volunteer_dashboard", tenant_a)).content.decode()
    assert "keer hulp" not in home
    staff = _client(tenant_a, Role.COORDINATOR)
    resident_page = staff.get(_url("netwerken:resident_detail", tenant_a, resident=volunteer.resident_id))
    assert "keer hulp" not in resident_page.content.decode()


def test_the_settings_form_has_the_reciprocity_weight_only_in_voor_elkaar(tenant_a):
    from netwerken.roles import Role

    client = _client(tenant_a, Role.ORG_ADMIN)
    url = _url("matching:settings", tenant_a)
    assert 'name="weight_reciprocity"' not in client.get(url).content.decode()
    _mutual(tenant_a)
    assert 'name="weight_reciprocity"' in client.get(url).content.decode()


def test_one_plural_and_the_other():
    assert reciprocity.reciprocity_sentence(gave=1, received=0) == "Je gaf 1 keer hulp en kreeg 0 keer hulp."


@pytest.mark.parametrize("who", ["resident", "volunteer"])
def test_erasing_either_side_ends_the_link(tenant_a, who):
    from netwerken import privacy
    from netwerken.roles import Role

    _mutual(tenant_a)
    volunteer = _gave_four_received_three(tenant_a)
    by = tenant_a.user(Role.COORDINATOR)
    with scope(organisation=tenant_a.organisation):
        if who == "resident":
            privacy.resident_erase(resident=volunteer.resident, by=by)
        else:
            privacy.volunteer_erase(volunteer=volunteer, by=by)
    assert _volunteer(tenant_a).resident_id is None
