"""Signals: recurring questions and continuity at risk, what staff do with them, and the weekly digest."""

import datetime
import random

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import signals
from matching.models import ContactLog, Escalation, HelpRequest, ImprovementProposal, Match, Signal, SignalSettings
from matching.tasks import detect_all_signals, send_weekly_digests
from netwerken import availability
from netwerken.models import Organisation, OutgoingEmail, Resident, Volunteer
from netwerken.roles import Role

from .factories import (
    AreaFactory,
    CategoryFactory,
    HelpRequestFactory,
    MatchFactory,
    ResidentFactory,
    VolunteerFactory,
)

K, S = Signal.Kind, Signal.Status
NOW = timezone.now


def detect(tenant):
    return signals.signals_detect(organisation=tenant.organisation)


def found(tenant, kind=None, **filters):
    """The signals the detector raised (the fixture's own signal left out)."""
    with scopes_disabled():
        rows = Signal.objects.filter(organisation=tenant.organisation, **filters).exclude(
            pk=tenant.objects["signal"].pk
        )
        if kind is not None:
            rows = rows.filter(kind=kind)
        return list(rows.order_by("pk"))


def fixture_signal(tenant):
    with scopes_disabled():
        return Signal.objects.get(pk=tenant.objects["signal"].pk)


def open_signals(tenant, kind):
    return found(tenant, kind, status__in=Signal.OPEN)


def request(tenant, *, category, slots="", area=None, description=None, resident=None, days_ago=3, **extra):
    """A request of `tenant` made `days_ago` days ago; a new resident unless one is given."""
    org = tenant.organisation
    resident = resident or ResidentFactory(organisation=org, area=area)
    mask = availability.mask_from_codes(slots.split()) if slots else availability.ALL
    help_request = HelpRequestFactory(
        organisation=org,
        resident=resident,
        category=category,
        area=area,
        slots=mask,
        description=description or _nonsense(),
        created_at=NOW() - datetime.timedelta(days=days_ago),
        **extra,
    )
    return help_request


_words = random.Random(42)


def _nonsense():
    """A description of words nobody else uses (so no text cluster forms by accident)."""
    return " ".join(
        "".join(_words.choice("bdfgklmnprstvz") + _words.choice("aeiou") for _ in range(4)) for _ in range(3)
    )


@pytest.fixture
def place(tenant_a):
    """Oranjekwartier, and the organisation's Boodschappen."""
    area = AreaFactory(organisation=tenant_a.organisation, name="Oranjekwartier", latitude=52.03, longitude=5.05)
    return area, tenant_a.objects["category"]


def recurring(tenant):
    return open_signals(tenant, K.RECURRING)


# --- recurring questions: place and week part --------------------------------------------------------------


def test_a_planted_cluster_is_found_with_its_count_neighbourhood_and_week_part(tenant_a, place):
    area, shopping = place
    planted = [request(tenant_a, category=shopping, area=area, slots="di-ochtend") for _ in range(7)]
    # Scattered noise: other areas, kinds and day parts, each bucket far below five residents.
    rng = random.Random(7)
    areas = [AreaFactory(organisation=tenant_a.organisation) for _ in range(4)] + [area]
    kinds = [shopping] + [CategoryFactory(organisation=tenant_a.organisation) for _ in range(3)]
    codes = [code for code, _day, _part in availability.SLOTS]
    for _ in range(40):
        kind, where, code = rng.choice(kinds), rng.choice(areas), rng.choice(codes)
        if (kind, where) != (shopping, area) or not code.startswith("di-"):  # noise, not the cluster
            request(tenant_a, category=kind, area=where, slots=code)

    counts = detect(tenant_a)

    [signal] = recurring(tenant_a)
    assert counts["created"] == 1
    assert signal.count == 7
    assert signal.facts["place"] == "Oranjekwartier"
    assert signal.facts["week_part"] == "di-ochtend"
    with scopes_disabled():
        assert {r.pk for r in planted} <= set(signal.requests.values_list("pk", flat=True))
    sentence = signals.signal_sentence(signal)
    assert sentence.startswith("7 bewoners in Oranjekwartier vroegen de laatste 8 weken om hulp bij boodschappen")
    assert sentence.endswith("vooral op dinsdagochtend")


def test_scattered_noise_gives_no_signal(tenant_a, place):
    area, shopping = place
    rng = random.Random(11)
    areas = [AreaFactory(organisation=tenant_a.organisation) for _ in range(5)] + [area]
    kinds = [shopping] + [CategoryFactory(organisation=tenant_a.organisation) for _ in range(3)]
    codes = [code for code, _day, _part in availability.SLOTS]
    for _ in range(60):
        request(tenant_a, category=rng.choice(kinds), area=rng.choice(areas), slots=rng.choice(codes))
    detect(tenant_a)
    assert recurring(tenant_a) == []


def test_one_resident_asking_often_is_not_a_recurring_question(tenant_a, place):
    area, shopping = place
    resident = ResidentFactory(organisation=tenant_a.organisation, area=area)
    for _ in range(8):
        request(tenant_a, category=shopping, area=area, slots="di-ochtend", resident=resident)
    others = [request(tenant_a, category=shopping, area=area, slots="di-ochtend") for _ in range(3)]
    detect(tenant_a)
    assert recurring(tenant_a) == [], "4 residents (one of them 8 times) is below 5 different residents"
    assert len(others) == 3


