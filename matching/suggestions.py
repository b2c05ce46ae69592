"""Computing and storing suggestions. Called by the tasks in matching/tasks.py; idempotent."""

import json
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django_scopes.exceptions import ScopeError
from django_scopes.state import get_scope

from netwerken.models import Area, Organisation, Volunteer

from . import scoring
from .models import Category, HelpRequest, MatchingSettings, Offer

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
    """Replaces the request's suggestions by `rows` (volunteer id, score, criteria) and marks it computed:
    one round trip on PostgreSQL (three statements), three on SQLite."""
    at = connection.ops.adapt_datetimefield_value(started)
    statements = [
        (
            "DELETE FROM matching_matchsuggestion WHERE organisation_id = %s AND help_request_id = %s",
            [organisation_id, help_request_id],
        )
    ]
    if rows:
        params = []
        for volunteer_id, score, criteria in rows:
            params += [organisation_id, help_request_id, volunteer_id, score, json.dumps(criteria), at]
        statements.append(
            (
                "INSERT INTO matching_matchsuggestion"
                " (organisation_id, help_request_id, volunteer_id, score, criteria, computed_at) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows)),
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
                    scoring.criteria_for(scores, requests, volunteers, 0, v),
                )
                for v in best
            ]
        _store(help_request.organisation_id, help_request.pk, rows, started)
    return len(rows)


def affected_requests(volunteer):
    """Open requests a change of this volunteer can affect: where they are suggested, or could be."""
    categories = set(volunteer.categories.values_list("pk", flat=True)) | set(
        Offer.objects.filter(volunteer=volunteer).values_list("category_id", flat=True)
    )
    return list(
        HelpRequest.objects.filter(status__in=scoring.OPEN_STATUSES)
        .filter(Q(category_id__in=categories) | Q(suggestions__volunteer=volunteer))
        .distinct()
        .values_list("pk", flat=True)
    )


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
    lost = timezone.now() - timezone.timedelta(minutes=5)
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
    return list(
        Volunteer.objects.filter(
            Q(suggestions_synced_at__isnull=True) | Q(suggestions_synced_at__lt=F("updated_at"))
        ).values_list("pk", flat=True)[:limit]
    )
