"""A volunteer's hours (contact moments + hours entries, never counted twice), own-only logging, the
coordinator's hours per volunteer per month in a constant number of queries, and the private iCal feed."""

import datetime

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import hours
from matching.models import ContactLog, HelpRequest, HoursEntry, Match
from netwerken import privacy
from netwerken.models import ActivitySession, NetworkMember, Volunteer
from netwerken.roles import Role

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


def _known_year(org, volunteer, year=YEAR):
    """46 hours and 12 residents in YEAR: 12 matches with a 3-hour contact moment each (36 h) in months
    1..12, a second contact moment of 1 hour on the first resident's match in March (37 h), 2 hours of
    travel on that match in March (39 h) and 7 hours on an activity session in June (46 h). Noise: a
    contact moment and an entry of the year before, another volunteer's match."""
    matches = [_match(org, volunteer) for _ in range(12)]
    for month, match in enumerate(matches, start=1):
        _log(match, datetime.date(year, month, 1), 180)
    _log(matches[0], datetime.date(year, 3, 2), 60)
    _entry(volunteer, datetime.date(year, 3, 3), 120, match=matches[0])
    session = ActivitySessionFactory(activity=ActivityFactory(network__organisation=org, organiser=volunteer))
    _entry(volunteer, datetime.date(year, 6, 1), 420, session=session)
    _log(matches[1], datetime.date(year - 1, 12, 31), 500)
    _entry(volunteer, datetime.date(year - 1, 12, 30), 500, match=matches[1])
    other = VolunteerFactory(organisation=org)
    _log(_match(org, other), datetime.date(year, 5, 5), 999)
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


# --- the pages ---------------------------------------------------------------------------------------------


def _url(name, org="oost", **kwargs):
    return reverse(f"matching:{name}", kwargs={"org": org, **kwargs})


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_my_hours_says_46_hours_12_residents_this_year(client, tenant_a):
    org = tenant_a.organisation
    volunteer = VolunteerFactory(organisation=org)
    _known_year(org, volunteer, year=timezone.localdate().year)
    client.force_login(volunteer.membership.user)
    content = client.get(_url("my_hours")).content.decode()
    assert "Dit jaar 46 uur, 12 bewoners geholpen" in content


def test_my_hours_logs_and_removes_own_hours_and_refuses_another_volunteers(client, tenant_a):
    objects = tenant_a.objects
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    page = client.get(_url("my_hours") + f"?voor=s{objects['session'].pk}")
    # A session proposes its own length (90 minutes), and its day.
    assert page.context["form"].initial["minutes"] == 90
    response = client.post(
        _url("my_hours"),
        {"target": f"s{objects['session'].pk}", "date": timezone.localdate().isoformat(), "minutes": "40"},
        follow=True,
    )
    assert "Je uren zijn opgeslagen." in response.content.decode()
    with scopes_disabled():
        entry = HoursEntry.objects.get(volunteer=objects["volunteer"], minutes=40)
    # Someone else's session or match is not among the choices: a Dutch error, nothing saved.
    other = VolunteerFactory(organisation=tenant_a.organisation)
    foreign = _match(tenant_a.organisation, other)
    response = client.post(
        _url("my_hours"), {"target": f"m{foreign.pk}", "date": timezone.localdate().isoformat(), "minutes": "40"}
    )
    assert response.status_code == 200
    assert "Kies een van je koppelingen of bijeenkomsten" in response.content.decode()
    theirs = _entry(other, timezone.localdate(), 30, match=foreign)
    assert client.post(_url("my_hours_delete", hours=theirs.pk)).status_code == 404
    response = client.post(_url("my_hours_delete", hours=entry.pk), follow=True)
    assert "De uren zijn verwijderd." in response.content.decode()
    with scopes_disabled():
        assert not HoursEntry.objects.filter(pk=entry.pk).exists()
        assert HoursEntry.objects.filter(pk=theirs.pk).exists()