def test_requests_older_than_the_window_do_not_count(tenant_a, place):
    area, shopping = place
    for _ in range(6):
        request(tenant_a, category=shopping, area=area, slots="wo-middag", days_ago=9 * 7)
    detect(tenant_a)
    assert recurring(tenant_a) == []
    with scope(organisation=tenant_a.organisation):
        SignalSettings.objects.update_or_create(organisation=tenant_a.organisation, defaults={"recurring_weeks": 10})
    detect(tenant_a)
    assert [s.count for s in recurring(tenant_a)] == [6]


def test_residents_without_an_area_cluster_by_distance(tenant_a):
    shopping = tenant_a.objects["category"]
    org = tenant_a.organisation
    # Far from every area of the organisation, within a few hundred metres of each other.
    for i in range(6):
        resident = ResidentFactory(
            organisation=org, postcode="3405 KL", latitude=52.300 + 0.002 * (i % 3), longitude=5.300 + 0.002 * (i // 3)
        )
        request(tenant_a, category=shopping, slots="vr-avond", resident=resident)
    # Six more, equally close together, but ten kilometres away: they are not "nearby".
    for i in range(3):
        resident = ResidentFactory(organisation=org, latitude=52.39, longitude=5.30 + 0.001 * i)
        request(tenant_a, category=shopping, slots="vr-avond", resident=resident)
    detect(tenant_a)
    [signal] = recurring(tenant_a)
    assert signal.count == 6
    assert (signal.facts["place_kind"], signal.facts["place"], signal.facts["week_part"]) == (
        "postcode",
        "3405",
        "vr-avond",
    )
    assert "rond postcode 3405" in signals.signal_sentence(signal)


def test_a_resident_near_an_area_counts_for_that_area(tenant_a, place):
    area, shopping = place
    for _ in range(3):
        request(tenant_a, category=shopping, area=area, slots="za-ochtend")
    for i in range(2):
        resident = ResidentFactory(organisation=tenant_a.organisation, latitude=52.031, longitude=5.051 + 0.001 * i)
        request(tenant_a, category=shopping, slots="za-ochtend", resident=resident)
    detect(tenant_a)
    [signal] = recurring(tenant_a)
    assert (signal.count, signal.facts["place"]) == (5, "Oranjekwartier")


# --- recurring questions: similar text ----------------------------------------------------------------------

MARKET = [
    "Samen naar de markt op zaterdag",
    "Iemand die met mij naar de markt gaat",
    "Graag hulp bij het bezoeken van de weekmarkt en de markten in de stad",
    "Ik wil samen met iemand de markt bezoeken",
    "Naar de markt op woensdag, ik kan niet meer alleen",
    "Markt: boodschappen doen met een maatje",
]
UNRELATED = [
    "Lamp ophangen in de gang",
    "Formulier van de gemeente invullen",
    "Hond uitlaten tijdens mijn ziekenhuisopname",
    "Gras maaien in de tuin",
    "Computer instellen voor videobellen",
    "Gordijnen ophangen",
]


def test_similar_words_across_day_parts_form_one_text_signal(tenant_a, place):
    area, shopping = place
    days = ["ma", "di", "wo", "do", "vr", "za"]
    for description, day in zip(MARKET, days, strict=True):
        request(tenant_a, category=shopping, area=area, slots=f"{day}-ochtend", description=description)
    detect(tenant_a)
    [signal] = recurring(tenant_a)
    assert signal.count == 6
    assert signal.facts["words"][0] == "markt"
    assert "week_part" not in signal.facts
    assert "met dezelfde woorden: ‘markt’" in signals.signal_sentence(signal)


def test_text_that_is_not_similar_gives_no_signal(tenant_a, place):
    area, shopping = place
    days = ["ma", "di", "wo", "do", "vr", "za"]
    for description, day in zip(UNRELATED, days, strict=True):
        request(tenant_a, category=shopping, area=area, slots=f"{day}-ochtend", description=description)
    # The kind's own name and stop words are no similarity either.
    for day in days[:5]:
        request(tenant_a, category=shopping, slots=f"{day}-avond", description=f"Boodschappen doen {_nonsense()}")
    detect(tenant_a)
    assert recurring(tenant_a) == []


def test_one_resident_writing_the_same_words_often_is_no_text_signal(tenant_a, place):
    area, shopping = place
    resident = ResidentFactory(organisation=tenant_a.organisation, area=area)
    for description, day in zip(MARKET, ["ma", "di", "wo", "do", "vr", "za"], strict=True):
        request(tenant_a, category=shopping, slots=f"{day}-avond", description=description, resident=resident)
    for description in MARKET[:3]:
        request(tenant_a, category=shopping, slots="zo-avond", description=description)
    detect(tenant_a)
    assert recurring(tenant_a) == [], "4 residents (one of them 6 times) is below 5 different residents"


def test_text_normalisation():
    assert signals.meaningful_words("Boodschappen op DINSDAG bij de Jumbo") == {
        "boodschap": "boodschappen",
        "dinsdag": "dinsdag",
        "jumbo": "jumbo",
    }
    assert set(signals.meaningful_words("Café bezoeken, samen één kopje koffie")) == {
        "cafe",
        "bezoek",
        "samen",
        "kopje",
        "koffie",
    }
    assert signals.stem("fietsen") == signals.stem("fiets") == "fiets"
    assert signals.stem("dinsdags") == "dinsdag"


# --- rerunning, marking, resolving -----------------------------------------------------------------------


def test_rerunning_updates_the_signal_instead_of_raising_it_again(tenant_a, place):
    area, shopping = place
    for _ in range(5):
        request(tenant_a, category=shopping, area=area, slots="do-middag")
    first = detect(tenant_a)
    again = detect(tenant_a)
    assert (first["created"], again["created"], again["updated"]) == (1, 0, 0)
    [signal] = recurring(tenant_a)
    request(tenant_a, category=shopping, area=area, slots="do-middag")
    third = detect(tenant_a)
    [updated] = recurring(tenant_a)
    assert (third["created"], third["updated"], updated.pk, updated.count) == (0, 1, signal.pk, 6)
    with scopes_disabled():
        assert updated.requests.count() == 6


def test_not_relevant_stays_quiet(tenant_a, place):
    area, shopping = place
    for _ in range(5):
        request(tenant_a, category=shopping, area=area, slots="do-middag")
    detect(tenant_a)
    [signal] = recurring(tenant_a)
    with scope(organisation=tenant_a.organisation):
        signals.signal_set_status(signal=signal, status=S.NOT_RELEVANT, by=tenant_a.user(Role.PROFESSIONAL))
    request(tenant_a, category=shopping, area=area, slots="do-middag")
    counts = detect(tenant_a)
    assert counts["created"] == 0
    assert [(s.pk, s.status) for s in found(tenant_a, K.RECURRING)] == [(signal.pk, S.NOT_RELEVANT)]


def test_a_signal_is_resolved_when_its_condition_goes_away_and_raised_again_when_it_comes_back(tenant_a):
    waiting = request(tenant_a, category=tenant_a.objects["category"], urgency=HelpRequest.Urgency.URGENT)
    detect(tenant_a)
    [signal] = open_signals(tenant_a, K.WAITING)
    with scopes_disabled():
        HelpRequest.objects.filter(pk=waiting.pk).update(status=HelpRequest.Status.MATCHED)
    assert detect(tenant_a)["resolved"] == 1
    assert [(s.pk, s.status) for s in found(tenant_a, K.WAITING)] == [(signal.pk, S.RESOLVED)]
    with scopes_disabled():
        HelpRequest.objects.filter(pk=waiting.pk).update(status=HelpRequest.Status.SEARCHING)
    assert detect(tenant_a)["reopened"] == 1
    assert [(s.pk, s.status) for s in found(tenant_a, K.WAITING)] == [(signal.pk, S.NEW)]


def test_another_organisations_requests_never_join_a_signal(tenant_a, tenant_b):
    a_area = AreaFactory(organisation=tenant_a.organisation, name="Oranjekwartier")
    b_area = AreaFactory(organisation=tenant_b.organisation, name="Oranjekwartier")
    for _ in range(3):
        request(tenant_a, category=tenant_a.objects["category"], area=a_area, slots="di-ochtend", description="markt")
    for _ in range(6):
        request(tenant_b, category=tenant_b.objects["category"], area=b_area, slots="di-ochtend", description="markt")
    detect(tenant_a)
    assert recurring(tenant_a) == []
    detect(tenant_b)
    [signal] = recurring(tenant_b)
    with scopes_disabled():
        assert set(signal.requests.values_list("organisation_id", flat=True)) == {tenant_b.organisation.pk}
    assert signal.count == 6


# --- continuity at risk: each rule fires, and does not fire -----------------------------------------------


def test_waiting_longer_than_the_urgency_allows(tenant_a):
    category = tenant_a.objects["category"]
    late = request(tenant_a, category=category, urgency=HelpRequest.Urgency.URGENT, days_ago=2)
    request(tenant_a, category=category, urgency=HelpRequest.Urgency.NORMAL, days_ago=2)
    request(tenant_a, category=category, urgency=HelpRequest.Urgency.URGENT, days_ago=2, status="gekoppeld")
    detect(tenant_a)
    [signal] = open_signals(tenant_a, K.WAITING)
    assert signal.facts["request"] == late.pk
    assert "wacht al 2 dagen" in signals.signal_sentence(signal)


def _waiting(tenant, urgency, days, hours=1):
    """An open request of `urgency` that has waited `days` whole days (and a few hours)."""
    return HelpRequestFactory(
        organisation=tenant.organisation,
        category=tenant.objects["category"],
        urgency=urgency,
        status=HelpRequest.Status.SEARCHING,
        created_at=NOW() - datetime.timedelta(days=days, hours=hours),
    )


def test_waiting_fires_only_past_the_maximum_and_says_it_plainly(tenant_a):
    """'Normaal' allows 14 days: a request of 14 days and a bit is fine; the 15th day is too long."""
    from matching import dashboard

    _waiting(tenant_a, HelpRequest.Urgency.NORMAL, 14, hours=20)
    detect(tenant_a)
    assert open_signals(tenant_a, K.WAITING) == [], "14 days is what 'normaal' allows"
    late = _waiting(tenant_a, HelpRequest.Urgency.NORMAL, 15)
    detect(tenant_a)
    [signal] = open_signals(tenant_a, K.WAITING)
    assert signal.facts["request"] == late.pk
    assert signals.signal_sentence(signal) == (
        "Een hulpvraag (boodschappen, urgentie ‘normaal’) wacht al 15 dagen; bij deze urgentie hooguit 14 dagen."
    )
    # The coordinator's dashboard counts the same request, and only that one.
    with scope(organisation=tenant_a.organisation):
        [requests] = [group for group in dashboard.coordinator_items() if group.key == "hulpvragen"]
    assert next(item.count for item in requests.items if item.key == "waiting") == 1


def test_requests_waiting_too_long_are_one_signal_per_urgency_with_the_requests_behind_it(client, tenant_a):
    normal = [_waiting(tenant_a, HelpRequest.Urgency.NORMAL, days) for days in (20, 25, 30)]
    urgent = [_waiting(tenant_a, HelpRequest.Urgency.URGENT, 3) for _ in range(2)]
    _waiting(tenant_a, HelpRequest.Urgency.NORMAL, 5)  # within its 14 days
    detect(tenant_a)
    by_urgency = {signal.facts["urgency"]: signal for signal in open_signals(tenant_a, K.WAITING)}
    assert sorted(by_urgency) == [HelpRequest.Urgency.NORMAL, HelpRequest.Urgency.URGENT]
    assert len(open_signals(tenant_a, K.WAITING)) == 2
    signal = by_urgency[HelpRequest.Urgency.NORMAL]
    with scopes_disabled():
        assert set(signal.requests.values_list("pk", flat=True)) == {r.pk for r in normal}
        assert by_urgency[HelpRequest.Urgency.URGENT].requests.count() == len(urgent)
    assert signals.signal_sentence(signal) == (
        "3 hulpvragen met urgentie ‘normaal’ wachten te lang (bij deze urgentie hooguit 14 dagen); "
        "de langste al 30 dagen."
    )

    # A rerun raises nothing twice; one more late request joins the same signal.
    assert detect(tenant_a)["created"] == 0
    normal.append(_waiting(tenant_a, HelpRequest.Urgency.NORMAL, 16))
    assert detect(tenant_a)["created"] == 0
    [again] = [s for s in open_signals(tenant_a, K.WAITING) if s.facts["urgency"] == HelpRequest.Urgency.NORMAL]
    assert (again.pk, again.count) == (signal.pk, 4)

    # Staff find the requests behind it, and the coordinator's link leads to exactly those.
    client.force_login(tenant_a.user(Role.COORDINATOR))
    page = client.get(url(tenant_a, "matching:signal_detail", signal=again.pk))
    assert len(page.context["requests"]) == 4
    label, link = page.context["link"]
    assert label == "Naar de hulpvragen"
    listed = client.get(link).context["page"].object_list
    assert {r.pk for r in listed} == {r.pk for r in normal}


def test_proposals_that_keep_expiring_or_are_nearly_out_of_time(tenant_a):
    category = tenant_a.objects["category"]
    expiring = request(tenant_a, category=category, status="zoekend")
    once = request(tenant_a, category=category, status="zoekend")
    for _ in range(2):
        MatchFactory(help_request=expiring, status=Match.Status.EXPIRED, deadline=NOW())
    MatchFactory(help_request=once, status=Match.Status.EXPIRED, deadline=NOW())
    near = request(tenant_a, category=category, status="voorgesteld")
    MatchFactory(
        help_request=near,
        proposed_at=NOW() - datetime.timedelta(hours=40),
        deadline=NOW() + datetime.timedelta(hours=8),
    )
    fresh = request(tenant_a, category=category, status="voorgesteld")
    MatchFactory(
        help_request=fresh,
        proposed_at=NOW() - datetime.timedelta(hours=10),
        deadline=NOW() + datetime.timedelta(hours=38),
    )
    detect(tenant_a)
    signalled = {s.facts["request"]: s for s in open_signals(tenant_a, K.UNANSWERED)}
    assert set(signalled) == {expiring.pk, near.pk}
    assert signalled[expiring.pk].facts["expired"] == 2
    assert signalled[near.pk].facts["hours_left"] in (7, 8)


def _accepted(tenant, *, weeks_ago, volunteer=None):
    help_request = request(tenant, category=tenant.objects["category"], status="gekoppeld", days_ago=7 * weeks_ago + 1)
    volunteer = volunteer or VolunteerFactory(organisation=tenant.organisation)
    return MatchFactory(
        help_request=help_request,
        volunteer=volunteer,
        status=Match.Status.ACCEPTED,
        proposed_at=NOW() - datetime.timedelta(weeks=weeks_ago, days=1),
        responded_at=NOW() - datetime.timedelta(weeks=weeks_ago),
    )


def _log(match, days_ago, minutes=60):
    with scopes_disabled():
        ContactLog.objects.create(
            organisation=match.organisation,
            match=match,
            date=timezone.localdate() - datetime.timedelta(days=days_ago),
            minutes=minutes,
        )


def test_a_match_without_contact_for_weeks_asks_to_call(tenant_a):
    silent = _accepted(tenant_a, weeks_ago=5)
    talking = _accepted(tenant_a, weeks_ago=5)
    _log(talking, days_ago=7)
    lapsed = _accepted(tenant_a, weeks_ago=8)
    _log(lapsed, days_ago=40)
    _accepted(tenant_a, weeks_ago=2)  # too new to worry about
    detect(tenant_a)
    assert {s.match_id for s in open_signals(tenant_a, K.NO_CONTACT)} == {silent.pk, lapsed.pk}


def test_a_volunteer_who_declines_or_drops_out_repeatedly(tenant_a):
    org = tenant_a.organisation
    often, twice = VolunteerFactory(organisation=org), VolunteerFactory(organisation=org)
    for status in (Match.Status.DECLINED, Match.Status.EXPIRED, Match.Status.ENDED):
        MatchFactory(help_request__organisation=org, volunteer=often, status=status)
    for status in (Match.Status.DECLINED, Match.Status.DECLINED):
        MatchFactory(help_request__organisation=org, volunteer=twice, status=status)
    # Long ago: does not count.
    MatchFactory(
        help_request__organisation=org,
        volunteer=twice,
        status=Match.Status.DECLINED,
        proposed_at=NOW() - datetime.timedelta(days=200),
    )
    detect(tenant_a)
    [signal] = open_signals(tenant_a, K.DROPPING_OUT)
    assert (signal.volunteer_id, signal.count) == (often.pk, 3)


def test_a_volunteer_who_has_not_helped_for_months(tenant_a):
    org = tenant_a.organisation
    idle, helping, paused = (VolunteerFactory(organisation=org) for _ in range(3))
    with scopes_disabled():
        Volunteer.objects.filter(pk__in=[idle.pk, helping.pk, paused.pk]).update(
            activated_at=NOW() - datetime.timedelta(days=150)
        )
        Volunteer.objects.filter(pk=paused.pk).update(paused_from=timezone.localdate() - datetime.timedelta(days=100))
    _log(_accepted(tenant_a, weeks_ago=20, volunteer=helping), days_ago=10)
    detect(tenant_a)
    [signal] = open_signals(tenant_a, K.INACTIVE)
    assert signal.volunteer_id == idle.pk
    assert "nog niet geholpen" in signals.signal_sentence(signal)


def _closed(tenant, volunteer, days_ago=10):
    help_request = request(tenant, category=tenant.objects["category"], status="afgerond", days_ago=days_ago + 1)
    return MatchFactory(
        help_request=help_request,
        volunteer=volunteer,
        status=Match.Status.CLOSED,
        proposed_at=NOW() - datetime.timedelta(days=days_ago),
        responded_at=NOW() - datetime.timedelta(days=days_ago),
    )


def test_one_volunteer_carrying_too_much_is_a_bus_factor(tenant_a):
    org = tenant_a.organisation
    star = VolunteerFactory(organisation=org)
    for _ in range(4):
        _closed(tenant_a, star)
    for _ in range(8):
        _closed(tenant_a, VolunteerFactory(organisation=org))
    detect(tenant_a)
    [signal] = open_signals(tenant_a, K.OVERLOADED)
    assert (signal.volunteer_id, signal.facts["share"], signal.facts["total"]) == (star.pk, 33, 12)


def test_help_spread_over_many_volunteers_is_no_bus_factor(tenant_a):
    for _ in range(12):
        _closed(tenant_a, VolunteerFactory(organisation=tenant_a.organisation))
    detect(tenant_a)
    assert open_signals(tenant_a, K.OVERLOADED) == []


def _activity(tenant, volunteers_per_month):
    """Contact moments of n different volunteers in each of the last complete months: {months back: n}."""
    org = tenant.organisation
    today = timezone.localdate()
    for back, n in volunteers_per_month.items():
        day = signals._month_start(today, back) + datetime.timedelta(days=9)
        for _ in range(n):
            match = _closed(tenant, VolunteerFactory(organisation=org), days_ago=(today - day).days)
            with scopes_disabled():
                ContactLog.objects.create(organisation=org, match=match, date=day, minutes=45)


def test_a_shrinking_pool_of_active_volunteers(tenant_a):
    _activity(tenant_a, {2: 5, 1: 2})
    detect(tenant_a)
    [signal] = open_signals(tenant_a, K.POOL_SHRINKING)
    assert (signal.facts["measure"], signal.facts["before"], signal.facts["after"]) == ("volunteers", 5, 2)
    assert signal.key == "pool_krimpt:volunteers"


def test_a_steady_pool_is_no_signal(tenant_a):
    _activity(tenant_a, {2: 4, 1: 4})
    detect(tenant_a)
    assert open_signals(tenant_a, K.POOL_SHRINKING) == []


def test_a_vog_expiring_soon_in_a_category_that_needs_one(tenant_a):
    org = tenant_a.organisation
    visiting = CategoryFactory(organisation=org, name="Huisbezoek", requires_vog=True)
    soon = timezone.localdate() + datetime.timedelta(weeks=3)
    expiring = VolunteerFactory(organisation=org, categories=[visiting], vog_seen=True, vog_expires=soon)
    VolunteerFactory(
        organisation=org, categories=[visiting], vog_seen=True, vog_expires=soon + datetime.timedelta(weeks=8)
    )
    VolunteerFactory(organisation=org, categories=[tenant_a.objects["category"]], vog_seen=True, vog_expires=soon)
    detect(tenant_a)
    [signal] = open_signals(tenant_a, K.VOG_EXPIRING)
    assert signal.volunteer_id == expiring.pk
    assert "verloopt op" in signals.signal_sentence(signal)


def test_the_daily_task_runs_every_organisation_in_its_own_scope(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        request(tenant, category=tenant.objects["category"], urgency=HelpRequest.Urgency.URGENT, days_ago=3)
    assert detect_all_signals.delay().get() == 2
    for tenant in (tenant_a, tenant_b):
        [signal] = open_signals(tenant, K.WAITING)
        with scopes_disabled():
            assert HelpRequest.objects.get(pk=signal.facts["request"]).organisation_id == tenant.organisation.pk
        with scopes_disabled():
            assert SignalSettings.objects.filter(organisation=tenant.organisation).exists()


# --- the pages ---------------------------------------------------------------------------------------------


def url(tenant, name, **kwargs):
    return reverse(name, kwargs={"org": tenant.organisation.slug, **kwargs})


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.FUNDER, Role.ORG_ADMIN])
def test_a_volunteer_funder_or_admin_gets_no_signal_page(client, tenant_a, role):
    client.force_login(tenant_a.user(role))
    signal = tenant_a.objects["signal"]
    for name, kwargs in [
        ("matching:signal_list", {}),
        ("matching:signal_detail", {"signal": signal.pk}),
        ("matching:improvement_list", {}),
    ]:
        assert client.get(url(tenant_a, name, **kwargs)).status_code in (403, 404), (role, name)
    assert client.post(
        url(tenant_a, "matching:signal_status", signal=signal.pk), {"status": "opgepakt"}
    ).status_code in (
        403,
        404,
    )
    assert fixture_signal(tenant_a).status == S.NEW


