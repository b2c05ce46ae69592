"""The coordinator's morning: each item counts what it should and nothing else, its link leads to a list of
exactly those rows, another organisation's rows never count, the greeting follows the clock in Amsterdam,
and the page costs the same number of queries for 1 row under every heading as for 25."""

import datetime
import html
from unittest import mock

import factory
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching.models import ContactLog, Escalation, HelpRequest, Match, Signal, SignalSettings
from netwerken.models import Organisation, User, Volunteer
from netwerken.views import greeting

from .factories import (
    CategoryFactory,
    HelpRequestFactory,
    MatchFactory,
    OrganisationFactory,
    UnscopedFactory,
    VolunteerFactory,
)

S = HelpRequest.Status
M = Match.Status
C = HelpRequest.Channel
DAY = datetime.timedelta(days=1)


class EscalationFactory(UnscopedFactory):
    class Meta:
        model = Escalation

    help_request = factory.SubFactory(HelpRequestFactory)
    organisation = factory.SelfAttribute("help_request.organisation")
    reason = "Te zwaar voor een vrijwilliger"
    status = Escalation.Status.HANDED_BACK
    advice = "Kan met een maatje, let op de trap."
    ended_at = factory.LazyFunction(lambda: timezone.now() - DAY)


class SignalFactory(UnscopedFactory):
    class Meta:
        model = Signal

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Signal.Kind.RECURRING
    key = factory.Sequence(lambda n: f"signaal-{n}")
    status = Signal.Status.NEW


def _ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


def _backdate(obj, **fields):
    with scopes_disabled():
        type(obj).objects.filter(pk=obj.pk).update(**fields)


def _request(org, *, created=None, **kwargs):
    help_request = HelpRequestFactory(organisation=org, **kwargs)
    if created is not None:
        _backdate(help_request, created_at=created)
    return help_request


def _match(help_request, status, **kwargs):
    return MatchFactory(help_request=help_request, status=status, **kwargs)


def _dashboard(client, org):
    response = client.get(reverse("netwerken:coordinator_dashboard", kwargs={"org": org.slug}))
    assert response.status_code == 200
    return response


def _items(client, org):
    (section,) = [s for s in _dashboard(client, org).context["sections"] if s["key"] == "matching"]
    return {item.key: item for group in section["context"]["groups"] for item in group.items}


def _listed(client, org, item):
    """The pks on the page the item links to."""
    response = client.get(reverse(item.url_name, kwargs={"org": org.slug}) + "?" + item.query)
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), response.context["filter"].errors
    return {row.pk for row in response.context["page"]}


@pytest.fixture
def coordinator(client, tenant_a):
    client.force_login(tenant_a.user("coordinator"))
    return client


def _calm(tenant):
    """The fixture's organisation with nothing waiting: its recurring-question signal already picked up."""
    with scopes_disabled():
        Signal.objects.filter(organisation=tenant.organisation).update(status=Signal.Status.PICKED_UP)
    return tenant.organisation


@pytest.fixture
def org(tenant_a):
    return _calm(tenant_a)


def _check(client, org, key, expected):
    """The item counts exactly `expected`, says so in its link, and the link lists exactly those rows."""
    item = _items(client, org)[key]
    assert item.count == len(expected), (key, item.count, len(expected))
    if expected:
        assert item.label.startswith(f"{len(expected)} ")
        assert _listed(client, org, item) == {row.pk for row in expected}
    return item


# --- each item: what counts, what doesn't, where the link leads ----------------------------------------------


def test_new_online_and_wijkteam_requests(coordinator, org):
    online = _request(org, channel=C.ONLINE)
    wijkteam = _request(org, channel=C.WIJKTEAM)
    _request(org, channel=C.ONLINE, status=S.SEARCHING, created=_ago(days=30))  # already being handled
    _request(org, channel=C.PHONE)  # taken in by phone: the coordinator knows about it
    _check(coordinator, org, "new_online", [online])
    _check(coordinator, org, "new_wijkteam", [wijkteam])


