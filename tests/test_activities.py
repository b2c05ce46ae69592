"""Activities of a network: series and their sessions (RFC 5545 through dateutil), moving and cancelling one
session, participation and reach, the nightly generation task, a signal turned into an activity, and the
pages (constant query counts)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import signals
from matching.models import Signal
from netwerken import activities, activity_selectors, recurrence
from netwerken.models import Activity, ActivitySession, NetworkMember, Participation
from netwerken.roles import Role
from netwerken.tasks import generate_activity_sessions

from .factories import (
    ActivityFactory,
    ActivitySessionFactory,
    NetworkFactory,
    NetworkMemberFactory,
    ParticipationFactory,
    VolunteerFactory,
)

AMS = ZoneInfo("Europe/Amsterdam")
C, V, P, A, F = Role.COORDINATOR, Role.VOLUNTEER, Role.PROFESSIONAL, Role.ORG_ADMIN, Role.FUNDER
FAR = 3650  # a horizon far enough that the tests do not depend on today's date


def _new(tenant, *, repeat=recurrence.WEEKLY, start=datetime.date(2026, 10, 13), until=None, **extra):
    with scope(organisation=tenant.organisation):
        network = extra.pop("network", None) or tenant.objects["network"]
        activity = activities.activity_save(
            network=network,
            title=extra.pop("title", "Wandelen"),
            start_date=start,
            start_time=datetime.time(10, 0),
            repeat=repeat,
            until=until,
            by=tenant.user(C),
            **extra,
        )
        activities.activity_sessions_generate(activity=activity, horizon_days=FAR)
        return activity


def _starts(activity):
    with scopes_disabled():
        return [
            s.astimezone(AMS) for s in activity.sessions.order_by("original_start").values_list("starts_at", flat=True)
        ]


# --- recurrence ----------------------------------------------------------------------------------------------


def test_rules_for_the_plain_choices_and_back():
    tuesday = datetime.date(2026, 10, 13)
    assert recurrence.rule_for(recurrence.WEEKLY, tuesday) == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"
    assert recurrence.rule_for(recurrence.FORTNIGHTLY, tuesday) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert recurrence.rule_for(recurrence.MONTHLY, tuesday) == "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU"
    # The fifth Tuesday does not come every month: the last one.
    assert recurrence.rule_for(recurrence.MONTHLY, datetime.date(2026, 12, 29)) == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1TU"
    assert recurrence.rule_for(recurrence.ONCE, tuesday) == ""
    for choice in (recurrence.ONCE, recurrence.WEEKLY, recurrence.FORTNIGHTLY, recurrence.MONTHLY):
        assert recurrence.repeat_of(recurrence.rule_for(choice, tuesday)) == choice
    assert recurrence.repeat_of("FREQ=WEEKLY;INTERVAL=3") is None
    assert recurrence.repeat_of("FREQ=DAILY") is None
    assert recurrence.validate_rule("FREQ=WEEKLY", tuesday)
    assert not recurrence.validate_rule("FREQ=SOMETIMES", tuesday)


def test_weekly_fortnightly_and_monthly_sessions(tenant_a):
    weekly = _new(tenant_a, until=datetime.date(2026, 11, 10))
    assert [d.date() for d in _starts(weekly)] == [
        datetime.date(2026, 10, 13) + datetime.timedelta(weeks=n) for n in range(5)
    ]
    fortnightly = _new(tenant_a, title="Eten", repeat=recurrence.FORTNIGHTLY, until=datetime.date(2026, 11, 24))
    assert [d.date() for d in _starts(fortnightly)] == [
        datetime.date(2026, 10, 13),
        datetime.date(2026, 10, 27),
        datetime.date(2026, 11, 10),
        datetime.date(2026, 11, 24),
    ]
    monthly = _new(tenant_a, title="Repaircafé", repeat=recurrence.MONTHLY, until=datetime.date(2027, 1, 31))
    # The second Tuesday of each month.
    assert [d.date() for d in _starts(monthly)] == [
        datetime.date(2026, 10, 13),
        datetime.date(2026, 11, 10),
        datetime.date(2026, 12, 8),
        datetime.date(2027, 1, 12),
    ]
    once = _new(tenant_a, title="Buurtfeest", repeat=recurrence.ONCE, until=datetime.date(2027, 1, 31))
    assert [d.date() for d in _starts(once)] == [datetime.date(2026, 10, 13)]
    with scopes_disabled():
        assert Activity.objects.get(pk=once.pk).until is None  # a one-off has no "until"
        session = weekly.sessions.first()
        assert session.ends_at - session.starts_at == datetime.timedelta(minutes=90)


def test_wall_time_stays_ten_across_both_changes_of_summer_time(tenant_a):
    # Sundays around 25 October 2026 (summer → winter) and 28 March 2027 (winter → summer).
    activity = _new(tenant_a, start=datetime.date(2026, 10, 18), until=datetime.date(2027, 4, 4))
    starts = _starts(activity)
    by_date = {s.date(): s for s in starts}
    for day in (
        datetime.date(2026, 10, 18),
        datetime.date(2026, 10, 25),
        datetime.date(2027, 3, 28),
        datetime.date(2027, 4, 4),
    ):
        assert by_date[day].time() == datetime.time(10, 0), day
    assert by_date[datetime.date(2026, 10, 18)].utcoffset() == datetime.timedelta(hours=2)
    assert by_date[datetime.date(2026, 10, 25)].utcoffset() == datetime.timedelta(hours=1)
    assert by_date[datetime.date(2027, 3, 21)].utcoffset() == datetime.timedelta(hours=1)
    assert by_date[datetime.date(2027, 3, 28)].utcoffset() == datetime.timedelta(hours=2)
    assert all(s.time() == datetime.time(10, 0) for s in starts)
    assert len(starts) == 25


def test_generating_twice_creates_nothing_the_second_time(tenant_a):
    activity = _new(tenant_a, until=datetime.date(2027, 1, 5))
    with scope(organisation=tenant_a.organisation):
        assert activities.activity_sessions_generate(activity=activity, horizon_days=FAR) == 0
        assert activity.sessions.count() == 13


def test_a_moved_and_a_cancelled_session_survive_regenerating(tenant_a):
    activity = _new(tenant_a, until=datetime.date(2027, 12, 31))
    by = tenant_a.user(C)
    with scope(organisation=tenant_a.organisation):
        future = list(activity.sessions.filter(starts_at__gt=timezone.now()).order_by("starts_at")[:2])
        moved, cancelled = future
        original = moved.original_start
        new_start = moved.starts_at + datetime.timedelta(days=1, hours=4)
        activities.session_move(session=moved, starts_at=new_start, place="Buurthuis", note="Kerk bezet", by=by)
        activities.session_cancel(session=cancelled, note="Storm", by=by)
        assert not activities.session_cancel(session=cancelled, by=by)  # a second click changes nothing
        count = activity.sessions.count()
        # The series is edited (another start time): untouched future sessions move with it, these two stay.
        activities.activity_save(
            network=activity.network,
            activity=activity,
            title=activity.title,
            start_date=activity.start_date,
            start_time=datetime.time(14, 0),
            repeat=recurrence.WEEKLY,
            until=activity.until,
            by=by,
        )
        activities.activity_sessions_generate(activity=activity, horizon_days=FAR)
        moved.refresh_from_db()
        cancelled.refresh_from_db()
        assert moved.original_start == original and moved.starts_at == new_start and moved.changed
        assert moved.where == "Buurthuis"
        assert cancelled.status == ActivitySession.Status.CANCELLED and cancelled.note == "Storm"
        later = activity.sessions.filter(starts_at__gt=timezone.now(), changed=False)
        assert later.exists()
        assert {s.astimezone(AMS).time() for s in later.values_list("starts_at", flat=True)} == {datetime.time(14, 0)}
        # The moved and the cancelled session stay their days' sessions: no second one at 14:00 beside them,
        # nor beside the past sessions at 10:00.
        assert activity.sessions.count() == count
        assert activities.activity_sessions_generate(activity=activity, horizon_days=FAR) == 0


def test_an_edit_keeps_an_untouched_session_someone_signed_up_for(tenant_a):
    activity = _new(tenant_a, until=datetime.date(2027, 12, 31))
    with scope(organisation=tenant_a.organisation):
        session = activity.sessions.filter(starts_at__gt=timezone.now()).first()
        activities.participation_set(session=session, member=tenant_a.objects["member"], signed_up=True, by=None)
        activities.activity_save(
            network=activity.network,
            activity=activity,
            title=activity.title,
            start_date=activity.start_date,
            start_time=activity.start_time,
            repeat=recurrence.FORTNIGHTLY,
            until=activity.until,
            by=None,
        )
        assert ActivitySession.objects.filter(pk=session.pk).exists()


def test_stopping_removes_future_untouched_sessions_and_keeps_the_past(tenant_a):
    activity = _new(tenant_a, start=timezone.localdate() - datetime.timedelta(days=21), until=None)
    with scope(organisation=tenant_a.organisation):
        past = activity.sessions.filter(starts_at__lt=timezone.now()).count()
        moved = activity.sessions.filter(starts_at__gt=timezone.now()).first()
        activities.session_move(session=moved, starts_at=moved.starts_at + datetime.timedelta(hours=2), by=None)
        assert activities.activity_stop(activity=activity, by=None)
        assert not activities.activity_stop(activity=activity, by=None)
        assert activity.sessions.filter(starts_at__lt=timezone.now()).count() == past >= 3
        future = activity.sessions.filter(starts_at__gt=timezone.now())
        assert list(future.values_list("pk", "status")) == [(moved.pk, ActivitySession.Status.CANCELLED)]
        assert activities.activity_sessions_generate(activity=Activity.objects.get(pk=activity.pk)) == 0


def test_refusals_are_dutch(tenant_a):
    with scope(organisation=tenant_a.organisation):
        network = tenant_a.objects["network"]
        base = dict(network=network, start_date=datetime.date(2026, 10, 13), start_time=datetime.time(10), by=None)
        for kwargs, field in (
            ({"title": "  "}, "title"),
            ({"title": "x", "repeat": "dagelijks"}, "repeat"),
            ({"title": "x", "repeat": recurrence.WEEKLY, "until": datetime.date(2026, 1, 1)}, "until"),
            ({"title": "x", "capacity": 0}, "capacity"),
        ):
            with pytest.raises(activities.ActivityError) as caught:
                activities.activity_save(**base, **kwargs)
            assert caught.value.field == field
        session = tenant_a.objects["session"]
        with pytest.raises(activities.ActivityError, match="eindigen"):
            activities.session_move(session=session, starts_at=session.starts_at, ends_at=session.starts_at, by=None)
        stranger = NetworkMemberFactory(network=NetworkFactory(organisation=tenant_a.organisation))
        with pytest.raises(activities.ActivityError, match="netwerk"):
            activities.participation_set(session=session, member=stranger, attended=True, by=None)


# --- participation -------------------------------------------------------------------------------------------


def test_signing_up_beyond_capacity_is_refused_but_attendance_is_always_recorded(tenant_a):
    activity = _new(tenant_a, capacity=2, until=datetime.date(2027, 12, 31))
    with scope(organisation=tenant_a.organisation):
        session = activity.sessions.filter(starts_at__gt=timezone.now()).first()
        members = [NetworkMemberFactory(network=activity.network) for _ in range(3)]
        for member in members[:2]:
            activities.participation_set(session=session, member=member, signed_up=True, by=None)
        with pytest.raises(activities.ActivityError) as caught:
            activities.participation_set(session=session, member=members[2], signed_up=True, by=None)
        assert "Vol" in caught.value.message and "2 plaatsen" in caught.value.message
        # A second click on someone already signed up is no new place.
        activities.participation_set(session=session, member=members[0], signed_up=True, by=None)
        activities.participation_set(session=session, member=members[2], attended=True, by=None)
        assert session.participations.filter(attended=True).count() == 1
        # Unticking both removes the row.
        activities.participation_set(session=session, member=members[0], signed_up=False, by=None)
        assert not session.participations.filter(member=members[0]).exists()
        activities.participation_set(session=session, member=members[2], signed_up=True, by=None)


def test_a_new_participant_without_an_account_is_added_and_counted_present(tenant_a):
    with scope(organisation=tenant_a.organisation):
        session = tenant_a.objects["session"]
        member = activities.participant_add(session=session, name=" Truus Bakker ", phone="0612345678", by=None)
        assert member.network_id == session.activity.network_id
        assert (member.name, member.resident_id, member.volunteer_id) == ("Truus Bakker", None, None)
        assert Participation.objects.get(session=session, member=member).attended
        with pytest.raises(activities.ActivityError):
            activities.participant_add(session=session, name="", by=None)


def test_reach_counts_unique_and_new_participants(tenant_a):
    org = tenant_a.organisation
    activity = ActivityFactory(network=tenant_a.objects["network"], organisation=org, title="Samen eten")
    today = timezone.localdate()

    def session(days_ago, **kwargs):
        start = datetime.datetime.combine(today - datetime.timedelta(days=days_ago), datetime.time(10), tzinfo=AMS)
        return ActivitySessionFactory(activity=activity, starts_at=start, original_start=start, **kwargs)

    old, first, second = session(60), session(14), session(7)
    cancelled = session(3, status=ActivitySession.Status.CANCELLED, changed=True)
    regular, newcomer, signed_only = (NetworkMemberFactory(network=activity.network) for _ in range(3))
    ParticipationFactory(session=old, member=regular)
    ParticipationFactory(session=first, member=regular)
    ParticipationFactory(session=second, member=regular)
    ParticipationFactory(session=first, member=newcomer)
    ParticipationFactory(session=second, member=newcomer)
    ParticipationFactory(session=second, member=signed_only, attended=False)
    ParticipationFactory(session=cancelled, member=signed_only)
    with scope(organisation=org):
        reach = activity_selectors.activity_reach(
            activity=activity, start=today - datetime.timedelta(days=30), end=today
        )
        assert reach == {"sessions_held": 2, "participants_unique": 2, "participants_new": 1}
        everything = activity_selectors.activity_reach(
            activity=activity, start=today - datetime.timedelta(days=90), end=today
        )
        assert everything == {"sessions_held": 3, "participants_unique": 2, "participants_new": 2}


# --- the nightly task ----------------------------------------------------------------------------------------


def test_the_task_generates_every_active_activity_in_its_own_organisation(tenant_a, tenant_b):
    start = timezone.localdate() - datetime.timedelta(days=6)
    mine = ActivityFactory(
        network=tenant_a.objects["network"], organisation=tenant_a.organisation, start_date=start, rrule="FREQ=WEEKLY"
    )
    theirs = ActivityFactory(
        network=tenant_b.objects["network"], organisation=tenant_b.organisation, start_date=start, rrule=""
    )
    stopped = ActivityFactory(
        network=tenant_a.objects["network"],
        organisation=tenant_a.organisation,
        start_date=start,
        status=Activity.Status.STOPPED,
    )
    created = generate_activity_sessions()
    with scopes_disabled():
        assert mine.sessions.count() == 14  # 6 days ago up to 90 days ahead, weekly
        assert theirs.sessions.count() == 1
        assert not stopped.sessions.exists()
        assert {s.organisation_id for s in ActivitySession.objects.filter(activity=theirs)} == {
            tenant_b.organisation.pk
        }
    assert created >= 15
    assert generate_activity_sessions() == 0
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["generate-activity-sessions"]["task"] == (
        "netwerken.tasks.generate_activity_sessions"
    )


# --- a signal becomes a proposed activity --------------------------------------------------------------------


def test_a_signal_becomes_a_proposed_activity_and_records_it(tenant_a):
    with scope(organisation=tenant_a.organisation):
        signal = tenant_a.objects["signal"]
        activity = signals.signal_propose_activity(
            signal=signal, network=tenant_a.objects["network"], title="Samen boodschappen doen", by=tenant_a.user(P)
        )
        signal.refresh_from_db()
        assert signal.activity == activity and signal.status == Signal.Status.ACTIVITY
        assert signal.status_by == tenant_a.user(P)
        assert activity.status == Activity.Status.PROPOSED and not activity.sessions.exists()
        with pytest.raises(signals.SignalRefused):
            signals.signal_propose_activity(
                signal=signal, network=tenant_a.objects["network"], title="Nog een", by=tenant_a.user(P)
            )
        assert Activity.objects.filter(title="Nog een").count() == 0


# --- the pages -----------------------------------------------------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_activity_list_query_count_is_the_same_for_1_and_40_activities(client, tenant_a):
    client.force_login(tenant_a.user(C))
    url = reverse("netwerken:activity_list", kwargs={"org": "oost"})
    client.get(url)
    few, response = _count_queries(client, url)
    assert len(response.context["page"]) == 1
    org = tenant_a.organisation
    for i in range(40):
        network = NetworkFactory(organisation=org)
        activity = ActivityFactory(
            network=network, organisation=org, organiser=VolunteerFactory(organisation=org), title=f"Activiteit {i}"
        )
        ActivitySessionFactory(activity=activity, starts_at=timezone.now() + datetime.timedelta(days=2 + i))
    many, response = _count_queries(client, url)
    filtered, _ = _count_queries(client, url + f"?network={network.pk}&status=actief")
    print(f"\nactivity_list: {few} queries with 1 activity, {many} with 41, {filtered} filtered")
    assert many == few
    assert filtered <= few + 1  # the chosen network is looked up once
    rows = list(response.context["page"])
    assert rows[0].next_start is not None


def test_session_page_query_count_is_the_same_for_1_and_40_members(client, tenant_a):
    session = tenant_a.objects["session"]
    client.force_login(tenant_a.user(V))  # the organiser, on their phone
    url = reverse("netwerken:session_detail", kwargs={"org": "oost", "session": session.pk})
    client.get(url)
    network = tenant_a.objects["network"]
    with scopes_disabled():
        NetworkMember.objects.filter(network=network).exclude(pk=tenant_a.objects["member"].pk).delete()
    few, response = _count_queries(client, url)
    assert len(response.context["members"]) == 1
    for i in range(40):
        member = NetworkMemberFactory(network=network, name=f"Deelnemer {i:02}")
        if i % 2:
            ParticipationFactory(session=session, member=member, attended=bool(i % 4 == 1))
    many, response = _count_queries(client, url)
    print(f"\nsession_detail: {few} queries with 1 member, {many} with 41")
    assert many == few
    content = response.content.decode()
    assert response.context["counts"] == {"signed_up": 21, "attended": 11}
    assert content.count('name="field" value="attended"') == 41
    assert "Nieuwe deelnemer" in content


def test_the_tap_list_records_in_two_taps_and_shows_the_counts(client, tenant_a):
    session = tenant_a.objects["session"]
    newcomer = NetworkMemberFactory(network=tenant_a.objects["network"], name="Aaltje Nieuw")
    client.force_login(tenant_a.user(V))
    toggle = reverse("netwerken:participation_toggle", kwargs={"org": "oost", "session": session.pk})
    response = client.post(toggle, {"member": newcomer.pk, "field": "attended", "value": "1"})
    assert response.status_code == 302 and response.url.endswith(f"#lid-{newcomer.pk}")
    page = client.get(response.url.split("#")[0])
    assert page.context["counts"]["attended"] == 2
    row = next(m for m in page.context["members"] if m.pk == newcomer.pk)
    assert row.is_there and not row.is_signed_up
    # A member of another network is no choice.
    stranger = NetworkMemberFactory(network=NetworkFactory(organisation=tenant_a.organisation))
    response = client.post(toggle, {"member": stranger.pk, "field": "attended", "value": "1"}, follow=True)
    assert "staat niet (meer) in de lijst" in response.content.decode()
    with scopes_disabled():
        assert not Participation.objects.filter(member=stranger).exists()


def test_the_volunteers_dashboard_lists_the_sessions_they_organise(client, tenant_a):
    activity = tenant_a.objects["activity"]
    upcoming = ActivitySessionFactory(activity=activity, starts_at=timezone.now() + datetime.timedelta(days=3))
    other = ActivityFactory(network=tenant_a.objects["network"], title="Iemand anders zijn koor")
    ActivitySessionFactory(activity=other, starts_at=timezone.now() + datetime.timedelta(days=3))
    client.force_login(tenant_a.user(V))
    content = client.get(reverse("netwerken:volunteer_dashboard", kwargs={"org": "oost"})).content.decode()
    assert "Mijn activiteiten" in content
    assert reverse("netwerken:session_detail", kwargs={"org": "oost", "session": upcoming.pk}) in content
    assert "Iemand anders zijn koor" not in content


def test_create_preselects_the_network_and_generates_the_sessions(client, tenant_a):
    network = tenant_a.objects["network"]
    client.force_login(tenant_a.user(P))
    url = reverse("netwerken:activity_create", kwargs={"org": "oost"})
    assert client.get(url + f"?netwerk={network.pk}").context["form"].initial == {"network": network.pk}
    assert client.get(url + "?netwerk=x").context["form"].initial == {}
    start = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "network": network.pk,
            "title": "Samen eten",
            "start_date": start.isoformat(),
            "start_time": "18:00",
            "duration_minutes": "120",
            "repeat": recurrence.FORTNIGHTLY,
            "until": (start + datetime.timedelta(weeks=6)).isoformat(),
            "status": "actief",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        activity = Activity.objects.get(title="Samen eten")
        assert activity.rrule.startswith("FREQ=WEEKLY;INTERVAL=2") and activity.sessions.count() == 4
    detail = client.get(response.url)
    assert len(detail.context["upcoming"]) == 4
    edit = client.get(reverse("netwerken:activity_edit", kwargs={"org": "oost", "activity": activity.pk}))
    assert edit.context["form"].initial["repeat"] == recurrence.FORTNIGHTLY


def test_the_signal_page_offers_the_form_and_then_links_the_activity(client, tenant_a):
    signal = tenant_a.objects["signal"]
    client.force_login(tenant_a.user(C))
    url = reverse("matching:signal_detail", kwargs={"org": "oost", "signal": signal.pk})
    action = reverse("matching:signal_propose_activity", kwargs={"org": "oost", "signal": signal.pk})
    assert action in client.get(url).content.decode()
    response = client.post(
        action, {"network": tenant_a.objects["network"].pk, "title": "Samen boodschappen doen"}, follow=True
    )
    content = response.content.decode()
    with scopes_disabled():
        activity = Activity.objects.get(title="Samen boodschappen doen")
    assert reverse("netwerken:activity_detail", kwargs={"org": "oost", "activity": activity.pk}) in content
    assert action not in content


def test_a_residents_data_export_lists_their_sessions(tenant_a):
    from netwerken import privacy

    part = next(part for part in privacy.parts() if part.key == "activiteiten")
    with scope(organisation=tenant_a.organisation):
        rows = part.export_resident(tenant_a.objects["resident"])
        assert [(r["activiteit"], r["was_er"]) for r in rows] == [(tenant_a.objects["activity"].title, True)]
        assert part.export_volunteer(tenant_a.objects["volunteer"]) == []
