"""Er zijn voor elkaar: who gave and who received help, counted from contact moments, with a mutual
meeting counted both ways; the period's ends; the organisation's figures per neighbourhood, in the same
number of queries for 1 linked person as for 20."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
