"""A volunteer's change: asks for work only when matching reads what changed, and the sync that follows
stores exactly what a full recompute of every request would (issue 12, point 11)."""

import datetime
import random
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from matching import suggestions
from matching.models import Match, MatchSuggestion
from matching.tasks import SUGGESTION_RETRY, sweep_suggestions, sync_volunteer
from netwerken import background
from netwerken.models import Organisation, Volunteer

from .factories import (
    AreaFactory,
    CategoryFactory,
    HelpRequestFactory,
    MatchFactory,
    OfferFactory,
    OrganisationFactory,
    ResidentFactory,
    VolunteerFactory,
)

CENTRE = (52.02, 5.04)


def _near(rng, spread=0.03):
    return CENTRE[0] + rng.uniform(-spread, spread), CENTRE[1] + rng.uniform(-spread, spread)


def _mask(rng, bits):
    return sum(1 << b for b in rng.sample(range(21), bits))


def _match(**fields):
    """A match, unless the request or volunteer already has an active one that forbids it."""
    try:
        with transaction.atomic():
            MatchFactory(**fields)
    except IntegrityError:
        pass


def build(rng, help_type=Organisation.HelpType.CHARITY):
    """A small organisation with random volunteers, requests and matches, every request computed."""
    org = OrganisationFactory(help_type=help_type)
    categories = [CategoryFactory(organisation=org, requires_vog=rng.random() < 0.3) for _ in range(2)]
    areas = [AreaFactory(organisation=org, latitude=CENTRE[0], longitude=CENTRE[1]) for _ in range(2)]
    residents = []
    for _ in range(4):
        lat, lon = _near(rng)
        residents.append(
            ResidentFactory(
                organisation=org, area=rng.choice([*areas, None]), latitude=lat, longitude=lon, postcode="3401 AB"
            )
        )
    volunteers, profiles = [], []
    for _ in range(12):
        lat, lon = _near(rng) if rng.random() < 0.9 else (None, None)
        profile = {
            "categories": rng.sample(categories, rng.randint(0, 2)),
            "latitude": lat,
            "longitude": lon,
            "max_distance_km": rng.choice([None, Decimal("1.5"), Decimal("3"), Decimal("10")]),
            "availability": _mask(rng, rng.randint(2, 15)),
            "languages": rng.choice(["nl", "nl,en", "ar", "nl,tr"]),
            "vog_seen": rng.random() < 0.6,
            "vog_expires": timezone.localdate() + datetime.timedelta(days=rng.randint(-10, 300)),
            "max_requests_per_month": rng.randint(1, 3),
            "status": rng.choice([Volunteer.Status.ACTIVE] * 5 + [Volunteer.Status.INACTIVE]),
        }
        if profiles and rng.random() < 0.3:
            profile = dict(rng.choice(profiles))  # a twin: equal scores, ranked by id
        profiles.append(profile)
        volunteer = VolunteerFactory(
            organisation=org,
            resident=residents[0] if help_type == Organisation.HelpType.MUTUAL and not volunteers else None,
            **profile,
        )
        with scopes_disabled():
            if rng.random() < 0.3:
                volunteer.areas.set(rng.sample(areas, rng.randint(1, 2)))
        if rng.random() < 0.3:
            OfferFactory(volunteer=volunteer, category=rng.choice(categories), availability=_mask(rng, 4))
        volunteers.append(volunteer)
    requests = []
    for _ in range(9):
        kind = rng.choice(["eenmalig", "eenmalig", "terugkerend"])
        day = rng.choice([None, *[timezone.localdate() + datetime.timedelta(days=d) for d in (1, 2, 2)]])
        timed = rng.random() < 0.5
        start = rng.choice([9, 10, 14])
        requests.append(
            HelpRequestFactory(
                organisation=org,
                resident=rng.choice(residents),
                category=rng.choice(categories),
                kind=kind,
                date=day,
                recurrence="wekelijks" if kind == "terugkerend" else "",
                time_from=datetime.time(start) if timed else None,
                time_to=datetime.time(start + rng.randint(1, 3)) if timed else None,
                slots=_mask(rng, rng.randint(2, 8)),
                language=rng.choice(["nl", "en", "ar"]),
                status=rng.choice(["zoekend", "zoekend", "voorgesteld", "afgerond"]),
            )
        )
    for place in range(1, 9):
        _match(
            place=place,
            help_request=rng.choice(requests),
            volunteer=rng.choice(volunteers),
            status=rng.choice(list(Match.Status.values)),
            proposed_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 40)),
        )
    with scope(organisation=org):
        for help_request in requests:
            suggestions.compute_for_request(help_request.pk)
    return org, categories, areas, volunteers, requests