def test_my_hours_query_count_is_the_same_for_1_and_40_rows(client, tenant_a):
    org = tenant_a.organisation
    volunteer = VolunteerFactory(organisation=org)
    match = _match(org, volunteer)
    _log(match, timezone.localdate(), 30)
    client.force_login(volunteer.membership.user)
    url = _url("my_hours")
    client.get(url)
    few = _count_queries(client, url)
    for day in range(20):
        _log(_match(org, volunteer), timezone.localdate() - datetime.timedelta(days=day), 30)
        _entry(volunteer, timezone.localdate() - datetime.timedelta(days=day), 15, match=match)
    many = _count_queries(client, url)
    print(f"\nmy_hours: {few} queries for 1 row, {many} for 40")
    assert few == many


def test_hours_overview_query_count_is_the_same_for_1_and_40_volunteers(client, tenant_a):
    org = tenant_a.organisation
    client.force_login(tenant_a.user(Role.COORDINATOR))
    year = timezone.localdate().year
    url = _url("hours_overview") + f"?jaar={year}"
    client.get(url)
    few = _count_queries(client, url)  # the fixture volunteer's 90 minutes on last week's session
    response = client.get(url)
    assert response.context["page"].paginator.count == 1
    for _ in range(39):
        volunteer = VolunteerFactory(organisation=org)
        _log(_match(org, volunteer), timezone.localdate(), 60)
    many = _count_queries(client, url)
    print(f"\nhours_overview: {few} queries for 1 volunteer, {many} for 40")
    assert few == many
    response = client.get(url)
    assert response.context["page"].paginator.count == 40
    assert response.context["totals"]["total"] == 90 + 39 * 60
    # A year that is not a number: a Dutch error on the form, this year's table.
    response = client.get(_url("hours_overview") + "?jaar=twintig")
    assert response.status_code == 200
    assert "Vul een jaartal in" in response.content.decode()


# --- the calendar feed -------------------------------------------------------------------------------------


@pytest.fixture
def feed_volunteer(tenant_a):
    """The fixture volunteer with a one-off and a weekly match, a proposed one, and sessions: one planned, one
    cancelled, one moved, of the activity they organise (the fixture's) and one they take part in."""
    org, objects = tenant_a.organisation, tenant_a.objects
    volunteer = objects["volunteer"]
    annie = ResidentFactory(
        organisation=org,
        name="Annie Bakker-Smit",
        street="Dorpsstraat",
        house_number="12a",
        postcode="3401 XY",
        phone="+31612398765",
    )
    day = timezone.localdate() + datetime.timedelta(days=5)
    one_off = HelpRequestFactory(
        organisation=org,
        resident=annie,
        category=objects["category"],
        date=day,
        time_from=datetime.time(14, 0),
        time_to=datetime.time(15, 30),
        description="Geheim: ze heeft last van haar hart",
        particulars="Sleutel onder de mat",
        location="Dorpsstraat 12a",
        status=HelpRequest.Status.MATCHED,
    )
    weekly = HelpRequestFactory(
        organisation=org,
        resident=ResidentFactory(organisation=org, name="Kees de Wit", street="Kerkweg"),
        category=objects["category"],
        kind=HelpRequest.Kind.RECURRING,
        recurrence=HelpRequest.Recurrence.WEEKLY,
        date=day,
        time_from=datetime.time(10, 0),
        description="Elke week samen wandelen, hij is slecht ter been",
        status=HelpRequest.Status.MATCHED,
    )
    one_off_match = MatchFactory(help_request=one_off, volunteer=volunteer, status=Match.Status.ACCEPTED)
    weekly_match = MatchFactory(help_request=weekly, volunteer=volunteer, status=Match.Status.ACCEPTED)
    session = objects["session"]
    cancelled = ActivitySessionFactory(
        activity=session.activity,
        starts_at=session.starts_at + datetime.timedelta(days=7),
        status=ActivitySession.Status.CANCELLED,
    )
    elsewhere = ActivitySessionFactory(activity=ActivityFactory(network=objects["network"], title="Koffieochtend"))
    member = NetworkMember.objects.with_scopes_disabled().get(network=objects["network"], volunteer=volunteer)
    ParticipationFactory(session=elsewhere, member=member, attended=False)
    stranger = ActivitySessionFactory(activity=ActivityFactory(network=objects["network"], title="Breiclub"))
    with scopes_disabled():
        token = Volunteer.objects.get(pk=volunteer.pk).calendar_token
    return {
        "token": token,
        "annie": annie,
        "one_off": one_off_match,
        "weekly": weekly_match,
        "session": session,
        "cancelled": cancelled,
        "elsewhere": elsewhere,
        "stranger": stranger,
    }


