"""Suggestions: each criterion moves the ranking the way a coordinator expects, and says why in Dutch."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import scoring, suggestions
from matching.explain import explain
from matching.models import HelpRequest, Match, MatchingSettings, MatchSuggestion, Offer
from matching.tasks import sweep_suggestions
from netwerken import availability
from netwerken.models import Volunteer

from .factories import (
    AreaFactory,
    CategoryFactory,
    HelpRequestFactory,
    MatchFactory,
    OfferFactory,
    ResidentFactory,
    VolunteerFactory,
)

TUESDAY = datetime.date(2030, 1, 1)  # a Tuesday, in the future
assert TUESDAY.weekday() == 1


@pytest.fixture
def world(db):
    """An organisation with an area, a category and a resident, and helpers to add volunteers."""
    from .factories import OrganisationFactory

    org = OrganisationFactory(slug="wijk")
    area = AreaFactory(organisation=org, name="Noord", latitude=52.0200, longitude=5.0400, postcodes=["3401"])
    far_area = AreaFactory(organisation=org, name="Zuid", latitude=52.0560, longitude=5.0400, postcodes=["3409"])
    shopping = CategoryFactory(organisation=org, name="Boodschappen")
    visiting = CategoryFactory(organisation=org, name="Bezoek", requires_vog=True)
    resident = ResidentFactory(
        organisation=org, name="mevrouw De Vries", area=area, latitude=52.0200, longitude=5.0400, postcode="3401 AB"
    )

    class World:
        pass

    w = World()
    w.org, w.area, w.far_area, w.shopping, w.visiting, w.resident = org, area, far_area, shopping, visiting, resident

    def volunteer(name, **kwargs):
        kwargs.setdefault("categories", [shopping])
        kwargs.setdefault("latitude", 52.0254)  # about 600 m north
        kwargs.setdefault("longitude", 5.0400)
        v = VolunteerFactory(organisation=org, **kwargs)
        with scopes_disabled():
            v.membership.user.name = name
            v.membership.user.save()
        return v

    def request(**kwargs):
        kwargs.setdefault("category", shopping)
        kwargs.setdefault("resident", resident)
        kwargs.setdefault("date", TUESDAY)
        kwargs.setdefault("slots", availability.mask_from_codes(["di-middag"]))
        kwargs.setdefault("status", HelpRequest.Status.SEARCHING)
        return HelpRequestFactory(organisation=org, **kwargs)

    w.volunteer, w.request = volunteer, request
    return w


def ranked(world, help_request):
    with scope(organisation=world.org):
        suggestions.compute_for_request(help_request.pk)
        rows = list(
            MatchSuggestion.objects.filter(help_request=help_request).select_related("volunteer__membership__user")
        )
    return [s.volunteer.membership.user.name for s in rows], rows


# --- hard filters ---------------------------------------------------------------------------------


def test_hard_filters_keep_out_who_cannot_help(world):
    today = timezone.localdate()
    world.volunteer("Past")
    world.volunteer("Andere hulp", categories=[world.visiting])
    world.volunteer("Alleen ochtend", availability=availability.mask_from_codes(["di-ochtend"]))
    world.volunteer("Op vakantie", paused_from=today, paused_until=TUESDAY + datetime.timedelta(days=3))
    world.volunteer("Nog niet actief", status=Volunteer.Status.REGISTERED)
    world.volunteer("Te ver", max_distance_km=0.3)
    other_area = world.volunteer("Alleen Zuid")
    with scopes_disabled():
        other_area.areas.set([world.far_area])
    full = world.volunteer("Vol deze maand", max_requests_per_month=1)
    MatchFactory(volunteer=full, help_request=world.request(), status=Match.Status.ACCEPTED)
    names, _rows = ranked(world, world.request())
    assert names == ["Past"]


def test_offer_in_the_category_counts_even_without_the_profile_category(world):
    driver = world.volunteer("Chauffeur", categories=[], availability=0)
    OfferFactory(volunteer=driver, category=world.shopping, availability=availability.mask_from_codes(["di-middag"]))
    names, _rows = ranked(world, world.request())
    assert names == ["Chauffeur"]


def test_vog_is_required_where_the_category_needs_it(world):
    world.volunteer("Zonder VOG", categories=[world.visiting])
    world.volunteer(
        "Verlopen VOG", categories=[world.visiting], vog_seen=True, vog_expires=TUESDAY - datetime.timedelta(days=1)
    )
    world.volunteer(
        "Met VOG", categories=[world.visiting], vog_seen=True, vog_expires=TUESDAY + datetime.timedelta(days=1)
    )
    names, _rows = ranked(world, world.request(category=world.visiting))
    assert names == ["Met VOG"]


def test_who_declined_is_not_suggested_again(world):
    help_request = world.request()
    declined = world.volunteer("Zei nee")
    world.volunteer("Nog niet gevraagd")
    MatchFactory(help_request=help_request, volunteer=declined, status=Match.Status.DECLINED)
    names, _rows = ranked(world, help_request)
    assert names == ["Nog niet gevraagd"]


# --- criteria and ranking ----------------------------------------------------------------------------


def test_nearer_volunteer_ranks_higher(world):
    world.volunteer("Verder weg", latitude=52.0380)
    world.volunteer("Dichtbij", latitude=52.0209)
    names, rows = ranked(world, world.request())
    assert names == ["Dichtbij", "Verder weg"]
    assert explain(rows[0].criteria)[0][0] == "woont 100 m verderop"
    assert explain(rows[1].criteria)[0][0] == "woont 2 km verderop" or explain(rows[1].criteria)[0][0].startswith(
        "woont 2"
    )


def test_language_of_the_resident_counts(world):
    world.volunteer("Alleen Nederlands", languages="nl")
    world.volunteer("Spreekt Arabisch", languages="nl,ar")
    names, rows = ranked(world, world.request(language="ar"))
    assert names == ["Spreekt Arabisch", "Alleen Nederlands"]
    texts = dict(explain(rows[0].criteria))
    assert "spreekt Arabisch" in texts
    assert "spreekt geen Arabisch" in dict(explain(rows[1].criteria))


def test_work_is_spread_over_volunteers(world):
    busy = world.volunteer("Druk bezet", max_requests_per_month=6)
    world.volunteer("Nog niets gedaan", max_requests_per_month=6)
    for _ in range(3):
        MatchFactory(volunteer=busy, help_request=world.request(date=None), status=Match.Status.ACCEPTED)
    names, rows = ranked(world, world.request())
    assert names[0] == "Nog niets gedaan"
    busy_lines = [text for text, _points in explain(rows[1].criteria)]
    assert "heeft deze maand al 3 hulpvragen" in busy_lines


def test_continuity_brings_back_who_helped_this_resident(world):
    world.volunteer("Onbekende")
    earlier = world.volunteer("Kent haar al", latitude=52.0300)
    MatchFactory(
        volunteer=earlier, help_request=world.request(date=None, status="afgerond"), status=Match.Status.CLOSED
    )
    recurring = world.request(kind="terugkerend", recurrence="wekelijks", date=None)
    names, rows = ranked(world, recurring)
    assert names[0] == "Kent haar al"
    assert "hielp deze bewoner eerder" in [text for text, _ in explain(rows[0].criteria)]


def test_availability_fit_prefers_who_covers_more_of_a_recurring_request(world):
    both = availability.mask_from_codes(["di-middag", "do-middag"])
    world.volunteer("Alleen dinsdag", availability=availability.mask_from_codes(["di-middag"]))
    world.volunteer("Dinsdag en donderdag", availability=both)
    names, rows = ranked(world, world.request(kind="terugkerend", recurrence="wekelijks", date=None, slots=both))
    assert names == ["Dinsdag en donderdag", "Alleen dinsdag"]
    assert "beschikbaar op dinsdagmiddag, donderdagmiddag" in [text for text, _ in explain(rows[0].criteria)]


def test_weights_are_the_organisations_to_tune(world):
    world.volunteer("Dichtbij, spreekt geen Turks", latitude=52.0209, languages="nl")
    world.volunteer("Verder, spreekt Turks", latitude=52.0380, languages="nl,tr")
    help_request = world.request(language="tr")
    with scopes_disabled():
        MatchingSettings.objects.create(organisation=world.org, weight_distance=60, weight_language=0)
    assert ranked(world, help_request)[0][0] == "Dichtbij, spreekt geen Turks"
    with scopes_disabled():
        MatchingSettings.objects.filter(organisation=world.org).update(weight_distance=0, weight_language=60)
    assert ranked(world, help_request)[0][0] == "Verder, spreekt Turks"


def test_every_suggestion_explains_each_criterion(world):
    world.volunteer("Past")
    _names, rows = ranked(world, world.request())
    lines = explain(rows[0].criteria)
    assert [c["key"] for c in rows[0].criteria] == [
        "distance",
        "availability",
        "language",
        "load",
        "continuity",
        "recency",
    ]
    assert [text for text, _ in lines] == [
        "woont 600 m verderop",
        "beschikbaar op dinsdagmiddag",
        "spreekt Nederlands",
        "heeft deze maand nog geen hulpvragen",
        "kent deze bewoner nog niet",
        "heeft nog niet eerder geholpen",
    ]
    assert rows[0].score == pytest.approx(sum(points for _text, points in lines), abs=0.5)


def test_suggestion_run_uses_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    help_request = world.request()
    world.volunteer("Een")

    def run():
        with scope(organisation=world.org), CaptureQueriesContext(connection) as queries:
            stored = suggestions.compute_for_request(help_request.pk)
        return stored, len(queries)

    run()  # the first run also creates the settings
    suggestions._tables.clear()  # as in a fresh worker process
    _stored, one_cold = run()
    _stored, one_warm = run()
    for i in range(30):
        v = world.volunteer(f"Vrijwilliger {i}")
        OfferFactory(volunteer=v, category=world.shopping)
        MatchFactory(volunteer=v, help_request=world.request(date=None), status=Match.Status.CLOSED)
    _stored, many_cold = run()  # the new volunteers changed the token: the volunteers are read again
    stored, many_warm = run()
    assert stored == suggestions.TOP_N
    assert many_cold == one_cold <= 10
    assert many_warm == one_warm < one_cold


# --- the volunteers a process keeps: never stale --------------------------------------------------


def _token(org):
    from netwerken.models import VolunteerDataVersion

    row = VolunteerDataVersion.objects.with_scopes_disabled().filter(organisation=org).first()
    return row and row.token


def _sql(statement, params):
    """A write as another process, a bulk update or a database console makes it: no ORM, no signals."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _change(world, what, volunteer):
    """Raw-SQL changes after which `volunteer` no longer fits world.request()."""
    v = volunteer.pk
    day_before = TUESDAY - datetime.timedelta(days=1)
    changes = {
        "status": ("UPDATE netwerken_volunteer SET status = %s WHERE id = %s", ["gestopt", v]),
        "pause": (
            "UPDATE netwerken_volunteer SET paused_from = %s, paused_until = %s WHERE id = %s",
            [timezone.localdate(), TUESDAY, v],
        ),
        "vog": ("UPDATE netwerken_volunteer SET vog_expires = %s WHERE id = %s", [day_before, v]),
        "availability": ("UPDATE netwerken_volunteer SET availability = %s WHERE id = %s", [1, v]),
        "distance": ("UPDATE netwerken_volunteer SET max_distance_km = %s WHERE id = %s", [0.3, v]),
        "coordinates": (
            "UPDATE netwerken_volunteer SET latitude = %s, max_distance_km = %s WHERE id = %s",
            [52.2, 5, v],
        ),
        "monthly maximum": ("UPDATE netwerken_volunteer SET max_requests_per_month = %s WHERE id = %s", [0, v]),
        "category": ("DELETE FROM matching_category_volunteers WHERE volunteer_id = %s", [v]),
        "offer": ("UPDATE matching_offer SET active = %s WHERE volunteer_id = %s", [False, v]),
        "offer gone": ("DELETE FROM matching_offer WHERE volunteer_id = %s", [v]),
        "offer's time": ("UPDATE matching_offer SET availability = %s WHERE volunteer_id = %s", [1, v]),
        "neighbourhood": (
            "INSERT INTO netwerken_volunteer_areas (volunteer_id, area_id) VALUES (%s, %s)",
            [v, world.far_area.pk],
        ),
    }
    return changes[what]