def snapshot(org):
    """Every stored suggestion, per request in the order the pages show them."""
    with scopes_disabled():
        rows = MatchSuggestion.objects.filter(organisation=org)
        result = {}
        for s in rows:
            result.setdefault(s.help_request_id, []).append((s.volunteer_id, s.score, s.sort_score, s.criteria))
    return result


def recompute_all(org, requests):
    with scope(organisation=org):
        for help_request in requests:
            suggestions.compute_for_request(help_request.pk)
    return snapshot(org)


def change(rng, volunteer, categories, areas, requests):
    """One random change to what matching reads of the volunteer (as the services would write it)."""
    what = rng.choice(
        ["categories", "availability", "location", "status", "pause", "distance", "areas", "offer", "match", "vog"]
    )
    with scopes_disabled():
        if what == "categories":
            volunteer.categories.set(rng.sample(categories, rng.randint(0, 2)))
        elif what == "availability":
            volunteer.availability = _mask(rng, rng.randint(0, 21))
        elif what == "location":
            volunteer.latitude, volunteer.longitude = _near(rng, 0.05)
        elif what == "status":
            volunteer.status = rng.choice(list(Volunteer.Status.values))
        elif what == "pause":
            volunteer.paused_from = timezone.localdate()
            volunteer.paused_until = timezone.localdate() + datetime.timedelta(days=rng.randint(0, 5))
        elif what == "distance":
            volunteer.max_distance_km = rng.choice([None, Decimal("0.5"), Decimal("2"), Decimal("20")])
        elif what == "areas":
            volunteer.areas.set(rng.sample(areas, rng.randint(0, 2)))
        elif what == "offer":
            OfferFactory(volunteer=volunteer, category=rng.choice(categories), availability=_mask(rng, 6))
        elif what == "match":
            _match(
                help_request=rng.choice(requests),
                volunteer=volunteer,
                status=rng.choice(list(Match.ACTIVE)),
                place=rng.randint(10, 30000),
            )
        elif what == "vog":
            volunteer.vog_seen = not volunteer.vog_seen
        volunteer.save()
    return what


@pytest.mark.parametrize("seed", range(40))
def test_a_sync_stores_what_a_full_recompute_would(db, monkeypatch, seed):
    # A short list, so lists are full, volunteers enter, leave and push each other out.
    monkeypatch.setattr(suggestions, "TOP_N", rng_top_n := random.Random(seed).choice([2, 3, 4]))
    rng = random.Random(seed)
    help_type = Organisation.HelpType.MUTUAL if seed % 4 == 0 else Organisation.HelpType.CHARITY
    org, categories, areas, volunteers, requests = build(rng, help_type)
    for _ in range(3):
        volunteer = rng.choice(volunteers)
        what = change(rng, volunteer, categories, areas, requests)
        sync_volunteer.apply(args=(org.pk, volunteer.pk)).get()
        synced = snapshot(org)
        assert synced == recompute_all(org, requests), (what, rng_top_n)


def test_the_sync_writes_only_what_changes_and_needs_no_full_recompute_to_enter(db, monkeypatch):
    org = OrganisationFactory()
    category = CategoryFactory(organisation=org)
    resident = ResidentFactory(organisation=org, latitude=CENTRE[0], longitude=CENTRE[1])
    help_request = HelpRequestFactory(organisation=org, resident=resident, category=category, status="zoekend")
    volunteers = [
        VolunteerFactory(organisation=org, categories=[category], latitude=CENTRE[0] + 0.01 * i, longitude=CENTRE[1])
        for i in range(1, 4)
    ]
    newcomer = VolunteerFactory(organisation=org, latitude=CENTRE[0], longitude=CENTRE[1])
    with scope(organisation=org):
        suggestions.compute_for_request(help_request.pk)
    with scopes_disabled():
        newcomer.categories.set([category])  # right next door: first place
    full = mock.patch.object(suggestions, "compute_for_request", wraps=suggestions.compute_for_request)
    with full as computed:
        assert sync_volunteer.apply(args=(org.pk, newcomer.pk)).get() == 1
    computed.assert_not_called()
    assert [row[0] for row in snapshot(org)[help_request.pk]] == [newcomer.pk, *(v.pk for v in volunteers)]
    # The same sync again changes nothing.
    assert sync_volunteer.apply(args=(org.pk, newcomer.pk)).get() == 0