def _feed(client, token, org="oost"):
    return client.get(_url("calendar_feed", org=org, calendar_token=token))


def _events(body):
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_feed_has_the_matches_and_sessions_with_first_names_only(client, tenant_a, feed_volunteer):
    response = _feed(client, feed_volunteer["token"])  # anonymous: a calendar app does not log in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    events = _events(body)
    one_off, weekly = feed_volunteer["one_off"], feed_volunteer["weekly"]
    category = tenant_a.objects["category"].name
    by_summary = {str(event["summary"]): uid for uid, event in events.items()}
    assert f"{category} — Annie" in by_summary and f"{category} — Kees" in by_summary
    one_off_event = events[f"koppeling-{one_off.pk}@oost.buurthulp"]
    start = one_off_event.decoded("dtstart")
    assert (start.date(), start.hour, start.minute) == (one_off.help_request.date, 14, 0)
    assert one_off_event.decoded("dtend").hour == 15
    assert str(one_off_event["url"]).endswith(_url("my_match", match=one_off.pk))
    assert "RRULE" not in one_off_event
    weekly_event = events[f"koppeling-{weekly.pk}@oost.buurthulp"]
    assert weekly_event["rrule"]["FREQ"] == ["WEEKLY"]
    # The proposed match of the fixture is not (yet) an appointment.
    assert f"koppeling-{tenant_a.objects['match'].pk}@oost.buurthulp" not in events
    # Sessions: the activity they organise (planned and cancelled), the one they take part in; not a stranger's.
    session, cancelled = feed_volunteer["session"], feed_volunteer["cancelled"]
    assert str(events[f"bijeenkomst-{session.pk}@oost.buurthulp"]["status"]) == "CONFIRMED"
    assert str(events[f"bijeenkomst-{cancelled.pk}@oost.buurthulp"]["status"]) == "CANCELLED"
    assert f"bijeenkomst-{feed_volunteer['elsewhere'].pk}@oost.buurthulp" in events
    assert f"bijeenkomst-{feed_volunteer['stranger'].pk}@oost.buurthulp" not in events
    # Nothing that identifies or describes the resident beyond the first name.
    annie = feed_volunteer["annie"]
    for secret in (
        "Bakker",
        annie.street,
        annie.house_number,
        annie.postcode,
        annie.postcode.replace(" ", ""),
        "612398765",
        "Kerkweg",
        "de Wit",
        one_off.help_request.description,
        one_off.help_request.particulars,
        "hart",
        "slecht ter been",
        tenant_a.objects["resident"].name,
    ):
        assert secret.encode() not in body, secret
    # Stable: the same UIDs when the app asks again.
    assert set(_events(_feed(client, feed_volunteer["token"]).content)) == set(events)