def test_staff_see_the_sentence_what_to_do_and_the_requests_behind_it(client, tenant_a, place):
    area, shopping = place
    for _ in range(5):
        request(tenant_a, category=shopping, area=area, slots="di-ochtend", description="Boodschappen bij de markt")
    detect(tenant_a)
    signal = next(s for s in recurring(tenant_a) if s.count == 5)
    for role in (Role.PROFESSIONAL, Role.COORDINATOR):
        client.force_login(tenant_a.user(role))
        listing = client.get(url(tenant_a, "matching:signal_list")).content.decode()
        assert "5 bewoners in Oranjekwartier vroegen" in listing
        assert "Benader een bewonersnetwerk" in listing
        page = client.get(url(tenant_a, "matching:signal_detail", signal=signal.pk)).content.decode()
        assert page.count("Boodschappen bij de markt") == 5
    # Never the residents' names, even for staff: the requests' pages hold those.
    with scopes_disabled():
        names = [r.resident.name for r in signal.requests.select_related("resident")]
    assert not [name for name in names if name in page]


def test_a_professional_marks_a_signal_picked_up_and_the_list_hides_what_is_done(client, tenant_a):
    signal = tenant_a.objects["signal"]
    client.force_login(tenant_a.user(Role.PROFESSIONAL))
    response = client.post(
        url(tenant_a, "matching:signal_status", signal=signal.pk), {"status": "opgepakt"}, follow=True
    )
    assert "Het signaal staat nu op ‘opgepakt’." in response.content.decode()
    marked = fixture_signal(tenant_a)
    assert (marked.status, marked.status_by) == (S.PICKED_UP, tenant_a.user(Role.PROFESSIONAL))
    client.post(url(tenant_a, "matching:signal_status", signal=signal.pk), {"status": "activiteit"})
    assert fixture_signal(tenant_a).status == S.ACTIVITY
    assert client.get(url(tenant_a, "matching:signal_list")).context["page"].paginator.count == 0
    assert client.get(url(tenant_a, "matching:signal_list") + "?status=alle").context["page"].paginator.count == 1
    refused = client.post(
        url(tenant_a, "matching:signal_status", signal=signal.pk), {"status": "opgelost"}, follow=True
    )
    assert "Kies opgepakt, activiteit gestart of niet relevant." in refused.content.decode()
    assert fixture_signal(tenant_a).status == S.ACTIVITY


