"""Matching benchmark: suggestions for one request, and the batch assignment, on a big organisation.

    .venv/bin/python benchmarks/matching.py [--database URL] [--runs 5]

Builds (once; later runs reuse it) an organisation with 10,000 volunteers and 1,000 open requests,
and one with 5,000 volunteers and 1,000 open requests for the batch, in the database it names
(PostgreSQL `buurthulp_bench` by default, created if missing). Prints one JSON line:

- suggest_ms: computing and storing one request's suggestions (median over different requests),
  bare_select_ms: a plain SELECT of the same candidate volunteers' columns, suggest_ratio: the two
  divided (target <= 1.5, bookings included); suggest_cold_ms: the same run when the process has to
  read the organisation's volunteers first (after any change to one of them);
- batch_s: the batch assignment end to end, database to stored proposals (target <= 2 s), with
  its total score beside greedy's;
- queries_per_suggestion_run: the same for a request with few or many candidates.

    .venv/bin/python benchmarks/matching.py --case sync_volunteer [--sync-requests 5000]

A volunteer's change to what matching reads (availability, location, categories), brought into the
suggestions of every open request: builds an organisation with 2,000 volunteers and that many open requests,
all computed, and prints one JSON line: sync_s (the background work of one change, median; target <= 2 s at
5,000 open requests), the queries it took, the requests in the volunteer's reach and how many changed or were
computed in full (a volunteer who falls out of a full list needs the next candidate).
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/buurthulp_bench"


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--batch-volunteers", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--case", choices=["suggest", "sync_volunteer", "grown"], default="suggest")
    parser.add_argument("--grown-requests", type=int, default=2_372)
    parser.add_argument("--grown-volunteers", type=int, default=7_963)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the grown case's child
    parser.add_argument("--sync-requests", type=int, default=5_000)
    parser.add_argument("--sync-volunteers", type=int, default=2_000)
    return parser.parse_args()


def ensure_postgres_database(url):
    if not url.startswith("postgres"):
        return
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def closed_matches(org, requests, volunteers, rng, now):
    """History: a closed match for each of these requests, with a random volunteer, in the last 60 days (load,
    continuity and "last helped" for the score)."""
    from django.utils import timezone

    from matching.models import Match

    Match.objects.bulk_create(
        [
            Match(
                organisation=org,
                help_request=h,
                volunteer=rng.choice(volunteers),
                status="afgesloten",
                proposed_at=now - timezone.timedelta(days=rng.randint(0, 60)),
                deadline=now,
            )
            for h in requests
        ],
        batch_size=2000,
    )


def booking_matches(org, booked, volunteers, rng, now):
    """Bookings: each booked request's match, active ("gekoppeld") or proposed, with a volunteer of its own."""
    from django.utils import timezone

    from matching.models import Match

    chosen = rng.sample(volunteers, len(booked))
    Match.objects.bulk_create(
        [
            Match(
                organisation=org,
                help_request=h,
                volunteer=v,
                status="actief" if h.status == "gekoppeld" else "voorgesteld",
                proposed_at=now - timezone.timedelta(days=rng.randint(0, 90)),
                deadline=now + timezone.timedelta(days=2),
            )
            for h, v in zip(booked, chosen, strict=True)
        ],
        batch_size=2000,
    )


