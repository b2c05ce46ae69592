"""Figures of what happened in a period, for the evaluation (evaluatie/catalogue.py reads these). Reads only.

Every function takes the period as dates (`start`, `end`, both included) and a `breakdown`: "" for the
total, "category" (kind of help) or "area" (neighbourhood). A figure's function answers {label: value},
with "" as the label of the total; a `*_figures` function computes several figures that share their rows
in one query and answers {figure: {label: value}} (the catalogue picks each one out, and the evaluation
runs the query once for all of them). Every figure is aggregated in the database (Count, Sum, conditional
aggregation; a median with window functions, the database returning only each group's middle values),
never by looping over rows, in one query per function and breakdown: the number of queries grows neither
with the number of rows nor with the number of groups.
`*_rows` give, for staff only, the requests or matches behind a figure.
"""

import datetime
from collections import defaultdict

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from .models import (
    ContactLog,
    Escalation,
    HelpRequest,
    Match,
    Referral,
    SatisfactionResponse,
    Signal,
    StatusChange,
)

M = Match.Status
TOTAL = ""
# The matches that became help: accepted, whether still running, closed or ended early since.
ACCEPTED = (M.ACCEPTED, M.CLOSED, M.ENDED)
NO_AREA = "(geen buurt)"


def _bounds(start, end):
    """[start 00:00, the day after end 00:00) in the current time zone."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


def _in_period(field, start, end):
    low, high = _bounds(start, end)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def _grouped(queryset, *, request_path, breakdown, aggregate):
    """{label: value} of `aggregate` over `queryset`, for the total or grouped by category or area of the
    request at `request_path` ("" when the queryset is of requests)."""
    prefix = f"{request_path}__" if request_path else ""
    if not breakdown:
        value = queryset.aggregate(value=aggregate)["value"]
        return {TOTAL: value}
    field = {"category": f"{prefix}category__name", "area": f"{prefix}area__name"}.get(breakdown)
    if field is None:
        return {}
    rows = queryset.order_by().values(field).annotate(value=aggregate).values_list(field, "value")
    return {(label if label is not None else NO_AREA): value for label, value in rows}


def _grouped_many(queryset, *, request_path, breakdown, aggregates):
    """{name: {label: value}} of several `aggregates` ({name: aggregate}, conditional ones included) over
    `queryset` in one query, for the total or grouped as `_grouped` does. As if each had its own filtered
    query, a group is left out of a figure where its value is 0 or unknown; the total is always there."""
    prefix = f"{request_path}__" if request_path else ""
    if not breakdown:
        values = queryset.aggregate(**aggregates)
        return {name: {TOTAL: values[name]} for name in aggregates}
    field = {"category": f"{prefix}category__name", "area": f"{prefix}area__name"}.get(breakdown)
    if field is None:
        return {}
    result = {name: {} for name in aggregates}
    for label, *values in queryset.order_by().values(field).annotate(**aggregates).values_list(field, *aggregates):
        for name, value in zip(aggregates, values, strict=True):
            if value is not None and value != 0:
                result[name][label if label is not None else NO_AREA] = value
    return result


# --- requests ----------------------------------------------------------------------------------------------


def request_figures(*, start, end, breakdown=""):
    """In one query, of the requests that came in in the period: requests_in (how many), referrals_in (of
    those, referred by the wijkteam), residents_reached (distinct residents), residents_new (of those, whose
    first request ever is in the period) and residents_returning (who also asked before the period)."""
    low, _high = _bounds(start, end)
    earlier = HelpRequest.objects.filter(created_at__lt=low).values("resident")
    return _grouped_many(
        HelpRequest.objects.filter(_in_period("created_at", start, end)),
        request_path="",
        breakdown=breakdown,
        aggregates={
            "requests_in": Count("pk"),
            "referrals_in": Count("pk", filter=Q(channel=HelpRequest.Channel.WIJKTEAM)),
            "residents_reached": Count("resident", distinct=True),
            "residents_new": Count("resident", distinct=True, filter=~Q(resident__in=earlier)),
            "residents_returning": Count("resident", distinct=True, filter=Q(resident__in=earlier)),
        },
    )


def requests_in_rows(*, start, end):
    return HelpRequest.objects.filter(_in_period("created_at", start, end))


def _handled(start, end):
    return StatusChange.objects.filter(_in_period("at", start, end), to_status=HelpRequest.Status.DONE)


def requests_handled(*, start, end, breakdown=""):
    return _grouped(
        _handled(start, end),
        request_path="help_request",
        breakdown=breakdown,
        aggregate=Count("help_request", distinct=True),
    )


def requests_handled_rows(*, start, end):
    return HelpRequest.objects.filter(Exists(_handled(start, end).filter(help_request=OuterRef("pk"))))


def referrals_in_rows(*, start, end):
    return HelpRequest.objects.filter(_in_period("created_at", start, end), channel=HelpRequest.Channel.WIJKTEAM)


# --- matches and the help itself ------------------------------------------------------------------------------


def _accepted(start, end):
    return Match.objects.annotate(started=Coalesce("responded_at", "proposed_at")).filter(
        _in_period("started", start, end), status__in=ACCEPTED
    )


def matches(*, start, end, breakdown=""):
    return _grouped(_accepted(start, end), request_path="help_request", breakdown=breakdown, aggregate=Count("pk"))


def matches_rows(*, start, end):
    return Match.objects.filter(pk__in=_accepted(start, end).values("pk"))


def _contacts(start, end):
    return ContactLog.objects.filter(date__gte=start, date__lte=end)


def contact_figures(*, start, end, breakdown=""):
    """In one query, of the contact moments dated in the period: contact_moments (how many), hours (their
    duration together, one decimal), volunteers_active (distinct volunteers who logged them) and
    volunteers_retained (of those, who had logged one before the period)."""
    earlier = ContactLog.objects.filter(date__lt=start).values("match__volunteer")
    figures = _grouped_many(
        _contacts(start, end),
        request_path="match__help_request",
        breakdown=breakdown,
        aggregates={
            "contact_moments": Count("pk"),
            "contact_minutes": Sum("minutes"),
            "volunteers_active": Count("match__volunteer", distinct=True),
            "volunteers_retained": Count("match__volunteer", distinct=True, filter=Q(match__volunteer__in=earlier)),
        },
    )
    if figures:
        minutes = figures.pop("contact_minutes")
        figures["hours"] = {label: round((value or 0) / 60, 1) for label, value in minutes.items()}
    return figures


def contact_rows(*, start, end):
    return Match.objects.filter(Exists(_contacts(start, end).filter(match=OuterRef("pk"))))


# --- people reached ---------------------------------------------------------------------------------------------


def residents_reached_rows(*, start, end, returning=None):
    queryset = HelpRequest.objects.filter(_in_period("created_at", start, end))
    if returning is not None:
        low, _high = _bounds(start, end)
        earlier = HelpRequest.objects.filter(resident=OuterRef("resident"), created_at__lt=low)
        queryset = queryset.filter(Exists(earlier)) if returning else queryset.filter(~Exists(earlier))
    return queryset


def volunteers_active_rows(*, start, end, retained=False):
    queryset = _contacts(start, end)
    if retained:
        earlier = ContactLog.objects.filter(match__volunteer=OuterRef("match__volunteer"), date__lt=start)
        queryset = queryset.filter(Exists(earlier))
    return Match.objects.filter(pk__in=queryset.values("match"))


# --- the wijkteam ------------------------------------------------------------------------------------------------


def escalations(*, start, end, breakdown="", taken=False):
    field = "taken_at" if taken else "escalated_at"
    queryset = Escalation.objects.filter(_in_period(field, start, end))
    return _grouped(queryset, request_path="help_request", breakdown=breakdown, aggregate=Count("pk"))


def escalations_rows(*, start, end, taken=False):
    field = "taken_at" if taken else "escalated_at"
    return HelpRequest.objects.filter(
        Exists(Escalation.objects.filter(_in_period(field, start, end), help_request=OuterRef("pk")))
    )


def referrals_out(*, start, end, breakdown=""):
    queryset = Referral.objects.filter(_in_period("at", start, end))
    return _grouped(queryset, request_path="escalation__help_request", breakdown=breakdown, aggregate=Count("pk"))


def referrals_out_rows(*, start, end):
    return HelpRequest.objects.filter(
        Exists(Referral.objects.filter(_in_period("at", start, end), escalation__help_request=OuterRef("pk")))
    )


def signals_picked_up(*, start, end, breakdown=""):
    """Signals set to 'opgepakt' or 'activiteit gestart' in the period (a signal has no kind of help or area)."""
    if breakdown:
        return {}
    queryset = Signal.objects.filter(
        _in_period("status_at", start, end), status__in=(Signal.Status.PICKED_UP, Signal.Status.ACTIVITY)
    )
    return {TOTAL: queryset.count()}


def signals_picked_up_rows(*, start, end):
    signals = Signal.objects.filter(
        _in_period("status_at", start, end), status__in=(Signal.Status.PICKED_UP, Signal.Status.ACTIVITY)
    )
    return HelpRequest.objects.filter(signals__in=signals).distinct()


# --- waiting time ---------------------------------------------------------------------------------------------------


def _waits(start, end):
    first = Match.objects.filter(help_request=OuterRef("pk")).order_by().values("help_request")
    first = first.annotate(first=Min("proposed_at")).values("first")
    return (
        HelpRequest.objects.filter(_in_period("created_at", start, end))
        .annotate(first_proposal=Subquery(first))
        .filter(first_proposal__isnull=False)
        .annotate(wait=ExpressionWrapper(F("first_proposal") - F("created_at"), output_field=DurationField()))
    )


def _first_proposals(start, end):
    """The first proposal of each request of the period that got one (an earlier one, or one at the same moment
    with a lower pk, rules a proposal out), with the wait for it: one row per request, and no GROUP BY."""
    earlier = Match.objects.filter(help_request=OuterRef("help_request")).filter(
        Q(proposed_at__lt=OuterRef("proposed_at")) | Q(proposed_at=OuterRef("proposed_at"), pk__lt=OuterRef("pk"))
    )
    wait = ExpressionWrapper(F("proposed_at") - F("help_request__created_at"), output_field=DurationField())
    return (
        Match.objects.filter(_in_period("help_request__created_at", start, end))
        .filter(~Exists(earlier))
        .order_by()
        .annotate(wait=wait)
    )


def _medians(start, end, request_field=None):
    """{"waiting_days": {label: the median wait}, "waiting_count": {label: the waits}} per value of the
    request's `request_field`, or for label "" without one. The database ranks each group's waits and returns
    only the one or two middle values of each group (their mean is the median) with the group's size."""
    label = f"help_request__{request_field}" if request_field else None
    partition = [F(label)] if label else []
    middle = (
        _first_proposals(start, end)
        .annotate(
            position=Window(RowNumber(), partition_by=partition, order_by=[F("wait").asc(), F("help_request").asc()]),
            size=Window(Count("pk"), partition_by=partition),
        )
        .filter(position__gte=(F("size") + 1) / 2, position__lte=F("size") / 2 + 1)
    )
    days, sizes = defaultdict(list), ({} if label else {TOTAL: 0})
    for group, wait, size in middle.values_list(label or "help_request", "wait", "size"):
        group = (group if group is not None else NO_AREA) if label else TOTAL
        days[group].append(wait.total_seconds() / 86400)
        sizes[group] = size
    medians = {group: round(sum(values) / len(values), 1) for group, values in days.items()}
    return {"waiting_days": medians if label else {TOTAL: medians.get(TOTAL)}, "waiting_count": sizes}


