"""Figures of the hours volunteers give, the "extraatje" fees and reciprocity in a period, for the evaluation
(evaluatie/activity_indicators.py reads these). Reads only. The conventions are matching/figures.py's:
`start` and `end` are dates, both included; `breakdown` is "" (the total), "category", "area" or
"network" (one that does not apply gives {}); each function answers {figure: {label: value}}, aggregated in
the database in a constant number of queries whatever the number of rows or groups.

Words, so a controller can check each figure:

- Hours: the minutes of every contact moment (ContactLog.date in the period) and of every extra hours
  entry (HoursEntry.date in the period: travel, preparation, an activity's session) together, in hours on
  one decimal. Per *neighbourhood where the hours went*: for a contact moment or an entry for a match the
  neighbourhood of the help request, for an entry for a session the neighbourhood of the activity. Per
  network: an entry for a session counts for the activity's network; help on a request belongs to no
  network. Per kind of help: the request's category; a session has none.
- Fees (only "een extraatje bijverdienen"): booked = the fees and corrections dated in the period
  (FeeEntry.amount of kind vergoeding or correctie, a correction may be negative); paid = the payments
  dated in the period, as a positive amount (minus the sum of the negative payment entries); open = what
  was still to be paid at the end of the period: every fee and correction up to and including its last day
  minus every payment up to then. Decimal euros; no names, only sums. Per kind of help: the entry's
  category; per neighbourhood: the area of the resident the entry is for.
- Reciprocity (only "er zijn voor elkaar"): matching/reciprocity.py's `organisation_reciprocity`, which
  defines it (a linked person gave and received; a mutual meeting counts both ways). Per neighbourhood of
  the resident.
"""

import datetime
from decimal import Decimal

from django.db.models import CharField, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from . import reciprocity
from .figures import NO_AREA, TOTAL
from .models import ContactLog, FeeEntry, HoursEntry

NO_NETWORK = "(geen netwerk)"
NO_CATEGORY = "(geen soort hulp)"
ZERO = Decimal("0.00")
K = FeeEntry.Kind


def _sums(queryset, group, aggregates):
    """{name: {label: value}} of `aggregates` over `queryset` for the total (group None, label "") or per
    value of `group` (a field or an expression); one query."""
    if group is None:
        values = queryset.aggregate(**aggregates)
        return {name: {TOTAL: values[name]} for name in aggregates}
    group = F(group) if isinstance(group, str) else group
    result = {name: {} for name in aggregates}
    rows = queryset.order_by().annotate(_group=group).values("_group").annotate(**aggregates)
    for label, *values in rows.values_list("_group", *aggregates):
        for name, value in zip(aggregates, values, strict=True):
            if value:
                result[name][label] = value
    return result


# --- hours -------------------------------------------------------------------------------------------------------

_CONTACT_GROUPS = {
    "category": "match__help_request__category__name",
    "area": "match__help_request__area__name",
    "network": Value(None, output_field=CharField()),  # help on a request belongs to no network
}
_HOURS_GROUPS = {
    "category": F("match__help_request__category__name"),
    "area": Coalesce(F("match__help_request__area__name"), F("session__activity__area__name")),
    "network": F("session__activity__network__name"),
}
_EMPTY_LABEL = {"category": NO_CATEGORY, "area": NO_AREA, "network": NO_NETWORK}


def hours_figures(*, start, end, breakdown=""):
    """volunteer_hours: the contact moments' and the hours entries' minutes in the period together, in hours
    (one decimal); two queries (one per table), for the total or per kind of help, neighbourhood or network."""
    if breakdown and breakdown not in _HOURS_GROUPS:
        return {}
    minutes = {}
    for queryset, groups in (
        (ContactLog.objects.filter(date__gte=start, date__lte=end), _CONTACT_GROUPS),
        (HoursEntry.objects.filter(date__gte=start, date__lte=end), _HOURS_GROUPS),
    ):
        sums = _sums(queryset, groups[breakdown] if breakdown else None, {"minutes": Sum("minutes")})["minutes"]
        for label, value in sums.items():
            label = TOTAL if not breakdown else (label if label is not None else _EMPTY_LABEL[breakdown])
            minutes[label] = minutes.get(label, 0) + (value or 0)
    if not breakdown:
        minutes.setdefault(TOTAL, 0)
    return {"volunteer_hours": {label: round(value / 60, 1) for label, value in minutes.items()}}


# --- fees ----------------------------------------------------------------------------------------------------------

_MONEY = DecimalField(max_digits=12, decimal_places=2)
_FEE_GROUPS = {"category": "category__name", "area": "resident__area__name"}


def _money(expression):
    return Coalesce(expression, Value(ZERO), output_field=_MONEY)


def fee_figures(*, start, end, breakdown=""):
    """In one query, in Decimal euros: fees_booked (fees and corrections dated in the period), fees_paid
    (payments dated in the period, as a positive amount) and fees_open (fees and corrections up to the end
    of the period minus payments up to then), for the total or per kind of help or neighbourhood."""
    if breakdown and breakdown not in _FEE_GROUPS:
        return {}
    booked_kinds = Q(kind__in=(K.FEE, K.CORRECTION))
    in_period = Q(date__gte=start, date__lte=end)
    sums = _sums(
        FeeEntry.objects.filter(date__lte=end),
        _FEE_GROUPS[breakdown] if breakdown else None,
        {
            "fees_booked": _money(Sum("amount", filter=booked_kinds & in_period)),
            "fees_paid": _money(-Sum("amount", filter=Q(kind=K.PAYMENT) & in_period)),
            "fees_open": _money(Sum("amount")),
        },
    )
    if breakdown:
        return {
            name: {(label if label is not None else _EMPTY_LABEL[breakdown]): value for label, value in values.items()}
            for name, values in sums.items()
        }
    return sums


# --- reciprocity -----------------------------------------------------------------------------------------------------

RECIPROCITY = {
    # indicator figure -> organisation_reciprocity's count
    "reciprocity_linked": "linked_people",
    "reciprocity_both": "gave_and_received",
    "reciprocity_mutual_meetings": "mutual_meetings",
}


def reciprocity_figures(*, start, end, breakdown=""):
    """linked people, of those who both gave and received, and mutual meetings in the period: the total or per
    neighbourhood (matching/reciprocity.py, whose period ends before `end`, so the day after our last day is
    passed). Three queries."""
    if breakdown not in ("", "area"):
        return {}
    counts = reciprocity.organisation_reciprocity(start=start, end=end + datetime.timedelta(days=1))
    if not breakdown:
        return {figure: {TOTAL: counts[key]} for figure, key in RECIPROCITY.items()}
    result = {figure: {} for figure in RECIPROCITY}
    for row in counts["by_area"]:
        label = row["area_name"] if row["area_id"] is not None else NO_AREA
        for figure, key in RECIPROCITY.items():
            if row[key]:
                result[figure][label] = result[figure].get(label, 0) + row[key]
    return result