def test_a_signal_offers_only_the_marks_that_make_sense_for_its_status(client, tenant_a):
    signal = tenant_a.objects["signal"]
    client.force_login(tenant_a.user(Role.PROFESSIONAL))
    detail = url(tenant_a, "matching:signal_detail", signal=signal.pk)
    status = url(tenant_a, "matching:signal_status", signal=signal.pk)
    page = client.get(detail).content.decode()
    assert "Markeer als opgepakt" in page and "Markeer als niet relevant" in page

    client.post(status, {"status": "opgepakt"})
    page = client.get(detail).content.decode()
    assert "Markeer als opgepakt" not in page, "already picked up"
    assert "Markeer als activiteit gestart" in page and "Markeer als niet relevant" in page

    client.post(status, {"status": "activiteit"})
    page = client.get(detail).content.decode()
    assert "Markeer als" not in page, "an activity started: nothing left to mark"
    refused = client.post(status, {"status": "niet_relevant"}, follow=True).content.decode()
    assert "Dit signaal staat op ‘activiteit gestart’; ‘niet relevant’ kan dan niet meer." in refused
    assert fixture_signal(tenant_a).status == S.ACTIVITY


def test_the_list_names_no_volunteers_and_puts_recurring_questions_first(client, tenant_a):
    org = tenant_a.organisation
    idle = VolunteerFactory(organisation=org)
    with scopes_disabled():
        Signal.objects.filter(pk=tenant_a.objects["signal"].pk).update(created_at=NOW() - datetime.timedelta(days=9))
        inactive = Signal.objects.create(
            organisation=org,
            kind=K.INACTIVE,
            key=f"niet_actief:{idle.pk}",
            volunteer=idle,
            facts={"since": "2026-01-01", "helped": True},
            count=1,
        )
        name = idle.name
    for role in (Role.PROFESSIONAL, Role.COORDINATOR):
        client.force_login(tenant_a.user(role))
        response = client.get(url(tenant_a, "matching:signal_list"))
        kinds = [row["signal"].kind for row in response.context["rows"]]
        assert kinds == [K.RECURRING, K.INACTIVE], "the recurring question first, though it is older"
        assert name not in response.content.decode(), role
        assert "Een vrijwilliger heeft sinds 1 januari 2026 niet meer geholpen." in response.content.decode()
        assert name not in client.get(url(tenant_a, "matching:improvement_list")).content.decode()
    # On the signal's own page the coordinator, who calls the volunteer, reads the name; the professional not.
    detail = url(tenant_a, "matching:signal_detail", signal=inactive.pk)
    assert name in client.get(detail).content.decode()
    client.force_login(tenant_a.user(Role.PROFESSIONAL))
    assert name not in client.get(detail).content.decode()