@pytest.mark.parametrize(
    "what",
    [
        "status",
        "pause",
        "vog",
        "availability",
        "distance",
        "coordinates",
        "monthly maximum",
        "category",
        "offer",
        "offer gone",
        "offer's time",
        "neighbourhood",
    ],
)
def test_a_change_made_anywhere_reaches_the_next_suggestion_run(world, what):
    # Each hard filter's fact, changed behind the ORM's back: the process's copy of the volunteers is
    # current only while the database's token is, and every such write changes the token.
    offer_only = what.startswith("offer")
    request = world.request(category=world.visiting) if what == "vog" else world.request()
    kwargs = {"categories": [world.visiting], "vog_seen": True, "vog_expires": TUESDAY} if what == "vog" else {}
    if offer_only:
        kwargs = {"categories": [], "availability": 0}
    volunteer = world.volunteer("Wisselend", **kwargs)
    if offer_only:
        OfferFactory(
            volunteer=volunteer, category=world.shopping, availability=availability.mask_from_codes(["di-middag"])
        )
    world.volunteer(
        "Blijft",
        **(
            {"categories": [world.visiting], "vog_seen": True, "vog_expires": TUESDAY + datetime.timedelta(days=400)}
            if what == "vog"
            else {}
        ),
    )
    assert "Wisselend" in ranked(world, request)[0]
    before = _token(world.org)
    _sql(*_change(world, what, volunteer))
    assert _token(world.org) != before
    assert ranked(world, request)[0] == ["Blijft"]


