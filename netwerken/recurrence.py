"""An activity's series as occurrences: RFC 5545 rules through dateutil, wall-clock time in Europe/Amsterdam.

The rule runs on a naive local datetime (dtstart = first date at the start time), so dateutil counts in
wall-clock time; each occurrence is then made aware in the organisation's zone. A weekly 10:00 stays
10:00 across the change to or from summer time (its UTC offset changes, the wall time does not).
"""

import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.utils.translation import gettext_lazy as _

ONCE = "eenmalig"
WEEKLY = "wekelijks"
FORTNIGHTLY = "tweewekelijks"
MONTHLY = "maandelijks"

REPEAT_CHOICES = [
    (ONCE, _("eenmalig")),
    (WEEKLY, _("elke week")),
    (FORTNIGHTLY, _("om de week")),
    (MONTHLY, _("elke maand op dezelfde weekdag")),
]

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def rule_for(repeat: str, start_date: datetime.date) -> str:
    """The RRULE for a plain choice, on the weekday of `start_date` (monthly: the same nth weekday)."""
    day = WEEKDAY_CODES[start_date.weekday()]
    if repeat == WEEKLY:
        return f"FREQ=WEEKLY;INTERVAL=1;BYDAY={day}"
    if repeat == FORTNIGHTLY:
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"
    if repeat == MONTHLY:
        nth = (start_date.day - 1) // 7 + 1
        # The fifth weekday of a month does not come every month: then it is the last one.
        return f"FREQ=MONTHLY;INTERVAL=1;BYDAY={-1 if nth == 5 else nth}{day}"
    return ""


def repeat_of(rule: str) -> str | None:
    """The plain choice a stored rule came from (ONCE for an empty rule); None for a rule that is none of
    them (every three weeks, daily...), so an edit can keep it instead of turning it into a weekly one."""
    if not rule:
        return ONCE
    parts = dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)
    interval = parts.get("INTERVAL", "1")
    if parts.get("FREQ") == "MONTHLY" and interval == "1":
        return MONTHLY
    if parts.get("FREQ") == "WEEKLY":
        return {"1": WEEKLY, "2": FORTNIGHTLY}.get(interval)
    return None


def validate_rule(rule: str, start_date: datetime.date) -> bool:
    try:
        rrulestr(rule, dtstart=datetime.datetime.combine(start_date, datetime.time(0)))
    except (ValueError, TypeError):
        return False
    return True


def occurrences(
    *,
    rule: str,
    start_date: datetime.date,
    start_time: datetime.time,
    end: datetime.date,
) -> list[datetime.datetime]:
    """Aware starts (Europe/Amsterdam) from start_date up to and including `end`; one start for an empty rule."""
    zone = local_zone()
    first = datetime.datetime.combine(start_date, start_time)
    if not rule:
        return [first.replace(tzinfo=zone)] if start_date <= end else []
    last = datetime.datetime.combine(end, datetime.time(23, 59, 59))
    # A rule's own UNTIL/COUNT still applies; `end` bounds it further.
    starts = rrulestr(rule, dtstart=first).between(first, last, inc=True)
    return [start.replace(tzinfo=zone) for start in starts]
