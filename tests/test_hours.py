"""A volunteer's hours (contact moments + hours entries, never counted twice), own-only logging, the
coordinator's hours per volunteer per month in a constant number of queries, and the private iCal feed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from matching import hours
from matching.models import ContactLog, HoursEntry, Match

from .factories import (
    ActivityFactory,
    ActivitySessionFactory,
    HelpRequestFactory,
    MatchFactory,
    NetworkMemberFactory,
    OrganisationFactory,
    ParticipationFactory,
    ResidentFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db
YEAR = 2025


def _log(match, day, minutes):
    return ContactLog.objects.with_scopes_disabled().create(
        organisation=match.organisation, match=match, date=day, minutes=minutes
    )


def _entry(volunteer, day, minutes, *, match=None, session=None):
    return HoursEntry.objects.with_scopes_disabled().create(
        organisation=volunteer.organisation,
        volunteer=volunteer,
        match=match,
        session=session,
        date=day,
        minutes=minutes,
    )


def _match(org, volunteer, resident=None, status=Match.Status.ACCEPTED):
    resident = resident or ResidentFactory(organisation=org)
    return MatchFactory(
        help_request=HelpRequestFactory(organisation=org, resident=resident), volunteer=volunteer, status=status
    )


@pytest.fixture
def org():
    return OrganisationFactory()


def _known_year(org, volunteer):
    """46 hours and 12 residents in YEAR: 12 matches with a 3-hour contact moment each (36 h) in months
    1..12, a second contact moment of 1 hour on the first resident's match in March (37 h), 2 hours of
    travel on that match in March (39 h) and 7 hours on an activity session in June (46 h). Noise: a
    contact moment and an entry of the year before, another volunteer's match."""
    matches = [_match(org, volunteer) for _ in range(12)]
    for month, match in enumerate(matches, start=1):
        _log(match, datetime.date(YEAR, month, 10), 180)
    _log(matches[0], datetime.date(YEAR, 3, 20), 60)
    _entry(volunteer, datetime.date(YEAR, 3, 21), 120, match=matches[0])
    session = ActivitySessionFactory(activity=ActivityFactory(network__organisation=org, organiser=volunteer))
    _entry(volunteer, datetime.date(YEAR, 6, 1), 420, session=session)
    _log(matches[1], datetime.date(YEAR - 1, 12, 31), 500)
    _entry(volunteer, datetime.date(YEAR - 1, 12, 30), 500, match=matches[1])
    other = VolunteerFactory(organisation=org)
    _log(_match(org, other), datetime.date(YEAR, 5, 5), 999)
    return matches, session


def test_summary_is_46_hours_and_12_residents_on_known_data(org):
    volunteer = VolunteerFactory(organisation=org)
    _known_year(org, volunteer)
    with scope(organisation=org):
        with CaptureQueriesContext(connection) as queries:
            summary = hours.volunteer_hours_summary(volunteer=volunteer, year=YEAR)
    assert summary["total_minutes"] == 46 * 60
    assert summary["total_text"] == "46"
    assert summary["residents"] == 12
    expected = [180] * 12
    expected[2] += 60 + 120
    expected[5] += 420
    assert summary["per_month"] == expected
    assert len(queries) == 3


def test_a_contact_moment_and_an_hours_entry_on_the_same_match_are_added_not_doubled(org):
    volunteer = VolunteerFactory(organisation=org)
    match = _match(org, volunteer)
    _log(match, datetime.date(YEAR, 4, 1), 60)
    with scope(organisation=org):
        assert hours.volunteer_hours_summary(volunteer=volunteer, year=YEAR)["total_minutes"] == 60
        # The travel to it: 30 minutes more, the contact moment still counted once.
        hours.hours_log(volunteer=volunteer, match=match, date=datetime.date(YEAR, 4, 1), minutes=30, by=volunteer.user)
        summary = hours.volunteer_hours_summary(volunteer=volunteer, year=YEAR)
    assert summary["total_minutes"] == 90
    assert summary["residents"] == 1  # the same resident, once


def test_hours_text():
    assert hours.hours_text(46 * 60) == "46"
    assert hours.hours_text(150) == "2,5"
    assert hours.hours_text(1) == "0"


def test_a_volunteer_logs_only_on_their_own_active_or_closed_match(org):
    volunteer, other = VolunteerFactory(organisation=org), VolunteerFactory(organisation=org)
    day = datetime.date(YEAR, 5, 1)
    with scope(organisation=org):
        for status in (Match.Status.ACCEPTED, Match.Status.CLOSED):
            hours.hours_log(
                volunteer=volunteer,
                match=_match(org, volunteer, status=status),
                date=day,
                minutes=30,
                by=volunteer.user,
            )
        refusals = [
            dict(volunteer=volunteer, match=_match(org, other), by=volunteer.user),  # someone else's match
            dict(volunteer=volunteer, match=_match(org, volunteer, status=Match.Status.PROPOSED), by=volunteer.user),
            dict(volunteer=volunteer, match=_match(org, volunteer, status=Match.Status.DECLINED), by=volunteer.user),
            dict(volunteer=other, match=_match(org, other), by=volunteer.user),  # logging as another volunteer
        ]
        for kwargs in refusals:
            with pytest.raises(hours.HoursError) as error:
                hours.hours_log(date=day, minutes=30, **kwargs)
            assert "Je kunt alleen" in error.value.message
        match = _match(org, volunteer)
        for minutes in (0, 1441, -5):
            with pytest.raises(hours.HoursError, match="1 tot en met 1440"):
                hours.hours_log(volunteer=volunteer, match=match, date=day, minutes=minutes, by=volunteer.user)
        with pytest.raises(hours.HoursError, match="toekomst"):
            hours.hours_log(
                volunteer=volunteer, match=match, date=datetime.date(2099, 1, 1), minutes=5, by=volunteer.user
            )
        with pytest.raises(hours.HoursError, match="koppeling of een bijeenkomst"):
            hours.hours_log(volunteer=volunteer, date=day, minutes=5, by=volunteer.user)
        assert HoursEntry.objects.filter(volunteer=volunteer).count() == 2
    with scopes_disabled():
        assert not HoursEntry.objects.filter(volunteer=other).exists()


