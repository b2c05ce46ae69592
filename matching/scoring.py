"""Who fits a request, and why: hard filters and weighted criteria, in one place.

Everything works on arrays (numpy), one row per request and one column per volunteer, so the same
code scores one request against 10,000 volunteers for its suggestions and 1,000 requests against
5,000 volunteers for the batch assignment, in milliseconds. Loading the arrays takes a fixed number
of queries, whatever the number of volunteers.
"""

from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import lru_cache

import numpy as np
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Value
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time

from netwerken.languages import LANGUAGES
from netwerken.models import Area, Organisation, Volunteer

from .models import Category, HelpRequest, Match, Offer
from .reciprocity import received_help_volunteer_ids

CRITERIA = ("distance", "availability", "language", "load", "continuity", "recency", "reciprocity")
# Only 'er zijn voor elkaar' scores reciprocity; elsewhere it is left out of what a suggestion shows.
MUTUAL_ONLY = ("reciprocity",)
NEAR_KM = 5.0  # distance points fall to zero at this distance
RECENCY_DAYS = 30  # a volunteer who has not helped for this long gets full "turn" points
LANGUAGE_BIT = {code: 1 << i for i, (code, _label) in enumerate(LANGUAGES)}
COUNTING = (Match.Status.PROPOSED, Match.Status.ACCEPTED, Match.Status.CLOSED)
HELPED = (Match.Status.ACCEPTED, Match.Status.CLOSED)
OPEN_STATUSES = (HelpRequest.Status.SEARCHING, HelpRequest.Status.PROPOSED)


def _ordinal(day):
    return day.toordinal() if day else -1


@lru_cache(maxsize=256)
def _language_mask(codes):
    mask = 0
    for code in codes.split(",") if isinstance(codes, str) else codes:
        mask |= LANGUAGE_BIT.get(code, 0)
    return mask


def _popcount(values):
    """Set bits per element: how many parts of the week."""
    return np.bitwise_count(np.asarray(values, dtype=np.uint32)).astype(np.int32)


@dataclass
class RequestArrays:
    pks: np.ndarray
    category: np.ndarray  # index into the category axis
    requires_vog: np.ndarray
    slots: np.ndarray
    language: np.ndarray  # language bit
    language_code: list
    resident: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    area: np.ndarray  # index into the area axis, -1 unknown
    day: np.ndarray  # ordinal of the day that counts for VOG and pauses
    continuity_full: np.ndarray  # continuity weighs fully (recurring, or 'er zijn voor elkaar')
    times: "TimeArrays"  # when the help is, for "booked is booked"
    # 'Er zijn voor elkaar': continuity counts double and reciprocity counts at all.
    mutual: np.ndarray | None = None


@dataclass
class VolunteerArrays:
    pks: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    max_km: np.ndarray  # nan: no maximum
    availability: np.ndarray
    category_ok: np.ndarray  # (volunteers × categories) offers this category
    category_availability: np.ndarray  # (volunteers × categories) availability incl. offers
    areas: np.ndarray  # (volunteers × areas) wants to help there
    has_areas: np.ndarray
    vog_seen: np.ndarray
    vog_expires: np.ndarray
    paused_from: np.ndarray
    paused_until: np.ndarray
    languages: np.ndarray
    month_load: np.ndarray
    monthly_max: np.ndarray
    last_helped: np.ndarray  # ordinal, -1 never
    # Is a resident too and has received help themselves ('er zijn voor elkaar': RecentMatches.reciprocal).
    reciprocal: np.ndarray | None = None

    def __len__(self):
        return len(self.pks)


def _reciprocal(pks, matches):
    """Per volunteer (pks), whether matches.reciprocal holds them."""
    ids = getattr(matches, "reciprocal", None)
    if not ids:
        return np.zeros(len(pks), dtype=bool)
    return np.isin(np.asarray(pks, dtype=np.int64), np.fromiter(ids, dtype=np.int64))


def month_start():
    today = timezone.localdate()
    return timezone.make_aware(timezone.datetime(today.year, today.month, 1))


@dataclass
class TimeArrays:
    """When requests (or the requests of matches) claim a volunteer, for overlap tests in bulk.

    A one-off request without a date ("in overleg") claims no time yet; one-off requests on different
    dates never overlap; one-off requests on the same date overlap when their hours do (or, without
    hours, their parts of the day); a recurring request overlaps whatever shares one of its weekly slots.
    """

    one_off: np.ndarray  # bool
    date: np.ndarray  # ordinal, -1 none
    start: np.ndarray  # minutes after midnight, -1 unknown
    end: np.ndarray
    slots: np.ndarray

    @classmethod
    def of(cls, rows):
        """rows: (kind, date, time_from, time_to, slots)"""
        rows = list(rows)

        def minutes(t):
            return t.hour * 60 + t.minute if t is not None else -1

        return cls(
            one_off=np.array([kind == HelpRequest.Kind.ONE_OFF for kind, *_ in rows], dtype=bool),
            date=np.array([d.toordinal() if d else -1 for _k, d, *_ in rows], dtype=np.int64),
            start=np.array([minutes(r[2]) for r in rows], dtype=np.int64),
            end=np.array([minutes(r[3]) for r in rows], dtype=np.int64),
            slots=np.array([r[4] for r in rows], dtype=np.int64),
        )

    @classmethod
    def of_requests(cls, requests):
        return cls.of((r.kind, r.date, r.time_from, r.time_to, r.slots) for r in requests)

    def __len__(self):
        return len(self.slots)

    def take(self, index):
        """The rows `index` (a slice or an index array)."""
        return TimeArrays(
            one_off=self.one_off[index],
            date=self.date[index],
            start=self.start[index],
            end=self.end[index],
            slots=self.slots[index],
        )


def overlap_matrix(a: TimeArrays, b: TimeArrays):
    """(len(a) × len(b)) whether each pair claims a volunteer at the same time."""
    return overlap_pairs(a.take((slice(None), None)), b)


def overlap_pairs(a: TimeArrays, b: TimeArrays):
    """Whether a[i] and b[i] claim a volunteer at the same time (arrays of one length, or that broadcast)."""
    undated = (a.one_off & (a.date < 0)) | (b.one_off & (b.date < 0))
    slots = (a.slots & b.slots) != 0
    both_one_off = a.one_off & b.one_off
    timed = (a.start >= 0) & (a.end >= 0) & (b.start >= 0) & (b.end >= 0)
    hours = (a.start < b.end) & (b.start < a.end)
    same_day = a.date == b.date
    one_off_pair = same_day & np.where(timed, hours, slots)
    return ~undated & np.where(both_one_off, one_off_pair, slots)


def times_overlap(a, b):
    """Whether two HelpRequest objects claim the same volunteer at the same time."""
    return bool(overlap_matrix(TimeArrays.of_requests([a]), TimeArrays.of_requests([b]))[0, 0])