def test_a_volunteer_who_starts_to_fit_is_suggested_at_once(world):
    request = world.request()
    world.volunteer("Blijft")
    newcomer = world.volunteer("Nieuw", categories=[])
    assert ranked(world, request)[0] == ["Blijft"]
    _sql(
        "INSERT INTO matching_category_volunteers (category_id, volunteer_id) VALUES (%s, %s)",
        [world.shopping.pk, newcomer.pk],
    )
    assert sorted(ranked(world, request)[0]) == ["Blijft", "Nieuw"]


def test_only_what_matching_reads_changes_the_token(world):
    volunteer = world.volunteer("Een")
    offer = OfferFactory(volunteer=volunteer, category=world.shopping)
    with scopes_disabled():
        volunteers = Volunteer.objects.filter(pk=volunteer.pk)
        for column in [*scoring.VOLUNTEER_COLUMNS[1:], "status"]:
            before = _token(world.org)
            field = Volunteer._meta.get_field(column)
            value = {
                "FloatField": 1.5,
                "DecimalField": 7,
                "PositiveIntegerField": 3,
                "PositiveSmallIntegerField": 9,
                "BooleanField": True,
                "DateField": TUESDAY,
                "CharField": "gestopt" if column == "status" else "nl,en",
            }[field.get_internal_type()]
            volunteers.update(**{column: value})
            assert _token(world.org) != before, column
        before = _token(world.org)
        volunteers.update(suggestions_synced_at=timezone.now(), phone="0612345678")
        volunteer.refresh_from_db()
        volunteer.save()  # a save that changes nothing matching reads
        Offer.objects.filter(pk=offer.pk).update(description="Anders verwoord")
        assert _token(world.org) == before
        Offer.objects.filter(pk=offer.pk).update(availability=5)
        assert _token(world.org) != before
        before = _token(world.org)
        volunteer.areas.add(world.area)
        assert _token(world.org) != before
        before = _token(world.org)
        volunteer.categories.clear()
        assert _token(world.org) != before