def test_requests_waiting_too_long_follow_their_urgency(coordinator, org):
    U = HelpRequest.Urgency
    urgent = _request(org, urgency=U.URGENT, status=S.SEARCHING, created=_ago(days=2))  # spoed: 1 day
    proposed = _request(org, urgency=U.HIGH, status=S.PROPOSED, created=_ago(days=5))  # deze week: 4 days
    normal = _request(org, urgency=U.NORMAL, status=S.NEW, created=_ago(days=5))  # normaal: 14 days
    _request(org, urgency=U.LOW, status=S.MATCHED, created=_ago(days=60))  # has a volunteer
    _request(org, urgency=U.LOW, status=S.DONE, created=_ago(days=60))
    _request(org, urgency=U.URGENT, status=S.NEW, created=_ago(hours=12))
    _check(coordinator, org, "waiting", [urgent, proposed])
    # The organisation's own thresholds, when it has set them.
    SignalSettings.objects.with_scopes_disabled().create(organisation=org, waiting_days_normal=3)
    _check(coordinator, org, "waiting", [urgent, proposed, normal])


def test_proposals_near_their_deadline(coordinator, org, tenant_a):
    soon = _request(org, status=S.PROPOSED)
    _match(soon, M.PROPOSED, deadline=timezone.now() + datetime.timedelta(hours=6))
    accepted = _request(org, status=S.MATCHED)
    _match(accepted, M.ACCEPTED, deadline=timezone.now() + datetime.timedelta(hours=6))
    # tenant_a's own proposal has 48 hours left
    assert tenant_a.objects["match"].deadline > timezone.now() + datetime.timedelta(hours=40)
    _check(coordinator, org, "deadline", [soon])


def test_declined_proposals_of_requests_still_without_a_volunteer(coordinator, org):
    declined = _request(org, status=S.SEARCHING)
    _match(declined, M.DECLINED, responded_at=_ago(days=2))
    expired = _request(org, status=S.SEARCHING)
    _match(expired, M.EXPIRED, responded_at=_ago(hours=3))
    long_ago = _request(org, status=S.SEARCHING)
    _match(long_ago, M.DECLINED, responded_at=_ago(days=10))
    proposed_again = _request(org, status=S.PROPOSED)  # the coordinator has already asked someone else
    _match(proposed_again, M.DECLINED, responded_at=_ago(days=1))
    _match(proposed_again, M.PROPOSED)
    _check(coordinator, org, "declined", [declined, expired])


def test_matches_without_contact_for_weeks(coordinator, org):
    silent = _request(org, status=S.MATCHED)
    silent_match = _match(silent, M.ACCEPTED, responded_at=_ago(weeks=6))
    ContactLog.objects.with_scopes_disabled().create(
        organisation=org, match=silent_match, date=timezone.localdate() - datetime.timedelta(weeks=5), minutes=60
    )
    recent = _request(org, status=S.MATCHED)
    recent_match = _match(recent, M.ACCEPTED, responded_at=_ago(weeks=6))
    ContactLog.objects.with_scopes_disabled().create(
        organisation=org, match=recent_match, date=timezone.localdate() - datetime.timedelta(days=3), minutes=30
    )
    just_started = _request(org, status=S.MATCHED)
    _match(just_started, M.ACCEPTED, responded_at=_ago(days=5))
    closed = _request(org, status=S.DONE)
    _match(closed, M.CLOSED, responded_at=_ago(weeks=10))
    item = _check(coordinator, org, "no_contact", [silent])
    assert "4 weken" in item.label
    SignalSettings.objects.with_scopes_disabled().create(organisation=org, no_contact_weeks=8)
    _check(coordinator, org, "no_contact", [])