def _many_signals(tenant, n):
    org = tenant.organisation
    with scopes_disabled():
        for i in range(n):
            volunteer = VolunteerFactory(organisation=org)
            help_request = HelpRequestFactory(organisation=org, category=tenant.objects["category"])
            kind = [K.INACTIVE, K.WAITING, K.RECURRING, K.NO_CONTACT][i % 4]
            signal = Signal.objects.create(
                organisation=org,
                kind=kind,
                key=f"test:{i}",
                volunteer=volunteer if kind == K.INACTIVE else None,
                facts={"category": "Boodschappen", "request": help_request.pk, "urgency": 4, "days": 3, "limit": 1}
                | {"since": "2026-01-01", "residents": 5, "weeks": 8, "place": "Centrum", "week_part": "di"},
                count=1,
            )
            signal.requests.add(help_request)
            ImprovementProposal.objects.create(
                organisation=org,
                signal=signal,
                title=f"Voorstel {i}",
                owner=tenant.user(Role.COORDINATOR),
                due="2026-01-01",
            )


@pytest.mark.parametrize("name", ["matching:signal_list", "matching:improvement_list"])
def test_list_query_count_is_the_same_for_1_and_20_signals(client, tenant_a, django_assert_num_queries, name):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    client.get(url(tenant_a, name))  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(tenant_a, name)).status_code == 200
    few = len(queries)
    _many_signals(tenant_a, 20)
    with django_assert_num_queries(few):
        response = client.get(url(tenant_a, name))
    assert len(response.context["rows"]) == 21


