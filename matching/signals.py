"""Signals: questions that recur across residents, and continuity at risk (issue 8, points 5, 6 and 8).

`signals_detect(organisation=...)` is the one service the daily task calls. It reads the organisation's
data in its scope, finds every condition that holds today (each with a stable key: what it is about)
and brings the Signal rows in line: a new key is raised, a known key is updated (never raised twice),
an open signal whose condition no longer holds becomes `opgelost`, and one a person marked
`niet_relevant` or `activiteit` keeps that status (it stays quiet).

Recurring questions are found in buckets, not by comparing pairs, so a run is linear in the requests of
the window:

- place: (category, place, week part) → residents. The place is the request's area, else the resident's
  area, else the nearest area within `recurring_km` of the resident's coordinates, else a grid cell of
  `recurring_km`; a cell counts the residents of its 3 × 3 neighbourhood and only the busiest cell of
  a neighbourhood speaks. The week part is a day part ("dinsdagochtend") or a day ("dinsdag") of a
  request that names at most six day parts or two days (one that can be any time says nothing).
- text: (category, word) → residents, over meaningful words of the description (lowercased, accents
  stripped, Dutch stop words and the kind's own name left out, a light plural stemming).

A candidate becomes a signal when it has at least `recurring_min_residents` different residents who
are not already behind a stronger signal of the same kind of help (the greedy pass below), so one
cluster gives one signal, whichever words or day parts its requests share.

Facts are stored in Signal.facts without names of people; the sentence is rendered at display time
in the reader's language (`signal_sentence`).
"""

import datetime
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Q, Sum, Value, When
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_scopes import scope

from netwerken import availability
from netwerken.models import Area, Volunteer

from .dashboard import waiting_too_long_q
from .models import ContactLog, HelpRequest, ImprovementProposal, Match, Signal, SignalSettings

K = Signal.Kind
S = Signal.Status

# A request that names more day parts or days than this can be any time: it has no part of the week.
MAX_SLOTS, MAX_DAYS = 6, 2
# Proposals that expired for one request before it counts as "keeps expiring".
EXPIRED_PROPOSALS = 2
# Share of the answer time gone by when an open proposal counts as unanswered.
DEADLINE_SHARE = 0.75
# The bus factor needs enough help to speak of a share at all.
BUS_FACTOR_MIN_MATCHES = 10
BUS_FACTOR_DAYS = 90
# The pool shrinks: the last complete month at least this much below the one before, from at least
# POOL_MIN_VOLUNTEERS volunteers or POOL_MIN_MINUTES minutes.
POOL_DROP = 0.2
POOL_MIN_VOLUNTEERS, POOL_MIN_MINUTES = 3, 5 * 60
# A word that more than this share of a kind's residents use says nothing beyond the kind itself
# (only where the kind has enough residents to tell).
COMMON_WORD_SHARE = 0.5
WAITING_STATUSES = (HelpRequest.Status.NEW, HelpRequest.Status.SEARCHING, HelpRequest.Status.PROPOSED)

STOP_WORDS = frozenset(
    """
    aan aantal achter af al alle alleen alles als altijd ander andere anders bij binnen daar daarna dan dat de
    der deze die dit doe doen door dus echt een eens eigen en enkele er even ga gaan gaat geen geweest graag
    haar had heb hebben heeft hem het hier hij hoe hoeveel hun iemand iets ik in is ja je jij jou jouw kan keer
    kom komen komt kon kunnen kunt laat maar me mee meer men met mij mijn misschien moet moeten mogelijk na
    naar nee niet niets nodig nog nu of om omdat ons onze ook op over per reeds rond soms te tegen toch toe
    toen tot u uit uur uw vaak van vanaf veel verder voor vooral waar want waren was wat we weer wel werd wie
    wil willen wij wordt worden zal ze zeer zelf zich zij zijn zo zoals zonder zou zouden
    hulp help helpen hulpvraag vraag vragen iemand mevrouw meneer heer bewoner bewoners buurt week weken
    elke iedere ieder keer dag dagen maand maanden thuis huis zoek zoekt zoeken gezocht zet zetten twee drie
    terug elkaar zolang beetje doet
    """.split()
)
TOKEN = re.compile(r"[a-z]+")


def normalise_text(text):
    """Lowercase, accents stripped (é → e), everything else a space."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word):
    """A light Dutch plural stemming: boodschappen → boodschap, fietsen → fiets, tafels → tafel."""
    if len(word) > 5 and word.endswith("en"):
        word = word[:-2]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
            word = word[:-1]
    elif len(word) > 4 and word.endswith("s") and word[-2] in "aeiouylrnjg":
        # tafels, kopjes, ouders, dinsdags; not fiets or kruis.
        word = word[:-1]
    return word


def meaningful_words(text, ignore=frozenset()):
    """{stem: the word as written} of the words that mean something."""
    words = {}
    for token in TOKEN.findall(normalise_text(text)):
        if len(token) < 3 or token in STOP_WORDS:
            continue
        stemmed = stem(token)
        if stemmed in STOP_WORDS or stemmed in ignore or len(stemmed) < 3:
            continue
        words.setdefault(stemmed, token)
    return words


def week_parts(mask):
    """The parts of the week a request is about: day parts ('di-ochtend') and days ('di')."""
    slots = [index for index in range(len(availability.SLOTS)) if mask >> index & 1]
    parts = []
    if 0 < len(slots) <= MAX_SLOTS:
        parts.extend(availability.SLOTS[index][0] for index in slots)
    days = sorted({index // 3 for index in slots})
    if 0 < len(days) <= MAX_DAYS:
        parts.extend(availability.DAYS[day][0] for day in days)
    return parts


def week_part_label(code):
    days = dict(availability.DAYS)
    if "-" in code:
        day, part = code.split("-", 1)
        return str(availability.slot_label(days[day], dict(availability.PARTS)[part]))
    return str(days.get(code, code))


# --- what a run finds --------------------------------------------------------------------------------


@dataclass
class Found:
    kind: str
    key: str
    facts: dict
    count: int = 0
    requests: tuple = ()
    volunteer_id: int | None = None
    match_id: int | None = None


@dataclass
class Row:
    """One request of the window, as the recurring-question buckets need it."""

    pk: int
    resident: int
    category: int
    place: tuple | None  # ("area", pk) or ("cell", i, j)
    postcode: str
    parts: list
    words: dict = field(default_factory=dict)


class Places:
    """Where a request is: its area, the resident's, the nearest area within km, or a grid cell of km."""

    def __init__(self, areas, km):
        self.km = km
        self.areas = list(areas)  # [(pk, lat, lon)]
        self._memo = {}

    def __call__(self, area_id, resident_area_id, lat, lon):
        if area_id or resident_area_id:
            return ("area", area_id or resident_area_id)
        if lat is None or lon is None:
            return None
        key = (lat, lon)
        if key not in self._memo:
            self._memo[key] = self._locate(lat, lon)
        return self._memo[key]

    def _locate(self, lat, lon):
        best, best_km = None, None
        for pk, area_lat, area_lon in self.areas:
            km = _km(lat, lon, area_lat, area_lon)
            if km <= self.km and (best_km is None or km < best_km):
                best, best_km = pk, km
        if best is not None:
            return ("area", best)
        size = max(self.km, 0.05)
        return ("cell", math.floor(lat * 111.0 / size), math.floor(lon * 111.0 * math.cos(math.radians(lat)) / size))