def test_requests_handed_back_by_the_wijkteam(coordinator, org, tenant_a):
    back = _request(org, status=S.SEARCHING)
    EscalationFactory(help_request=back)
    matched_again = _request(org, status=S.MATCHED)
    EscalationFactory(help_request=matched_again)
    _match(matched_again, M.ACCEPTED, responded_at=_ago(hours=2))
    # Matched after an earlier hand-back, then the match ended: not "matched again since" the latest one.
    ended_before = _request(org, status=S.SEARCHING)
    _match(ended_before, M.CLOSED, responded_at=_ago(days=20))
    EscalationFactory(help_request=ended_before, ended_at=_ago(days=3))
    still_with_them = _request(org, status=S.ESCALATED)
    EscalationFactory(
        help_request=still_with_them,
        status=Escalation.Status.TAKEN,
        professional=tenant_a.user("professional"),
        ended_at=None,
    )
    referred = _request(org, status=S.SEARCHING)
    EscalationFactory(help_request=referred, status=Escalation.Status.CLOSED)
    _check(coordinator, org, "handed_back", [back, ended_before])


def test_new_volunteers_waiting_for_an_intake_call(coordinator, org):
    new = VolunteerFactory(organisation=org, status=Volunteer.Status.REGISTERED)
    VolunteerFactory(organisation=org, status=Volunteer.Status.INACTIVE)
    _check(coordinator, org, "registered", [new])


def test_expiring_vogs(coordinator, org):
    today = timezone.localdate()
    needs_vog = CategoryFactory(organisation=org, requires_vog=True)
    plain = CategoryFactory(organisation=org)
    soon = VolunteerFactory(organisation=org, vog_seen=True, vog_expires=today + 20 * DAY, categories=[plain])
    expired_needed = VolunteerFactory(
        organisation=org, vog_seen=True, vog_expires=today - 10 * DAY, categories=[needs_vog, plain]
    )
    VolunteerFactory(organisation=org, vog_seen=True, vog_expires=today - 10 * DAY, categories=[plain])
    VolunteerFactory(organisation=org, vog_seen=True, vog_expires=today + 60 * DAY, categories=[needs_vog])
    VolunteerFactory(organisation=org, vog_seen=True, vog_expires=today + 5 * DAY, status=Volunteer.Status.INACTIVE)
    item = _check(coordinator, org, "vog", [soon, expired_needed])
    assert [v.pk for v in item.rows] == [expired_needed.pk, soon.pk]  # soonest first, with their names
    page = _dashboard(coordinator, org).content.decode()
    # (Escaped as the page shows it: a generated name may hold an apostrophe.)
    assert html.escape(expired_needed.name) in page and "verlopen op" in page


def test_new_signals(coordinator, org):
    new = SignalFactory(organisation=org)
    SignalFactory(organisation=org, status=Signal.Status.PICKED_UP)
    item = _items(coordinator, org)["signals"]
    assert item.count == 1
    response = coordinator.get(reverse(item.url_name, kwargs={"org": org.slug}) + "?" + item.query)
    assert response.status_code == 200
    assert {signal.pk for signal in response.context["page"]} == {new.pk}


# --- the page as a whole ---------------------------------------------------------------------------------------


def _fill(org, n):
    """n rows under every heading."""
    today = timezone.localdate()
    for _i in range(n):
        _request(org, channel=C.ONLINE)
        _request(org, channel=C.WIJKTEAM)
        _request(org, status=S.SEARCHING, urgency=HelpRequest.Urgency.URGENT, created=_ago(days=3))
        EscalationFactory(help_request=_request(org, status=S.SEARCHING))
        _match(_request(org, status=S.PROPOSED), M.PROPOSED, deadline=timezone.now() + datetime.timedelta(hours=3))
        _match(_request(org, status=S.SEARCHING), M.DECLINED, responded_at=_ago(days=1))
        _match(_request(org, status=S.MATCHED), M.ACCEPTED, responded_at=_ago(weeks=6))
        VolunteerFactory(organisation=org, status=Volunteer.Status.REGISTERED)
        VolunteerFactory(organisation=org, vog_seen=True, vog_expires=today + 10 * DAY)
        SignalFactory(organisation=org)


ALL_ITEMS = {
    "new_online",
    "new_wijkteam",
    "waiting",
    "handed_back",
    "deadline",
    "declined",
    "no_contact",
    "registered",
    "vog",
    "signals",
}


