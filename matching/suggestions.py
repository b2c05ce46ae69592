"""Computing and storing suggestions. Called by the tasks in matching/tasks.py; idempotent."""

import json
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django_scopes.exceptions import ScopeError
from django_scopes.state import get_scope

from netwerken.models import Area, Organisation, Volunteer

from . import scoring
from .models import Category, HelpRequest, Match, MatchingSettings, MatchSuggestion, Offer
from .scoring import TimeArrays, VolunteerArrays

TOP_N = 10


def matching_settings():
    """The current organisation's settings (created with defaults the first time)."""
    settings = MatchingSettings.objects.first()
    if settings is None:
        from django_scopes.state import get_scope

        organisation = get_scope()["organisation"]
        settings, _created = MatchingSettings.objects.get_or_create(
            organisation_id=getattr(organisation, "pk", organisation)
        )
    return settings


def indexes():
    categories = {pk: i for i, pk in enumerate(Category.objects.order_by("pk").values_list("pk", flat=True))}
    areas = {pk: i for i, pk in enumerate(Area.objects.order_by("pk").values_list("pk", flat=True))}
    return categories, areas


def candidates_for(help_request):
    """Active volunteers who offer the category and are free at the time: the SQL half of the hard filters."""
    category_id = help_request.category_id
    offers_it = Exists(
        Category.volunteers.through.objects.filter(volunteer_id=OuterRef("pk"), category_id=category_id)
    ) | Exists(Offer.objects.filter(volunteer_id=OuterRef("pk"), category_id=category_id, active=True))
    free_then = Q(_slots__gt=0) | Exists(
        Offer.objects.filter(volunteer_id=OuterRef("pk"), category_id=category_id, active=True)
        .annotate(_offer_slots=F("availability").bitand(help_request.slots))
        .filter(_offer_slots__gt=0)
    )
    return (
        Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
        .annotate(_slots=F("availability").bitand(help_request.slots))
        .filter(offers_it)
        .filter(free_then)
    )


# A process's copy of each organisation's volunteers (scoring.VolunteerTable), with the token it was read
# under: (database, organisation id) -> (token, table). Used only while the database's token is the same.
_tables = {}
MAX_TABLES = 64  # organisations kept per process


@lru_cache(maxsize=4)
def _request_sql(vendor, scoped):
    weights = ", ".join(f"s.weight_{key}" for key in scoring.CRITERIA)
    return (
        "SELECT r.id, r.organisation_id, r.status, r.category_id, c.requires_vog, r.resident_id, p.area_id,"
        " p.latitude, p.longitude, r.kind, r.date, r.time_from, r.time_to, r.slots, r.language, o.help_type,"
        f" s.id, {weights},"
        " (SELECT v.token FROM netwerken_volunteerdataversion v WHERE v.organisation_id = r.organisation_id)"
        " FROM matching_helprequest r"
        " JOIN matching_category c ON c.id = r.category_id"
        " JOIN netwerken_resident p ON p.id = r.resident_id"
        " JOIN netwerken_organisation o ON o.id = r.organisation_id"
        " LEFT JOIN matching_matchingsettings s ON s.organisation_id = r.organisation_id"
        " WHERE r.id = %s" + (" AND r.organisation_id = %s" if scoped else "")
    )


def _scope_organisation_id():
    """The organisation the current scope limits queries to (None with scopes disabled), as the ORM's
    ScopedManager would: raw SQL must not see more than it."""
    current = get_scope()
    if not current.get("_enabled", False):
        if "_enabled" in current:
            return None
        raise ScopeError("A suggestion run needs an organisation scope.")
    if "organisation" not in current:
        raise ScopeError("A suggestion run needs an organisation scope.")
    organisation = current["organisation"]
    return getattr(organisation, "pk", organisation)