def _km(lat1, lon1, lat2, lon2):
    # Equirectangular: exact enough within a municipality, and cheap.
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


def recurring_candidates(rows, *, min_residents):
    """Place and text candidates: [(category, kind, key parts, residents, request pks)], from buckets."""
    by_place = defaultdict(lambda: defaultdict(set))  # (category, week part) -> place -> {(resident, pk)}
    by_word = defaultdict(lambda: defaultdict(set))  # category -> stem -> {(resident, pk)}
    residents_of_category = defaultdict(set)
    for row in rows:
        residents_of_category[row.category].add(row.resident)
        if row.place is not None:
            for part in row.parts:
                by_place[(row.category, part)][row.place].add((row.resident, row.pk))
        for word in row.words:
            by_word[row.category][word].add((row.resident, row.pk))

    candidates = []
    for (category, part), places in by_place.items():
        for place, members in places.items():
            if place[0] == "area":
                residents = {resident for resident, _pk in members}
                if len(residents) >= min_residents:
                    candidates.append(("place", category, place, part, members))
                continue
            # A cell speaks for its 3 × 3 neighbourhood, if it is the busiest cell of it.
            _cell, i, j = place
            neighbours = [("cell", i + di, j + dj) for di in (-1, 0, 1) for dj in (-1, 0, 1)]
            own = len(members)
            if any((len(places.get(other, ())), other) > (own, place) for other in neighbours if other != place):
                continue
            union = set().union(*(places.get(other, set()) for other in neighbours))
            if len({resident for resident, _pk in union}) >= min_residents:
                candidates.append(("place", category, place, part, union))
    for category, words in by_word.items():
        everyone = len(residents_of_category[category])
        for word, members in words.items():
            residents = {resident for resident, _pk in members}
            if len(residents) < min_residents:
                continue
            if everyone >= 3 * min_residents and len(residents) > COMMON_WORD_SHARE * everyone:
                continue
            candidates.append(("text", category, None, word, members))
    return candidates


def recurring_signals(rows, *, min_residents, weeks, categories, places, postcodes, surface):
    """Picks the signals from the candidates: strongest first, each with enough residents of its own."""
    candidates = recurring_candidates(rows, min_residents=min_residents)

    def strength(candidate):
        source, category, place, part, members = candidate
        residents = len({resident for resident, _pk in members})
        # Day parts first, then days (for residents spread over a day's parts), then words (for those
        # spread over the week); within each, the most residents first.
        level = 2 if source == "text" else (0 if "-" in part else 1)
        return (level, -residents, category, str(place), part)

    covered = defaultdict(set)  # (category, place or "tekst") -> residents already behind a signal
    found = []
    by_pk = {row.pk: row for row in rows}
    for candidate in sorted(candidates, key=strength):
        source, category, place, part, members = candidate
        residents = {resident for resident, _pk in members}
        if source == "place":
            seen = covered[(category, place)]
        else:
            # Text clusters step aside for what the place signals of the same kind already say.
            seen = covered[(category, "tekst")] | covered[(category, "plaats")]
        if len(residents - seen) < min_residents:
            continue
        if source == "place":
            covered[(category, place)] |= residents
        covered[(category, "plaats" if source == "place" else "tekst")] |= residents
        request_pks = tuple(sorted({pk for _resident, pk in members}))
        facts = {"residents": len(residents), "requests": len(request_pks), "weeks": weeks}
        facts["category"] = categories.get(category, "")
        if source == "place":
            if place[0] == "area":
                facts.update(place=places.get(place[1], ""), place_kind="area")
                key_place = f"buurt{place[1]}"
            else:
                common = Counter(postcodes[pk][:4] for pk in request_pks if postcodes.get(pk)).most_common(1)
                facts.update(place=common[0][0] if common else "", place_kind="postcode")
                key_place = f"cel{place[1]}_{place[2]}"
            facts["week_part"] = part
            key = f"{K.RECURRING}:{category}:{key_place}:{part}"
        else:
            # The words most of the cluster's requests share, the bucket's word first.
            shared = Counter(word for pk in request_pks for word in by_pk[pk].words)
            words = [part] + [w for w, n in shared.most_common() if w != part and n >= 0.6 * len(request_pks)][:2]
            facts["words"] = [surface.get(w, w) for w in words]
            key = f"{K.RECURRING}:{category}:tekst:{part}"
        found.append(Found(kind=K.RECURRING, key=key, facts=facts, count=len(residents), requests=request_pks))
    return found