def test_improvement_proposal_from_a_signal_with_owner_due_date_and_status(client, tenant_a):
    signal = tenant_a.objects["signal"]
    owner = tenant_a.user(Role.COORDINATOR)
    client.force_login(tenant_a.user(Role.PROFESSIONAL))
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        url(tenant_a, "matching:signal_propose", signal=signal.pk),
        {"title": "Wandelgroep op dinsdag", "description": "Met de ouderenbond", "owner": owner.pk, "due": due},
        follow=True,
    )
    assert "Het verbetervoorstel is opgeslagen." in response.content.decode()
    with scopes_disabled():
        proposal = ImprovementProposal.objects.get(title="Wandelgroep op dinsdag")
    assert (proposal.signal, proposal.owner, proposal.status) == (signal, owner, "open")
    # Someone outside the organisation's staff is no owner.
    volunteer = tenant_a.user(Role.VOLUNTEER)
    refused = client.post(
        url(tenant_a, "matching:signal_propose", signal=signal.pk),
        {"title": "X", "owner": volunteer.pk, "due": due},
    )
    assert refused.status_code == 200 and "owner" in refused.context["form"].errors
    client.post(url(tenant_a, "matching:improvement_status", improvement=proposal.pk), {"status": "bezig"})
    with scopes_disabled():
        assert ImprovementProposal.objects.get(pk=proposal.pk).status == "bezig"