def test_a_rolled_back_change_never_brings_back_an_old_token(world):
    from django.db import transaction

    volunteer = world.volunteer("Een")
    seen = {_token(world.org)}
    for i in range(3):
        with pytest.raises(RuntimeError), transaction.atomic():
            Volunteer.objects.with_scopes_disabled().filter(pk=volunteer.pk).update(availability=7)
            seen.add(_token(world.org))
            raise RuntimeError
        Volunteer.objects.with_scopes_disabled().filter(pk=volunteer.pk).update(availability=i + 1)
        assert _token(world.org) not in seen
        seen.add(_token(world.org))


def _reference(help_request):
    """The suggestions as the ORM computes them, query by query (what compute_for_request did before it
    kept the volunteers): candidates_for, load_volunteers and recent_matches, in pk order."""
    import numpy as np

    from matching import scoring

    hr = HelpRequest.objects.select_related("category", "resident", "organisation").get(pk=help_request.pk)
    category_index = {hr.category_id: 0}
    area_index = {hr.resident.area_id: 0} if hr.resident.area_id else {}
    queryset = scoring.with_area_flags(suggestions.candidates_for(hr).order_by("pk"), hr.resident.area_id)
    requests = scoring.load_requests([hr], category_index, area_index, hr.organisation)
    matches = scoring.recent_matches(requests.pks, requests.resident, for_request=hr)
    volunteers = scoring.load_volunteers(
        queryset, category_index, area_index, matches, only_categories=[hr.category_id], offering=True
    )
    if not len(volunteers):
        return [], volunteers, matches
    excluded, met = scoring.pair_sets(requests.pks, matches)
    booked = scoring.booked_matrix(requests, volunteers, matches)
    scores = scoring.score(requests, volunteers, suggestions.matching_settings().weights, excluded, met, booked=booked)
    feasible = np.flatnonzero(scores.feasible[0])
    best = feasible[np.argsort(-scores.total[0, feasible], kind="stable")][: suggestions.TOP_N]
    rows = [
        (
            int(volunteers.pks[v]),
            round(float(scores.total[0, v]), 1),
            scoring.criteria_for(scores, requests, volunteers, 0, v),
        )
        for v in best
    ]
    return rows, volunteers, matches