def _load_request(help_request_id):
    """The request with what scoring needs of its category, resident, organisation and settings, and the
    organisation's volunteer-data token, in one query; None if there is no such request in scope."""
    organisation_id = _scope_organisation_id()
    params = [help_request_id] + ([organisation_id] if organisation_id is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(_request_sql(connection.vendor, organisation_id is not None), params)
        row = cursor.fetchone()
    if row is None:
        return None
    (pk, org_id, status, category_id, requires_vog, resident_id, area_id, lat, lon, kind, day, start, end) = row[:13]
    slots, language, help_type, settings_id = row[13:17]
    weights = dict(zip(scoring.CRITERIA, row[17:-1], strict=True)) if settings_id is not None else None
    help_request = SimpleNamespace(
        pk=pk,
        organisation_id=org_id,
        status=status,
        category_id=category_id,
        category=SimpleNamespace(requires_vog=bool(requires_vog)),
        resident_id=resident_id,
        resident=SimpleNamespace(area_id=area_id, latitude=lat, longitude=lon),
        kind=kind,
        date=scoring._date(day),
        time_from=scoring._time(start),
        time_to=scoring._time(end),
        slots=slots,
        language=language,
    )
    return help_request, SimpleNamespace(help_type=help_type), weights, row[-1]


def volunteer_table(organisation_id, token):
    """The organisation's VolunteerTable: the process's copy if it was read under `token`, else read now
    (and kept, when there is a token: a database without one is never trusted to stay the same)."""
    key = (connection.alias, connection.settings_dict["NAME"], organisation_id)
    kept = _tables.get(key)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    table = scoring.VolunteerTable.load(organisation_id)
    if token is not None:
        if len(_tables) >= MAX_TABLES:
            _tables.pop(next(iter(_tables)))
        _tables[key] = (token, table)
    return table


def _store(organisation_id, help_request_id, rows, started):
    """Replaces the request's suggestions by `rows` (volunteer id, score, sort score, criteria) and marks it
    computed: one round trip on PostgreSQL (three statements), three on SQLite.

    The insert is an upsert on (request, volunteer): a volunteer's sync that wrote one of these rows since
    the delete (they do not wait for each other) leaves one row, this computation's, not an IntegrityError.
    """
    at = connection.ops.adapt_datetimefield_value(started)
    statements = [
        (
            "DELETE FROM matching_matchsuggestion WHERE organisation_id = %s AND help_request_id = %s",
            [organisation_id, help_request_id],
        )
    ]
    if rows:
        params = []
        for volunteer_id, score, sort_score, criteria in rows:
            params += [organisation_id, help_request_id, volunteer_id, score, sort_score, json.dumps(criteria), at]
        statements.append(
            (
                "INSERT INTO matching_matchsuggestion"
                " (organisation_id, help_request_id, volunteer_id, score, sort_score, criteria, computed_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
                + " ON CONFLICT (help_request_id, volunteer_id) DO UPDATE SET score = excluded.score,"
                " sort_score = excluded.sort_score, criteria = excluded.criteria, computed_at = excluded.computed_at",
                params,
            )
        )
    statements.append(
        (
            "UPDATE matching_helprequest SET suggestions_computed_at = %s WHERE organisation_id = %s AND id = %s",
            [at, organisation_id, help_request_id],
        )
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


def compute_for_request(help_request_id):
    """Recomputes one request's suggestions from scratch. Returns the number stored.

    Three queries when the process's copy of the volunteers is current (the request with the token; the
    candidates' matches; the writes), four more when it is not. The hard filters and scores are
    scoring's, on the same arrays as ever: the candidates are those of candidates_for(), taken from the
    copy; their bookings, load and history are read fresh in every run.
    """
    started = timezone.now()
    with transaction.atomic():
        loaded = _load_request(help_request_id)
        if loaded is None:
            return 0
        help_request, organisation, weights, token = loaded
        if help_request.status not in scoring.OPEN_STATUSES:
            _store(help_request.organisation_id, help_request.pk, [], started)
            return 0
        if weights is None:  # the organisation's first run: its settings with the defaults
            weights = MatchingSettings.objects.get_or_create(organisation_id=help_request.organisation_id)[0].weights
        table = volunteer_table(help_request.organisation_id, token)
        index = table.candidates(help_request.category_id, help_request.slots)
        # One request needs one category and one area on the arrays' axes.
        area_id = help_request.resident.area_id
        requests = scoring.load_requests(
            [help_request], {help_request.category_id: 0}, {area_id: 0} if area_id else {}, organisation
        )
        # 'Er zijn voor elkaar': the same query also says which candidates have been helped themselves.
        mutual = organisation.help_type == Organisation.HelpType.MUTUAL
        matches = scoring.matches_of_one(help_request, help_request.organisation_id, table.pks[index], mutual)
        volunteers = table.arrays(index, help_request.category_id, area_id, matches)
        excluded, met = scoring.pair_sets(requests.pks, matches)
        rows = []
        if len(volunteers):
            booked = scoring.booked_matrix(requests, volunteers, matches)
            scores = scoring.score(requests, volunteers, weights, excluded, met, booked=booked)
            feasible = np.flatnonzero(scores.feasible[0])
            best = feasible[np.argsort(-scores.total[0, feasible], kind="stable")][:TOP_N]
            rows = [
                (
                    int(volunteers.pks[v]),
                    round(float(scores.total[0, v]), 1),
                    float(scores.total[0, v]),
                    scoring.criteria_for(scores, requests, volunteers, 0, v),
                )
                for v in best
            ]
        _store(help_request.organisation_id, help_request.pk, rows, started)
    return len(rows)


def mark_requested(help_request_ids):
    HelpRequest.objects.filter(pk__in=help_request_ids).update(suggestions_requested_at=timezone.now())


def state(help_request):
    """'computing' while a recomputation is asked for and not done yet, else 'ready' (or 'none')."""
    if help_request.status not in scoring.OPEN_STATUSES:
        return "none"
    requested, computed = help_request.suggestions_requested_at, help_request.suggestions_computed_at
    if computed is None or (requested is not None and requested > computed):
        return "computing"
    return "ready"


def stale_request_ids(limit=500):
    """Open requests whose suggestions are missing, older than the request, or whose task got lost."""
    lost = timezone.now() - timezone.timedelta(seconds=settings.SUGGESTIONS_PATIENCE_SECONDS)
    day_old = timezone.now() - timezone.timedelta(days=1)
    return list(
        HelpRequest.objects.filter(status__in=scoring.OPEN_STATUSES)
        .filter(
            Q(suggestions_computed_at__isnull=True)
            | Q(suggestions_computed_at__lt=F("updated_at"))
            | Q(suggestions_requested_at__gt=F("suggestions_computed_at"), suggestions_requested_at__lt=lost)
            | Q(suggestions_computed_at__lt=day_old)
        )
        .order_by("suggestions_computed_at")
        .values_list("pk", flat=True)[:limit]
    )


def stale_volunteer_ids(limit=500):
    """Volunteers whose asked-for sync has not been done: never synced, or asked for long enough ago that
    its task must be lost (a broker outage, a worker that died). A save that changed nothing matching reads
    asks for nothing, so it is not here either."""
    lost = timezone.now() - timezone.timedelta(seconds=settings.SUGGESTIONS_PATIENCE_SECONDS)
    return list(
        Volunteer.objects.filter(suggestions_requested_at__isnull=False)
        .filter(Q(suggestions_synced_at__isnull=True) | Q(suggestions_requested_at__lt=lost))
        .order_by("suggestions_requested_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- one volunteer's change, in one pass over every open request it can affect ----------------------------

_SYNC_REQUEST_COLUMNS = (
    "pk",
    "category_id",
    "category__requires_vog",
    "resident_id",
    "resident__area_id",
    "resident__latitude",
    "resident__longitude",
    "kind",
    "date",
    "time_from",
    "time_to",
    "slots",
    "language",
)


def _volunteer_arrays(volunteer, category_index, area_index, matches):
    """VolunteerArrays of the one volunteer (one column), on the requests' category and area axes, with what
    VolunteerTable holds of them: chosen categories and active offers, neighbourhoods, their columns."""
    active = volunteer.status == Volunteer.Status.ACTIVE
    chosen = set(
        Category.volunteers.through.objects.filter(volunteer_id=volunteer.pk).values_list("category_id", flat=True)
    )
    # One query for the categories, offers and neighbourhoods would save two round trips; three short
    # indexed ones read more plainly.
    offers = list(
        Offer.objects.filter(volunteer_id=volunteer.pk, active=True).values_list("category_id", "availability")
    )
    areas = set(Volunteer.areas.through.objects.filter(volunteer_id=volunteer.pk).values_list("area_id", flat=True))
    n_categories, n_areas = len(category_index), max(len(area_index), 1)
    category_ok = np.zeros((1, n_categories), dtype=bool)
    availability = np.array([volunteer.availability], dtype=np.int32)
    category_availability = np.zeros((1, n_categories), dtype=np.int32) | availability[:, None]
    for category_id, column in category_index.items():
        category_ok[0, column] = category_id in chosen
    for category_id, slots in offers:
        column = category_index.get(category_id)
        if column is not None:
            category_ok[0, column] = True
            category_availability[0, column] |= slots
    if not active:  # VolunteerTable holds active volunteers only: nobody else is a candidate
        category_ok[:] = False
    in_area = np.zeros((1, n_areas), dtype=bool)
    for area_id, column in area_index.items():
        in_area[0, column] = area_id in areas
    month_load = np.zeros(1, dtype=np.int64)
    last_helped = np.full(1, -1, dtype=np.int64)
    if volunteer.pk in matches.load:
        count, last = matches.load[volunteer.pk]
        month_load[0] = count
        if last is not None:
            last_helped[0] = last.astimezone(timezone.get_current_timezone()).toordinal()

    def ordinal(day, missing=-1):
        return np.array([day.toordinal() if day else missing], dtype=np.int64)

    def number(value):
        return np.array([np.nan if value is None else float(value)], dtype=float)

    return VolunteerArrays(
        pks=np.array([volunteer.pk], dtype=np.int64),
        lat=number(volunteer.latitude),
        lon=number(volunteer.longitude),
        max_km=number(volunteer.max_distance_km),
        availability=availability,
        category_ok=category_ok,
        category_availability=category_availability,
        areas=in_area,
        has_areas=np.array([bool(areas)], dtype=bool),
        vog_seen=np.array([volunteer.vog_seen], dtype=bool),
        vog_expires=ordinal(volunteer.vog_expires),
        paused_from=ordinal(volunteer.paused_from),
        paused_until=ordinal(volunteer.paused_until, missing=10**7),
        languages=np.array([scoring._language_mask(volunteer.languages)], dtype=np.int64),
        month_load=month_load,
        monthly_max=np.array([volunteer.max_requests_per_month], dtype=np.int64),
        last_helped=last_helped,
        reciprocal=np.array([volunteer.pk in matches.reciprocal], dtype=bool),
    )


def _volunteer_matches(volunteer, mutual):
    """recent_matches() as a suggestion run reads it, for one volunteer: every match of theirs (one query),
    their load summed here, and whether they have received help themselves ('er zijn voor elkaar')."""
    rows = list(Match.objects.filter(volunteer_id=volunteer.pk).order_by("pk").values_list(*scoring.MATCH_COLUMNS))
    since = min(scoring.month_start(), timezone.now() - timezone.timedelta(days=scoring.RECENCY_DAYS))
    month = scoring.month_start()
    counted = [row for row in rows if row[1] in scoring.COUNTING and row[2] is not None and row[2] >= since]
    load = {}
    if counted:
        helped = [row[2] for row in counted if row[1] in scoring.HELPED]
        load[volunteer.pk] = (sum(row[2] >= month for row in counted), max(helped) if helped else None)
    reciprocal = frozenset()
    if mutual and volunteer.resident_id is not None:
        from .reciprocity import received_help_volunteer_ids

        reciprocal = frozenset(received_help_volunteer_ids().filter(pk=volunteer.pk))
    return scoring.RecentMatches(rows=rows, load=load, reciprocal=reciprocal)


def _booked(requests, volunteer_pks, matches):
    """(requests × volunteers) whether the volunteer has a proposed or accepted match at the request's time,
    as compute_for_request finds it: their bookings that matches_of_one selects for the request (sharing a
    slot; a one-off one on the request's date, or any dated one for a recurring request; none for a
    one-off request without a date), and their accepted matches with the request's resident (which it
    reads for continuity), that overlap it; never the request's own matches."""
    R, V = len(requests.pks), len(volunteer_pks)
    booked = np.zeros((R, V), dtype=bool)
    position = {pk: i for i, pk in enumerate(np.asarray(volunteer_pks).tolist())}
    active = [row for row in matches.rows if row[1] in Match.ACTIVE and row[0] in position]
    if not active or not R:
        return booked
    active.sort(key=lambda row: position[row[0]])
    times = TimeArrays.of(row[5:10] for row in active)
    overlaps = scoring.overlap_matrix(requests.times, times)
    own = np.array([row[3] for row in active], dtype=np.int64)
    resident = np.array([row[4] for row in active], dtype=np.int64)
    helped = np.array([row[1] in scoring.HELPED for row in active], dtype=bool)
    one_off = requests.times.one_off[:, None]
    undated = one_off & (requests.times.date[:, None] < 0)
    shares_slot = (requests.slots[:, None] & times.slots) > 0
    same_date = times.date == requests.times.date[:, None]
    dated = np.broadcast_to(times.date >= 0, shares_slot.shape)
    selected = ~undated & shares_slot & (~times.one_off | np.where(one_off, same_date, dated))
    continuity = helped & (resident == requests.resident[:, None])
    pairs = overlaps & (selected | continuity) & (own != requests.pks[:, None])
    columns = np.array([position[row[0]] for row in active], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
    booked[:, columns[starts]] = np.logical_or.reduceat(pairs, starts, axis=1)
    return booked


def _store_many(organisation_id, rows_by_request, started):
    """_store for many requests at once: one delete, one insert (upsert), one update."""
    if not rows_by_request:
        return
    at = connection.ops.adapt_datetimefield_value(started)
    request_pks = [int(pk) for pk in rows_by_request]
    with connection.cursor() as cursor:
        ids_sql, ids = scoring._id_table(request_pks)
        cursor.execute(
            f"DELETE FROM matching_matchsuggestion WHERE organisation_id = %s AND help_request_id IN ({ids_sql})",
            [organisation_id, ids],
        )
        rows = [(pk, *row) for pk, request_rows in rows_by_request.items() for row in request_rows]
        for chunk in range(0, len(rows), 1000):
            params = []
            for help_request_id, volunteer_id, score, sort_score, criteria in rows[chunk : chunk + 1000]:
                params += [organisation_id, help_request_id, volunteer_id, score, sort_score, json.dumps(criteria), at]
            cursor.execute(
                "INSERT INTO matching_matchsuggestion"
                " (organisation_id, help_request_id, volunteer_id, score, sort_score, criteria, computed_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * (len(params) // 7))
                + " ON CONFLICT (help_request_id, volunteer_id) DO UPDATE SET score = excluded.score,"
                " sort_score = excluded.sort_score, criteria = excluded.criteria, computed_at = excluded.computed_at",
                params,
            )
        cursor.execute(
            "UPDATE matching_helprequest SET suggestions_computed_at = %s WHERE organisation_id = %s"
            f" AND id IN ({ids_sql})",
            [at, organisation_id, ids],
        )


def _compute_many(organisation_id, help_requests, organisation, weights, started):
    """compute_for_request for several open requests at once, with the same result: every active volunteer
    (the process's VolunteerTable) scored against all of them in one scoring.score call, the matches read
    once (scoring.recent_matches: a fixed number of queries), the lists written in one round of writes."""
    if not help_requests:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM netwerken_volunteerdataversion WHERE organisation_id = %s", [organisation_id])
        found = cursor.fetchone()
    table = volunteer_table(organisation_id, found[0] if found else None)
    category_index = {c: i for i, c in enumerate(sorted({r.category_id for r in help_requests}))}
    area_index = {a: i for i, a in enumerate(sorted({r.resident.area_id for r in help_requests} - {None}))}
    requests = scoring.load_requests(help_requests, category_index, area_index, organisation)
    mutual = organisation.help_type == Organisation.HelpType.MUTUAL
    matches = scoring.recent_matches(requests.pks, requests.resident, mutual=mutual)
    n = len(table)
    category_ok = np.zeros((n, len(category_index)), dtype=bool)
    category_availability = np.repeat(table.availability[:, None], len(category_index), axis=1)
    for category_id, i in category_index.items():
        column = table.category_column.get(category_id)
        if column is not None:
            category_ok[:, i] = table.chose[:, column] | table.offers[:, column]
            category_availability[:, i] |= table.offer_slots[:, column]
    areas = np.zeros((n, max(len(area_index), 1)), dtype=bool)
    for area_id, i in area_index.items():
        if area_id in table.area_column:
            areas[:, i] = table.in_area[:, table.area_column[area_id]]
    everyone = np.arange(n)
    volunteers = table.arrays(everyone, None, None, matches)
    volunteers.category_ok, volunteers.category_availability, volunteers.areas = (
        category_ok,
        category_availability,
        areas,
    )
    rows_by_request = {}
    if n:
        excluded, met = scoring.pair_sets(requests.pks, matches)
        booked = _booked(requests, table.pks, matches)
        scores = scoring.score(requests, volunteers, weights, excluded, met, booked=booked)
    for r, pk in enumerate(requests.pks.tolist()):
        rows = []
        if n:
            feasible = np.flatnonzero(scores.feasible[r])
            best = feasible[np.argsort(-scores.total[r, feasible], kind="stable")][:TOP_N]
            rows = [
                (
                    int(volunteers.pks[v]),
                    round(float(scores.total[r, v]), 1),
                    float(scores.total[r, v]),
                    scoring.criteria_for(scores, requests, volunteers, r, v),
                )
                for v in best
            ]
        rows_by_request[pk] = rows
    _store_many(organisation_id, rows_by_request, started)


def sync_volunteer_suggestions(*, volunteer):
    """Brings every open request's suggestions up to date with `volunteer` as they are now: the same rows
    compute_for_request would store, for the requests this volunteer can enter, leave or move in.

    One pass: the open requests the volunteer offers help for or is suggested for, and the stored
    suggestions of those, in two queries; the volunteer scored against all of them at once (scoring.score
    on one column); then per request whether they enter (the last of a full list drops out), stay (their
    row updated), or leave. Only a volunteer who falls to the bottom of a full list, or out of it, needs the
    request's next candidate, whom nobody stored: those requests are computed in full, all together in one
    more vectorised pass (_compute_many), as are lists that are not exact (rows without a sort score, from
    before it was stored; more rows than TOP_N, after two syncs entered one list at the same moment).

    Writes are bulk: one upsert (a concurrent computation's row becomes this one, no IntegrityError) and
    one delete. About a dozen queries however many requests (tests/test_suggestion_sync.py counts them).
    Returns the number of requests whose suggestions changed.
    """
    organisation_id = volunteer.organisation_id
    settings = matching_settings()
    weights = settings.weights
    help_type = Organisation.objects.filter(pk=organisation_id).values_list("help_type", flat=True).first()
    organisation = SimpleNamespace(help_type=help_type)
    mutual = help_type == Organisation.HelpType.MUTUAL
    started = timezone.now()

    suggested = MatchSuggestion.objects.filter(volunteer_id=volunteer.pk).values("help_request_id")
    in_reach = Q(pk__in=suggested)
    if volunteer.status == Volunteer.Status.ACTIVE:
        offered = Category.volunteers.through.objects.filter(volunteer_id=volunteer.pk).values("category_id")
        offering = Offer.objects.filter(volunteer_id=volunteer.pk, active=True).values("category_id")
        in_reach |= Q(category_id__in=offered) | Q(category_id__in=offering)
    # Requests never computed yet are left to their own computation (compute_suggestions, or the sweep).
    open_requests = HelpRequest.objects.filter(
        status__in=scoring.OPEN_STATUSES, suggestions_computed_at__isnull=False
    ).filter(in_reach)
    rows = list(open_requests.order_by("pk").values_list(*_SYNC_REQUEST_COLUMNS))
    if not rows:
        return 0
    help_requests = [
        SimpleNamespace(
            pk=pk,
            category_id=category_id,
            category=SimpleNamespace(requires_vog=bool(requires_vog)),
            resident_id=resident_id,
            resident=SimpleNamespace(area_id=area_id, latitude=lat, longitude=lon),
            kind=kind,
            date=day,
            time_from=start,
            time_to=end,
            slots=slots,
            language=language,
        )
        for pk, category_id, requires_vog, resident_id, area_id, lat, lon, kind, day, start, end, slots, language in (
            rows
        )
    ]
    category_index = {c: i for i, c in enumerate(sorted({r.category_id for r in help_requests}))}
    area_index = {a: i for i, a in enumerate(sorted({r.resident.area_id for r in help_requests} - {None}))}
    requests = scoring.load_requests(help_requests, category_index, area_index, organisation)
    matches = _volunteer_matches(volunteer, mutual)
    volunteers = _volunteer_arrays(volunteer, category_index, area_index, matches)
    excluded, met = scoring.pair_sets(requests.pks, matches)
    scores = scoring.score(
        requests, volunteers, weights, excluded, met, booked=_booked(requests, volunteers.pks, matches)
    )
    feasible, total = scores.feasible[:, 0], scores.total[:, 0]

    # The stored lists of these requests: (request, volunteer, sort score, suggestion id), best first.
    request_pks = requests.pks
    # The explanations only of the volunteer's own rows (decoding everyone's JSON was most of the time).
    me = volunteer.pk
    stored = list(
        MatchSuggestion.objects.filter(help_request_id__in=open_requests.values("pk"))
        .order_by()
        .values_list("help_request_id", "volunteer_id", "sort_score", "pk", "score")
    )
    criteria = dict(
        MatchSuggestion.objects.filter(volunteer_id=me).order_by().values_list("help_request_id", "criteria")
    )
    lists = {}
    for row in stored:
        if row[1] == me:
            row = (*row, criteria.get(row[0]))
        lists.setdefault(row[0], []).append(row)

    position = {int(pk): i for i, pk in enumerate(request_pks.tolist())}
    upserts, deletions, recompute, changed = [], [], [], 0
    for request_pk, r in position.items():
        current = lists.get(request_pk, [])
        mine = next((row for row in current if row[1] == me), None)
        others = [row for row in current if row[1] != me]
        if len(current) > TOP_N or any(row[2] is None for row in current):
            recompute.append(request_pk)
            continue
        full = len(current) == TOP_N
        worst = min(others, key=lambda row: (row[2], -row[1])) if others else None
        new_key = (float(total[r]), -me) if feasible[r] else None
        if mine is not None:
            old_key = (mine[2], -me)
            if new_key is not None and (new_key >= old_key or not full or (worst and new_key > (worst[2], -worst[1]))):
                # Stays: no better than before but above everyone below it, or the list holds everyone.
                row = _suggestion_row(organisation_id, scores, requests, volunteers, r, request_pk, me, started)
                if (row.score, row.sort_score, row.criteria) != (mine[4], mine[2], mine[5]):
                    upserts.append(row)
                    changed += 1
            elif full:
                recompute.append(request_pk)  # the next candidate (or they themselves) fills the last place
            else:
                deletions.append(mine[3])
                changed += 1
        elif new_key is not None:
            if not full:
                upserts.append(
                    _suggestion_row(organisation_id, scores, requests, volunteers, r, request_pk, me, started)
                )
                changed += 1
            elif new_key > (worst[2], -worst[1]):
                upserts.append(
                    _suggestion_row(organisation_id, scores, requests, volunteers, r, request_pk, me, started)
                )
                deletions.append(worst[3])
                changed += 1

    with transaction.atomic():
        if deletions:
            MatchSuggestion.objects.filter(pk__in=deletions).delete()
        if upserts:
            MatchSuggestion.objects.bulk_create(
                upserts,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["help_request", "volunteer"],
                update_fields=["score", "sort_score", "criteria", "computed_at"],
            )
        index = {pk: help_request for pk, help_request in zip(request_pks.tolist(), help_requests, strict=True)}
        _compute_many(organisation_id, [index[pk] for pk in recompute], organisation, weights, started)
    return changed + len(recompute)


def _suggestion_row(organisation_id, scores, requests, volunteers, r, request_pk, volunteer_pk, started):
    return MatchSuggestion(
        organisation_id=organisation_id,
        help_request_id=request_pk,
        volunteer_id=volunteer_pk,
        score=round(float(scores.total[r, 0]), 1),
        sort_score=float(scores.total[r, 0]),
        criteria=scoring.criteria_for(scores, requests, volunteers, r, 0),
        computed_at=started,
    )