def _request_rows(settings, now):
    since = now - datetime.timedelta(weeks=settings.recurring_weeks)
    places = Places(Area.objects.values_list("pk", "latitude", "longitude"), settings.recurring_km)
    categories = {}
    ignore = {}
    from .models import Category

    for pk, name in Category.objects.values_list("pk", "name"):
        categories[pk] = name
        ignore[pk] = frozenset(meaningful_words(name))
    rows, postcodes, surface = [], {}, {}
    query = HelpRequest.objects.filter(created_at__gte=since).values_list(
        "pk",
        "resident_id",
        "category_id",
        "area_id",
        "resident__area_id",
        "resident__latitude",
        "resident__longitude",
        "resident__postcode",
        "slots",
        "description",
    )
    for pk, resident, category, area, resident_area, lat, lon, postcode, slots, description in query.iterator(
        chunk_size=5000
    ):
        words = meaningful_words(description, ignore.get(category, frozenset()))
        for stemmed, written in words.items():
            surface.setdefault(stemmed, written)
        postcodes[pk] = postcode or ""
        rows.append(
            Row(
                pk=pk,
                resident=resident,
                category=category,
                place=places(area, resident_area, lat, lon),
                postcode=postcode or "",
                parts=week_parts(slots),
                words=words,
            )
        )
    area_names = dict(Area.objects.values_list("pk", "name"))
    return rows, categories, area_names, postcodes, surface


def find_recurring(settings, now):
    rows, categories, area_names, postcodes, surface = _request_rows(settings, now)
    return recurring_signals(
        rows,
        min_residents=settings.recurring_min_residents,
        weeks=settings.recurring_weeks,
        categories=categories,
        places=area_names,
        postcodes=postcodes,
        surface=surface,
    )


# --- continuity at risk ---------------------------------------------------------------------------------


def waiting_limit_days(settings, urgency):
    U = HelpRequest.Urgency
    return {
        U.URGENT: settings.waiting_days_urgent,
        U.HIGH: settings.waiting_days_high,
        U.NORMAL: settings.waiting_days_normal,
        U.LOW: settings.waiting_days_low,
    }.get(urgency, settings.waiting_days_normal)


def find_waiting(settings, now):
    """Requests waiting more whole days than their urgency allows (the dashboard's condition): one signal per
    urgency, with the requests behind it, so a long queue is one thing to act on and not a signal per request."""
    rows = (
        HelpRequest.objects.filter(waiting_too_long_q(settings, now))
        .values_list("pk", "urgency", "created_at", "category__name")
        .order_by("created_at", "pk")
    )
    by_urgency = defaultdict(list)
    for pk, urgency, created, category in rows:
        by_urgency[urgency].append((pk, created, category))
    found = []
    for urgency, members in sorted(by_urgency.items(), reverse=True):
        _oldest_pk, oldest, _category = members[0]
        facts = {
            "urgency": urgency,
            "limit": waiting_limit_days(settings, urgency),
            "days": (now - oldest).days,  # the longest wait
            "requests": len(members),
        }
        if len(members) == 1:
            facts.update(request=members[0][0], category=members[0][2])
        found.append(
            Found(
                kind=K.WAITING,
                key=f"{K.WAITING}:urgentie{urgency}",
                facts=facts,
                count=len(members),
                requests=tuple(sorted(pk for pk, _created, _category in members)),
            )
        )
    return found