def load_requests(help_requests, category_index, area_index, organisation):
    """Arrays for a list of HelpRequest objects (with category and resident loaded)."""
    today = timezone.localdate()
    mutual = organisation.help_type == Organisation.HelpType.MUTUAL
    rows = list(help_requests)
    return RequestArrays(
        pks=np.array([r.pk for r in rows], dtype=np.int64),
        category=np.array([category_index[r.category_id] for r in rows], dtype=np.int64),
        requires_vog=np.array([r.category.requires_vog for r in rows], dtype=bool),
        slots=np.array([r.slots for r in rows], dtype=np.int64),
        language=np.array([LANGUAGE_BIT.get(r.language, 0) for r in rows], dtype=np.int64),
        language_code=[r.language for r in rows],
        resident=np.array([r.resident_id for r in rows], dtype=np.int64),
        lat=np.array([r.resident.latitude if r.resident.latitude is not None else np.nan for r in rows], dtype=float),
        lon=np.array([r.resident.longitude if r.resident.longitude is not None else np.nan for r in rows], dtype=float),
        area=np.array([area_index.get(r.resident.area_id, -1) for r in rows], dtype=np.int64),
        day=np.array([_ordinal(max(r.date, today) if r.date else today) for r in rows], dtype=np.int64),
        continuity_full=np.array([mutual or r.kind == HelpRequest.Kind.RECURRING for r in rows], dtype=bool),
        times=TimeArrays.of_requests(rows),
        mutual=np.full(len(rows), mutual, dtype=bool),
    )


# What matching reads of each candidate volunteer (the benchmark selects the same, bare, to compare).
VOLUNTEER_COLUMNS = (
    "pk",
    "latitude",
    "longitude",
    "max_distance_km",
    "availability",
    "vog_seen",
    "vog_expires",
    "paused_from",
    "paused_until",
    "languages",
    "max_requests_per_month",
)


# Everything of a volunteer that scoring reads: a change to any of these can move them in a request's
# suggestions (matching.tasks.enqueue_volunteer_sync), a change to anything else (phone, e-mail, name,
# preference) cannot and asks for no work. Model fields by name, and what is read from elsewhere:
# "categories" (chosen in the profile), "offers", "areas" (neighbourhoods) and "matches" (load, bookings,
# who was met and who may not be asked again).
VOLUNTEER_INPUTS = frozenset(
    {*VOLUNTEER_COLUMNS[1:], "status", "resident", "categories", "offers", "areas", "matches"}
) - {"pk"}


def with_area_flags(volunteers, area_id):
    """The queryset with, per volunteer, whether they chose neighbourhoods at all and whether `area_id` is
    one: for one request these two columns replace reading every volunteer's neighbourhoods."""
    through = Volunteer.areas.through.objects.filter(volunteer_id=OuterRef("pk"))
    in_area = Exists(through.filter(area_id=area_id)) if area_id else Value(False)
    return volunteers.annotate(_has_areas=Exists(through), _in_area=in_area)


def load_volunteers(volunteers, category_index, area_index, matches, only_categories=None, offering=False):
    """Arrays for a queryset of volunteers, in five queries however many volunteers there are.

    `only_categories` narrows what is loaded to what the requests at hand can use (one request needs
    one category), which keeps a single suggestion run close to the cost of selecting the candidates.
    `offering=True` says the queryset only holds volunteers who offer those categories already.
    `matches` is recent_matches(), shared with pair_sets() and booked_matrix().
    """
    flagged = "_has_areas" in volunteers.query.annotations
    columns = VOLUNTEER_COLUMNS + (("_has_areas", "_in_area") if flagged else ())
    rows = list(volunteers.values_list(*columns))
    n, n_categories, n_areas = len(rows), len(category_index), len(area_index)
    by_name = dict(zip(columns, zip(*rows, strict=True) if rows else [()] * len(columns), strict=True))
    position = dict(zip(by_name["pk"], range(n), strict=True))
    # The side tables are read by category and area (both belong to this organisation), not by a long
    # list of volunteer ids; rows of volunteers outside `volunteers` are skipped.
    category_filter = {"category_id__in": list(category_index if only_categories is None else only_categories)}

    category_ok = np.zeros((n, n_categories), dtype=bool)
    # 21 bits fit in int32: half the memory of the batch's (volunteers × categories) bit operations.
    category_availability = np.zeros((n, n_categories), dtype=np.int32)
    availability = np.array(by_name["availability"], dtype=np.int32)
    if offering:
        category_ok[:, [category_index[c] for c in category_filter["category_id__in"]]] = True
    elif n:
        for volunteer_id, category_id in Category.volunteers.through.objects.filter(**category_filter).values_list(
            "volunteer_id", "category_id"
        ):
            if volunteer_id in position:
                category_ok[position[volunteer_id], category_index[category_id]] = True
    category_availability |= availability[:, None]
    if n:
        for volunteer_id, category_id, offer_slots in Offer.objects.filter(active=True, **category_filter).values_list(
            "volunteer_id", "category_id", "availability"
        ):
            if volunteer_id in position:
                i, c = position[volunteer_id], category_index[category_id]
                category_ok[i, c] = True
                category_availability[i, c] |= offer_slots

    areas = np.zeros((n, max(n_areas, 1)), dtype=bool)
    has_areas = np.zeros(n, dtype=bool)
    if flagged:
        has_areas = np.array(by_name["_has_areas"], dtype=bool)
        areas[:, 0] = np.array(by_name["_in_area"], dtype=bool)
    elif n:
        # Every area of the organisation counts for "has chosen areas"; the matrix only needs area_index's.
        for volunteer_id, area_id in Volunteer.areas.through.objects.filter(
            area_id__in=Area.objects.values("pk")
        ).values_list("volunteer_id", "area_id"):
            if volunteer_id in position:
                has_areas[position[volunteer_id]] = True
                if area_id in area_index:
                    areas[position[volunteer_id], area_index[area_id]] = True

    month_load = np.zeros(n, dtype=np.int64)
    last_helped = np.full(n, -1, dtype=np.int64)
    tz = timezone.get_current_timezone()
    for volunteer_id, (count, last) in matches.load.items():
        i = position.get(volunteer_id)
        if i is not None:
            month_load[i] = count
            if last is not None:
                last_helped[i] = last.astimezone(tz).toordinal()

    def ordinals(values, missing=-1):
        return np.array([value.toordinal() if value else missing for value in values], dtype=np.int64)

    return VolunteerArrays(
        pks=np.array(by_name["pk"], dtype=np.int64),
        lat=np.array(by_name["latitude"], dtype=float),  # None becomes nan
        lon=np.array(by_name["longitude"], dtype=float),
        max_km=np.array(by_name["max_distance_km"], dtype=float),
        availability=availability,
        category_ok=category_ok,
        category_availability=category_availability,
        areas=areas,
        has_areas=has_areas,
        vog_seen=np.array(by_name["vog_seen"], dtype=bool),
        vog_expires=ordinals(by_name["vog_expires"]),
        paused_from=ordinals(by_name["paused_from"]),
        paused_until=ordinals(by_name["paused_until"], missing=10**7),
        languages=np.array([_language_mask(value) for value in by_name["languages"]], dtype=np.int64),
        month_load=month_load,
        monthly_max=np.array(by_name["max_requests_per_month"], dtype=np.int64),
        last_helped=last_helped,
        reciprocal=_reciprocal(by_name["pk"], matches),
    )