def test_overdue_proposals_are_marked(client, tenant_a):
    with scopes_disabled():
        ImprovementProposal.objects.filter(pk=tenant_a.objects["improvement"].pk).update(
            due=timezone.localdate() - datetime.timedelta(days=1)
        )
    client.force_login(tenant_a.user(Role.COORDINATOR))
    response = client.get(url(tenant_a, "matching:improvement_list"))
    [row] = response.context["rows"]
    assert row["overdue"] and "te laat" in response.content.decode()
    client.post(url(tenant_a, "matching:improvement_status", improvement=row["proposal"].pk), {"status": "klaar"})
    response = client.get(url(tenant_a, "matching:improvement_list"))
    assert not response.context["rows"][0]["overdue"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ORG_ADMIN])
def test_thresholds_are_edited_by_a_coordinator_or_admin(client, tenant_a, role):
    client.force_login(tenant_a.user(role))
    page = url(tenant_a, "matching:signal_settings")
    form = client.get(page).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(recurring_min_residents="3", recurring_km="2.5")
    response = client.post(page, data, follow=True)
    assert "De instellingen voor signalen zijn opgeslagen." in response.content.decode()
    with scopes_disabled():
        settings = SignalSettings.objects.get(organisation=tenant_a.organisation)
    assert (settings.recurring_min_residents, settings.recurring_km) == (3, 2.5)
    data["bus_factor_share"] = "0"
    refused = client.post(page, data)
    assert refused.context["form"].errors["bus_factor_share"] == ["Minstens 1."]