def build(slug, n_volunteers, n_requests, seed):
    """Bulk-creates an organisation of the given size unless it exists. Returns it."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from matching.models import Category, HelpRequest, Offer
    from netwerken import availability
    from netwerken.models import Area, AreaPostcode, Consent, Membership, Organisation, Resident, User, Volunteer

    with scopes_disabled():
        existing = Organisation.objects.filter(slug=slug).first()
        if existing and Volunteer.objects.filter(organisation=existing).count() == n_volunteers:
            return existing
        if existing:
            existing.delete()
        for stale in Organisation.objects.filter(slug__startswith=slug.rsplit("-", 1)[0]).exclude(slug=slug):
            stale.delete()  # an older version of the benchmark's data
        rng = random.Random(seed)
        org = Organisation.objects.create(
            name=f"Benchmark {slug}", slug=slug, municipality="Utrecht", help_type="liefdadigheid", phase="uitvoering"
        )
        centre = (52.09, 5.12)
        areas = [
            Area.objects.create(
                organisation=org, name=f"Wijk {i}", latitude=centre[0] + 0.02 * (i - 2), longitude=centre[1]
            )
            for i in range(5)
        ]
        AreaPostcode.objects.bulk_create(
            [AreaPostcode(organisation=org, area=area, prefix=str(3500 + i)) for i, area in enumerate(areas)]
        )
        categories = [
            Category.objects.create(organisation=org, name=f"Hulp {i}", requires_vog=(i % 4 == 0)) for i in range(9)
        ]
        consent = Consent.objects.create(organisation=org, text="benchmark", method="online")
        users = User.objects.bulk_create(
            [User(email=f"v{i}@{slug}.invalid", name=f"Vrijwilliger {i}", password="!") for i in range(n_volunteers)]
        )
        memberships = Membership.objects.bulk_create(
            [Membership(user=u, organisation=org, is_volunteer=True) for u in users]
        )
        today = timezone.localdate()
        volunteers = Volunteer.objects.bulk_create(
            [
                Volunteer(
                    organisation=org,
                    membership=m,
                    phone="0612345678",
                    postcode="3500 AA",
                    house_number="1",
                    area=rng.choice(areas),
                    latitude=centre[0] + rng.uniform(-0.06, 0.06),
                    longitude=centre[1] + rng.uniform(-0.09, 0.09),
                    max_distance_km=rng.choice([None, 2, 3, 5, 10]),
                    availability=sum(1 << b for b in rng.sample(range(21), rng.randint(3, 12))),
                    languages=rng.choice(["nl", "nl", "nl,en", "nl,ar", "nl,tr"]),
                    max_requests_per_month=rng.randint(1, 6),
                    status="actief",
                    vog_seen=rng.random() < 0.4,
                    vog_expires=today + timezone.timedelta(days=rng.randint(-30, 700)),
                    consent=consent,
                )
                for m in memberships
            ]
        )
        through = Category.volunteers.through
        through.objects.bulk_create(
            [
                through(volunteer_id=v.pk, category_id=c.pk)
                for v in volunteers
                for c in rng.sample(categories, rng.randint(1, 3))
            ],
            batch_size=5000,
        )
        areas_through = Volunteer.areas.through
        areas_through.objects.bulk_create(
            [areas_through(volunteer_id=v.pk, area_id=rng.choice(areas).pk) for v in volunteers if rng.random() < 0.3],
            batch_size=5000,
        )
        Offer.objects.bulk_create(
            [
                Offer(
                    organisation=org,
                    volunteer=v,
                    category=rng.choice(categories),
                    description="Ik help graag",
                    availability=sum(1 << b for b in rng.sample(range(21), 2)),
                )
                for v in volunteers
                if rng.random() < 0.2
            ],
            batch_size=5000,
        )
        residents = Resident.objects.bulk_create(
            [
                Resident(
                    organisation=org,
                    name=f"Bewoner {i}",
                    postcode="3500 AB",
                    house_number=str(i + 1),
                    area=rng.choice(areas),
                    latitude=centre[0] + rng.uniform(-0.05, 0.05),
                    longitude=centre[1] + rng.uniform(-0.08, 0.08),
                )
                for i in range(n_requests)
            ]
        )
        requests = HelpRequest.objects.bulk_create(
            [
                HelpRequest(
                    organisation=org,
                    resident=r,
                    category=rng.choice(categories),
                    description="Benchmark",
                    date=(day := today + timezone.timedelta(days=rng.randint(1, 30))),
                    slots=availability.mask_for_window(day),
                    language=rng.choice(["nl", "nl", "nl", "ar", "tr"]),
                    status="zoekend",
                    consent=consent,
                )
                for r in residents
            ]
        )
        # Some history: closed matches give load, continuity and "last helped".
        old = HelpRequest.objects.bulk_create(
            [
                HelpRequest(
                    organisation=org,
                    resident=rng.choice(residents),
                    category=rng.choice(categories),
                    description="Eerder",
                    status="afgerond",
                    consent=consent,
                )
                for _ in range(n_requests)
            ]
        )
        now = timezone.now()
        closed_matches(org, old, volunteers, rng, now)
        # Bookings: a fifth of the volunteers help someone every week at a fixed time, and some have a
        # proposal waiting for a day this month; they may not be suggested or assigned at those times.
        booked = HelpRequest.objects.bulk_create(
            [
                HelpRequest(
                    organisation=org,
                    resident=rng.choice(residents),
                    category=rng.choice(categories),
                    description="Wekelijks",
                    kind="terugkerend",
                    recurrence="wekelijks",
                    slots=sum(1 << b for b in rng.sample(range(21), rng.randint(1, 2))),
                    status="gekoppeld",
                    consent=consent,
                )
                for _ in range(n_volunteers // 5)
            ]
            + [
                HelpRequest(
                    organisation=org,
                    resident=rng.choice(residents),
                    category=rng.choice(categories),
                    description="Eenmalig",
                    date=(day := today + timezone.timedelta(days=rng.randint(1, 30))),
                    slots=availability.mask_for_window(day),
                    status="voorgesteld",
                    consent=consent,
                )
                for _ in range(n_volunteers // 20)
            ]
        )
        booking_matches(org, booked, volunteers, rng, now)
        assert len(requests) == n_requests
    return org


def median_ms(samples):
    return round(statistics.median(samples) * 1000, 1)


def main():
    args = parse()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurthulp.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    ensure_postgres_database(args.database)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from matching import batch, scoring, suggestions
    from matching.models import BatchRun, HelpRequest

    if args.case == "grown" and args.measure:
        return grown_measure(args)
    call_command("migrate", verbosity=0)
    if args.case == "grown":
        return grown_case(args)
    if args.case == "sync_volunteer":
        return sync_case(args)
    # The slugs name the data's version: a change to build() needs a new one, so reruns rebuild.
    org = build("bench-suggesties-2", args.volunteers, args.requests, seed=1)
    batch_org = build("bench-batch-2", args.batch_volunteers, args.requests, seed=2)
    if connection.vendor == "postgresql":
        # Fresh bulk-loaded tables have no statistics until autovacuum gets to them; without them the
        # planner guesses 21 volunteers where there are 10,000, and both timings measure a bad plan.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    with scope(organisation=org):
        request_ids = list(HelpRequest.objects.filter(status="zoekend").order_by("pk").values_list("pk", flat=True))
        suggestions.matching_settings()
        columns = scoring.VOLUNTEER_COLUMNS
        suggest, bare, candidates, query_counts = [], [], [], set()
        sample = random.Random(3).sample(request_ids, min(len(request_ids), args.runs * 4))
        for pk in [sample[0]] + sample:  # the first run warms caches and is not counted
            help_request = HelpRequest.objects.select_related("category").get(pk=pk)
            started = time.perf_counter()
            rows = list(suggestions.candidates_for(help_request).values_list(*columns))
            bare_time = time.perf_counter() - started
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                suggestions.compute_for_request(pk)
                suggest_time = time.perf_counter() - started
            if not candidates:
                candidates.append(None)  # the warm-up run
                continue
            suggest.append(suggest_time)
            bare.append(bare_time)
            candidates.append(len(rows))
            query_counts.add(len(queries))
        # The same with the process's copy of the volunteers dropped first, as after a change to any
        # volunteer of the organisation (or in a fresh worker): the volunteers are read whole again.
        cold, cold_counts = [], set()
        for pk in sample[: args.runs]:
            suggestions._tables.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                suggestions.compute_for_request(pk)
                cold.append(time.perf_counter() - started)
            cold_counts.add(len(queries))

    with scope(organisation=batch_org):
        batch_times, result = [], None
        for _ in range(max(3, args.runs // 2)):
            run = BatchRun.objects.create(organisation=batch_org)
            started = time.perf_counter()
            batch.run(run.pk)
            batch_times.append(time.perf_counter() - started)
            result = BatchRun.objects.get(pk=run.pk)
        open_count = batch.open_requests().count()
        assigned = result.proposals.count()

    suggest_ms, bare_ms = median_ms(suggest), median_ms(bare)
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "volunteers": args.volunteers,
                "open_requests": args.requests,
                "candidates_median": int(statistics.median([c for c in candidates if c is not None])),
                "suggest_ms": suggest_ms,
                "bare_select_ms": bare_ms,
                "suggest_ratio": round(suggest_ms / bare_ms, 2) if bare_ms else None,
                "queries_per_suggestion_run": sorted(query_counts),
                "suggest_cold_ms": median_ms(cold),
                "queries_per_cold_run": sorted(cold_counts),
                "batch_requests": open_count,
                "batch_volunteers": args.batch_volunteers,
                "batch_s": round(statistics.median(batch_times), 3),
                "batch_assigned": assigned,
                "batch_total_score": result.total_score,
                "greedy_total_score": result.greedy_score,
                "top_k": batch.TOP_K,
                "criteria": list(scoring.CRITERIA),
            }
        )
    )


def sync_case(args):
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope, scopes_disabled

    from matching import suggestions
    from matching.models import HelpRequest
    from netwerken.models import Volunteer

    org = build(f"bench-sync-{args.sync_requests}-1", args.sync_volunteers, args.sync_requests, seed=4)
    with scope(organisation=org):
        open_ids = list(HelpRequest.objects.filter(status="zoekend").values_list("pk", flat=True))
        if HelpRequest.objects.filter(status="zoekend", suggestions_computed_at__isnull=True).exists():
            started = time.perf_counter()
            for pk in open_ids:
                suggestions.compute_for_request(pk)
            print(f"computed {len(open_ids)} requests in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(5)
    with scopes_disabled():
        pks = list(Volunteer.objects.filter(organisation=org, status="actief").values_list("pk", flat=True))
    times, counts, reach, changed, full = [], set(), [], [], []
    real_compute = suggestions._compute_many
    for run in range(args.runs + 1):  # the first run warms caches and is not counted
        with scope(organisation=org):
            volunteer = Volunteer.objects.get(pk=rng.choice(pks))
            # A change matching reads: other times of the week, and a move across the neighbourhood.
            volunteer.availability = sum(1 << b for b in rng.sample(range(21), rng.randint(3, 12)))
            volunteer.latitude = 52.09 + rng.uniform(-0.06, 0.06)
            volunteer.longitude = 5.12 + rng.uniform(-0.09, 0.09)
            volunteer.save(update_fields=["availability", "latitude", "longitude"])
            recomputed = []

            def counting(organisation_id, help_requests, *args, recomputed=recomputed):
                recomputed.extend(help_requests)
                return real_compute(organisation_id, help_requests, *args)

            with (
                mock.patch.object(suggestions, "_compute_many", counting),
                CaptureQueriesContext(connection) as queries,
            ):
                started = time.perf_counter()
                result = suggestions.sync_volunteer_suggestions(volunteer=volunteer)
                elapsed = time.perf_counter() - started
        if run == 0:
            continue
        times.append(elapsed)
        counts.add(len(queries))
        changed.append(result)
        full.append(len(recomputed))
        with scope(organisation=org):
            reach.append(
                HelpRequest.objects.filter(status="zoekend", category__volunteers=volunteer).distinct().count()
            )
    # The worst case: the volunteer suggested most often stops (falls out of every list, each needs its
    # next candidate), and comes back (enters them all again).
    from django.db.models import Count

    from matching.models import MatchSuggestion

    with scope(organisation=org):
        busiest = (
            MatchSuggestion.objects.values("volunteer_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "volunteer_id")
            .first()
        )
        worst = {"lists": busiest["n"]}
        for status in ("gestopt", "actief"):
            volunteer = Volunteer.objects.get(pk=busiest["volunteer_id"])
            volunteer.status = status
            volunteer.save(update_fields=["status"])
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                suggestions.sync_volunteer_suggestions(volunteer=volunteer)
                worst["stop_s" if status == "gestopt" else "return_s"] = round(time.perf_counter() - started, 3)
            worst["stop_queries" if status == "gestopt" else "return_queries"] = len(queries)
    print(
        json.dumps(
            {
                "case": "sync_volunteer",
                "database": connection.vendor,
                "volunteers": args.sync_volunteers,
                "open_requests": len(open_ids),
                "sync_s": round(statistics.median(times), 3),
                "sync_max_s": round(max(times), 3),
                "queries": sorted(counts),
                "requests_in_reach_median": int(statistics.median(reach)),
                "requests_changed_median": int(statistics.median(changed)),
                "requests_computed_in_full": full,
                "busiest_volunteer": worst,
                "runs": args.runs,
            }
        )
    )


GROWN_SLUG = "bench-grown-1"


def build_grown(slug, n_volunteers, n_requests, seed):
    """The grown organisation: a spread of help types, neighbourhoods, times and people like the demo seed's,
    at 7,963 volunteers and 2,372 open requests. Bulk-created once; later runs reuse it."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from matching.models import Category, HelpRequest, Offer
    from netwerken import availability
    from netwerken.models import Area, AreaPostcode, Consent, Membership, Organisation, Resident, User, Volunteer

    with scopes_disabled():
        existing = Organisation.objects.filter(slug=slug).first()
        if existing and Volunteer.objects.filter(organisation=existing).count() == n_volunteers:
            if HelpRequest.objects.filter(organisation=existing, status="zoekend").count() == n_requests:
                return existing
        if existing:
            existing.delete()
        rng = random.Random(seed)
        org = Organisation.objects.create(
            name=f"Benchmark {slug}", slug=slug, municipality="Utrecht", help_type="liefdadigheid", phase="uitvoering"
        )
        centre = (52.09, 5.12)
        # Eight neighbourhoods on a 3 × 3 grid, about 1.5 km apart.
        areas = [
            Area.objects.create(
                organisation=org,
                name=f"Buurt {i}",
                latitude=centre[0] + 0.014 * (i % 3 - 1),
                longitude=centre[1] + 0.022 * (i // 3 - 1),
            )
            for i in range(8)
        ]
        AreaPostcode.objects.bulk_create(
            [AreaPostcode(organisation=org, area=area, prefix=str(3500 + i)) for i, area in enumerate(areas)]
        )
        # The demo's kinds of help, with how often they are asked and offered (visits and paperwork need a VOG).
        names = [
            ("Boodschappen", False, 8),
            ("Vervoer", False, 6),
            ("Klussen", False, 5),
            ("Tuin", False, 3),
            ("Computer en telefoon", False, 4),
            ("Bezoek en gezelschap", True, 6),
            ("Administratie", True, 4),
            ("Wandelen", False, 3),
            ("Hond uitlaten", False, 2),
            ("Koken", False, 2),
        ]
        categories = [Category.objects.create(organisation=org, name=n, requires_vog=vog) for n, vog, _w in names]
        weights = [w for _n, _v, w in names]
        consent = Consent.objects.create(organisation=org, text="benchmark", method="online")
        users = User.objects.bulk_create(
            [User(email=f"v{i}@{slug}.invalid", name=f"Vrijwilliger {i}", password="!") for i in range(n_volunteers)],
            batch_size=2000,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(user=u, organisation=org, is_volunteer=True) for u in users], batch_size=2000
        )
        today = timezone.localdate()

        def near(area, spread=0.008):
            return area.latitude + rng.uniform(-spread, spread), area.longitude + rng.uniform(
                -spread * 1.6, spread * 1.6
            )

        def weekly(low, high):
            return sum(1 << b for b in rng.sample(range(21), rng.randint(low, high)))

        volunteer_rows, chosen_categories, home_areas = [], [], []
        for i, m in enumerate(memberships):
            home = rng.choice(areas)
            lat, lon = near(home)
            picked = []
            while len(picked) < rng.choices([1, 2, 3], weights=[3, 4, 3])[0]:
                c = rng.choices(range(len(categories)), weights=weights)[0]
                if c not in picked:
                    picked.append(c)
            needs_vog = any(categories[c].requires_vog for c in picked)
            paused = rng.random() < 0.07
            start = today + timezone.timedelta(days=rng.randint(-10, 30))
            volunteer_rows.append(
                Volunteer(
                    organisation=org,
                    membership=m,
                    phone="0612345678",
                    postcode="3500 AA",
                    house_number=str(i + 1),
                    area=home,
                    latitude=lat,
                    longitude=lon,
                    max_distance_km=rng.choice([None, None, 1.5, 2, 3, 5]),
                    availability=weekly(3, 12),
                    languages=rng.choice(["nl", "nl", "nl", "nl,en", "nl,ar", "nl,tr", "nl,pl"]),
                    max_requests_per_month=rng.choice([2, 3, 4, 4, 4, 5, 6, 8]),
                    status="actief",
                    vog_seen=needs_vog or rng.random() < 0.3,
                    vog_expires=today + timezone.timedelta(days=rng.randint(-40, 900)),
                    paused_from=start if paused else None,
                    paused_until=start + timezone.timedelta(days=rng.randint(7, 28)) if paused else None,
                    consent=consent,
                )
            )
            chosen_categories.append(picked)
            home_areas.append(home)
        volunteers = Volunteer.objects.bulk_create(volunteer_rows, batch_size=2000)
        through = Category.volunteers.through
        through.objects.bulk_create(
            [
                through(volunteer_id=v.pk, category_id=categories[c].pk)
                for v, picked in zip(volunteers, chosen_categories, strict=True)
                for c in picked
            ],
            batch_size=5000,
        )
        # As in the demo: every volunteer names their own neighbourhood, some one or two more.
        areas_through = Volunteer.areas.through
        areas_through.objects.bulk_create(
            [
                areas_through(volunteer_id=v.pk, area_id=a.pk)
                for v, home in zip(volunteers, home_areas, strict=True)
                for a in [home, *[other for other in areas if other is not home and rng.random() < 0.15]]
            ],
            batch_size=5000,
        )
        Offer.objects.bulk_create(
            [
                Offer(
                    organisation=org,
                    volunteer=v,
                    category=categories[rng.choice(picked)],
                    description="Ik help graag",
                    availability=weekly(1, 3),
                )
                for v, picked in zip(volunteers, chosen_categories, strict=True)
                if rng.random() < 0.5
            ],
            batch_size=5000,
        )
        residents = Resident.objects.bulk_create(
            [
                Resident(
                    organisation=org,
                    name=f"Bewoner {i}",
                    postcode="3500 AB",
                    house_number=str(i + 1),
                    area=(home := rng.choice(areas)),
                    latitude=(spot := near(home, 0.009))[0],
                    longitude=spot[1],
                )
                for i in range(n_requests * 2)
            ],
            batch_size=2000,
        )
        # One in twenty residents has no coordinates (an address the geocoder did not find): area only.
        unplaced = [r.pk for r in residents if rng.random() < 0.05]
        Resident.objects.filter(pk__in=unplaced).update(latitude=None, longitude=None)

        def request(resident, status, description):
            category = rng.choices(categories, weights=weights)[0]
            shape = rng.random()
            fields = {}
            if shape < 0.3:  # weekly, fixed parts of the week
                fields = {"kind": "terugkerend", "recurrence": "wekelijks", "slots": weekly(1, 2)}
            elif shape < 0.38:  # one-off, date still to agree ("in overleg")
                fields = {"kind": "eenmalig", "slots": weekly(2, 6)}
            else:  # one-off on a day in the coming six weeks, half of them at set hours
                day = today + timezone.timedelta(days=rng.randint(1, 42))
                hours = None
                if rng.random() < 0.5:
                    start = rng.randint(9, 19)
                    hours = (
                        timezone.datetime.min.replace(hour=start).time(),
                        timezone.datetime.min.replace(hour=start + rng.randint(1, 3)).time(),
                    )
                fields = {
                    "kind": "eenmalig",
                    "date": day,
                    "time_from": hours[0] if hours else None,
                    "time_to": hours[1] if hours else None,
                    "slots": availability.mask_for_window(day, *(hours or ())),
                }
            return HelpRequest(
                organisation=org,
                resident=resident,
                area=resident.area,
                category=category,
                description=description,
                language=rng.choice(["nl"] * 7 + ["en", "ar", "tr"]),
                status=status,
                consent=consent,
                **fields,
            )

        open_requests = HelpRequest.objects.bulk_create(
            [request(r, "zoekend", "Benchmark") for r in rng.sample(residents, n_requests)], batch_size=2000
        )
        # History: closed matches this month and last give load, continuity and "last helped".
        old = HelpRequest.objects.bulk_create(
            [request(rng.choice(residents), "afgerond", "Eerder") for _ in range(n_requests)], batch_size=2000
        )
        now = timezone.now()
        closed_matches(org, old, volunteers, rng, now)
        # Bookings: a fifth of the volunteers help someone every week, some have a proposal waiting.
        booked = HelpRequest.objects.bulk_create(
            [request(rng.choice(residents), "gekoppeld", "Lopend") for _ in range(n_volunteers // 5)]
            + [request(rng.choice(residents), "voorgesteld", "Voorgesteld") for _ in range(n_volunteers // 20)],
            batch_size=2000,
        )
        booking_matches(org, booked, volunteers, rng, now)
        assert len(open_requests) == n_requests
    return org


def grown_case(args):
    """Builds the grown organisation, then measures one batch run in a fresh process (so its peak memory is the
    run's own, not the build's)."""
    import subprocess

    from django.db import connection

    started = time.perf_counter()
    build_grown(GROWN_SLUG, args.grown_volunteers, args.grown_requests, seed=12)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"organisation ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    command = [sys.executable, __file__, "--case", "grown", "--measure", "--database", args.database]
    command += ["--runs", str(args.runs), "--grown-volunteers", str(args.grown_volunteers)]
    command += ["--grown-requests", str(args.grown_requests)]
    subprocess.run(command, check=True)


def grown_measure(args):
    import resource
    import tracemalloc

    from django.db import connection
    from django_scopes import scope, scopes_disabled

    from matching import batch
    from matching.models import BatchRun
    from netwerken.models import Organisation

    def rss_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    with scopes_disabled():
        org = Organisation.objects.get(slug=GROWN_SLUG)
    with scope(organisation=org):
        open_count = batch.open_requests().count()
        baseline = rss_mb()
        times = []
        for i in range(max(1, args.runs)):
            run = BatchRun.objects.create(organisation=org)
            started = time.perf_counter()
            batch.run(run.pk)
            times.append(time.perf_counter() - started)
            if i == 0:
                rss_delta = rss_mb() - baseline
        result = BatchRun.objects.get(pk=run.pk)
        assigned = result.proposals.count()
        # Once more under tracemalloc (numpy reports its buffers to it): the peak of what one run allocates.
        tracemalloc.start()
        run = BatchRun.objects.create(organisation=org)
        batch.run(run.pk)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(
        json.dumps(
            {
                "case": "grown",
                "database": connection.vendor,
                "open_requests": open_count,
                "volunteers": args.grown_volunteers,
                "batch_first_s": round(times[0], 3),
                "batch_s": round(statistics.median(times), 3),
                "runs": len(times),
                "peak_mb": round(peak / 2**20, 1),
                "rss_delta_mb": round(rss_delta, 1),
                "assigned": assigned,
                "total_score": result.total_score,
                "greedy_score": result.greedy_score,
                "unassigned": len(result.unassigned),
            }
        )
    )


if __name__ == "__main__":
    main()
