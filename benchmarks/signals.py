"""Signals benchmark: the daily signal task on an organisation with 100,000 requests.

    .venv/bin/python benchmarks/signals.py [--database URL] [--runs 3]

Builds (once; later runs reuse it) an organisation with 100,000 requests spread over the last year
(bulk_create: 30,000 residents in 150 neighbourhoods, a fifth of them located by coordinates only,
nine kinds of help, day parts, free text from a large vocabulary, matches, contact moments and 3,000
volunteers), with a few planted clusters: three of place and week part, two of similar words. In the
database it names (PostgreSQL `buurthulp_bench` by default, created if missing), ANALYZEd. Prints one
JSON line:

- detect_s: `signals_detect` from no signals at all (every signal raised), median over the runs;
- rerun_s: the same run again with the signals in place (updated, none raised twice);
- signals: how many it found, by kind, and whether every planted cluster was among them.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/buurthulp_bench"
# The slug names the data's version: a change to build() needs a new one, so reruns rebuild.
SLUG = "bench-signalen-1"

SYLLABLES = [c + v for c in "bdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "aa", "ee", "oo", "ie", "ou")]
PLANTED_PLACES = [("Hulp 0", 3, "di-ochtend", 9), ("Hulp 4", 17, "vr-middag", 7), ("Hulp 7", 60, "za-ochtend", 12)]
PLANTED_TEXTS = [("Hulp 2", "samen naar de markt", 8), ("Hulp 5", "rollator repareren", 6)]


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
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


def build(n_requests, seed=8):
    """Bulk-creates the organisation unless it exists at this size. Returns it."""
    import datetime

    from django.utils import timezone
    from django_scopes import scopes_disabled

    from matching.models import Category, ContactLog, HelpRequest, Match
    from netwerken import availability
    from netwerken.models import Area, Consent, Membership, Organisation, Resident, User, Volunteer

    with scopes_disabled():
        existing = Organisation.objects.filter(slug=SLUG).first()
        if existing and HelpRequest.objects.filter(organisation=existing).count() == n_requests:
            return existing
        for stale in Organisation.objects.filter(slug__startswith=SLUG.rsplit("-", 1)[0]):
            # An older version (or size) of the benchmark's data: what protects its rows goes first.
            for model in (HelpRequest, Volunteer, Category):
                model.objects.filter(organisation=stale).delete()
            User.objects.filter(email__endswith=f"@{stale.slug}.invalid").delete()
            stale.delete()
        rng = random.Random(seed)
        now = timezone.now()
        org = Organisation.objects.create(
            name="Benchmark signalen", slug=SLUG, municipality="Utrecht", help_type="liefdadigheid", phase="uitvoering"
        )
        centre = (52.09, 5.12)
        areas = Area.objects.bulk_create(
            [
                Area(
                    organisation=org,
                    name=f"Buurt {i}",
                    latitude=centre[0] + 0.012 * (i // 12 - 6),
                    longitude=centre[1] + 0.02 * (i % 12 - 6),
                )
                for i in range(150)
            ]
        )
        categories = [
            Category.objects.create(organisation=org, name=f"Hulp {i}", requires_vog=(i % 4 == 0)) for i in range(9)
        ]
        by_name = {category.name: category for category in categories}
        consent = Consent.objects.create(organisation=org, text="benchmark", method="online")

        users = User.objects.bulk_create(
            [User(email=f"v{i}@{SLUG}.invalid", name=f"Vrijwilliger {i}", password="!") for i in range(3000)],
            batch_size=2000,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(user=u, organisation=org, is_volunteer=True) for u in users], batch_size=2000
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
                    availability=availability.ALL,
                    status="actief" if rng.random() < 0.85 else "gestopt",
                    activated_at=now - datetime.timedelta(days=rng.randint(30, 900)),
                    vog_seen=rng.random() < 0.5,
                    vog_expires=today + datetime.timedelta(days=rng.randint(-60, 900)),
                    consent=consent,
                )
                for m in memberships
            ],
            batch_size=2000,
        )
        through = Category.volunteers.through
        through.objects.bulk_create(
            [through(volunteer_id=v.pk, category_id=c.pk) for v in volunteers for c in rng.sample(categories, 2)],
            batch_size=5000,
        )

        def point(area):
            return area.latitude + rng.uniform(-0.004, 0.004), area.longitude + rng.uniform(-0.006, 0.006)

        residents = []
        for i in range(30_000):
            area = rng.choice(areas)
            lat, lon = point(area)
            # A fifth are located by their coordinates only (a postcode no neighbourhood holds).
            residents.append(
                Resident(
                    organisation=org,
                    name=f"Bewoner {i}",
                    postcode=f"35{i % 100:02d} AB",
                    house_number=str(i + 1),
                    area=None if rng.random() < 0.2 else area,
                    latitude=lat,
                    longitude=lon,
                )
            )
        residents = Resident.objects.bulk_create(residents, batch_size=5000)
        vocabulary = list({"".join(rng.sample(SYLLABLES, 3)) for _ in range(60_000)})
        codes = [code for code, _day, _part in availability.SLOTS]

        def slots():
            if rng.random() < 0.35:
                return availability.ALL  # any time
            first = rng.randrange(21)
            return availability.mask_from_codes({codes[first], codes[min(20, first + rng.randint(0, 1))]})

        def status(age_days):
            if age_days > 28:
                return "afgerond" if rng.random() < 0.85 else ("geannuleerd" if rng.random() < 0.98 else "zoekend")
            return rng.choice(["nieuw", "zoekend", "voorgesteld", "gekoppeld", "afgerond", "afgerond"])

        rows = []
        for _ in range(n_requests):
            age = rng.uniform(0, 365)
            rows.append(
                HelpRequest(
                    organisation=org,
                    resident=rng.choice(residents),
                    category=rng.choice(categories),
                    description=" ".join(rng.sample(vocabulary, 3)) + " graag hulp",
                    slots=slots(),
                    urgency=rng.choice([1, 2, 2, 2, 3, 4]),
                    status=status(age),
                    created_at=now - datetime.timedelta(days=age),
                    consent=consent,
                )
            )
        # The planted clusters, in the last weeks: different residents, each a request of its own.
        spare = iter(rng.sample(residents, 200))
        for name, area_index, code, count in PLANTED_PLACES:
            for _ in range(count):
                resident = next(spare)
                rows.append(
                    HelpRequest(
                        organisation=org,
                        resident=resident,
                        category=by_name[name],
                        area=areas[area_index],
                        description=" ".join(rng.sample(vocabulary, 3)),
                        slots=availability.mask_from_codes([code]),
                        status="afgerond",
                        created_at=now - datetime.timedelta(days=rng.uniform(1, 50)),
                        consent=consent,
                    )
                )
        for name, words, count in PLANTED_TEXTS:
            for _ in range(count):
                rows.append(
                    HelpRequest(
                        organisation=org,
                        resident=next(spare),
                        category=by_name[name],
                        description=f"{words} {rng.choice(vocabulary)}",
                        slots=availability.mask_from_codes([rng.choice(codes)]),
                        status="afgerond",
                        created_at=now - datetime.timedelta(days=rng.uniform(1, 50)),
                        consent=consent,
                    )
                )
        rng.shuffle(rows)
        rows = rows[:n_requests]
        for help_request in rows:
            if help_request.area_id is None and help_request.resident.area_id is not None:
                help_request.area_id = help_request.resident.area_id
        requests = HelpRequest.objects.bulk_create(rows, batch_size=5000)

        matches, logs = [], []
        active = [v for v in volunteers if v.status == "actief"]
        for help_request in requests:
            if help_request.status not in ("afgerond", "gekoppeld", "voorgesteld", "zoekend"):
                continue
            proposed = help_request.created_at + datetime.timedelta(hours=rng.randint(2, 72))
            if proposed > now:
                continue
            deadline = proposed + datetime.timedelta(hours=48)
            if rng.random() < 0.15:  # someone said no first
                matches.append(
                    Match(
                        organisation=org,
                        help_request=help_request,
                        volunteer=rng.choice(active),
                        status=rng.choice(["afgewezen", "verlopen"]),
                        proposed_at=proposed,
                        deadline=deadline,
                    )
                )
            if help_request.status in ("afgerond", "gekoppeld"):
                matches.append(
                    Match(
                        organisation=org,
                        help_request=help_request,
                        volunteer=rng.choice(active),
                        status="afgesloten" if help_request.status == "afgerond" else "actief",
                        proposed_at=proposed,
                        responded_at=proposed + datetime.timedelta(hours=5),
                        deadline=deadline,
                        closed_at=proposed + datetime.timedelta(days=7) if help_request.status == "afgerond" else None,
                    )
                )
            elif help_request.status == "voorgesteld" and deadline > now:
                matches.append(
                    Match(
                        organisation=org,
                        help_request=help_request,
                        volunteer=rng.choice(active),
                        proposed_at=proposed,
                        deadline=deadline,
                    )
                )
        matches = Match.objects.bulk_create(matches, batch_size=5000)
        for match in matches:
            if match.status in ("actief", "afgesloten"):
                for day in range(rng.randint(1, 2)):
                    date = (match.responded_at + datetime.timedelta(days=day)).date()
                    if date <= today:
                        logs.append(
                            ContactLog(organisation=org, match=match, date=date, minutes=rng.choice([30, 60, 90]))
                        )
        ContactLog.objects.bulk_create(logs, batch_size=5000)
    return org


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
    from django_scopes import scope

    from matching import signals
    from matching.models import Signal

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    org = build(args.requests)
    built_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    detect, rerun, counts = [], [], None
    for _ in range(args.runs):
        with scope(organisation=org):
            Signal.objects.all().delete()
        started = time.perf_counter()
        counts = signals.signals_detect(organisation=org)
        detect.append(time.perf_counter() - started)
        started = time.perf_counter()
        again = signals.signals_detect(organisation=org)
        rerun.append(time.perf_counter() - started)
        assert again["created"] == 0, again

    with scope(organisation=org):
        kinds = Counter(Signal.objects.values_list("kind", flat=True))
        recurring = list(Signal.objects.filter(kind=Signal.Kind.RECURRING).values_list("facts", flat=True))
    planted_places = {(name, f"Buurt {area}", code) for name, area, code, _count in PLANTED_PLACES}
    found_places = {(f.get("category"), f.get("place"), f.get("week_part")) for f in recurring}
    planted_words = {(name, words.split()[-1]) for name, words, _count in PLANTED_TEXTS}
    found_words = {(f.get("category"), word) for f in recurring for word in f.get("words", [])}
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "requests": args.requests,
                "built_s": round(built_s, 1),
                "detect_s": round(statistics.median(detect), 2),
                "rerun_s": round(statistics.median(rerun), 2),
                "signals": counts["found"],
                "by_kind": dict(sorted(kinds.items())),
                "planted_found": planted_places <= found_places and planted_words <= found_words,
            }
        )
    )


if __name__ == "__main__":
    main()