def test_the_kept_volunteers_give_what_the_queries_give(world):
    # A random organisation; every kind of request against it: the same suggestions, scores and
    # explanations as the query-by-query computation, and the same facts about the candidates' matches.
    import random

    from matching import scoring

    rng = random.Random(7)
    categories = [world.shopping, world.visiting]
    slots = [availability.mask_from_codes([code]) for code in ["di-ochtend", "di-middag", "di-avond", "wo-middag"]]
    people = []
    for i in range(45):
        v = world.volunteer(
            f"V{i}",
            categories=rng.sample(categories, rng.randint(0, 2)),
            availability=sum(rng.sample(slots, rng.randint(0, 3))),
            latitude=52.02 + rng.uniform(-0.04, 0.04) if rng.random() < 0.9 else None,
            max_distance_km=rng.choice([None, 1, 3, 10]),
            vog_seen=rng.random() < 0.6,
            vog_expires=TUESDAY + datetime.timedelta(days=rng.randint(-5, 5)),
            max_requests_per_month=rng.randint(1, 3),
            status=rng.choice([Volunteer.Status.ACTIVE] * 5 + [Volunteer.Status.REGISTERED]),
            languages=rng.choice(["nl", "nl,en", "ar"]),
            **(
                {
                    "paused_from": TUESDAY - datetime.timedelta(days=2),
                    "paused_until": TUESDAY + datetime.timedelta(days=rng.randint(-1, 1)),
                }
                if rng.random() < 0.15
                else {}
            ),
        )
        if rng.random() < 0.3:
            OfferFactory(
                volunteer=v, category=rng.choice(categories), availability=rng.choice(slots), active=rng.random() < 0.8
            )
        if rng.random() < 0.3:
            with scopes_disabled():
                v.areas.set(rng.sample([world.area, world.far_area], rng.randint(1, 2)))
        people.append(v)
    other = ResidentFactory(organisation=world.org, area=world.far_area, latitude=52.056, longitude=5.04)
    requests = [
        world.request(),
        world.request(category=world.visiting),
        world.request(date=None),
        world.request(resident=other, slots=slots[2]),
        world.request(kind=HelpRequest.Kind.RECURRING, recurrence="wekelijks", date=None, slots=slots[1] | slots[3]),
        world.request(date=TUESDAY, time_from=datetime.time(14), time_to=datetime.time(15)),
    ]
    now = timezone.now()
    for v in rng.sample(people, 25):
        booked = world.request(
            **rng.choice([{}, {"kind": HelpRequest.Kind.RECURRING, "recurrence": "wekelijks"}]),
            date=rng.choice([TUESDAY, None, TUESDAY + datetime.timedelta(days=7)]),
            slots=rng.choice(slots),
            resident=rng.choice([world.resident, other]),
        )
        MatchFactory(
            volunteer=v,
            help_request=rng.choice([booked, *requests]),
            status=rng.choice(list(Match.Status)),
            proposed_at=now - datetime.timedelta(days=rng.randint(0, 70)),
        )
    with scope(organisation=world.org):
        for help_request in requests:
            expected, volunteers, matches = _reference(help_request)
            suggestions.compute_for_request(help_request.pk)
            stored = [
                (s.volunteer_id, s.score, s.criteria)
                for s in MatchSuggestion.objects.filter(help_request=help_request).order_by("-score", "pk")
            ]
            assert stored == expected
            # The facts, for the candidates (what scoring looks at).
            request, _organisation, _weights, token = suggestions._load_request(help_request.pk)
            table = suggestions.volunteer_table(world.org.pk, token)
            index = table.candidates(request.category_id, request.slots)
            assert table.pks[index].tolist() == volunteers.pks.tolist()
            fresh = scoring.matches_of_one(request, world.org.pk, table.pks[index])
            candidates = set(volunteers.pks.tolist())

            def of_candidates(facts, candidates):
                rows = sorted((row for row in facts.rows if row[0] in candidates), key=lambda row: row[-1])
                return rows, {v: load for v, load in facts.load.items() if v in candidates}

            assert of_candidates(fresh, candidates) == of_candidates(matches, candidates)