def test_every_item_shows_and_says_so_calmly_when_there_is_nothing(coordinator, org):
    response = _dashboard(coordinator, org)
    page = response.content.decode()
    items = _items(coordinator, org)
    assert set(items) == ALL_ITEMS
    assert all(item.count == 0 for item in items.values())
    assert "Er wacht nu niets op je" in page
    for heading in ("Hulpvragen", "Voorstellen en koppelingen", "Vrijwilligers", "Signalen"):
        assert f">{heading}</h2>" in page
    assert "Geen hulpvragen die te lang wachten." in page
    assert "klik hier" not in page.lower()


def test_another_organisations_rows_never_count(coordinator, org, tenant_b):
    _fill(_calm(tenant_b), 2)
    items = _items(coordinator, org)
    assert {key: item.count for key, item in items.items()} == dict.fromkeys(ALL_ITEMS, 0)
    # and the other organisation sees its own
    with scope(organisation=tenant_b.organisation):
        from matching.dashboard import coordinator_items

        counts = {item.key: item.count for group in coordinator_items() for item in group.items}
    assert counts == dict.fromkeys(ALL_ITEMS, 2)


def test_each_link_has_a_count_and_clear_text(coordinator, org):
    _fill(org, 1)
    page = _dashboard(coordinator, org).content.decode()
    assert 'href="/o/oost/hulpvragen/?wacht=te-lang">1 hulpvraag wacht te lang</a>' in page
    assert (
        'href="/o/oost/vrijwilligers/?status=aangemeld">1 nieuwe vrijwilliger wacht op een kennismakingsgesprek' in page
    )
    assert "Er wacht nu niets op je" not in page
    items = _items(coordinator, org)
    assert {key for key, item in items.items() if item.count == 1} == ALL_ITEMS
    for item in items.values():
        assert len(_listed(coordinator, org, item)) == 1, item.key


def test_query_count_is_the_same_for_1_and_25_rows_under_every_heading(coordinator, org, django_assert_num_queries):
    _fill(org, 1)
    _dashboard(coordinator, org)  # warm the session and content types
    with CaptureQueriesContext(connection) as captured:
        _dashboard(coordinator, org)
    few = len(captured)  # now: the next request clears the connection's log
    links = {key: _count_queries(coordinator, org, item) for key, item in _items(coordinator, org).items()}
    _fill(org, 24)
    assert all(item.count == 25 for item in _items(coordinator, org).values())
    print(f"\ncoordinator dashboard: {few} queries with 1 row under every heading")
    with django_assert_num_queries(few):
        _dashboard(coordinator, org)
    # and the lists they link to: a page of 25 costs what a page of 1 does
    items = _items(coordinator, org)
    assert {key: _count_queries(coordinator, org, item) for key, item in items.items()} == links


def _count_queries(client, org, item):
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse(item.url_name, kwargs={"org": org.slug}) + "?" + item.query)
    return len(captured)


def test_nonsense_filter_values_are_refused_on_the_field(coordinator, org):
    url = reverse("matching:request_list", kwargs={"org": org.slug})
    response = coordinator.get(url + "?wacht=kapot&voorstel=%00&contact=1&wijkteam=ja&kanaal=fax")
    assert response.status_code == 200
    assert set(response.context["filter"].errors) == {"wacht", "voorstel", "contact", "wijkteam", "kanaal"}
    response = coordinator.get(reverse("matching:volunteer_list", kwargs={"org": org.slug}) + "?vog=bijna")
    assert response.status_code == 200 and "vog" in response.context["filter"].errors