def test_a_volunteer_logs_on_a_session_they_organised_or_attended_only(org):
    volunteer = VolunteerFactory(organisation=org)
    organised = ActivitySessionFactory(activity=ActivityFactory(network__organisation=org, organiser=volunteer))
    attended = ActivitySessionFactory(activity=ActivityFactory(network__organisation=org))
    member = NetworkMemberFactory(network=attended.activity.network, volunteer=volunteer, name="")
    ParticipationFactory(session=attended, member=member, attended=True)
    signed_up_only = ActivitySessionFactory(
        activity=attended.activity, starts_at=attended.starts_at - datetime.timedelta(days=7)
    )
    ParticipationFactory(session=signed_up_only, member=member, attended=False)
    strangers = ActivitySessionFactory(activity=ActivityFactory(network__organisation=org))
    day = datetime.date(YEAR, 5, 1)
    with scope(organisation=org):
        for session in (organised, attended):
            hours.hours_log(volunteer=volunteer, session=session, date=day, minutes=90, by=volunteer.user)
        for session in (signed_up_only, strangers):
            with pytest.raises(hours.HoursError, match="organiseerde of waar je bij was"):
                hours.hours_log(volunteer=volunteer, session=session, date=day, minutes=90, by=volunteer.user)


def test_a_volunteer_deletes_only_their_own_entry(org):
    volunteer, other = VolunteerFactory(organisation=org), VolunteerFactory(organisation=org)
    mine = _entry(volunteer, datetime.date(YEAR, 1, 1), 30, match=_match(org, volunteer))
    theirs = _entry(other, datetime.date(YEAR, 1, 1), 30, match=_match(org, other))
    with scope(organisation=org):
        with pytest.raises(hours.HoursError, match="eigen uren"):
            hours.hours_delete(entry=theirs, by=volunteer.user)
        assert hours.own_hours_entry(volunteer=volunteer, pk=theirs.pk) is None
        hours.hours_delete(entry=mine, by=volunteer.user)
        assert list(HoursEntry.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_history_merges_contact_moments_and_entries_newest_first_with_first_names(org):
    volunteer = VolunteerFactory(organisation=org)
    match = _match(org, volunteer, resident=ResidentFactory(organisation=org, name="Annie Bakker"))
    _log(match, datetime.date(YEAR, 1, 5), 45)
    _entry(volunteer, datetime.date(YEAR, 1, 6), 30, match=match)
    session = ActivitySessionFactory(
        activity=ActivityFactory(network__organisation=org, organiser=volunteer, title="Koffie")
    )
    _entry(volunteer, datetime.date(YEAR, 1, 7), 90, session=session)
    with scope(organisation=org):
        rows = hours.volunteer_hours_history(volunteer=volunteer)
        assert rows.count() == 3
        listed = rows[0:10]
    assert [(r["kind"], r["minutes"]) for r in listed] == [("uren", 90), ("uren", 30), ("contact", 45)]
    assert listed[0]["activity"] == "Koffie"
    assert listed[1]["resident_first_name"] == "Annie" and listed[1]["match_id"] == match.pk
    assert listed[2]["kind"] == "contact" and listed[2]["category"] == match.help_request.category.name


def _volunteers_with_hours(org, count):
    for _ in range(count):
        volunteer = VolunteerFactory(organisation=org)
        _log(_match(org, volunteer), datetime.date(YEAR, 2, 1), 60)
        _entry(volunteer, datetime.date(YEAR, 3, 1), 30, match=_match(org, volunteer))


def test_hours_per_volunteer_month_has_months_and_totals_in_constant_queries(org):
    _volunteers_with_hours(org, 1)
    VolunteerFactory(organisation=org)  # no hours: no row

    def run():
        with scope(organisation=org), CaptureQueriesContext(connection) as queries:
            rows = hours.hours_per_volunteer_month(organisation=org, year=YEAR)
            listed = list(rows[:25])
            totals = hours.hours_totals(rows)
        return listed, totals, len(queries)

    listed, totals, one = run()
    assert len(listed) == 1
    row = listed[0]
    assert (row.m1, row.m2, row.m3, row.total) == (0, 60, 30, 90)
    assert totals["months"][1:3] == [60, 30] and totals["total"] == 90
    _volunteers_with_hours(org, 39)
    listed, totals, forty = run()
    assert len(listed) == 25 and totals["total"] == 40 * 90
    assert one == forty == 2
    # Another organisation's hours are not in it.
    other = OrganisationFactory()
    _volunteers_with_hours(other, 1)
    with scope(organisation=org):
        assert hours.hours_per_volunteer_month(organisation=org, year=YEAR).count() == 40
