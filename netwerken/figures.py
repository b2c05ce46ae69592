"""Figures of resident networks and their activities in a period, for the evaluation (evaluatie reads these
through evaluatie/activity_indicators.py). Reads only.

The conventions are matching/figures.py's: the period is two dates (`start`, `end`, both included, in the
organisation's time zone), `breakdown` is "" (the total, label ""), "network" or "area" (any other: {}),
and a `*_figures` function answers {figure: {label: value}} for several figures out of one query. Every
figure is aggregated in the database (Count, conditional aggregation), one query per function and
breakdown, however many sessions, members or groups there are.

Words, so a controller can check each figure:

- A session is *held* when it is not cancelled and it starts inside the period and before now (a session
  planned for later in the period has not been held yet).
- A *participant* is a network member marked present (`attended`) at a session held in the period.
  A member's *neighbourhood* is that of the resident they are, or else of the volunteer they are; a member
  known only by a name has none. Each member belongs to one network, so both breakdowns add up to the total.
- A participant is *new* when their first attended session ever (any held session, any time) is in the
  period: computed from the attendance lists when asked, so correcting an old list can't leave a stale mark.
- A network is *active* on a day when it had started by then (its start date, or else the day it was
  entered) and is not stopped now (a stopped network has no date of stopping, so it counts as stopped
  throughout).
"""

import datetime

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from .models import ActivitySession, Network, NetworkMember, Participation

TOTAL = ""
NO_AREA = "(geen buurt)"  # the same words as matching/figures.py's
NO_NETWORK = "(geen netwerk)"


def _bounds(start, end):
    """[start 00:00, the day after end 00:00) in the current time zone."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


def held_sessions():
    """Every session held so far: not cancelled and started before now."""
    return ActivitySession.objects.exclude(status=ActivitySession.Status.CANCELLED).filter(starts_at__lt=timezone.now())


def held_in_period(start, end, prefix=""):
    """A Q for sessions (at `prefix`, e.g. "session__") held in the period."""
    low, high = _bounds(start, end)
    return (
        ~Q(**{f"{prefix}status": ActivitySession.Status.CANCELLED})
        & Q(**{f"{prefix}starts_at__gte": low, f"{prefix}starts_at__lt": high})
        & Q(**{f"{prefix}starts_at__lt": timezone.now()})
    )


def member_area(prefix=""):
    """A member's neighbourhood name (as a resident, else as a volunteer), for a queryset at `prefix`."""
    return Coalesce(F(f"{prefix}resident__area__name"), F(f"{prefix}volunteer__area__name"))


def grouped(queryset, *, groups, breakdown, aggregates, empty=NO_AREA):
    """{name: {label: value}} of `aggregates` over `queryset` in one query: the total, or grouped by the
    expression `groups[breakdown]` (a field name or an expression); a breakdown not in `groups` gives {}.
    As matching/figures.py's `_grouped_many`: a group is left out of a figure where its value is 0."""
    if not breakdown:
        values = queryset.aggregate(**aggregates)
        return {name: {TOTAL: values[name]} for name in aggregates}
    group = groups.get(breakdown)
    if group is None:
        return {}
    group = F(group) if isinstance(group, str) else group
    result = {name: {} for name in aggregates}
    rows = queryset.order_by().annotate(_group=group).values("_group").annotate(**aggregates)
    for row in rows.values_list("_group", *aggregates):
        label, *values = row
        for name, value in zip(aggregates, values, strict=True):
            if value:
                result[name][label if label is not None else empty] = value
    return result


# --- activities and sessions ---------------------------------------------------------------------------------


def session_figures(*, start, end, breakdown=""):
    """In one query: activities_held (distinct activities with at least one session held in the period) and
    sessions_held (the sessions held in the period), in total, per network or per neighbourhood of the
    activity (Activity.area)."""
    return grouped(
        ActivitySession.objects.filter(held_in_period(start, end)),
        groups={"network": "activity__network__name", "area": "activity__area__name"},
        breakdown=breakdown,
        aggregates={"activities_held": Count("activity", distinct=True), "sessions_held": Count("pk")},
    )


def participation_figures(*, start, end, breakdown=""):
    """In one query: participants_unique (distinct members present at a session held in the period) and
    participants_new (of those, whose first attended session ever is in the period), in total, per network
    of the member or per neighbourhood of the member (see the module's words)."""
    low, _high = _bounds(start, end)
    earlier = (
        Participation.objects.filter(attended=True, session__starts_at__lt=low)
        .exclude(session__status=ActivitySession.Status.CANCELLED)
        .values("member")
    )
    return grouped(
        Participation.objects.filter(held_in_period(start, end, "session__"), attended=True),
        groups={"network": "member__network__name", "area": member_area("member__")},
        breakdown=breakdown,
        aggregates={
            "participants_unique": Count("member", distinct=True),
            "participants_new": Count("member", distinct=True, filter=~Q(member__in=earlier)),
        },
    )


# --- the networks themselves -----------------------------------------------------------------------------------


def network_figures(*, start, end, breakdown=""):
    """networks_active_start / networks_active_end (networks active on the day before the period and on its
    last day; total only, in one query), and in one more query: members_joined (NetworkMember.joined_on in
    the period), members_left (left_on in the period) and network_growth = members_joined - members_left,
    the net change in the networks' members over the period (a member who joined and left within the
    period counts 0). Members per network or per neighbourhood of the member."""
    figures = {}
    if not breakdown:
        started = Coalesce("started_on", TruncDate("created_at"))
        counts = (
            Network.objects.exclude(status=Network.Status.STOPPED)
            .annotate(began=started)
            .aggregate(
                networks_active_start=Count("pk", filter=Q(began__lt=start)),
                networks_active_end=Count("pk", filter=Q(began__lte=end)),
            )
        )
        figures = {name: {TOTAL: value} for name, value in counts.items()}
    members = grouped(
        NetworkMember.objects.filter(
            Q(joined_on__gte=start, joined_on__lte=end) | Q(left_on__gte=start, left_on__lte=end)
        ),
        groups={"network": "network__name", "area": member_area()},
        breakdown=breakdown,
        aggregates={
            "members_joined": Count("pk", filter=Q(joined_on__gte=start, joined_on__lte=end)),
            "members_left": Count("pk", filter=Q(left_on__gte=start, left_on__lte=end)),
        },
    )
    if not members:
        return figures
    joined, left = members["members_joined"], members["members_left"]
    growth = {label: (joined.get(label) or 0) - (left.get(label) or 0) for label in {*joined, *left}}
    if not breakdown:
        growth = {TOTAL: growth.get(TOTAL, 0)}
    else:
        growth = {label: value for label, value in growth.items() if value}
    return {**figures, **members, "network_growth": growth}