def test_feed_moved_session_keeps_its_uid(client, tenant_a, feed_volunteer):
    session = feed_volunteer["session"]
    before = _events(_feed(client, feed_volunteer["token"]).content)[f"bijeenkomst-{session.pk}@oost.buurthulp"]
    with scopes_disabled():
        ActivitySession.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at + datetime.timedelta(hours=2),
            ends_at=session.ends_at + datetime.timedelta(hours=2),
            changed=True,
        )
    after = _events(_feed(client, feed_volunteer["token"]).content)[f"bijeenkomst-{session.pk}@oost.buurthulp"]
    assert after.decoded("dtstart") - before.decoded("dtstart") == datetime.timedelta(hours=2)


def test_revoked_unknown_and_other_organisations_tokens_are_404(client, tenant_a, tenant_b, feed_volunteer):
    old = feed_volunteer["token"]
    client.force_login(tenant_a.user(Role.VOLUNTEER))
    page = client.get(_url("my_calendar")).content.decode()
    assert f"webcal://testserver/o/oost/agenda/{old}.ics" in page
    assert f"https://testserver/o/oost/agenda/{old}.ics" in page
    response = client.post(_url("my_calendar_revoke"), follow=True)
    assert "Het oude adres werkt niet meer." in response.content.decode()
    client.logout()
    assert _feed(client, old).status_code == 404
    with scopes_disabled():
        new = Volunteer.objects.get(pk=tenant_a.objects["volunteer"].pk).calendar_token
        b_token = Volunteer.objects.get(pk=tenant_b.objects["volunteer"].pk).calendar_token
    assert new and new != old
    assert _feed(client, new).status_code == 200
    # B's volunteer's token under A's address: unknown here.
    assert _feed(client, b_token).status_code == 404
    assert _feed(client, b_token, org="west").status_code == 200
    for token in ("onbekend", "x" * 65, "None", new.upper() if new.upper() != new else new + "x"):
        assert _feed(client, token).status_code == 404, token
    # The feed takes no input.
    assert client.post(_url("calendar_feed", calendar_token=new)).status_code == 405


def test_an_erased_volunteer_has_no_feed_and_their_notes_go(client, tenant_a, feed_volunteer):
    volunteer = tenant_a.objects["volunteer"]
    with scopes_disabled():
        HoursEntry.objects.filter(pk=tenant_a.objects["hours"].pk).update(note="Met Annie naar de markt")
    with scope(organisation=tenant_a.organisation):
        volunteer = Volunteer.objects.get(pk=volunteer.pk)
        exported = privacy.volunteer_export(volunteer=volunteer, by=tenant_a.user(Role.COORDINATOR))
        assert "Met Annie naar de markt" in str(exported)
        privacy.volunteer_erase(volunteer=volunteer, by=tenant_a.user(Role.COORDINATOR), reason="test")
    assert _feed(client, feed_volunteer["token"]).status_code == 404
    with scopes_disabled():
        assert Volunteer.objects.get(pk=volunteer.pk).calendar_token is None
        entry = HoursEntry.objects.get(pk=tenant_a.objects["hours"].pk)
        assert entry.note == "" and entry.minutes == 90  # the hours stay counted


def test_erasing_a_resident_blanks_the_notes_of_hours_on_their_matches(tenant_a, feed_volunteer):
    annie, match = feed_volunteer["annie"], feed_volunteer["one_off"]
    volunteer = tenant_a.objects["volunteer"]
    on_match = _entry(volunteer, timezone.localdate(), 20, match=match)
    HoursEntry.objects.with_scopes_disabled().filter(pk=on_match.pk).update(note="Annie Bakker was blij")
    HoursEntry.objects.with_scopes_disabled().filter(pk=tenant_a.objects["hours"].pk).update(note="Wandelen")
    with scope(organisation=tenant_a.organisation):
        privacy.resident_erase(resident=annie, by=tenant_a.user(Role.COORDINATOR), reason="test")
    with scopes_disabled():
        assert HoursEntry.objects.get(pk=on_match.pk).note == ""
        assert HoursEntry.objects.get(pk=tenant_a.objects["hours"].pk).note == "Wandelen"