def waiting_figures(*, start, end, breakdown=""):
    """In one query: waiting_days (the median, in days with one decimal, of the wait from a request coming in
    in the period to its first proposal) and waiting_count (how many requests it rests on)."""
    if not breakdown:
        return _medians(start, end)
    field = {"category": "category__name", "area": "area__name"}.get(breakdown)
    if field is None:
        return {}
    return _medians(start, end, field)


def waiting_rows(*, start, end):
    return _waits(start, end)


# --- satisfaction (the short question after a match) -------------------------------------------------------------


def satisfaction_figures(*, start, end, breakdown=""):
    """In one query, per respondent ("bewoner", "vrijwilliger"): satisfaction_<respondent>, the average answer
    (1 to 5, one decimal) to "hielp het?" given in the period, and satisfaction_<respondent>_n, how many
    answers it rests on."""
    aggregates = {}
    for respondent in SatisfactionResponse.Respondent.values:
        aggregates[f"satisfaction_{respondent}"] = Avg("helped", filter=Q(respondent=respondent))
        aggregates[f"satisfaction_{respondent}_n"] = Count("pk", filter=Q(respondent=respondent))
    figures = _grouped_many(
        SatisfactionResponse.objects.filter(_in_period("created_at", start, end)),
        request_path="match__help_request",
        breakdown=breakdown,
        aggregates=aggregates,
    )
    for respondent in SatisfactionResponse.Respondent.values if figures else ():
        averages = figures[f"satisfaction_{respondent}"]
        for label, value in averages.items():
            averages[label] = round(value, 1) if value is not None else None
    return figures


def satisfaction_rows(*, start, end, respondent):
    answers = SatisfactionResponse.objects.filter(_in_period("created_at", start, end), respondent=respondent)
    return Match.objects.filter(pk__in=answers.values("match"))