@pytest.mark.parametrize("top_n", [2, 3])
def test_equal_scores_rank_by_volunteer_id_as_a_full_recompute_does(db, monkeypatch, top_n):
    monkeypatch.setattr(suggestions, "TOP_N", top_n)
    org = OrganisationFactory()
    category = CategoryFactory(organisation=org)
    resident = ResidentFactory(organisation=org, latitude=CENTRE[0], longitude=CENTRE[1])
    help_request = HelpRequestFactory(organisation=org, resident=resident, category=category, status="zoekend")
    twins = [
        VolunteerFactory(organisation=org, categories=[category], latitude=CENTRE[0] + 0.01, longitude=CENTRE[1])
        for _ in range(4)
    ]
    with scope(organisation=org):
        suggestions.compute_for_request(help_request.pk)
    assert [row[0] for row in snapshot(org)[help_request.pk]] == [v.pk for v in twins[:top_n]]
    for volunteer in (twins[-1], twins[0], twins[top_n - 1]):
        # A change that leaves their score as it was: nobody moves.
        Volunteer.objects.with_scopes_disabled().filter(pk=volunteer.pk).update(languages="nl,en")
        sync_volunteer.apply(args=(org.pk, volunteer.pk)).get()
        assert [row[0] for row in snapshot(org)[help_request.pk]] == [v.pk for v in twins[:top_n]]
        assert snapshot(org) == recompute_all(org, [help_request])


def _sync_world():
    org = OrganisationFactory()
    category = CategoryFactory(organisation=org)
    resident = ResidentFactory(organisation=org, latitude=CENTRE[0], longitude=CENTRE[1])
    volunteer = VolunteerFactory(organisation=org, categories=[category], latitude=CENTRE[0], longitude=CENTRE[1])
    return org, category, resident, volunteer