# --- when suggestions are (re)computed ----------------------------------------------------------------


def test_searching_computes_suggestions_after_commit(client, world, django_capture_on_commit_callbacks):
    from .factories import MembershipFactory

    world.volunteer("Past")
    help_request = world.request(status=HelpRequest.Status.NEW)
    coordinator = MembershipFactory(organisation=world.org, roles=("coordinator",)).user
    client.force_login(coordinator)
    url = reverse("matching:request_transition", kwargs={"org": "wijk", "help_request": help_request.pk})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url, {"to_status": "zoekend"})
    detail = reverse("matching:request_detail", kwargs={"org": "wijk", "help_request": help_request.pk})
    assert "Suggesties worden berekend" in client.get(detail).content.decode()
    for callback in callbacks:
        callback()
    page = client.get(detail).content.decode()
    assert "Suggesties worden berekend" not in page
    assert "woont 600 m verderop" in page
    fragment = client.get(
        reverse("matching:request_suggestions", kwargs={"org": "wijk", "help_request": help_request.pk})
    )
    assert 'data-state="ready"' in fragment.content.decode()


def test_volunteer_change_updates_the_suggestions_it_affects(world, django_capture_on_commit_callbacks):
    from netwerken import services

    help_request = world.request()
    pausing = world.volunteer("Gaat op vakantie")
    assert ranked(world, help_request)[0] == ["Gaat op vakantie"]
    with django_capture_on_commit_callbacks(execute=True), scope(organisation=world.org):
        services.volunteer_pause(volunteer=pausing, paused_from=timezone.localdate(), paused_until=TUESDAY)
    with scope(organisation=world.org):
        assert not MatchSuggestion.objects.filter(help_request=help_request).exists()
        pausing.refresh_from_db()
    assert pausing.suggestions_synced_at is not None


def test_sweep_redoes_missing_and_stale_suggestions(world, monkeypatch):
    world.volunteer("Past")
    missing = world.request()
    done = world.request()
    with scope(organisation=world.org):
        suggestions.compute_for_request(done.pk)
    Volunteer.objects.with_scopes_disabled().update(suggestions_synced_at=timezone.now())
    computed = []
    monkeypatch.setattr("matching.tasks.compute_suggestions.apply_async", lambda args: computed.append(args[1]))
    assert sweep_suggestions.apply().get() == 1
    assert computed == [missing.pk]
    # A task that was asked for but never ran (lost in a broker outage) is redone later.
    HelpRequest.objects.with_scopes_disabled().filter(pk=done.pk).update(
        suggestions_requested_at=timezone.now() - datetime.timedelta(minutes=10),
        suggestions_computed_at=timezone.now() - datetime.timedelta(minutes=20),
    )
    computed.clear()
    sweep_suggestions.apply().get()
    assert set(computed) == {missing.pk, done.pk}


def test_closed_request_loses_its_suggestions(world):
    help_request = world.request()
    world.volunteer("Past")
    ranked(world, help_request)
    HelpRequest.objects.with_scopes_disabled().filter(pk=help_request.pk).update(status="geannuleerd")
    assert ranked(world, help_request)[0] == []


def test_many_changes_in_one_transaction_queue_one_task(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    from matching.tasks import enqueue_suggestions, enqueue_volunteer_sync

    help_request = world.request()
    volunteer = world.volunteer("Een")
    with django_capture_on_commit_callbacks() as callbacks, scope(organisation=world.org), transaction.atomic():
        for _ in range(5):
            enqueue_suggestions(help_request)
            enqueue_volunteer_sync(volunteer)
    assert len(callbacks) == 2