MATCH_COLUMNS = (
    "volunteer_id",
    "status",
    "proposed_at",
    "help_request_id",
    "help_request__resident_id",
    "help_request__kind",
    "help_request__date",
    "help_request__time_from",
    "help_request__time_to",
    "help_request__slots",
    "pk",
)


@dataclass
class RecentMatches:
    rows: list  # MATCH_COLUMNS of the matches that matter one by one
    load: dict  # volunteer id -> (matches this month, when last helped or None)
    # 'Er zijn voor elkaar': ids of volunteers whose linked resident has received help themselves.
    reciprocal: frozenset = frozenset()


def recent_matches(request_pks, resident_pks, for_request=None, mutual=False):
    """Everything matching needs to know about earlier and current matches, in four short queries.

    `rows` (MATCH_COLUMNS), each match once: matches of these requests (who may not be asked again),
    matches where these residents were helped (continuity), and every proposed or accepted match (who is
    booked when). `load` per volunteer, summed up by the database: matches this month, and the last help
    of the last month or so (days since last helped tops out after RECENCY_DAYS).

    `for_request` (one HelpRequest) narrows the load and bookings to volunteers who offer its kind of help,
    and the bookings to those that can overlap it: sharing a weekly slot is necessary for that, and a
    one-off booking on another date never overlaps a one-off request.
    `mutual=True` ('er zijn voor elkaar') also reads who has received help as a resident: one more query.
    Separate queries, not one with OR: each can use its own index, where an OR of them scans everything.
    """
    since = min(month_start(), timezone.now() - timedelta(days=RECENCY_DAYS))
    matches = Match.objects.order_by()
    # Who offers the kind of help: for one request, only their load and bookings can matter.
    of_candidates = matches
    if for_request is not None:
        category_id = for_request.category_id
        of_candidates = matches.filter(
            Q(
                volunteer_id__in=Category.volunteers.through.objects.filter(category_id=category_id).values(
                    "volunteer_id"
                )
            )
            | Q(volunteer_id__in=Offer.objects.filter(category_id=category_id, active=True).values("volunteer_id"))
        )
    active = of_candidates.filter(status__in=Match.ACTIVE)
    if for_request is not None:
        one_off = for_request.kind == HelpRequest.Kind.ONE_OFF
        if one_off and for_request.date is None:
            active = matches.none()  # "in overleg": claims no time yet, so nothing can overlap it
        else:
            other_one_off = Q(help_request__kind=HelpRequest.Kind.ONE_OFF)
            same_day = Q(help_request__date=for_request.date) if one_off else Q(help_request__date__isnull=False)
            active = (
                active.annotate(_shared=F("help_request__slots").bitand(int(for_request.slots)))
                .filter(_shared__gt=0)
                .filter(~other_one_off | (other_one_off & same_day))
            )
    own = matches.filter(help_request_id__in=[int(pk) for pk in request_pks])
    met = matches.filter(help_request__resident_id__in=[int(pk) for pk in resident_pks], status__in=HELPED)
    # One round trip, each part with its own plan (UNION ALL); a match in two parts is kept once.
    rows = {
        row[-1]: row
        for row in own.values_list(*MATCH_COLUMNS).union(
            met.values_list(*MATCH_COLUMNS), active.values_list(*MATCH_COLUMNS), all=True
        )
    }
    load = {
        volunteer_id: (count, last)
        for volunteer_id, count, last in of_candidates.filter(proposed_at__gte=since, status__in=COUNTING)
        .values("volunteer_id")
        .annotate(
            count=Count("pk", filter=Q(proposed_at__gte=month_start())),
            last=Max("proposed_at", filter=Q(status__in=HELPED)),
        )
        .values_list("volunteer_id", "count", "last")
    }
    reciprocal = frozenset(received_help_volunteer_ids()) if mutual else frozenset()
    return RecentMatches(rows=list(rows.values()), load=load, reciprocal=reciprocal)


# --- one request's suggestions: the volunteers kept in memory, the matches read fresh ----------------