# --- the greeting --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # winter: Amsterdam is UTC+1
        (datetime.datetime(2026, 1, 15, 5, 30), "Goedemorgen"),  # 06:30
        (datetime.datetime(2026, 1, 15, 10, 59), "Goedemorgen"),  # 11:59
        (datetime.datetime(2026, 1, 15, 11, 0), "Goedemiddag"),  # 12:00
        (datetime.datetime(2026, 1, 15, 17, 0), "Goedenavond"),  # 18:00
        (datetime.datetime(2026, 1, 15, 22, 30), "Goedenavond"),  # 23:30
        (datetime.datetime(2026, 1, 15, 23, 30), "Goedenacht"),  # 00:30
        (datetime.datetime(2026, 1, 15, 4, 59), "Goedenacht"),  # 05:59
        # summer: UTC+2, so 04:30 UTC is already morning in Amsterdam
        (datetime.datetime(2026, 7, 15, 4, 30), "Goedemorgen"),  # 06:30
        (datetime.datetime(2026, 7, 15, 15, 30), "Goedemiddag"),  # 17:30
        (datetime.datetime(2026, 7, 15, 22, 30), "Goedenacht"),  # 00:30
    ],
)
def test_greeting_follows_the_time_of_day_in_amsterdam(utc, expected):
    assert greeting(utc.replace(tzinfo=datetime.UTC)) == expected


def test_the_page_greets_the_coordinator_by_name(coordinator, org, tenant_a):
    user = tenant_a.user("coordinator")
    user.name = "Fatima el Amrani"
    user.save()
    evening = datetime.datetime(2026, 3, 2, 19, 15, tzinfo=datetime.UTC)  # 20:15 in Amsterdam
    with mock.patch("django.utils.timezone.now", return_value=evening):
        page = _dashboard(coordinator, org).content.decode()
    assert "Goedenavond, Fatima." in page


# --- the demo ---------------------------------------------------------------------------------------------


def test_seed_demo_leaves_something_under_every_heading(client, db):
    call_command("seed_demo", force=True)
    # The wijkteam's hand-backs and the signals come with their own parts of the demo.
    mine = ALL_ITEMS - {"handed_back", "signals"}
    org = Organisation.objects.get(slug="oranjekwartier")
    client.force_login(User.objects.get(email="coordinator@oranjekwartier.demo"))
    items = _items(client, org)
    assert {key for key in mine if items[key].count == 0} == set()
    for key in mine:
        assert _listed(client, org, items[key]), key


# --- what the counts read: only requests that can still need the coordinator -------------------------------------


def test_finished_and_escalated_requests_never_count_even_with_leftover_matches(coordinator, org):
    """The counts read only the states an item can include (dashboard.COUNTED), and each match item names the
    states that hold matches: a finished, cancelled or escalated request never counts, even when data left a
    proposal, an accepted match or a decline on it (its list agrees)."""
    _fill(org, 1)
    soon = timezone.now() + datetime.timedelta(hours=3)
    for status in (S.DONE, S.CANCELLED, S.ESCALATED):
        for _i in range(2):
            _request(org, status=status, channel=C.ONLINE, urgency=HelpRequest.Urgency.URGENT, created=_ago(days=30))
        _match(_request(org, status=status), M.PROPOSED, deadline=soon)
        _match(_request(org, status=status), M.ACCEPTED, responded_at=_ago(weeks=6))
        _match(_request(org, status=status), M.DECLINED, responded_at=_ago(days=1))
        EscalationFactory(help_request=_request(org, status=status))
    items = _items(coordinator, org)
    assert {key: item.count for key, item in items.items()} == dict.fromkeys(ALL_ITEMS, 1)
    for item in items.values():
        assert len(_listed(coordinator, org, item)) == 1, item.key


def test_the_request_counts_read_only_the_counted_states(org):
    """One aggregate, restricted to the states the items can count (the status index): its cost follows the open
    requests, not the organisation's history."""
    from matching import dashboard

    with scope(organisation=org), CaptureQueriesContext(connection) as captured:
        dashboard.coordinator_items()
    [aggregate] = [q["sql"] for q in captured if q["sql"].startswith('SELECT COUNT("matching_helprequest"."id")')]
    where = aggregate.rsplit(" WHERE ", 1)[1]
    assert '"matching_helprequest"."status" IN (' in where and f"'{S.NEW}'" in where
    assert set(dashboard.COUNTED) == {S.NEW, S.SEARCHING, S.PROPOSED, S.MATCHED}
    for status in (S.DONE, S.CANCELLED, S.ESCALATED):
        assert f"'{status}'" not in where