def test_thresholds_that_contradict_each_other_are_refused_with_one_message_each(client, tenant_a):
    client.force_login(tenant_a.user(Role.COORDINATOR))
    page = url(tenant_a, "matching:signal_settings")
    form = client.get(page).context["form"]
    data = {name: form[name].value() for name in form.fields}
    # Spoed may wait a month, 'kan wachten' four weeks; and a negative number of weeks.
    data.update(waiting_days_urgent="30", waiting_days_low="28", vog_weeks="-3")
    refused = client.post(page, data)
    errors = refused.context["form"].errors
    assert errors["waiting_days_high"] == [
        "Bij ‘deze week’ moet een hulpvraag minstens zo lang mogen wachten als bij ‘spoed’ (30 dagen)."
    ]
    assert errors["vog_weeks"] == ["Minstens 1."], "one message, not Django's own as well"
    assert set(errors) == {"waiting_days_high", "vog_weeks"}
    content = refused.content.decode()
    assert content.count("Minstens 1.") == 1 and content.count("minstens zo lang mogen wachten") == 1
    with scopes_disabled():
        assert not SignalSettings.objects.filter(organisation=tenant_a.organisation, waiting_days_urgent=30).exists()
    # Each urgency in its order: 'deze week' above 'normaal' is said at 'normaal'.
    data.update(waiting_days_urgent="1", waiting_days_high="20", vog_weeks="6")
    errors = client.post(page, data).context["form"].errors
    assert errors == {
        "waiting_days_normal": [
            "Bij ‘normaal’ moet een hulpvraag minstens zo lang mogen wachten als bij ‘deze week’ (20 dagen)."
        ]
    }
    # The service holds the same order for any other caller.
    with scope(organisation=tenant_a.organisation):
        settings = signals.signal_settings(tenant_a.organisation)
        with pytest.raises(signals.SignalRefused):
            signals.signal_settings_update(settings=settings, by=None, waiting_days_urgent=30)


def test_professional_cannot_edit_thresholds(client, tenant_a):
    client.force_login(tenant_a.user(Role.PROFESSIONAL))
    assert client.get(url(tenant_a, "matching:signal_settings")).status_code == 403


def test_the_professionals_dashboard_counts_new_signals_and_overdue_proposals(client, tenant_a):
    with scopes_disabled():
        ImprovementProposal.objects.filter(pk=tenant_a.objects["improvement"].pk).update(
            due=timezone.localdate() - datetime.timedelta(days=2)
        )
    client.force_login(tenant_a.user(Role.PROFESSIONAL))
    page = client.get(url(tenant_a, "netwerken:professional_dashboard")).content.decode()
    assert "1 nieuw signaal" in page and "1 verbetervoorstel over de datum" in page
    assert url(tenant_a, "matching:signal_list") + "?status=nieuw" in page


# --- the weekly digest ---------------------------------------------------------------------------------------


def test_weekly_digest_has_counts_and_links_no_names_and_goes_once_a_week(
    tenant_a, place, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    area, shopping = place
    for _ in range(5):
        request(tenant_a, category=shopping, area=area, slots="di-ochtend")
    late = request(tenant_a, category=shopping, urgency=HelpRequest.Urgency.URGENT, days_ago=3)
    with scopes_disabled():
        Escalation.objects.create(
            organisation=tenant_a.organisation, help_request=late, reason=f"Te zwaar voor {late.resident.name}"
        )
    detect(tenant_a)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests.delay().get() == 1
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([tenant_a.user(Role.COORDINATOR).email, tenant_a.user(Role.PROFESSIONAL).email])
    body = mail.outbox[0].body
    # The two found now (the fixture's own signal no longer holds: opgelost).
    assert "Deze week zijn er 2 nieuwe signalen" in body
    assert "Terugkerende vraag: 1" in body and "Hulpvraag wacht te lang: 1" in body
    assert "Open bij het wijkteam: 2 opschalingen" in body  # the fixture's and this one
    assert url(tenant_a, "matching:signal_list") in body
    with scopes_disabled():
        residents = list(Resident.objects.filter(organisation=tenant_a.organisation).values_list("name", flat=True))
    staff_and_volunteers = [membership.user.name for membership in tenant_a.members.values()]
    for text in [*residents, *staff_and_volunteers, "Oranjekwartier", late.description]:
        assert text not in body and text not in mail.outbox[0].subject

    # The same week again (a second beat, a retry): nothing more.
    mail.outbox.clear()
    send_weekly_digests.delay()
    with scope(organisation=tenant_a.organisation):
        assert signals.signals_send_digest(organisation=tenant_a.organisation) == 0
    assert mail.outbox == []
    # Next week: a new digest.
    next_week = timezone.now() + datetime.timedelta(days=7)
    assert signals.signals_send_digest(organisation=tenant_a.organisation, now=next_week) == 2
    with scopes_disabled():
        assert OutgoingEmail.objects.filter(organisation=tenant_a.organisation).count() == 4


def test_seed_demo_leaves_a_signal_of_each_kind_and_an_improvement_proposal(db):
    from django.core.management import call_command

    call_command("seed_demo", force=True)
    with scopes_disabled():
        for org in Organisation.objects.filter(kind=Organisation.Kind.PROVIDER):
            kinds = set(Signal.objects.filter(organisation=org).values_list("kind", flat=True))
            # A shrinking pool too: the demo has older help behind its eight weeks.
            assert kinds == set(K.values), org.slug
            proposal = ImprovementProposal.objects.get(organisation=org)
            assert (
                proposal.signal.status == S.PICKED_UP
                and proposal.owner.memberships.get(organisation=org).is_professional
            )


def test_detection_runs_every_morning_and_the_digest_on_monday_morning():
    from django.conf import settings

    from buurthulp.celery import app

    beat = settings.CELERY_BEAT_SCHEDULE
    detect_entry = next(entry for entry in beat.values() if entry["task"] == "matching.tasks.detect_all_signals")
    digest_entry = next(entry for entry in beat.values() if entry["task"] == "matching.tasks.send_weekly_digests")
    assert detect_entry["schedule"].hour == {5} and len(detect_entry["schedule"].day_of_week) == 7
    assert digest_entry["schedule"].day_of_week == {1} and digest_entry["schedule"].hour == {7}
    assert {"matching.tasks.detect_all_signals", "matching.tasks.send_weekly_digests"} <= set(app.tasks)