def _datetime(value):
    """A datetime from a raw query, aware (SQLite gives naive UTC, or text for an expression)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _date(value):
    return parse_date(value) if isinstance(value, str) else value


def _time(value):
    return parse_time(value) if isinstance(value, str) else value


def _id_table(ids):
    """SQL and its parameter for a one-column table `id` of these volunteer ids, one parameter however many."""
    ids = ",".join(str(int(pk)) for pk in ids)
    if connection.vendor == "postgresql":
        return "SELECT unnest(CAST(%s AS bigint[])) AS id", "{" + ids + "}"
    return "SELECT value AS id FROM json_each(%s)", "[" + ids + "]"


def _columns(column_of, keys):
    return np.array([column_of[key] for key in keys.tolist()], dtype=np.int64)


@dataclass
class VolunteerTable:
    """Every active volunteer of one organisation with what matching reads of them, as arrays.

    All of it only changes when a volunteer, their categories, offers or neighbourhoods are written, which
    changes the organisation's VolunteerDataVersion token (database triggers), so a process can keep it
    between suggestion runs while the token stays the same. What changes without such a write (the
    date, their matches) is not in here: VOG and pause are compared with the request's day per run, and
    load and bookings are read per run (matches_of_one). Rows are ordered by pk.
    """

    pks: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    max_km: np.ndarray
    availability: np.ndarray
    vog_seen: np.ndarray
    vog_expires: np.ndarray
    paused_from: np.ndarray
    paused_until: np.ndarray
    languages: np.ndarray
    monthly_max: np.ndarray
    category_column: dict  # category id -> column of the three matrices below
    chose: np.ndarray  # (volunteers × categories) chose the category in their profile
    offers: np.ndarray  # (volunteers × categories) has an active offer in it
    offer_slots: np.ndarray  # (volunteers × categories) when, over those offers
    area_column: dict  # area id -> column of in_area
    in_area: np.ndarray  # (volunteers × areas) wants to help there
    has_areas: np.ndarray  # chose neighbourhoods at all

    def __len__(self):
        return len(self.pks)

    @classmethod
    def load(cls, organisation_id):
        """Two queries, whatever the number of volunteers."""
        active = Volunteer.Status.ACTIVE
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, latitude, longitude, CAST(max_distance_km AS DOUBLE PRECISION), availability, vog_seen,"
                " vog_expires, paused_from, paused_until, languages, max_requests_per_month"
                " FROM netwerken_volunteer WHERE organisation_id = %s AND status = %s ORDER BY id",
                [organisation_id, active],
            )
            rows = cursor.fetchall()
            # The categories they chose (0), their active offers (1, with when) and neighbourhoods (2).
            cursor.execute(
                "SELECT 0, t.volunteer_id, t.category_id, 0 FROM matching_category_volunteers t"
                " JOIN netwerken_volunteer v ON v.id = t.volunteer_id WHERE v.organisation_id = %s AND v.status = %s"
                " UNION ALL SELECT 1, volunteer_id, category_id, availability FROM matching_offer"
                " WHERE organisation_id = %s AND active = %s"
                " UNION ALL SELECT 2, t.volunteer_id, t.area_id, 0 FROM netwerken_volunteer_areas t"
                " JOIN netwerken_volunteer v ON v.id = t.volunteer_id WHERE v.organisation_id = %s AND v.status = %s",
                [organisation_id, active, organisation_id, True, organisation_id, active],
            )
            linked = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 4)
        chosen, offered, areas = (linked[linked[:, 0] == kind, 1:] for kind in range(3))
        columns = list(zip(*rows, strict=True)) if rows else [()] * 11
        pks = np.array(columns[0], dtype=np.int64)
        n = len(pks)

        def ordinals(values, missing=-1):
            return np.array([_date(v).toordinal() if v else missing for v in values], dtype=np.int64)

        def links(links):
            """Positions and rows (volunteer, key, when) of the link rows whose volunteer is in the table."""
            position = np.searchsorted(pks, links[:, 0])
            inside = position < n
            inside[inside] = pks[position[inside]] == links[inside, 0]
            return position[inside], links[inside]

        category_ids = np.union1d(chosen[:, 1], offered[:, 1]).tolist()
        category_column = {c: i for i, c in enumerate(category_ids)}
        chose = np.zeros((n, len(category_ids)), dtype=bool)
        offers = np.zeros((n, len(category_ids)), dtype=bool)
        offer_slots = np.zeros((n, len(category_ids)), dtype=np.int32)
        position, picked = links(chosen)
        chose[position, _columns(category_column, picked[:, 1])] = True
        position, picked = links(offered)
        at = (position, _columns(category_column, picked[:, 1]))
        offers[at] = True
        np.bitwise_or.at(offer_slots, at, picked[:, 2].astype(np.int32))

        area_ids = np.unique(areas[:, 1]).tolist()
        area_column = {a: i for i, a in enumerate(area_ids)}
        in_area = np.zeros((n, len(area_ids)), dtype=bool)
        position, picked = links(areas)
        in_area[position, _columns(area_column, picked[:, 1])] = True

        return cls(
            pks=pks,
            lat=np.array(columns[1], dtype=float),  # None becomes nan
            lon=np.array(columns[2], dtype=float),
            max_km=np.array(columns[3], dtype=float),
            availability=np.array(columns[4], dtype=np.int32),
            vog_seen=np.array(columns[5], dtype=bool),
            vog_expires=ordinals(columns[6]),
            paused_from=ordinals(columns[7]),
            paused_until=ordinals(columns[8], missing=10**7),
            languages=np.array([_language_mask(value) for value in columns[9]], dtype=np.int64),
            monthly_max=np.array(columns[10], dtype=np.int64),
            category_column=category_column,
            chose=chose,
            offers=offers,
            offer_slots=offer_slots,
            area_column=area_column,
            in_area=in_area,
            has_areas=in_area.any(axis=1),
        )

    def candidates(self, category_id, slots):
        """Positions of the volunteers suggestions.candidates_for() selects: active (all in here), offering
        the category in their profile or an active offer, and free at the time by either."""
        column = self.category_column.get(category_id)
        if column is None:
            return np.zeros(0, dtype=np.int64)
        slots = int(slots)
        offers_it = self.chose[:, column] | self.offers[:, column]
        free = ((self.availability.astype(np.int64) & slots) > 0) | ((self.offer_slots[:, column] & slots) > 0)
        return np.flatnonzero(offers_it & free)

    def arrays(self, index, category_id, area_id, matches):
        """VolunteerArrays of the volunteers at `index`, on one category and one area axis, as
        load_volunteers(with_area_flags(candidates_for(...)), offering=True) makes them."""
        n = len(index)
        availability = self.availability[index]
        column = self.category_column.get(category_id)
        offer_slots = self.offer_slots[index, column] if column is not None else np.zeros(n, dtype=np.int32)
        areas = np.zeros((n, 1), dtype=bool)
        if area_id in self.area_column:
            areas[:, 0] = self.in_area[index, self.area_column[area_id]]
        pks = self.pks[index]
        month_load = np.zeros(n, dtype=np.int64)
        last_helped = np.full(n, -1, dtype=np.int64)
        if matches.load:
            tz = timezone.get_current_timezone()
            loaded = np.array(list(matches.load), dtype=np.int64)
            position = np.searchsorted(pks, loaded)
            for volunteer_id, i in zip(loaded.tolist(), position.tolist(), strict=True):
                if i < n and pks[i] == volunteer_id:
                    count, last = matches.load[volunteer_id]
                    month_load[i] = count
                    if last is not None:
                        last_helped[i] = last.astimezone(tz).toordinal()
        return VolunteerArrays(
            pks=pks,
            lat=self.lat[index],
            lon=self.lon[index],
            max_km=self.max_km[index],
            availability=availability,
            category_ok=np.ones((n, 1), dtype=bool),
            category_availability=(availability | offer_slots)[:, None],
            areas=areas,
            has_areas=self.has_areas[index],
            vog_seen=self.vog_seen[index],
            vog_expires=self.vog_expires[index],
            paused_from=self.paused_from[index],
            paused_until=self.paused_until[index],
            languages=self.languages[index],
            month_load=month_load,
            monthly_max=self.monthly_max[index],
            last_helped=last_helped,
            reciprocal=_reciprocal(pks, matches),
        )


def _in(values):
    """An SQL list of these constants (statuses from the code, never input)."""
    assert all(value.isidentifier() for value in values)
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


@lru_cache(maxsize=16)
def _matches_sql(vendor, bookings, mutual=False):
    """The SQL of matches_of_one, built once per process and kind of request."""
    ids = _id_table([])[0]
    active, counting, helped = _in(Match.ACTIVE), _in(COUNTING), _in(HELPED)
    match = (
        "m.volunteer_id, m.status, m.proposed_at, m.help_request_id, r.resident_id, r.kind, r.date,"
        " r.time_from, r.time_to, r.slots, m.id"
    )
    parts = [
        # this request's own matches (who may not be asked again)
        f"SELECT 0, {match} FROM matching_match m JOIN matching_helprequest r ON r.id = m.help_request_id"
        " WHERE m.organisation_id = %(organisation)s AND m.help_request_id = %(request)s",
        # where this resident was helped (continuity)
        f"SELECT 0, {match} FROM matching_match m JOIN matching_helprequest r ON r.id = m.help_request_id"
        f" WHERE m.organisation_id = %(organisation)s AND r.resident_id = %(resident)s AND m.status IN {helped}",
    ]
    if bookings:
        # the candidates' proposed and accepted matches that can overlap the request
        parts.append(
            f"SELECT 0, {match} FROM candidate_matches m JOIN matching_helprequest r ON r.id = m.help_request_id"
            f" WHERE m.status IN {active} AND (r.slots & %(slots)s) > 0"
            " AND (r.kind <> %(one_off)s OR "
            + ("r.date = %(date)s)" if bookings == "same_day" else "r.date IS NOT NULL)")
        )
    # the candidates' load: matches this month, and their last help (of the last RECENCY_DAYS or so)
    parts.append(
        f"SELECT 1, m.volunteer_id, NULL, MAX(CASE WHEN m.status IN {helped} THEN m.proposed_at END),"
        " NULL, NULL, NULL, NULL, NULL, NULL,"
        " SUM(CASE WHEN m.proposed_at >= %(month)s THEN 1 ELSE 0 END), NULL"
        f" FROM candidate_matches m WHERE m.status IN {counting} AND m.proposed_at >= %(since)s"
        " GROUP BY m.volunteer_id"
    )
    if mutual:
        # 'er zijn voor elkaar': the candidates who are residents too and have received help themselves
        # (a contact moment on a match of their requests, or a closed match)
        closed = _in((Match.Status.CLOSED,))
        parts.append(
            "SELECT 2, v.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
            " FROM candidates c JOIN netwerken_volunteer v ON v.id = c.id"
            " WHERE v.organisation_id = %(organisation)s AND v.resident_id IS NOT NULL AND ("
            " EXISTS (SELECT 1 FROM matching_match m JOIN matching_helprequest r ON r.id = m.help_request_id"
            f" WHERE r.resident_id = v.resident_id AND m.status IN {closed})"
            " OR EXISTS (SELECT 1 FROM matching_contactlog l JOIN matching_match m ON m.id = l.match_id"
            " JOIN matching_helprequest r ON r.id = m.help_request_id WHERE r.resident_id = v.resident_id))"
        )
    sql = (
        f"WITH candidates AS ({ids.replace('%s', '%(candidates)s')}),"
        " candidate_matches AS MATERIALIZED (SELECT m.id, m.volunteer_id, m.status, m.proposed_at, m.help_request_id"
        " FROM candidates c JOIN matching_match m ON m.volunteer_id = c.id WHERE m.organisation_id = %(organisation)s"
        f" AND (m.status IN {active} OR (m.status IN {counting} AND m.proposed_at >= %(since)s)))\n"
        + "\nUNION ALL\n".join(parts)
    )
    return sql


def matches_of_one(help_request, organisation_id, candidate_pks, mutual=False):
    """recent_matches(for_request=help_request), in one query, for the volunteers `candidate_pks`.

    The same rows and load as recent_matches() gives for those volunteers (tests/test_matching.py compares
    the two), read by the candidates' ids instead of by who offers the category: the match index on
    volunteer leads the database straight to them.
    """
    one_off = help_request.kind == HelpRequest.Kind.ONE_OFF
    bookings = "" if one_off and help_request.date is None else ("same_day" if one_off else "dated")
    ops = connection.ops
    since = min(month_start(), timezone.now() - timedelta(days=RECENCY_DAYS))
    _sql, candidates = _id_table(candidate_pks)
    params = {
        "candidates": candidates,
        "organisation": organisation_id,
        "request": help_request.pk,
        "resident": help_request.resident_id,
        "slots": int(help_request.slots),
        "one_off": HelpRequest.Kind.ONE_OFF,
        "date": ops.adapt_datefield_value(help_request.date),
        "since": ops.adapt_datetimefield_value(since),
        "month": ops.adapt_datetimefield_value(month_start()),
    }
    sql = _matches_sql(connection.vendor, bookings, mutual)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows, load, reciprocal = {}, {}, set()
    for part, volunteer_id, status, proposed_at, request_id, resident_id, kind, day, start, end, slots, pk in fetched:
        if part == 2:
            reciprocal.add(volunteer_id)
        elif part:  # the load: the count in the slots column
            load[volunteer_id] = (int(slots), _datetime(proposed_at))
        else:
            rows[pk] = (
                volunteer_id,
                status,
                _datetime(proposed_at),
                request_id,
                resident_id,
                kind,
                _date(day),
                _time(start),
                _time(end),
                slots,
                pk,
            )
    return RecentMatches(rows=list(rows.values()), load=load, reciprocal=frozenset(reciprocal))


def booked_matrix(requests: "RequestArrays", volunteers: "VolunteerArrays", matches, statuses=Match.ACTIVE):
    """(requests × volunteers) the volunteer already has a match in `statuses` (proposed or accepted) at that time."""
    R, V = len(requests.pks), len(volunteers)
    booked = np.zeros((R, V), dtype=bool)
    position = {pk: i for i, pk in enumerate(volunteers.pks.tolist())}
    rows = [row for row in matches.rows if row[1] in statuses and row[0] in position]
    if not rows or not R:
        return booked
    rows.sort(key=lambda row: position[row[0]])
    times = TimeArrays.of(row[5:10] for row in rows)
    overlaps = overlap_matrix(requests.times, times)
    # A request's own matches do not book the volunteer against it (they are excluded another way).
    own = np.array([row[3] for row in rows], dtype=np.int64)
    overlaps &= requests.pks[:, None] != own
    columns = np.array([position[row[0]] for row in rows], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
    booked[:, columns[starts]] = np.logical_or.reduceat(overlaps, starts, axis=1)
    return booked


def pair_sets(request_pks, matches):
    """(request, volunteer) pairs that may not be proposed again, and (resident, volunteer) who met before."""
    request_pks = {int(pk) for pk in request_pks}
    excluded, met = set(), set()
    for volunteer_id, status, _proposed_at, request_id, resident_id, *_time in matches.rows:
        if request_id in request_pks and status != Match.Status.WITHDRAWN:
            excluded.add((request_id, volunteer_id))
        if status in HELPED:
            met.add((resident_id, volunteer_id))
    return excluded, met


def distance_km(lat1, lon1, lat2, lon2):
    """Distances on the earth, in km, between (request) rows and (volunteer) columns.

    The equirectangular approximation: within a municipality it differs from the great circle by far
    less than a metre, and it needs no trigonometry per pair (the haversine formula took 0.5 s for the
    batch's 5 million pairs, this a tenth of that).
    """
    scale = np.cos(np.radians(lat1))  # per request row
    dy = (lat2 - lat1) * KM_PER_DEGREE
    dx = (lon2 - lon1) * (KM_PER_DEGREE * scale)
    return np.sqrt(dx * dx + dy * dy)


KM_PER_DEGREE = 6371.0 * np.pi / 180


# The hard filters, in the order a refusal names them (matching/explain.py has their Dutch text).
HARD_FILTERS = ("category", "availability", "vog", "paused", "room", "distance", "booked", "excluded")


# Up to this many pairs, every criterion is computed for every pair, so a refusal names every filter a
# volunteer fails. Beyond it (the batch), distance and points only for the pairs the other filters leave.
DENSE_PAIRS = 100_000


@dataclass
class Scores:
    feasible: np.ndarray  # (requests × volunteers) passes every hard filter
    passes: dict  # hard filter -> (requests × volunteers) passes that filter
    total: np.ndarray  # (requests × volunteers), -inf where not feasible
    # The pairs whose distance and points were computed (row-major order), and per pair:
    # distance, overlap, speaks, met and each criterion's points (key "part:<criterion>").
    pair_r: np.ndarray
    pair_v: np.ndarray
    values: dict
    _linear: np.ndarray | None = None

    @property
    def first_failed(self):
        """Per request, the first hard filter (index into HARD_FILTERS) after which no volunteer is left; -1 if
        some volunteer passes them all (as SparseScores.first_failed)."""
        R, V = self.feasible.shape
        result = np.full(R, -1, dtype=np.int64)
        remaining = np.ones((R, V), dtype=bool)
        for i, key in enumerate(HARD_FILTERS):
            remaining &= self.passes[key]
            none = ~remaining.any(axis=1)
            result[none & (result < 0)] = i
        return result

    def at(self, name, r, v):
        """One pair's computed value (the pair must be among the computed ones, as every feasible pair is)."""
        width = self.total.shape[1]
        if self._linear is None:
            self._linear = self.pair_r * width + self.pair_v
        linear = self._linear
        i = int(np.searchsorted(linear, r * width + v))
        if i >= len(linear) or linear[i] != r * width + v:
            raise KeyError((r, v))
        return self.values[name][i]


def _in_sorted(keys, sorted_keys):
    """Per key, whether it is in `sorted_keys` (ascending, unique): np.isin without sorting both again."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    i = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[i] == keys


def _reach(requests, volunteers, pair_r, pair_v):
    """(distance in km, passes the distance filter) for the given (request, volunteer) pairs."""
    distance = distance_km(requests.lat[pair_r], requests.lon[pair_r], volunteers.lat[pair_v], volunteers.lon[pair_v])
    known = ~np.isnan(distance)
    max_km = volunteers.max_km[pair_v]
    has_max = ~np.isnan(max_km)
    has_areas = volunteers.has_areas[pair_v]
    area = requests.area[pair_r]
    in_area = np.zeros(len(pair_r), dtype=bool)
    if volunteers.areas.shape[1]:
        in_area = volunteers.areas[pair_v, np.clip(area, 0, None)] & (area >= 0)
    within = (has_max & known & (distance <= np.nan_to_num(max_km, nan=0.0))) | (has_areas & in_area)
    # Where neither the volunteer nor the location says anything, distance can't rule anyone out.
    unrestricted = (~has_max & ~has_areas) | (has_max & ~known & ~has_areas)
    return distance, within | unrestricted


def _met_keys(met):
    # (resident, volunteer) as one number each, sorted, so the lookup is one vectorised searchsorted.
    return np.unique(np.array([(int(resident) << 32) | int(volunteer) for resident, volunteer in met], dtype=np.int64))


def _points(requests, volunteers, weights, pair_r, pair_v, distance, met_keys):
    """Each criterion's points and the facts behind them for the given pairs: (values, total per pair)."""
    R, V = len(requests.pks), len(volunteers)
    met_pairs = np.zeros(len(pair_r), dtype=bool)
    if met_keys is not None and len(met_keys):
        met_pairs = _in_sorted((requests.resident[pair_r] << 32) | volunteers.pks[pair_v], met_keys)
    mutual = requests.mutual if requests.mutual is not None else np.zeros(R, dtype=bool)
    reciprocal = volunteers.reciprocal if volunteers.reciprocal is not None else np.zeros(V, dtype=bool)
    pair_overlap = volunteers.category_availability[pair_v, requests.category[pair_r]] & requests.slots[pair_r].astype(
        np.int32
    )
    request_bits = np.maximum(_popcount(requests.slots), 1)
    speaks = (volunteers.languages[pair_v] & requests.language[pair_r]) != 0
    today = timezone.localdate().toordinal()
    days_since = np.where(volunteers.last_helped >= 0, today - volunteers.last_helped, RECENCY_DAYS)
    load_share = np.clip(volunteers.month_load / np.maximum(volunteers.monthly_max, 1), 0, 1)
    known = ~np.isnan(distance)
    near = np.clip(1 - distance / NEAR_KM, 0, 1)
    near[~known] = 0.5
    parts = {
        "distance": weights["distance"] * near,
        "availability": weights["availability"] * np.clip(_popcount(pair_overlap) / request_bits[pair_r], 0, 1),
        "language": weights["language"] * speaks,
        "load": (weights["load"] * (1 - load_share))[pair_v],
        # 'Er zijn voor elkaar': meeting again matters most, so continuity counts double there.
        "continuity": weights["continuity"]
        * met_pairs
        * np.where(requests.continuity_full[pair_r], 1.0, 0.5)
        * np.where(mutual[pair_r], 2.0, 1.0),
        "recency": (weights["recency"] * np.clip(days_since / RECENCY_DAYS, 0, 1))[pair_v],
        # 'Er zijn voor elkaar': a volunteer who has been helped themselves gives back.
        "reciprocity": weights.get("reciprocity", 0) * (reciprocal[pair_v] & mutual[pair_r]),
    }
    pair_total = sum(parts.values())
    values = {
        "distance": distance,
        "overlap": pair_overlap,
        "speaks": speaks,
        "met": met_pairs,
        "reciprocal": reciprocal[pair_v],
    }
    values.update({f"part:{key}": value for key, value in parts.items()})
    return values, pair_total


def score(requests: RequestArrays, volunteers: VolunteerArrays, weights, excluded=(), met=(), booked=None):
    """Hard filters and weighted criteria for every (request, volunteer) pair.

    `booked` (booked_matrix) marks volunteers who already have a proposed or accepted match at the time.
    The cheap filters (category, time, VOG, pause, room) are computed for all pairs; the distance and the
    points only for the pairs those leave (all pairs up to DENSE_PAIRS). For one request, or one volunteer;
    the batch, with thousands of each, uses score_sparse().
    """
    R, V = len(requests.pks), len(volunteers)
    req = lambda values: values[:, None]  # noqa: E731 - broadcast a request column over volunteers

    category_ok = volunteers.category_ok[:, requests.category].T
    available = volunteers.category_availability[:, requests.category].T
    overlap = available & req(requests.slots.astype(np.int32))
    day = req(requests.day)
    vog_ok = ~req(requests.requires_vog) | (volunteers.vog_seen & (volunteers.vog_expires >= day))
    paused = (volunteers.paused_from >= 0) & (volunteers.paused_from <= day) & (day <= volunteers.paused_until)
    has_room = volunteers.month_load < volunteers.monthly_max
    passes = {
        "category": category_ok,
        "availability": overlap != 0,
        "vog": np.broadcast_to(vog_ok, (R, V)),
        "paused": np.broadcast_to(~paused, (R, V)),
        "room": np.broadcast_to(has_room, (R, V)),
    }
    # The filters before distance, in HARD_FILTERS order: the pairs that get as far as distance.
    before_distance = passes["category"] & passes["availability"] & vog_ok & ~paused & has_room
    if R * V <= DENSE_PAIRS:
        pair_r, pair_v = (m.ravel() for m in np.indices((R, V)))
    else:
        pair_r, pair_v = np.nonzero(before_distance)

    # Distance, for the pairs only.
    distance, reach_ok = _reach(requests, volunteers, pair_r, pair_v)
    distance_ok = np.ones((R, V), dtype=bool)
    distance_ok[pair_r, pair_v] = reach_ok
    passes["distance"] = distance_ok

    not_excluded = np.ones((R, V), dtype=bool)
    if excluded:
        index_r = {pk: i for i, pk in enumerate(requests.pks.tolist())}
        index_v = {pk: i for i, pk in enumerate(volunteers.pks.tolist())}
        for request_pk, volunteer_pk in excluded:
            if request_pk in index_r and volunteer_pk in index_v:
                not_excluded[index_r[request_pk], index_v[volunteer_pk]] = False
    passes["booked"] = ~booked if booked is not None else np.ones((R, V), dtype=bool)
    passes["excluded"] = not_excluded
    feasible = before_distance & distance_ok & passes["booked"] & not_excluded

    values, pair_total = _points(requests, volunteers, weights, pair_r, pair_v, distance, _met_keys(met))
    total = np.full((R, V), -np.inf)
    chosen = feasible[pair_r, pair_v]
    total[pair_r[chosen], pair_v[chosen]] = pair_total[chosen]
    return Scores(feasible=feasible, passes=passes, total=total, pair_r=pair_r, pair_v=pair_v, values=values)


# The sparse scorer works on blocks of at most this many (request, volunteer) pairs at a time: its memory is a
# few such blocks plus the feasible pairs, however many requests and volunteers there are.
BLOCK_PAIRS = 1 << 18


@dataclass
class SparseScores:
    """The batch's scores: only the feasible pairs, row-major (by request, then volunteer), with their totals.

    `first_failed` says per request which hard filter (an index into HARD_FILTERS) left it without any
    volunteer, -1 when some volunteer passes them all. The facts behind a pair's points (`at`, for
    criteria_for) are computed when asked, for the few pairs an assignment uses.
    """

    shape: tuple
    pair_r: np.ndarray
    pair_v: np.ndarray
    pair_total: np.ndarray
    first_failed: np.ndarray
    requests: RequestArrays
    volunteers: VolunteerArrays
    weights: dict
    met_keys: np.ndarray
    _keys: np.ndarray | None = None
    _details: dict | None = None
    _feasible: object = None

    @property
    def keys(self):
        """r * volunteers + v per pair: ascending, so a pair is found with one searchsorted."""
        if self._keys is None:
            self._keys = self.pair_r * self.shape[1] + self.pair_v
        return self._keys

    def index(self, r, v):
        """Positions of the pairs (arrays r, v) among the feasible ones, -1 for a pair that is not feasible."""
        keys = np.asarray(r, dtype=np.int64) * self.shape[1] + np.asarray(v, dtype=np.int64)
        i = np.minimum(np.searchsorted(self.keys, keys), max(len(self.keys) - 1, 0))
        found = (self.keys[i] == keys) if len(self.keys) else np.zeros(keys.shape, dtype=bool)
        return np.where(found, i, -1)

    @property
    def feasible(self):
        """(requests × volunteers) sparse: True where a pair passes every hard filter."""
        if self._feasible is None:
            from scipy.sparse import csr_matrix

            ones = np.ones(len(self.pair_r), dtype=bool)
            self._feasible = csr_matrix((ones, (self.pair_r, self.pair_v)), shape=self.shape)
        return self._feasible

    def total_at(self, r, v):
        i = int(self.index(r, v))
        if i < 0:
            raise KeyError((r, v))
        return float(self.pair_total[i])

    def detail(self, pairs):
        """Computes the facts behind the points of these (r, v) pairs at once (an assignment's pairs)."""
        pairs = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
        if self._details is None:
            self._details = {}
        if not len(pairs):
            return
        if (self.index(pairs[:, 0], pairs[:, 1]) < 0).any():
            raise KeyError("not a feasible pair")
        pair_r, pair_v = pairs[:, 0], pairs[:, 1]
        distance, _ok = _reach(self.requests, self.volunteers, pair_r, pair_v)
        values, _total = _points(self.requests, self.volunteers, self.weights, pair_r, pair_v, distance, self.met_keys)
        for i, (r, v) in enumerate(pairs.tolist()):
            self._details[(r, v)] = {name: column[i] for name, column in values.items()}

    def at(self, name, r, v):
        """One feasible pair's value, as Scores.at."""
        key = (int(r), int(v))
        if self._details is None or key not in self._details:
            self.detail([key])
        return self._details[key][name]


@dataclass
class Bookings:
    """Per volunteer, the times of their matches in `statuses` (booked_matrix's input), for pairs in bulk."""

    starts: np.ndarray  # (volunteers + 1): volunteer v's matches are rows starts[v]:starts[v + 1]
    times: TimeArrays
    own: np.ndarray  # the request of each match

    @classmethod
    def of(cls, volunteers: "VolunteerArrays", matches, statuses=Match.ACTIVE):
        position = {pk: i for i, pk in enumerate(volunteers.pks.tolist())}
        rows = sorted(
            (row for row in matches.rows if row[1] in statuses and row[0] in position), key=lambda row: position[row[0]]
        )
        columns = np.array([position[row[0]] for row in rows], dtype=np.int64)
        return cls(
            starts=np.searchsorted(columns, np.arange(len(volunteers) + 1)),
            times=TimeArrays.of(row[5:10] for row in rows),
            own=np.array([row[3] for row in rows], dtype=np.int64),
        )

    def clash(self, requests: "RequestArrays", pair_r, pair_v):
        """booked_matrix[pair_r, pair_v]: the volunteer has a match at an overlapping time (not this request's)."""
        count = self.starts[pair_v + 1] - self.starts[pair_v]
        pair = np.repeat(np.arange(len(pair_r)), count)
        if not len(pair):
            return np.zeros(len(pair_r), dtype=bool)
        # For each pair, each of its volunteer's matches: 0, 1, …, count - 1 after the volunteer's first.
        offsets = np.arange(len(pair)) - np.repeat(np.cumsum(count) - count, count)
        match = self.starts[pair_v[pair]] + offsets
        r = pair_r[pair]
        hit = overlap_pairs(requests.times.take(r), self.times.take(match)) & (requests.pks[r] != self.own[match])
        return np.bincount(pair[hit], minlength=len(pair_r)) > 0


def overlap_blocks(a: TimeArrays, b: TimeArrays):
    """overlap_matrix(a, b), computed a block of rows at a time (its int64 intermediates stay small)."""
    result = np.zeros((len(a), len(b)), dtype=bool)
    step = max(1, BLOCK_PAIRS // max(len(b), 1))
    for start in range(0, len(a), step):
        result[start : start + step] = overlap_matrix(a.take(slice(start, start + step)), b)
    return result


def score_sparse(requests: RequestArrays, volunteers: VolunteerArrays, weights, excluded=(), met=(), booked=None):
    """score() for the batch: the same hard filters and points, kept only for the feasible pairs.

    Requests are taken per kind of help, against only the volunteers who offer it (the category filter picks
    the columns), in blocks of at most BLOCK_PAIRS pairs; the cheap filters are computed for a block, the
    distance for the pairs they leave, the points for the pairs that pass everything. `booked` is
    Bookings.of() (booked_matrix's matches). Nothing of size requests × volunteers is ever built.
    """
    R, V = len(requests.pks), len(volunteers)
    index_v = {pk: i for i, pk in enumerate(volunteers.pks.tolist())}
    index_r = {pk: i for i, pk in enumerate(requests.pks.tolist())}
    excluded_keys = np.unique(
        np.array([index_r[r] * V + index_v[v] for r, v in excluded if r in index_r and v in index_v], dtype=np.int64)
    )
    met_keys = _met_keys(met)
    stage = {key: i for i, key in enumerate(HARD_FILTERS)}
    first_failed = np.full(R, -1, dtype=np.int64)
    has_room = volunteers.month_load < volunteers.monthly_max
    found_r, found_v, found_total = [], [], []

    def none_left(rows, kept, key):
        """Marks the requests `rows` with no volunteer in `kept` (per row) as failing at `key`, if not already."""
        hit = rows[~kept]
        first_failed[hit[first_failed[hit] < 0]] = stage[key]

    for c in np.unique(requests.category):
        rows_c = np.flatnonzero(requests.category == c)
        cols = np.flatnonzero(volunteers.category_ok[:, c])
        if not len(cols):
            first_failed[rows_c] = stage["category"]
            continue
        available = volunteers.category_availability[cols, c]
        vog_valid = volunteers.vog_seen[cols]
        vog_expires = volunteers.vog_expires[cols]
        paused_from, paused_until = volunteers.paused_from[cols], volunteers.paused_until[cols]
        room = has_room[cols]
        step = max(1, BLOCK_PAIRS // len(cols))
        for start in range(0, len(rows_c), step):
            rows = rows_c[start : start + step]
            day = requests.day[rows, None]
            ok = (available & requests.slots[rows, None].astype(np.int32)) != 0
            none_left(rows, ok.any(axis=1), "availability")
            ok &= ~requests.requires_vog[rows, None] | (vog_valid & (vog_expires >= day))
            none_left(rows, ok.any(axis=1), "vog")
            ok &= ~((paused_from >= 0) & (paused_from <= day) & (day <= paused_until))
            none_left(rows, ok.any(axis=1), "paused")
            ok &= room
            none_left(rows, ok.any(axis=1), "room")
            block_r, block_c = np.nonzero(ok)
            del ok
            pair_r, pair_v = rows[block_r], cols[block_c]
            distance, keep = _reach(requests, volunteers, pair_r, pair_v)
            none_left(rows, np.bincount(block_r[keep], minlength=len(rows)) > 0, "distance")
            if booked is not None:
                kept = np.flatnonzero(keep)
                keep[kept[booked.clash(requests, pair_r[kept], pair_v[kept])]] = False
            none_left(rows, np.bincount(block_r[keep], minlength=len(rows)) > 0, "booked")
            keep &= ~_in_sorted(pair_r * V + pair_v, excluded_keys)
            none_left(rows, np.bincount(block_r[keep], minlength=len(rows)) > 0, "excluded")
            pair_r, pair_v, distance = pair_r[keep], pair_v[keep], distance[keep]
            _values, total = _points(requests, volunteers, weights, pair_r, pair_v, distance, met_keys)
            found_r.append(pair_r)
            found_v.append(pair_v)
            found_total.append(total)
    pair_r = np.concatenate(found_r) if found_r else np.zeros(0, dtype=np.int64)
    pair_v = np.concatenate(found_v) if found_v else np.zeros(0, dtype=np.int64)
    pair_total = np.concatenate(found_total) if found_total else np.zeros(0)
    order = np.argsort(pair_r * V + pair_v, kind="stable")
    return SparseScores(
        shape=(R, V),
        pair_r=pair_r[order],
        pair_v=pair_v[order],
        pair_total=pair_total[order],
        first_failed=first_failed,
        requests=requests,
        volunteers=volunteers,
        weights=weights,
        met_keys=met_keys,
    )


def refusals(scores, r, v):
    """The hard filters that (request r, volunteer v) fails, in HARD_FILTERS order."""
    return [key for key in HARD_FILTERS if not scores.passes[key][r, v]]


def criteria_for(scores, requests, volunteers, r, v):
    """What a suggestion stores: each criterion's points and the fact behind it, for the explanation."""
    distance = scores.at("distance", r, v)
    days = None if volunteers.last_helped[v] < 0 else timezone.localdate().toordinal() - int(volunteers.last_helped[v])
    facts = {
        "distance": {"km": None if np.isnan(distance) else round(float(distance), 2)},
        "availability": {"slots": int(scores.at("overlap", r, v))},
        "language": {"language": requests.language_code[r], "speaks": bool(scores.at("speaks", r, v))},
        "load": {"count": int(volunteers.month_load[v])},
        # No name: what is stored in a suggestion holds nothing of the resident (explain.py says "deze bewoner").
        "continuity": {"met": bool(scores.at("met", r, v))},
        "recency": {"days": days},
        "reciprocity": {"received": bool(scores.at("reciprocal", r, v))},
    }
    mutual = requests.mutual is not None and bool(requests.mutual[r])
    return [
        {"key": key, "points": round(float(scores.at(f"part:{key}", r, v)), 1), **facts[key]}
        for key in CRITERIA
        if mutual or key not in MUTUAL_ONLY
    ]