def test_a_phone_number_change_asks_for_no_sync(client, db, django_capture_on_commit_callbacks):
    from matching import services

    org, _category, _resident, volunteer = _sync_world()
    with (
        scope(organisation=org),
        mock.patch("matching.tasks.sync_volunteer.apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        volunteer = Volunteer.objects.get(pk=volunteer.pk)
        volunteer.phone = "+31687654321"  # as a bound ModelForm leaves the instance: changed before the save
        services.volunteer_profile_update(volunteer=volunteer, phone="+31687654321", languages=["nl"])
    queued.assert_not_called()
    with scopes_disabled():
        assert Volunteer.objects.get(pk=volunteer.pk).suggestions_requested_at is None


@pytest.mark.parametrize(
    "fields",
    [
        {"categories": "other"},
        {"availability": 7},
        {"postcode": "3409 AA"},
        {"max_distance_km": Decimal("2.5")},
        {"areas": "area"},
        {"languages": ["nl", "en"]},
    ],
    ids=lambda fields: next(iter(fields)),
)
def test_a_change_matching_reads_asks_for_one_sync(db, django_capture_on_commit_callbacks, fields):
    from matching import services

    org, category, _resident, volunteer = _sync_world()
    other, area = CategoryFactory(organisation=org), AreaFactory(organisation=org)
    values = dict(fields)
    if "categories" in values:
        values["categories"] = [category, other]
    if "areas" in values:
        values["areas"] = [area]
    with (
        scope(organisation=org),
        mock.patch("matching.tasks.sync_volunteer.apply_async") as queued,
        mock.patch("netwerken.geo.pdok_lookup", return_value=None),
        django_capture_on_commit_callbacks(execute=True),
    ):
        volunteer = Volunteer.objects.get(pk=volunteer.pk)
        for name, value in values.items():
            if name not in ("categories", "areas", "languages"):
                setattr(volunteer, name, value)  # as a bound ModelForm leaves it
        services.volunteer_profile_update(volunteer=volunteer, phone="+31687654321", **values)
    assert queued.call_count == 1
    assert queued.call_args.kwargs["args"] == (org.pk, volunteer.pk)
    with scopes_disabled():
        assert Volunteer.objects.get(pk=volunteer.pk).suggestions_requested_at is not None


def test_an_offer_whose_description_alone_changes_asks_for_no_sync(db, django_capture_on_commit_callbacks):
    from matching import services

    org, category, _resident, volunteer = _sync_world()
    offer = OfferFactory(volunteer=volunteer, category=category, availability=3)
    with scope(organisation=org), mock.patch("matching.tasks.sync_volunteer.apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            services.offer_save(
                volunteer=volunteer, offer=offer, category=category, description="Anders", availability_mask=3
            )
        assert queued.call_count == 0
        with django_capture_on_commit_callbacks(execute=True):
            services.offer_save(
                volunteer=volunteer, offer=offer, category=category, description="Anders", availability_mask=7
            )
        assert queued.call_count == 1


def test_a_save_without_a_broker_answers_before_the_sync(db, django_capture_on_commit_callbacks):
    """Without a broker (tasks in-process) and TASKS_INLINE off, the sync starts in a thread after the
    commit: the saving request does not run it."""
    from matching import services

    org, category, _resident, volunteer = _sync_world()
    other = CategoryFactory(organisation=org)
    with (
        override_settings(CELERY_TASK_ALWAYS_EAGER=True, TASKS_INLINE=False),
        mock.patch("netwerken.background.threading.Thread") as thread,
        mock.patch("matching.suggestions.sync_volunteer_suggestions") as synced,
        scope(organisation=org),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.volunteer_profile_update(volunteer=volunteer, categories=[category, other])
    synced.assert_not_called()
    thread.assert_called_once()
    assert thread.call_args.kwargs["daemon"] is True
    thread.return_value.start.assert_called_once()
    # The thread's body runs the task and closes its connections.
    with mock.patch("netwerken.background.connections") as connections:
        thread.call_args.kwargs["target"]()
    connections.close_all.assert_called_once()
    with scopes_disabled():
        stored = Volunteer.objects.get(pk=volunteer.pk)
    assert stored.suggestions_requested_at is None and stored.suggestions_synced_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_thread_runs_the_sync_on_its_own_connection():
    org, category, resident, volunteer = _sync_world()
    help_request = HelpRequestFactory(organisation=org, resident=resident, category=category, status="zoekend")
    with scope(organisation=org):
        suggestions.compute_for_request(help_request.pk)
    started = []
    real_thread = background.threading.Thread

    def keep(*args, **kwargs):
        thread = real_thread(*args, **kwargs)
        started.append(thread)
        return thread

    Volunteer.objects.with_scopes_disabled().filter(pk=volunteer.pk).update(status=Volunteer.Status.INACTIVE)
    with (
        override_settings(CELERY_TASK_ALWAYS_EAGER=True, TASKS_INLINE=False),
        mock.patch("netwerken.background.threading.Thread", side_effect=keep),
    ):
        background.enqueue(sync_volunteer, org.pk, volunteer.pk)
    assert len(started) == 1
    started[0].join(10)
    with scopes_disabled():
        assert not MatchSuggestion.objects.filter(help_request=help_request).exists()


def test_a_concurrent_row_ends_as_one_upserted_row(db):
    """A computation (or another sync) wrote the volunteer's row since this sync read the list: the
    upsert makes it this sync's row, one row, no IntegrityError."""
    org, category, resident, volunteer = _sync_world()
    help_request = HelpRequestFactory(organisation=org, resident=resident, category=category, status="zoekend")
    with scope(organisation=org):
        suggestions.compute_for_request(help_request.pk)
    Volunteer.objects.with_scopes_disabled().filter(pk=volunteer.pk).update(availability=3)
    expected = recompute_all(org, [help_request])
    real_bulk_create = MatchSuggestion.objects.bulk_create

    def concurrent_first(rows, **kwargs):
        # The other writer's row lands between this sync's read and its write.
        with scopes_disabled():
            MatchSuggestion.objects.filter(help_request=help_request).delete()
            MatchSuggestion.objects.create(
                organisation=org, help_request=help_request, volunteer=volunteer, score=1, sort_score=1
            )
        return real_bulk_create(rows, **kwargs)

    # The stored list says the volunteer's score changed, so the sync rewrites their row.
    MatchSuggestion.objects.with_scopes_disabled().filter(help_request=help_request).update(score=5, sort_score=5)
    with mock.patch.object(type(MatchSuggestion.objects), "bulk_create", side_effect=concurrent_first):
        sync_volunteer.apply(args=(org.pk, volunteer.pk)).get()
    assert snapshot(org) == expected
    with scopes_disabled():
        assert MatchSuggestion.objects.filter(help_request=help_request, volunteer=volunteer).count() == 1
    # Should a write still collide, the task retries rather than fail.
    assert IntegrityError in SUGGESTION_RETRY["autoretry_for"]
    assert IntegrityError in sync_volunteer.autoretry_for


def test_a_concurrent_computation_does_not_collide_with_a_stored_row(db):
    org, category, resident, volunteer = _sync_world()
    help_request = HelpRequestFactory(organisation=org, resident=resident, category=category, status="zoekend")
    with scope(organisation=org):
        suggestions.compute_for_request(help_request.pk)
        real_store = suggestions._store

        def after_a_sync(organisation_id, help_request_id, rows, started):
            real_store(organisation_id, help_request_id, rows, started)
            real_store(organisation_id, help_request_id, rows, started)  # the same rows once more: upserted

        with mock.patch.object(suggestions, "_store", after_a_sync):
            suggestions.compute_for_request(help_request.pk)
        assert MatchSuggestion.objects.filter(help_request=help_request).count() == 1


def test_a_lost_sync_is_redone_by_the_sweep(db, monkeypatch, django_capture_on_commit_callbacks):
    from matching import services

    org, category, resident, volunteer = _sync_world()
    help_request = HelpRequestFactory(organisation=org, resident=resident, category=category, status="zoekend")
    with scope(organisation=org):
        suggestions.compute_for_request(help_request.pk)
    Volunteer.objects.with_scopes_disabled().update(suggestions_synced_at=timezone.now())
    lost = []
    monkeypatch.setattr("matching.tasks.sync_volunteer.apply_async", lambda args: lost.append(args))
    monkeypatch.setattr("matching.tasks.compute_suggestions.apply_async", lambda args: None)
    with scope(organisation=org), django_capture_on_commit_callbacks(execute=True):
        services.volunteer_profile_update(volunteer=volunteer, availability=0)  # no longer free then
    assert lost == [(org.pk, volunteer.pk)]
    assert sweep_suggestions.apply().get() == 0, "asked for a moment ago: its task may still come"
    Volunteer.objects.with_scopes_disabled().update(
        suggestions_requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    redone = []
    monkeypatch.setattr("matching.tasks.sync_volunteer.apply_async", lambda args: redone.append(args))
    assert sweep_suggestions.apply().get() == 1
    assert redone == [(org.pk, volunteer.pk)]
    sync_volunteer.apply(args=redone[0]).get()
    with scopes_disabled():
        stored = Volunteer.objects.get(pk=volunteer.pk)
        assert stored.suggestions_requested_at is None
        assert not MatchSuggestion.objects.filter(help_request=help_request).exists()
    assert sweep_suggestions.apply().get() == 0
    # A phone number saved later asks for nothing, and the sweep finds nothing to redo.
    with scope(organisation=org), django_capture_on_commit_callbacks(execute=True):
        services.volunteer_profile_update(volunteer=stored, phone="+31600000001")
    assert sweep_suggestions.apply().get() == 0


@pytest.mark.parametrize("mutual", [False, True], ids=["charity", "mutual"])
def test_the_sync_takes_the_same_queries_for_10_and_60_requests(db, django_assert_num_queries, mutual):
    counts = []
    for n in (10, 60):
        org = OrganisationFactory(help_type=Organisation.HelpType.MUTUAL if mutual else Organisation.HelpType.CHARITY)
        category = CategoryFactory(organisation=org)
        others = [
            VolunteerFactory(organisation=org, categories=[category], latitude=CENTRE[0], longitude=CENTRE[1] + d)
            for d in (0.001, 0.002)
        ]
        volunteer = VolunteerFactory(
            organisation=org,
            categories=[category],
            latitude=CENTRE[0] + 0.02,
            longitude=CENTRE[1],
            resident=ResidentFactory(organisation=org) if mutual else None,
        )
        requests = [
            HelpRequestFactory(
                organisation=org,
                category=category,
                status="zoekend",
                resident=ResidentFactory(organisation=org, latitude=CENTRE[0], longitude=CENTRE[1]),
            )
            for _ in range(n)
        ]
        MatchFactory(help_request=requests[0], volunteer=others[0], status=Match.Status.ACCEPTED)
        with scope(organisation=org):
            for help_request in requests:
                suggestions.compute_for_request(help_request.pk)
        Volunteer.objects.with_scopes_disabled().filter(pk=volunteer.pk).update(latitude=CENTRE[0], longitude=CENTRE[1])
        with scope(organisation=org):
            volunteer = Volunteer.objects.get(pk=volunteer.pk)
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert suggestions.sync_volunteer_suggestions(volunteer=volunteer) == n  # moves up everywhere
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 14