def find_unanswered(settings, now):
    """Requests whose proposals keep expiring, and open proposals past most of their answer time."""
    looking = (HelpRequest.Status.NEW, HelpRequest.Status.SEARCHING, HelpRequest.Status.PROPOSED)
    expired = dict(
        Match.objects.filter(status=Match.Status.EXPIRED, help_request__status__in=looking)
        .values("help_request")
        .annotate(n=Count("pk"))
        .filter(n__gte=EXPIRED_PROPOSALS)
        .values_list("help_request", "n")
    )
    late = {}
    for pk, request_pk, proposed_at, deadline in Match.objects.filter(status=Match.Status.PROPOSED).values_list(
        "pk", "help_request_id", "proposed_at", "deadline"
    ):
        if proposed_at + (deadline - proposed_at) * DEADLINE_SHARE <= now and request_pk not in late:
            late[request_pk] = (pk, deadline)
    names = dict(HelpRequest.objects.filter(pk__in=set(expired) | set(late)).values_list("pk", "category__name"))
    found = []
    for request_pk in sorted(set(expired) | set(late)):
        match_pk, deadline = late.get(request_pk, (None, None))
        facts = {"category": names.get(request_pk, ""), "expired": expired.get(request_pk, 0), "request": request_pk}
        if deadline is not None:
            facts["hours_left"] = max(0, int((deadline - now).total_seconds() // 3600))
        found.append(
            Found(
                kind=K.UNANSWERED,
                key=f"{K.UNANSWERED}:{request_pk}",
                facts=facts,
                count=1,
                requests=(request_pk,),
                match_id=match_pk,
            )
        )
    return found


def find_no_contact(settings, now):
    cutoff = now - datetime.timedelta(weeks=settings.no_contact_weeks)
    rows = (
        Match.objects.filter(status=Match.Status.ACCEPTED)
        .filter(Q(responded_at__lt=cutoff) | Q(responded_at__isnull=True, proposed_at__lt=cutoff))
        .annotate(last=Max("contact_logs__date"))
        .filter(Q(last__isnull=True) | Q(last__lt=cutoff.date()))
        .values_list("pk", "volunteer_id", "help_request_id", "help_request__category__name", "last", "responded_at")
    )
    found = []
    for pk, volunteer_id, request_pk, category, last, responded_at in rows:
        since = last or (responded_at or now).date()
        found.append(
            Found(
                kind=K.NO_CONTACT,
                key=f"{K.NO_CONTACT}:{pk}",
                facts={"category": category, "weeks": (now.date() - since).days // 7, "ever": last is not None},
                count=1,
                requests=(request_pk,),
                volunteer_id=volunteer_id,
                match_id=pk,
            )
        )
    return found


def _months_ago(now, months):
    return now - datetime.timedelta(days=round(30.44 * months))


def _volunteers():
    return Volunteer.objects.filter(status=Volunteer.Status.ACTIVE, erased_at__isnull=True)


def find_dropping_out(settings, now):
    rows = (
        Match.objects.filter(
            status__in=(Match.Status.DECLINED, Match.Status.EXPIRED, Match.Status.ENDED),
            proposed_at__gte=_months_ago(now, settings.declines_months),
            volunteer__in=_volunteers(),
        )
        .values("volunteer")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.declines_count)
        .values_list("volunteer", "n")
    )
    return [
        Found(
            kind=K.DROPPING_OUT,
            key=f"{K.DROPPING_OUT}:{volunteer_id}",
            facts={"times": n, "months": settings.declines_months},
            count=n,
            volunteer_id=volunteer_id,
        )
        for volunteer_id, n in rows
    ]


def find_inactive(settings, now):
    cutoff = _months_ago(now, settings.inactive_months)
    today = timezone.localdate(now)
    last_contact = dict(
        ContactLog.objects.values("match__volunteer").annotate(last=Max("date")).values_list("match__volunteer", "last")
    )
    last_match = dict(
        Match.objects.filter(status__in=(Match.Status.ACCEPTED, Match.Status.CLOSED), responded_at__isnull=False)
        .values("volunteer")
        .annotate(last=Max("responded_at"))
        .values_list("volunteer", "last")
    )
    paused = Q(paused_from__lte=today) & (Q(paused_until__isnull=True) | Q(paused_until__gte=today))
    found = []
    for pk, activated_at, created_at in _volunteers().exclude(paused).values_list("pk", "activated_at", "created_at"):
        moments = [activated_at or created_at]
        if pk in last_contact:
            moments.append(datetime.datetime.combine(last_contact[pk], datetime.time(12), tzinfo=datetime.UTC))
        if pk in last_match:
            moments.append(last_match[pk])
        latest = max(moment for moment in moments if moment is not None)
        if latest < cutoff:
            helped = pk in last_contact or pk in last_match
            found.append(
                Found(
                    kind=K.INACTIVE,
                    key=f"{K.INACTIVE}:{pk}",
                    facts={"since": timezone.localdate(latest).isoformat(), "helped": helped},
                    count=1,
                    volunteer_id=pk,
                )
            )
    return found


def find_overloaded(settings, now):
    counts = dict(
        Match.objects.filter(
            status__in=(Match.Status.ACCEPTED, Match.Status.CLOSED),
            proposed_at__gte=now - datetime.timedelta(days=BUS_FACTOR_DAYS),
        )
        .values("volunteer")
        .annotate(n=Count("pk"))
        .values_list("volunteer", "n")
    )
    total = sum(counts.values())
    if total < BUS_FACTOR_MIN_MATCHES:
        return []
    return [
        Found(
            kind=K.OVERLOADED,
            key=f"{K.OVERLOADED}:{volunteer_id}",
            facts={"share": round(100 * n / total), "matches": n, "total": total},
            count=n,
            volunteer_id=volunteer_id,
        )
        for volunteer_id, n in sorted(counts.items())
        if 100 * n >= settings.bus_factor_share * total
    ]


def _month_start(day, back=0):
    year, month = day.year, day.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1)


def find_pool_shrinking(settings, now):
    today = timezone.localdate(now)
    this_month, last_month, month_before = _month_start(today), _month_start(today, 1), _month_start(today, 2)

    def month(start, end):
        return ContactLog.objects.filter(date__gte=start, date__lt=end).aggregate(
            volunteers=Count("match__volunteer", distinct=True), minutes=Sum("minutes")
        )

    current, previous = month(last_month, this_month), month(month_before, last_month)
    found = []
    for measure, minimum in (("volunteers", POOL_MIN_VOLUNTEERS), ("minutes", POOL_MIN_MINUTES)):
        before, after = previous[measure] or 0, current[measure] or 0
        if before >= minimum and after <= (1 - POOL_DROP) * before:
            found.append(
                Found(
                    kind=K.POOL_SHRINKING,
                    key=f"{K.POOL_SHRINKING}:{measure}",
                    facts={
                        "measure": measure,
                        "before": before,
                        "after": after,
                        "month_before": month_before.isoformat(),
                        "month": last_month.isoformat(),
                    },
                    count=after,
                )
            )
    return found


def find_vog_expiring(settings, now):
    today = timezone.localdate(now)
    limit = today + datetime.timedelta(weeks=settings.vog_weeks)
    rows = (
        _volunteers()
        .filter(vog_seen=True, vog_expires__lte=limit, categories__requires_vog=True)
        .values_list("pk", "vog_expires")
        .distinct()
    )
    return [
        Found(
            kind=K.VOG_EXPIRING,
            key=f"{K.VOG_EXPIRING}:{pk}",
            facts={"expires": expires.isoformat()},
            count=1,
            volunteer_id=pk,
        )
        for pk, expires in rows
    ]


FINDERS = [
    find_recurring,
    find_waiting,
    find_unanswered,
    find_no_contact,
    find_dropping_out,
    find_inactive,
    find_overloaded,
    find_pool_shrinking,
    find_vog_expiring,
]


# --- the service --------------------------------------------------------------------------------------


def signal_settings(organisation=None):
    """The organisation's thresholds, created with the defaults the first time."""
    settings = SignalSettings.objects.first()
    if settings is None:
        if organisation is None:
            from django_scopes.state import get_scope

            organisation = get_scope()["organisation"]
        settings, _created = SignalSettings.objects.get_or_create(
            organisation_id=getattr(organisation, "pk", organisation)
        )
    return settings


def signals_detect(*, organisation, now=None):
    """Finds what holds today and brings the organisation's signals in line. Idempotent.

    Returns counts: {"found", "created", "updated", "reopened", "resolved"}.
    """
    now = now or timezone.now()
    with scope(organisation=organisation):
        settings = signal_settings(organisation)
        found = {}
        for finder in FINDERS:
            for item in finder(settings, now):
                found[item.key] = item
        with transaction.atomic():
            counts = _sync(organisation, found, now)
    counts["found"] = len(found)
    return counts


def _sync(organisation, found, now):
    organisation_id = getattr(organisation, "pk", organisation)
    Through = Signal.requests.through
    existing = {
        key: (pk, status, facts, count, volunteer_id, match_id)
        for pk, key, status, facts, count, volunteer_id, match_id in Signal.objects.select_for_update().values_list(
            "pk", "key", "status", "facts", "count", "volunteer_id", "match_id"
        )
    }
    linked = defaultdict(set)
    for signal_id, request_id in Through.objects.filter(signal__organisation_id=organisation_id).values_list(
        "signal_id", "helprequest_id"
    ):
        linked[signal_id].add(request_id)

    created, changed, reopened, links_to_set = [], [], [], {}
    for key, item in found.items():
        if key not in existing:
            created.append(
                Signal(
                    organisation_id=organisation_id,
                    kind=item.kind,
                    key=key,
                    facts=item.facts,
                    count=item.count,
                    volunteer_id=item.volunteer_id,
                    match_id=item.match_id,
                    created_at=now,
                    updated_at=now,
                    seen_at=now,
                )
            )
            continue
        pk, status, facts, count, volunteer_id, match_id = existing[key]
        if status == S.RESOLVED:
            reopened.append(pk)
        if (facts, count, volunteer_id, match_id) != (item.facts, item.count, item.volunteer_id, item.match_id):
            changed.append(
                Signal(
                    pk=pk,
                    organisation_id=organisation_id,
                    facts=item.facts,
                    count=item.count,
                    volunteer_id=item.volunteer_id,
                    match_id=item.match_id,
                    updated_at=now,
                )
            )
        if linked.get(pk, set()) != set(item.requests):
            links_to_set[pk] = item.requests

    if created:
        # A concurrent run may have raised the same key a moment ago: the unique key keeps one.
        Signal.objects.bulk_create(created, batch_size=1000, ignore_conflicts=True)
        fresh = dict(Signal.objects.filter(key__in=[s.key for s in created]).values_list("key", "pk"))
        for key, pk in fresh.items():
            if found[key].requests:
                links_to_set[pk] = found[key].requests
    if changed:
        Signal.objects.bulk_update(
            changed, ["facts", "count", "volunteer_id", "match_id", "updated_at"], batch_size=1000
        )
    if reopened:
        # The condition is back: a new occurrence, raised again as new.
        Signal.objects.filter(pk__in=reopened).update(
            status=S.NEW, created_at=now, updated_at=now, status_by=None, status_at=now
        )
    if links_to_set:
        Through.objects.filter(signal_id__in=list(links_to_set)).delete()
        Through.objects.bulk_create(
            [
                Through(signal_id=pk, helprequest_id=request)
                for pk, requests in links_to_set.items()
                for request in requests
            ],
            batch_size=5000,
        )
    seen = [existing[key][0] for key in found if key in existing]
    if seen:
        Signal.objects.filter(pk__in=seen).update(seen_at=now)
    gone = [pk for key, (pk, status, *_rest) in existing.items() if key not in found and status in Signal.OPEN]
    if gone:
        Signal.objects.filter(pk__in=gone).update(status=S.RESOLVED, status_at=now, status_by=None, updated_at=now)
    return {
        "created": len(created),
        "updated": len(changed),
        "reopened": len(reopened),
        "resolved": len(gone),
    }


# --- reading a signal: its sentence, why, and what to do -----------------------------------------------

ACTIONS = {
    K.RECURRING: gettext_lazy("Benader een bewonersnetwerk om hier samen een activiteit voor te starten."),
    K.WAITING: gettext_lazy("Zoek iemand, bel de bewoner, of schaal op naar het wijkteam."),
    K.UNANSWERED: gettext_lazy("Bel de vrijwilliger, of stel de hulpvraag aan een ander voor."),
    K.NO_CONTACT: gettext_lazy("Bel de bewoner en de vrijwilliger na: loopt het nog?"),
    K.DROPPING_OUT: gettext_lazy("Vraag de vrijwilliger hoe het gaat; pas profiel of beschikbaarheid aan."),
    K.INACTIVE: gettext_lazy("Bel de vrijwilliger: wil die nog helpen, of liever pauzeren?"),
    K.OVERLOADED: gettext_lazy("Verdeel het werk: werf vrijwilligers voor deze hulp en stel anderen voor."),
    K.POOL_SHRINKING: gettext_lazy("Werf nieuwe vrijwilligers en vraag wie stopte waarom."),
    K.VOG_EXPIRING: gettext_lazy("Vraag de vrijwilliger op tijd een nieuwe VOG aan te vragen."),
}


def _date(iso):
    try:
        return formats.date_format(datetime.date.fromisoformat(iso), "j F Y")
    except (TypeError, ValueError):
        return ""


def _month(iso):
    try:
        return formats.date_format(datetime.date.fromisoformat(iso), "F Y")
    except (TypeError, ValueError):
        return ""


def _volunteer_name(signal, names):
    volunteer = signal.volunteer if names and signal.volunteer_id else None
    return volunteer.name if volunteer is not None else _("een vrijwilliger")


def signal_sentence(signal, *, names=False):
    """The signal in words, in the current language, from its facts (never stored as text).

    A volunteer is named only with `names` (a signal's own page, for staff who may see volunteers); lists,
    proposals and mails say "een vrijwilliger"."""
    return capfirst(_sentence(signal, names))


def _sentence(signal, names):
    facts, kind = signal.facts or {}, signal.kind
    category = (facts.get("category") or "").lower()
    if kind == K.RECURRING:
        values = {"count": facts.get("residents", signal.count), "weeks": facts.get("weeks", 0), "category": category}
        if facts.get("words"):
            values["words"] = ", ".join(f"‘{word}’" for word in facts["words"])
            return (
                ngettext(
                    "%(count)s bewoner vroeg de laatste %(weeks)s weken om hulp bij %(category)s, met dezelfde "
                    "woorden: %(words)s",
                    "%(count)s bewoners vroegen de laatste %(weeks)s weken om hulp bij %(category)s, met dezelfde "
                    "woorden: %(words)s",
                    values["count"],
                )
                % values
            )
        values["when"] = week_part_label(facts.get("week_part", ""))
        if facts.get("place_kind") == "postcode":
            values["place"] = facts.get("place") or "?"
            return (
                ngettext(
                    "%(count)s bewoner rond postcode %(place)s vroeg de laatste %(weeks)s weken om hulp bij "
                    "%(category)s, vooral op %(when)s",
                    "%(count)s bewoners rond postcode %(place)s vroegen de laatste %(weeks)s weken om hulp bij "
                    "%(category)s, vooral op %(when)s",
                    values["count"],
                )
                % values
            )
        values["place"] = facts.get("place") or "?"
        return (
            ngettext(
                "%(count)s bewoner in %(place)s vroeg de laatste %(weeks)s weken om hulp bij %(category)s, vooral op "
                "%(when)s",
                "%(count)s bewoners in %(place)s vroegen de laatste %(weeks)s weken om hulp bij %(category)s, vooral "
                "op %(when)s",
                values["count"],
            )
            % values
        )
    if kind == K.WAITING:
        urgency = HelpRequest.Urgency(facts["urgency"]).label if facts.get("urgency") in HelpRequest.Urgency else ""
        days, limit = facts.get("days", 0), facts.get("limit", 0)
        values = {"category": category, "urgency": urgency, "days": days, "limit": limit}
        values["allowed"] = (
            ngettext("bij deze urgentie hooguit %(limit)s dag", "bij deze urgentie hooguit %(limit)s dagen", limit)
            % values
        )
        n = facts.get("requests", 1)
        if n == 1:
            waited = ngettext(
                "Een hulpvraag (%(category)s, urgentie ‘%(urgency)s’) wacht al %(days)s dag; %(allowed)s.",
                "Een hulpvraag (%(category)s, urgentie ‘%(urgency)s’) wacht al %(days)s dagen; %(allowed)s.",
                days,
            )
            return waited % values
        values["n"] = n
        return (
            ngettext(
                "%(n)s hulpvraag met urgentie ‘%(urgency)s’ wacht te lang (%(allowed)s); de langste al %(days)s dagen.",
                "%(n)s hulpvragen met urgentie ‘%(urgency)s’ wachten te lang (%(allowed)s); de langste al %(days)s "
                "dagen.",
                n,
            )
            % values
        )
    if kind == K.UNANSWERED:
        parts = []
        if facts.get("expired"):
            parts.append(
                _("Voor een hulpvraag (%(category)s) verliepen al %(n)s voorstellen zonder antwoord.")
                % {"category": category, "n": facts["expired"]}
            )
        if "hours_left" in facts:
            parts.append(
                _("Een voorstel (%(category)s) is nog niet beantwoord; de bedenktijd is bijna om (%(hours)s uur).")
                % {"category": category, "hours": facts["hours_left"]}
            )
        return " ".join(parts)
    if kind == K.NO_CONTACT:
        values = {"category": category, "weeks": facts.get("weeks", 0)}
        if facts.get("ever"):
            return _("Een koppeling (%(category)s) heeft al %(weeks)s weken geen contactmoment.") % values
        return _("Een koppeling (%(category)s) loopt al %(weeks)s weken zonder één contactmoment.") % values
    if kind == K.DROPPING_OUT:
        return _("%(name)s wees de laatste %(months)s maanden %(times)s keer een voorstel af of haakte af.") % {
            "name": _volunteer_name(signal, names),
            "months": facts.get("months", 0),
            "times": facts.get("times", signal.count),
        }
    if kind == K.INACTIVE:
        values = {"name": _volunteer_name(signal, names), "since": _date(facts.get("since"))}
        if facts.get("helped"):
            return _("%(name)s heeft sinds %(since)s niet meer geholpen.") % values
        return _("%(name)s is actief sinds %(since)s en heeft nog niet geholpen.") % values
    if kind == K.OVERLOADED:
        return _(
            "%(name)s deed de laatste drie maanden %(share)s%% van alle koppelingen (%(matches)s van %(total)s)."
        ) % {
            "name": _volunteer_name(signal, names),
            "share": facts.get("share", 0),
            "matches": facts.get("matches", 0),
            "total": facts.get("total", 0),
        }
    if kind == K.POOL_SHRINKING:
        values = {
            "before": facts.get("before", 0),
            "after": facts.get("after", 0),
            "month_before": _month(facts.get("month_before")),
            "month": _month(facts.get("month")),
        }
        if facts.get("measure") == "minutes":
            values["before"], values["after"] = round(values["before"] / 60), round(values["after"] / 60)
            return _("Minder uren hulp: %(before)s uur in %(month_before)s, %(after)s uur in %(month)s.") % values
        return _("Minder actieve vrijwilligers: %(before)s in %(month_before)s, %(after)s in %(month)s.") % values
    if kind == K.VOG_EXPIRING:
        expires = facts.get("expires")
        values = {"name": _volunteer_name(signal, names), "date": _date(expires)}
        if expires and expires < timezone.localdate().isoformat():
            return _("De VOG van %(name)s is verlopen op %(date)s.") % values
        return _("De VOG van %(name)s verloopt op %(date)s.") % values
    return str(signal.get_kind_display())


def signal_action(signal):
    return ACTIONS.get(signal.kind, "")


def signal_link(signal, organisation, user):
    """(label, url) of the page where the action is taken, if the reader may open it; else None."""
    from django.urls import reverse

    slug = organisation.slug
    request_id = (signal.facts or {}).get("request")
    if signal.kind in (K.WAITING, K.UNANSWERED) and request_id:
        if user.has_perm("matching.view_requests", organisation):
            return _("Naar de hulpvraag"), reverse(
                "matching:request_detail", kwargs={"org": slug, "help_request": request_id}
            )
    elif signal.kind == K.WAITING:
        if user.has_perm("matching.view_requests", organisation):
            query = f"?wacht=te-lang&urgency={(signal.facts or {}).get('urgency', '')}"
            return _("Naar de hulpvragen"), reverse("matching:request_list", kwargs={"org": slug}) + query
    elif signal.kind == K.NO_CONTACT and signal.match_id:
        if user.has_perm("matching.view_requests", organisation):
            return _("Naar de koppeling"), reverse(
                "matching:match_detail", kwargs={"org": slug, "match": signal.match_id}
            )
    elif signal.volunteer_id:
        if user.has_perm("matching.view_volunteers", organisation):
            return _("Naar de vrijwilliger"), reverse(
                "matching:volunteer_detail", kwargs={"org": slug, "volunteer": signal.volunteer_id}
            )
    elif signal.kind == K.POOL_SHRINKING:
        if user.has_perm("matching.view_volunteers", organisation):
            return _("Naar de vrijwilligers"), reverse("matching:volunteer_list", kwargs={"org": slug})
    return None


# --- writes: a person's decision on a signal, improvement proposals, the thresholds --------------------


class SignalRefused(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


# What a professional or coordinator may mark a signal as; opgelost is the task's, nieuw comes by itself.
MARKS = (S.PICKED_UP, S.ACTIVITY, S.NOT_RELEVANT)
# From each status, the marks that make sense: a picked-up signal is not picked up again, one that became an
# activity or resolved itself is done, and one marked not relevant can still be picked up after all.
NEXT_MARKS = {
    S.NEW: (S.PICKED_UP, S.ACTIVITY, S.NOT_RELEVANT),
    S.PICKED_UP: (S.ACTIVITY, S.NOT_RELEVANT),
    S.ACTIVITY: (),
    S.NOT_RELEVANT: (S.PICKED_UP,),
    S.RESOLVED: (),
}


def signal_marks(signal):
    """The buttons a signal's page offers: (status, label)."""
    return [(status, Signal.Status(status).label) for status in NEXT_MARKS.get(signal.status, ())]


@transaction.atomic
def signal_set_status(*, signal, status, by):
    """Marks a signal picked up, turned into an activity, or not relevant. Returns whether it changed."""
    if status not in MARKS:
        raise SignalRefused(_("Dit kan niet met een signaal."), field="status")
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if signal.status == status:
        return False  # a second click
    if status not in NEXT_MARKS.get(signal.status, ()):
        raise SignalRefused(
            _("Dit signaal staat op ‘%(now)s’; ‘%(status)s’ kan dan niet meer.")
            % {"now": signal.get_status_display(), "status": Signal.Status(status).label},
            field="status",
        )
    signal.status, signal.status_by, signal.status_at = status, by, timezone.now()
    signal.save(update_fields=["status", "status_by", "status_at"])
    return True


@transaction.atomic
def signal_propose_activity(*, signal, network, title, by):
    """Turns a recurring question into a proposed activity of a network (netwerken/activities.py): the signal
    records the activity and is marked ‘activiteit gestart’. The activity starts as voorgesteld, without
    sessions; the network's organiser plans it from its page. Returns the activity."""
    from netwerken import activities
    from netwerken.models import Activity

    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    if signal.activity_id is not None:
        raise SignalRefused(_("Van dit signaal is al een activiteit gemaakt."), field="title")
    if S.ACTIVITY not in NEXT_MARKS.get(signal.status, ()):
        raise SignalRefused(
            _("Dit signaal staat op ‘%(now)s’; er kan geen activiteit meer van worden gemaakt.")
            % {"now": signal.get_status_display()},
            field="title",
        )
    try:
        activity = activities.activity_save(
            network=network,
            title=title,
            start_date=timezone.localdate() + datetime.timedelta(days=14),
            start_time=datetime.time(10, 0),
            status=Activity.Status.PROPOSED,
            by=by,
        )
    except activities.ActivityError as error:
        raise SignalRefused(error.message, field=error.field or "title") from error
    signal.activity = activity
    signal.status, signal.status_by, signal.status_at = S.ACTIVITY, by, timezone.now()
    signal.save(update_fields=["activity", "status", "status_by", "status_at"])
    return activity


@transaction.atomic
def improvement_create(*, organisation, signal=None, title, description="", owner, due, by):
    from netwerken.models import Membership

    from .models import ImprovementProposal

    staff = Membership.objects.filter(organisation=organisation, user=owner).filter(STAFF_ROLES)
    if owner is None or not staff.exists():
        raise SignalRefused(_("Kies iemand van de organisatie als eigenaar."), field="owner")
    return ImprovementProposal.objects.create(
        organisation=organisation,
        signal=signal,
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        due=due,
        created_by=by,
    )


@transaction.atomic
def improvement_set_status(*, proposal, status, by):
    from .models import ImprovementProposal

    if status not in ImprovementProposal.Status.values:
        raise SignalRefused(_("Deze status bestaat niet."), field="status")
    proposal = ImprovementProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == status:
        return False
    proposal.status = status
    proposal.save(update_fields=["status", "updated_at"])
    return True


# The allowed waiting per urgency, most urgent first: a less urgent request never has to be helped sooner.
WAITING_FIELDS = (
    ("waiting_days_urgent", HelpRequest.Urgency.URGENT),
    ("waiting_days_high", HelpRequest.Urgency.HIGH),
    ("waiting_days_normal", HelpRequest.Urgency.NORMAL),
    ("waiting_days_low", HelpRequest.Urgency.LOW),
)


def waiting_order_errors(values):
    """{field: message} for each urgency allowed a shorter wait than the more urgent one before it (one message
    a field, at the less urgent of the two). `values` maps field names to days; missing ones are skipped."""
    errors = {}
    for (previous_name, previous), (name, urgency) in zip(WAITING_FIELDS, WAITING_FIELDS[1:], strict=False):
        previous_days, days = values.get(previous_name), values.get(name)
        if previous_days is not None and days is not None and days < previous_days:
            errors[name] = ngettext(
                "Bij ‘%(urgency)s’ moet een hulpvraag minstens zo lang mogen wachten als bij ‘%(previous)s’ "
                "(%(days)s dag).",
                "Bij ‘%(urgency)s’ moet een hulpvraag minstens zo lang mogen wachten als bij ‘%(previous)s’ "
                "(%(days)s dagen).",
                previous_days,
            ) % {"urgency": urgency.label, "previous": previous.label, "days": previous_days}
    return errors


@transaction.atomic
def signal_settings_update(*, settings, by, **fields):
    for name, value in fields.items():
        setattr(settings, name, value)
    errors = waiting_order_errors({name: getattr(settings, name) for name, _urgency in WAITING_FIELDS})
    if errors:
        field, message = next(iter(errors.items()))
        raise SignalRefused(message, field=field)
    settings.full_clean()
    settings.save(update_fields=list(fields))
    return settings


# --- reads --------------------------------------------------------------------------------------------

# Who is staff for signals and proposals: coordinators and professionals (and, as owner of a proposal,
# the org admin).
STAFF_ROLES = Q(is_coordinator=True) | Q(is_professional=True) | Q(is_org_admin=True)


def signal_list(*, status=None, kind=None):
    """Signals for the list page: recurring questions first (what a network can pick up), then newest first;
    one query however many there are. The list names no volunteers, so it loads none."""
    signals = Signal.objects.annotate(
        recurring_first=Case(When(kind=K.RECURRING, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    if status == "open" or status is None:
        signals = signals.filter(status__in=Signal.OPEN)
    elif status in S.values:
        signals = signals.filter(status=status)
    if kind in K.values:
        signals = signals.filter(kind=kind)
    return signals.order_by("recurring_first", "-created_at", "-pk")


def signal_detail(pk):
    return Signal.objects.select_related("volunteer__membership__user", "status_by", "activity__network").get(pk=pk)


def signal_requests(signal):
    """The requests behind a signal (staff only): what, where, when; no names."""
    return signal.requests.select_related("category", "area").order_by("-created_at")


def improvement_list(*, status=None):
    from .models import ImprovementProposal

    proposals = ImprovementProposal.objects.select_related("owner", "signal")
    if status in ImprovementProposal.Status.values:
        proposals = proposals.filter(status=status)
    return proposals.order_by("due", "pk")


def staff_users(organisation):
    from netwerken.models import User

    return (
        User.objects.filter(is_active=True, memberships__organisation=organisation)
        .filter(
            Q(memberships__is_coordinator=True)
            | Q(memberships__is_professional=True)
            | Q(memberships__is_org_admin=True)
        )
        .distinct()
        .order_by("name", "email")
    )


def new_signal_count():
    """New signals of the current organisation (for a dashboard)."""
    return Signal.objects.filter(status=S.NEW).count()


# --- the weekly digest -----------------------------------------------------------------------------------


def week_start(day):
    return day - datetime.timedelta(days=day.weekday())


def digest_figures(now):
    """Counts only: the week's new signals by kind, what is open, the wijkteam's open queue."""
    from .models import Escalation, ImprovementProposal

    since = now - datetime.timedelta(days=7)
    new = dict(
        Signal.objects.filter(status=S.NEW, created_at__gte=since)
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return {
        "new": [(label, new[kind]) for kind, label in K.choices if new.get(kind)],
        "new_total": sum(new.values()),
        "open_signals": Signal.objects.filter(status__in=Signal.OPEN).count(),
        "open_escalations": Escalation.objects.filter(status__in=Escalation.OPEN).count(),
        "overdue_proposals": ImprovementProposal.objects.filter(
            status__in=(ImprovementProposal.Status.OPEN, ImprovementProposal.Status.IN_PROGRESS),
            due__lt=timezone.localdate(now),
        ).count(),
    }


def signals_send_digest(*, organisation, now=None):
    """This week's digest to every coordinator and professional of the organisation, once a week.

    The week is recorded (SignalSettings.digest_week) in the same transaction that queues the mails,
    so a retry, a second beat or a second worker sends nothing twice. Returns the number of mails queued.
    """
    from django.conf import settings as django_settings
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from netwerken.mail import queue_email
    from netwerken.models import Membership

    from .notifications import absolute

    now = now or timezone.now()
    week = week_start(timezone.localdate(now))
    with scope(organisation=organisation), transaction.atomic():
        signal_settings(organisation)
        settings = SignalSettings.objects.select_for_update().get()
        if settings.digest_week is not None and settings.digest_week >= week:
            return 0
        settings.digest_week = week
        settings.save(update_fields=["digest_week"])
        figures = digest_figures(now)
        recipients = list(
            Membership.objects.filter(organisation=organisation, user__is_active=True)
            .filter(Q(is_coordinator=True) | Q(is_professional=True))
            .values_list("user__email", "is_professional")
        )
        slug = organisation.slug
        links = {
            "signals": absolute(reverse("matching:signal_list", kwargs={"org": slug})),
            "proposals": absolute(reverse("matching:improvement_list", kwargs={"org": slug})),
            "professional": absolute(reverse("netwerken:professional_dashboard", kwargs={"org": slug})),
            "coordinator": absolute(reverse("netwerken:coordinator_dashboard", kwargs={"org": slug})),
        }
        sent = 0
        for email, is_professional in recipients:
            context = {
                **figures,
                "organisation": organisation,
                "week": week,
                "links": links,
                "queue_link": links["professional"] if is_professional else links["coordinator"],
            }
            # In the organisation's language, whatever language the worker runs in.
            with translation.override(django_settings.LANGUAGE_CODE):
                text = render_to_string("matching/signals/digest_email.txt", context)
            subject, _sep, body = text.strip().partition("\n")
            queue_email(
                to=email, subject=subject.strip(), body_text=body.strip() + "\n", organisation_id=organisation.pk
            )
            sent += 1
    return sent


def signal_rows(signals, *, organisation, user):
    """What the list shows of each signal: the sentence, what to do and where (no extra queries)."""
    return [
        {
            "signal": signal,
            "sentence": signal_sentence(signal),
            "action": signal_action(signal),
            "link": signal_link(signal, organisation, user),
        }
        for signal in signals
    ]


def signal_page_context(signal, *, organisation, user):
    """A signal's own page: the volunteer by name for who may see volunteers (to call them), the buttons that
    make sense for its status."""
    return {
        "signal": signal,
        "sentence": signal_sentence(signal, names=user.has_perm("matching.view_volunteers", organisation)),
        "marks": signal_marks(signal),
        "action": signal_action(signal),
        "link": signal_link(signal, organisation, user),
        "requests": signal_requests(signal),
        "proposals": signal.proposals.select_related("owner").order_by("due", "pk"),
        "can_change": user.has_perm("matching.change_signal", organisation),
        "can_view_requests": user.has_perm("matching.view_requests", organisation),
        "activity": signal.activity,
        "can_propose_activity": signal.activity_id is None and S.ACTIVITY in NEXT_MARKS.get(signal.status, ()),
        "can_view_activities": user.has_perm("netwerken.manage_activities", organisation),
    }


def improvement_rows(proposals):
    today = timezone.localdate()
    active = (ImprovementProposal.Status.OPEN, ImprovementProposal.Status.IN_PROGRESS)
    return [
        {
            "proposal": proposal,
            "overdue": proposal.status in active and proposal.due < today,
            "signal_sentence": signal_sentence(proposal.signal) if proposal.signal_id else "",
        }
        for proposal in proposals
    ]


def dashboard_counts():
    """For the professional's dashboard: counts only, three queries."""
    today = timezone.localdate()
    return {
        "new_signals": Signal.objects.filter(status=S.NEW).count(),
        "open_signals": Signal.objects.filter(status__in=Signal.OPEN).count(),
        "overdue_proposals": ImprovementProposal.objects.filter(
            status__in=(ImprovementProposal.Status.OPEN, ImprovementProposal.Status.IN_PROGRESS), due__lt=today
        ).count(),
    }
