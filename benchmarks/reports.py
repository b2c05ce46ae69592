"""Reports benchmark: a year's funder report (figures, PDF, spreadsheet, CSV) of an organisation with 100,000 requests.

    .venv/bin/python benchmarks/reports.py [--database URL] [--runs 3]

Builds (once; later runs reuse it) an organisation with a year (2025) of 100,000 requests and, for the
previous cycle, 20,000 in 2024 (bulk_create: 30,000 residents in 40 neighbourhoods, twelve kinds of help,
3,000 volunteers; matches, some declined first; contact moments; the status history of every request
that was closed; escalations to the wijkteam, take-overs and referrals to the social map; signals picked
up; satisfaction answers). There are no activities: netwerken has no model for them yet (the networks
issue adds them), so the benchmark has none. On top of that data the evaluation: the cycle "Jaar 2024",
closed (its figures frozen), and the running cycle "Jaar 2025" with every catalogue indicator and a
target for each, a manual indicator, survey answers of residents and volunteers, an approved story and
improvement actions (open ones carried over from 2024). A second, small organisation (1,000 requests,
5 neighbourhoods, 4 kinds of help) gets the same evaluation. All in the database it names (PostgreSQL
`buurthulp_bench` by default, created if missing), ANALYZEd.

Each run measures, in a fresh process (a subprocess of this script; the build runs in another, so that
its memory does not count): the figures document of "Jaar 2025" (`evaluatie.selectors.cycle_document`,
computed live from the data), then what the Celery build renders from it: the report page's part (its
charts as SVG), the PDF, the spreadsheet and the CSV. Prints one JSON line:

- figures_s, import_s (evaluatie.reports: matplotlib), html_s, pdf_s (xhtml2pdf's import included), xlsx_s,
  csv_s, total_s (all of them; target <= 15 s): medians over the runs;
- peak_mb: the measuring process's peak resident memory (ru_maxrss), the highest of the runs
  (target <= 500 MB);
- queries / queries_small: the figures document's query count on the big and the small organisation,
  and queries_constant: whether they are the same.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/buurthulp_bench"
# The version names the data: a change to build() needs a new one, so reruns rebuild.
VERSION = 1
BIG = f"bench-rapport-groot-{VERSION}"
SMALL = f"bench-rapport-klein-{VERSION}"
YEAR = 2025
CYCLE, PREVIOUS = f"Jaar {YEAR}", f"Jaar {YEAR - 1}"
# Targets per catalogue indicator, as a share of the year's requests (a number: an absolute target).
TARGETS = {
    "requests_in": 1.0,
    "requests_handled": 0.85,
    "matches": 0.9,
    "contact_moments": 1.8,
    "hours": 1.8,
    "residents_reached": 0.28,
    "residents_new": 0.05,
    "residents_returning": 0.25,
    "volunteers_active": 0.028,
    "volunteers_retained": 0.025,
    "escalations": 0.04,
    "takeovers": 0.02,
    "referrals_out": 0.008,
    "referrals_in": 0.1,
    "signals_picked_up": 25,
    "waiting_days": 1.5,
    "satisfaction_residents": 4,
    "satisfaction_volunteers": 4,
}


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    # Internal: the child processes that build, and that measure (slugs of the big and the small organisation).
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=2, metavar=("BIG", "SMALL"), help=argparse.SUPPRESS)
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


def setup(database):
    ensure_postgres_database(database)
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurthulp.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    import django

    django.setup()


def analyze():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _delete_stale(slug):
    """Removes every older version (or size) of the organisation `slug` stands for: what protects its rows first."""
    from django_scopes import scopes_disabled

    from matching.models import Category, HelpRequest
    from netwerken.models import Organisation, User, Volunteer

    with scopes_disabled():
        for stale in Organisation.objects.filter(slug__startswith=slug.rsplit("-", 1)[0]):
            for model in (HelpRequest, Volunteer, Category):
                model.objects.filter(organisation=stale).delete()
            User.objects.filter(email__endswith=f"@{stale.slug}.invalid").delete()
            stale.delete()


def build(slug, *, n_requests, n_areas, n_categories, seed):
    """Bulk-creates the organisation with its year of data and its two cycles unless it exists at this size."""
    import datetime

    from django.db.models import OuterRef, Subquery
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from evaluatie import services
    from evaluatie.models import EvaluationCycle, SurveyResponse
    from matching.models import (
        Category,
        ContactLog,
        Escalation,
        HelpRequest,
        Match,
        Referral,
        SatisfactionResponse,
        Signal,
        SocialMapEntry,
        StatusChange,
    )
    from netwerken import availability
    from netwerken.models import Area, Consent, Membership, Organisation, Resident, User, Volunteer

    n_previous = n_requests // 5
    with scopes_disabled():
        existing = Organisation.objects.filter(slug=slug).first()
        if (
            existing
            and HelpRequest.objects.filter(organisation=existing).count() == n_requests + n_previous
            and EvaluationCycle.objects.filter(organisation=existing, name=CYCLE).exists()
        ):
            return existing
    _delete_stale(slug)
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    H = Match.Status
    with scopes_disabled():
        org = Organisation.objects.create(
            name=f"Buurthulp Benchmark {'Groot' if slug == BIG else 'Klein'}",
            slug=slug,
            municipality="Utrecht",
            help_type="liefdadigheid",
            phase="uitvoering",
        )
        areas = Area.objects.bulk_create(
            [
                Area(organisation=org, name=f"Buurt {i + 1}", latitude=52.09 + 0.01 * i, longitude=5.12)
                for i in range(n_areas)
            ]
        )
        categories = Category.objects.bulk_create(
            [Category(organisation=org, name=f"Soort hulp {i + 1}") for i in range(n_categories)]
        )
        consent = Consent.objects.create(organisation=org, text="benchmark", method="online")
        entries = SocialMapEntry.objects.bulk_create(
            [SocialMapEntry(organisation=org, name=f"Zorgaanbieder {i + 1}", kind="thuiszorg") for i in range(8)]
        )
        staff = User.objects.bulk_create(
            [
                User(email=f"beheerder@{slug}.invalid", name="Beheerder", password="!"),
                User(email=f"coordinator@{slug}.invalid", name="Coördinator", password="!"),
                User(email=f"wijkteam@{slug}.invalid", name="Professional", password="!"),
            ]
        )
        admin, coordinator, professional = staff
        Membership.objects.bulk_create(
            [
                Membership(user=admin, organisation=org, is_org_admin=True),
                Membership(user=coordinator, organisation=org, is_coordinator=True),
                Membership(user=professional, organisation=org, is_professional=True),
            ]
        )
        n_volunteers = max(50, n_requests * 3 // 100)
        users = User.objects.bulk_create(
            [User(email=f"v{i}@{slug}.invalid", name=f"Vrijwilliger {i}", password="!") for i in range(n_volunteers)],
            batch_size=2000,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(user=u, organisation=org, is_volunteer=True) for u in users], batch_size=2000
        )
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
                    status="actief",
                    activated_at=datetime.datetime(YEAR - 2, 6, 1, tzinfo=tz),
                    consent=consent,
                )
                for m in memberships
            ],
            batch_size=2000,
        )
        residents = Resident.objects.bulk_create(
            [
                Resident(
                    organisation=org,
                    name=f"Bewoner {i}",
                    postcode="3500 AB",
                    house_number=str(i + 1),
                    area=rng.choice(areas) if rng.random() < 0.95 else None,
                )
                for i in range(max(100, n_requests * 3 // 10))
            ],
            batch_size=5000,
        )

        # The requests: 2025 in full, and a fifth as many in 2024 (the previous cycle's, and who returns).
        def moment(year):
            start = datetime.datetime(year, 1, 1, tzinfo=tz)
            return start + datetime.timedelta(seconds=rng.uniform(0, 365 * 86400 - 1))

        def status():
            draw = rng.random()
            if draw < 0.82:
                return HelpRequest.Status.DONE
            if draw < 0.90:
                return HelpRequest.Status.CANCELLED
            if draw < 0.94:
                return HelpRequest.Status.ESCALATED
            if draw < 0.98:
                return HelpRequest.Status.MATCHED
            return HelpRequest.Status.SEARCHING

        channels = ["telefoon"] * 5 + ["online"] * 4 + ["wijkteam"]
        rows = []
        for year, count in ((YEAR - 1, n_previous), (YEAR, n_requests)):
            for _ in range(count):
                resident = rng.choice(residents)
                rows.append(
                    HelpRequest(
                        organisation=org,
                        resident=resident,
                        category=rng.choice(categories),
                        area_id=resident.area_id,
                        description="Benchmark",
                        channel=rng.choice(channels),
                        status=status(),
                        created_at=moment(year),
                        consent=consent,
                    )
                )
        requests = HelpRequest.objects.bulk_create(rows, batch_size=5000)

        matches, changes, escalations = [], [], []
        for help_request in requests:
            if help_request.status in (HelpRequest.Status.CANCELLED, HelpRequest.Status.SEARCHING):
                continue
            proposed = help_request.created_at + datetime.timedelta(hours=rng.uniform(1, 120))
            volunteer = rng.choice(volunteers)
            if rng.random() < 0.15:  # someone said no first
                matches.append(
                    Match(
                        organisation=org,
                        help_request=help_request,
                        volunteer=rng.choice(volunteers),
                        status=rng.choice([H.DECLINED, H.EXPIRED]),
                        proposed_at=proposed,
                        responded_at=proposed + datetime.timedelta(hours=6),
                        deadline=proposed + datetime.timedelta(hours=48),
                    )
                )
                proposed += datetime.timedelta(hours=rng.uniform(6, 48))
            responded = proposed + datetime.timedelta(hours=rng.uniform(1, 30))
            closed = responded + datetime.timedelta(days=rng.uniform(1, 21))
            match_status = {
                HelpRequest.Status.DONE: H.CLOSED,
                HelpRequest.Status.MATCHED: H.ACCEPTED,
                HelpRequest.Status.ESCALATED: H.ENDED,
            }[help_request.status]
            matches.append(
                Match(
                    organisation=org,
                    help_request=help_request,
                    volunteer=volunteer,
                    status=match_status,
                    proposed_at=proposed,
                    responded_at=responded,
                    deadline=proposed + datetime.timedelta(hours=48),
                    closed_at=None if match_status == H.ACCEPTED else closed,
                )
            )
            if help_request.status == HelpRequest.Status.DONE:
                changes.append(
                    StatusChange(
                        organisation=org,
                        help_request=help_request,
                        from_status=HelpRequest.Status.MATCHED,
                        to_status=HelpRequest.Status.DONE,
                        at=closed,
                    )
                )
            if help_request.status == HelpRequest.Status.ESCALATED:
                escalated = closed
                taken = rng.random() < 0.5
                escalations.append(
                    Escalation(
                        organisation=org,
                        help_request=help_request,
                        status=Escalation.Status.TAKEN if taken else Escalation.Status.WAITING,
                        reason="Te zwaar voor een vrijwilliger",
                        escalated_at=escalated,
                        professional=professional if taken else None,
                        taken_at=escalated + datetime.timedelta(days=rng.uniform(0.5, 5)) if taken else None,
                    )
                )
        matches = Match.objects.bulk_create(matches, batch_size=5000)
        StatusChange.objects.bulk_create(changes, batch_size=5000)
        escalations = Escalation.objects.bulk_create(escalations, batch_size=5000)
        Referral.objects.bulk_create(
            [
                Referral(
                    organisation=org,
                    escalation=escalation,
                    entry=rng.choice(entries),
                    at=escalation.taken_at + datetime.timedelta(days=rng.uniform(1, 10)),
                )
                for escalation in escalations
                if escalation.taken_at is not None and rng.random() < 0.4
            ],
            batch_size=5000,
        )

        logs, answers = [], []
        for match in matches:
            if match.status not in (H.ACCEPTED, H.CLOSED, H.ENDED):
                continue
            end = match.closed_at or match.responded_at + datetime.timedelta(days=60)
            span = (end - match.responded_at).total_seconds()
            for _ in range(rng.choice([1, 1, 2, 2, 2, 3])):
                day = (match.responded_at + datetime.timedelta(seconds=rng.uniform(0, span))).astimezone(tz).date()
                logs.append(ContactLog(organisation=org, match=match, date=day, minutes=rng.choice([30, 60, 60, 90])))
            if match.status == H.CLOSED:
                if rng.random() < 0.25:
                    answers.append(
                        SatisfactionResponse(
                            organisation=org,
                            match=match,
                            respondent="bewoner",
                            helped=rng.choice([3, 4, 4, 5, 5]),
                            would_again=True,
                        )
                    )
                if rng.random() < 0.15:
                    answers.append(
                        SatisfactionResponse(
                            organisation=org,
                            match=match,
                            respondent="vrijwilliger",
                            helped=rng.choice([2, 3, 4, 4, 5]),
                            would_again=rng.random() < 0.9,
                        )
                    )
        ContactLog.objects.bulk_create(logs, batch_size=5000)
        SatisfactionResponse.objects.bulk_create(answers, batch_size=5000)
        # created_at is auto_now_add: an answer is given when its match closed.
        SatisfactionResponse.objects.filter(organisation=org).update(
            created_at=Subquery(Match.objects.filter(pk=OuterRef("match_id")).values("closed_at")[:1])
        )
        Signal.objects.bulk_create(
            [
                Signal(
                    organisation=org,
                    kind=Signal.Kind.RECURRING,
                    key=f"benchmark-{i}",
                    status=rng.choice([Signal.Status.PICKED_UP, Signal.Status.ACTIVITY, Signal.Status.NEW]),
                    status_at=moment(rng.choice([YEAR - 1, YEAR])),
                )
                for i in range(60)
            ]
        )

    # Statistics before the cycles: closing one computes every figure, and on tables the planner has never
    # seen it picks plans that scan the other benchmarks' matches once per request.
    analyze()
    with scope(organisation=org):
        for name, year in ((PREVIOUS, YEAR - 1), (CYCLE, YEAR)):
            scale = n_requests if year == YEAR else n_previous
            cycle = services.cycle_create(
                organisation=org,
                name=name,
                period_kind="jaar",
                start=datetime.date(year, 1, 1),
                end=datetime.date(year, 12, 31),
                goals="Meer bewoners bereiken, vooral ouderen die alleen wonen.\nVrijwilligers langer vasthouden.",
                targets={
                    key: round(share * scale) if isinstance(share, float) else share for key, share in TARGETS.items()
                },
                manual=[
                    {"name": "Bezoekers buurtkoffie", "definition": "Bezoekers geteld", "target": 400, "value": 430}
                ],
                by=admin,
            )
            n_answers = max(20, scale // 250)
            volunteer_sample = rng.sample(volunteers, min(len(volunteers), n_answers // 2))
            SurveyResponse.objects.bulk_create(
                [
                    SurveyResponse(
                        organisation=org,
                        cycle=cycle,
                        respondent="bewoner",
                        score=rng.choice([3, 4, 4, 5, 5]),
                        would_recommend=rng.random() < 0.9,
                        entered_by=coordinator,
                    )
                    for _ in range(n_answers)
                ]
                + [
                    SurveyResponse(
                        organisation=org,
                        cycle=cycle,
                        respondent="vrijwilliger",
                        score=rng.choice([2, 3, 4, 4, 5]),
                        would_recommend=rng.random() < 0.85,
                        volunteer=volunteer,
                    )
                    for volunteer in volunteer_sample
                ]
            )
            story = services.story_write(
                cycle=cycle,
                title=f"Weer samen naar de markt ({year})",
                text=(
                    "Een oudere dame uit een van onze buurten kwam na een val het huis niet meer uit. Een "
                    "vrijwilliger gaat nu elke week met haar naar de markt; inmiddels doet ze ook weer mee "
                    "met de buurtkoffie."
                ),
                by=coordinator,
            )
            services.story_approve(story=story, by=admin)
            for i, title in enumerate(
                ["Wachttijd bij vervoer verkorten", "Meer vrijwilligers in de nieuwe wijken", "Wijkteam vaker bellen"]
            ):
                services.action_create(
                    cycle=cycle,
                    title=f"{title} ({year})",
                    owner=coordinator,
                    due=datetime.date(year, 3 + 4 * i, 1),
                    by=admin,
                )
            if year == YEAR - 1:
                services.cycle_close(cycle=cycle, by=admin)
    return org


def measure(big_slug, small_slug):
    """The child: one end-to-end report of the big organisation's cycle, then the small one's query count."""
    import resource

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope, scopes_disabled

    from evaluatie import selectors
    from evaluatie.models import EvaluationCycle

    with scopes_disabled():
        cycles = EvaluationCycle.objects.filter(name=CYCLE, organisation__slug__in=[big_slug, small_slug])
        cycles = {cycle.organisation.slug: cycle for cycle in cycles.select_related("organisation")}
    big, small = cycles[big_slug], cycles[small_slug]
    result = {}
    total = time.perf_counter()

    started = time.perf_counter()
    with scope(organisation=big.organisation_id), CaptureQueriesContext(connection) as queries:
        document = selectors.cycle_document(big)
    result["figures_s"] = time.perf_counter() - started
    result["queries"] = len(queries)

    started = time.perf_counter()
    from evaluatie import reports

    result["import_s"] = time.perf_counter() - started
    from evaluatie.funder_reports import render_body

    # What the Celery build renders (evaluatie.funder_reports.report_build): the page's part, PDF, sheet, CSV.
    renders = (("html", render_body), ("pdf", reports.render_pdf), ("xlsx", reports.render_xlsx))
    for name, render in (*renders, ("csv", reports.render_csv)):
        started = time.perf_counter()
        output = render(document)
        result[f"{name}_s"] = time.perf_counter() - started
        result[f"{name}_kb"] = round(len(output.encode("utf-8") if isinstance(output, str) else output) / 1024)
    result["total_s"] = time.perf_counter() - total
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    with scope(organisation=small.organisation_id), CaptureQueriesContext(connection) as queries:
        small_document = selectors.cycle_document(small)
    result["queries_small"] = len(queries)
    result["groups"] = {name: len(rows) for name, rows in document["breakdowns"].items()}
    result["groups_small"] = {name: len(rows) for name, rows in small_document["breakdowns"].items()}
    print(json.dumps(result))


def build_all(requests):
    """The child that builds: migrate, both organisations, ANALYZE; prints what the report line needs."""
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    from matching.models import HelpRequest

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(BIG, n_requests=requests, n_areas=40, n_categories=12, seed=9)
    build(SMALL, n_requests=1_000, n_areas=5, n_categories=4, seed=10)
    built_s = time.perf_counter() - started
    # Fresh bulk-loaded tables have no statistics until autovacuum gets to them: the planner would guess.
    analyze()
    with scopes_disabled():
        in_year = HelpRequest.objects.filter(organisation__slug=BIG, created_at__year=YEAR).count()
    print(json.dumps({"database": connection.vendor, "requests": in_year, "built_s": built_s}))


def child(database, *arguments):
    """Runs this script with `arguments` in a new process; its last line of output, as JSON."""
    command = [sys.executable, __file__, "--database", database, *arguments]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1])


def main():
    args = parse()
    if args.measure:
        setup(args.database)
        measure(*args.measure)
        return
    if args.build:
        setup(args.database)
        build_all(args.requests)
        return
    # This process only starts the others and stays small: on Linux a child's ru_maxrss starts from the
    # size of the process it was started from, so neither Django nor the build's rows may live here.
    built = child(args.database, "--build", "--requests", str(args.requests))
    runs = [child(args.database, "--measure", BIG, SMALL) for _ in range(args.runs)]

    def median(key):
        return round(statistics.median(run[key] for run in runs), 2)

    last = runs[-1]
    print(
        json.dumps(
            {
                "database": built["database"],
                "requests": built["requests"],
                "groups": last["groups"],
                "built_s": round(built["built_s"], 1),
                "runs": args.runs,
                "figures_s": median("figures_s"),
                "import_s": median("import_s"),
                "html_s": median("html_s"),
                "pdf_s": median("pdf_s"),
                "xlsx_s": median("xlsx_s"),
                "csv_s": median("csv_s"),
                "total_s": median("total_s"),
                "peak_mb": round(max(run["peak_mb"] for run in runs)),
                "pdf_kb": last["pdf_kb"],
                "queries": sorted({run["queries"] for run in runs}),
                "queries_small": sorted({run["queries_small"] for run in runs}),
                "groups_small": last["groups_small"],
                "queries_constant": all(run["queries"] == run["queries_small"] for run in runs),
            }
        )
    )


if __name__ == "__main__":
    main()
