"""Figures of what happened in a period, for the evaluation (evaluatie/catalogue.py reads these). Reads only.

Every function takes the period as dates (`start`, `end`, both included) and a `breakdown`: "" for the
total, "category" (kind of help) or "area" (neighbourhood). It answers {label: value}, with "" as the
label of the total; every figure is aggregated in the database (Count, Sum, conditional aggregation; a
median with window functions, the database returning only each group's middle values), never by looping
over rows, in one query per figure and breakdown: the number of queries grows neither with the number of
rows nor with the number of groups.
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


# --- requests ----------------------------------------------------------------------------------------------


def requests_in(*, start, end, breakdown=""):
    queryset = HelpRequest.objects.filter(_in_period("created_at", start, end))
    return _grouped(queryset, request_path="", breakdown=breakdown, aggregate=Count("pk"))


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


def referrals_in(*, start, end, breakdown=""):
    queryset = HelpRequest.objects.filter(_in_period("created_at", start, end), channel=HelpRequest.Channel.WIJKTEAM)
    return _grouped(queryset, request_path="", breakdown=breakdown, aggregate=Count("pk"))


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


def contact_moments(*, start, end, breakdown=""):
    return _grouped(
        _contacts(start, end), request_path="match__help_request", breakdown=breakdown, aggregate=Count("pk")
    )


def hours(*, start, end, breakdown=""):
    minutes = _grouped(
        _contacts(start, end), request_path="match__help_request", breakdown=breakdown, aggregate=Sum("minutes")
    )
    return {label: round((value or 0) / 60, 1) for label, value in minutes.items()}


def contact_rows(*, start, end):
    return Match.objects.filter(Exists(_contacts(start, end).filter(match=OuterRef("pk"))))


# --- people reached ---------------------------------------------------------------------------------------------


def residents_reached(*, start, end, breakdown="", returning=None):
    """Distinct residents with a request in the period; `returning` True: who also asked before the period,
    False: whose first request is in it, None: all."""
    queryset = HelpRequest.objects.filter(_in_period("created_at", start, end))
    if returning is not None:
        low, _high = _bounds(start, end)
        earlier = HelpRequest.objects.filter(resident=OuterRef("resident"), created_at__lt=low)
        queryset = queryset.filter(Exists(earlier)) if returning else queryset.filter(~Exists(earlier))
    return _grouped(queryset, request_path="", breakdown=breakdown, aggregate=Count("resident", distinct=True))


def residents_reached_rows(*, start, end, returning=None):
    queryset = HelpRequest.objects.filter(_in_period("created_at", start, end))
    if returning is not None:
        low, _high = _bounds(start, end)
        earlier = HelpRequest.objects.filter(resident=OuterRef("resident"), created_at__lt=low)
        queryset = queryset.filter(Exists(earlier)) if returning else queryset.filter(~Exists(earlier))
    return queryset


def volunteers_active(*, start, end, breakdown="", retained=False):
    """Distinct volunteers with a contact moment in the period; `retained`: of those, who had one before."""
    queryset = _contacts(start, end)
    if retained:
        earlier = ContactLog.objects.filter(match__volunteer=OuterRef("match__volunteer"), date__lt=start)
        queryset = queryset.filter(Exists(earlier))
    return _grouped(
        queryset,
        request_path="match__help_request",
        breakdown=breakdown,
        aggregate=Count("match__volunteer", distinct=True),
    )


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
    """{label: the median wait in days (one decimal)} per value of the request's `request_field`, or {"": the
    median} without one. One query: the database ranks each group's waits and returns only the one or two
    middle values of each group, whose mean is the median."""
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
    days = defaultdict(list)
    for group, wait in middle.values_list(label or "help_request", "wait"):
        days[(group if group is not None else NO_AREA) if label else TOTAL].append(wait.total_seconds() / 86400)
    return {group: round(sum(values) / len(values), 1) for group, values in days.items()}


def waiting_days(*, start, end, breakdown=""):
    if not breakdown:
        return {TOTAL: _medians(start, end).get(TOTAL)}
    field = {"category": "category__name", "area": "area__name"}.get(breakdown)
    if field is None:
        return {}
    return _medians(start, end, field)


def waiting_count(*, start, end, breakdown=""):
    """How many requests the median waiting time rests on."""
    queryset = Match.objects.filter(_in_period("help_request__created_at", start, end))
    return _grouped(
        queryset, request_path="help_request", breakdown=breakdown, aggregate=Count("help_request", distinct=True)
    )


def waiting_rows(*, start, end):
    return _waits(start, end)


# --- satisfaction (the short question after a match) -------------------------------------------------------------


def satisfaction(*, start, end, respondent, breakdown=""):
    """The average answer (1 to 5) to "hielp het?" given in the period by residents or volunteers."""
    queryset = SatisfactionResponse.objects.filter(_in_period("created_at", start, end), respondent=respondent)
    result = _grouped(queryset, request_path="match__help_request", breakdown=breakdown, aggregate=Avg("helped"))
    return {label: (round(value, 1) if value is not None else None) for label, value in result.items()}


def satisfaction_count(*, start, end, respondent, breakdown=""):
    """How many answers the average satisfaction rests on."""
    queryset = SatisfactionResponse.objects.filter(_in_period("created_at", start, end), respondent=respondent)
    return _grouped(queryset, request_path="match__help_request", breakdown=breakdown, aggregate=Count("pk"))


def satisfaction_rows(*, start, end, respondent):
    answers = SatisfactionResponse.objects.filter(_in_period("created_at", start, end), respondent=respondent)
    return Match.objects.filter(pk__in=answers.values("match"))
