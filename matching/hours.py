"""A volunteer's hours: what they log, and the sums the volunteer and the coordinator see.

Hours of a volunteer = the minutes of the contact moments of their matches (ContactLog) + the minutes of
their hours entries (HoursEntry, on a match or on an activity session).

No double counting: a contact moment already IS time given to the match, so it counts as it is. An hours
entry on a match is what the contact moments do not hold (travel, preparation, a phone call afterwards),
and the form says so; it never copies a contact moment. For a session the form proposes the session's
length, since sessions have no contact moments. The two kinds are therefore simply added up.

The sums run in a constant number of queries, however many rows or volunteers there are.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import CharField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext as _

from netwerken.models import ActivitySession, Resident, Volunteer

from .models import ContactLog, HoursEntry, Match

MAX_MINUTES = 24 * 60
MONTHS = range(1, 13)
# The matches a volunteer may log hours on: the help is going on, or was done.
LOGGABLE = (Match.Status.ACCEPTED, Match.Status.CLOSED)


class HoursError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- what a volunteer may log on ------------------------------------------------------------------------


def loggable_matches(*, volunteer):
    """The volunteer's active and closed matches, newest first."""
    return (
        Match.objects.filter(volunteer=volunteer, status__in=LOGGABLE)
        .select_related("help_request__category", "help_request__resident")
        .order_by("-proposed_at", "-pk")
    )


def loggable_sessions(*, volunteer, today=None):
    """Sessions (not cancelled, begun by today) of activities the volunteer organises, or that they attended."""
    today = today or timezone.localdate()
    until = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()))
    attended = ActivitySession.objects.filter(
        participations__member__volunteer=volunteer, participations__attended=True
    ).values("pk")
    return (
        ActivitySession.objects.filter(Q(activity__organiser=volunteer) | Q(pk__in=attended))
        .exclude(status=ActivitySession.Status.CANCELLED)
        .filter(starts_at__lt=until)
        .select_related("activity")
        .order_by("-starts_at", "-pk")
    )


def hours_log(
    *,
    volunteer: Volunteer,
    match: Match | None = None,
    session: ActivitySession | None = None,
    date: datetime.date,
    minutes: int,
    note: str = "",
    by,
) -> HoursEntry:
    """Hours on the volunteer's own match (active or closed) or on a session they organised or attended."""
    if by is None or volunteer.membership_id is None or volunteer.membership.user_id != by.pk:
        raise HoursError(_("Je kunt alleen je eigen uren bijhouden."))
    if (match is None) == (session is None):
        raise HoursError(_("Kies een koppeling of een bijeenkomst."))
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        raise HoursError(_("Vul een duur in van 1 tot en met 1440 minuten."))
    if date > timezone.localdate():
        raise HoursError(_("Uren kunnen niet in de toekomst liggen."))
    with transaction.atomic():
        if match is not None:
            if not loggable_matches(volunteer=volunteer).filter(pk=match.pk).exists():
                raise HoursError(_("Je kunt alleen uren bijhouden bij je eigen actieve of afgesloten koppeling."))
        elif not loggable_sessions(volunteer=volunteer).filter(pk=session.pk).exists():
            raise HoursError(
                _("Je kunt alleen uren bijhouden bij een bijeenkomst die je organiseerde of waar je bij was.")
            )
        return HoursEntry.objects.create(
            organisation_id=volunteer.organisation_id,
            volunteer=volunteer,
            match=match,
            session=session,
            date=date,
            minutes=minutes,
            note=note.strip()[:300],
            logged_by=by,
        )


def hours_delete(*, entry: HoursEntry, by) -> None:
    """Removes one of the volunteer's own hours entries."""
    volunteer = entry.volunteer
    if by is None or volunteer.membership_id is None or volunteer.membership.user_id != by.pk:
        raise HoursError(_("Je kunt alleen je eigen uren verwijderen."))
    with transaction.atomic():
        HoursEntry.objects.filter(pk=entry.pk, volunteer=volunteer).delete()


def own_hours_entry(*, volunteer, pk):
    """The volunteer's own hours entry, or None: another volunteer's is as unknown as a missing one."""
    if volunteer is None:
        return None
    return HoursEntry.objects.filter(volunteer=volunteer, pk=pk).select_related("volunteer__membership").first()


# --- sums -----------------------------------------------------------------------------------------------


def hours_text(minutes: int) -> str:
    """'46 uur', '2,5 uur': hours with one decimal (Dutch comma), without ',0'."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{hours:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _year(year: int, prefix: str = "") -> Q:
    return Q(**{f"{prefix}date__gte": datetime.date(year, 1, 1), f"{prefix}date__lt": datetime.date(year + 1, 1, 1)})


def volunteer_hours_summary(*, volunteer, year: int) -> dict:
    """Total minutes in `year`, the distinct residents helped (matches with a contact moment or hours that
    year), and the minutes per month (a list of 12). Three queries."""
    per_month = [0] * 12
    contact = (
        ContactLog.objects.filter(_year(year), match__volunteer=volunteer)
        .annotate(month=ExtractMonth("date"))
        .values("month")
        .annotate(total=Sum("minutes"))
        .values_list("month", "total")
    )
    entries = (
        HoursEntry.objects.filter(_year(year), volunteer=volunteer)
        .annotate(month=ExtractMonth("date"))
        .values("month")
        .annotate(total=Sum("minutes"))
        .values_list("month", "total")
    )
    for rows in (contact, entries):
        for month, total in rows:
            per_month[month - 1] += total
    helped_by_contact = ContactLog.objects.filter(_year(year), match__volunteer=volunteer).values(
        "match__help_request__resident_id"
    )
    helped_by_hours = HoursEntry.objects.filter(_year(year), volunteer=volunteer, match__isnull=False).values(
        "match__help_request__resident_id"
    )
    residents = Resident.objects.filter(Q(pk__in=helped_by_contact) | Q(pk__in=helped_by_hours)).count()
    total = sum(per_month)
    return {
        "year": year,
        "months": [(MONTH_NAMES[month], per_month[month - 1]) for month in MONTHS],
        "total_minutes": total,
        "total_text": hours_text(total),
        "residents": residents,
        "per_month": per_month,
    }


def volunteer_hours_history(*, volunteer):
    """The volunteer's contact moments and hours entries, newest first, as one list of dicts (a union query,
    so a Paginator pages it in two queries). `kind` is 'contact' or 'uren'; only 'uren' rows can be removed."""
    text = CharField()
    contact = (
        ContactLog.objects.filter(match__volunteer=volunteer)
        .order_by()
        .values_list(
            "pk",
            "date",
            "minutes",
            "note",
            Value("contact", output_field=text),
            "match__help_request__category__name",
            "match__help_request__resident__name",
            Value(None, output_field=text),
            "match_id",
        )
    )
    entries = (
        HoursEntry.objects.filter(volunteer=volunteer)
        .order_by()
        .values_list(
            "pk",
            "date",
            "minutes",
            "note",
            Value("uren", output_field=text),
            "match__help_request__category__name",
            "match__help_request__resident__name",
            "session__activity__title",
            "match_id",
        )
    )
    return HistoryRows(contact.union(entries, all=True).order_by("-date", "-pk"))


class HistoryRows:
    """A sliceable, countable view of the history union that gives dicts with the resident's first name only."""

    FIELDS = ("pk", "date", "minutes", "note", "kind", "category", "resident", "activity", "match_id")

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def _row(self, values):
        row = dict(zip(self.FIELDS, values, strict=True))
        row["resident_first_name"] = first_name(row.pop("resident"))
        row["hours_text"] = hours_text(row["minutes"])
        return row

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(values) for values in self.queryset[index]]
        return self._row(self.queryset[index])


def first_name(name: str | None) -> str:
    return (name or "").split(" ")[0]


def _minutes(model, volunteer_path: str, year: int, month: int | None):
    """A subquery: the volunteer's (OuterRef pk) minutes of `model` in `year` (and `month`)."""
    rows = model.objects.filter(_year(year), **{volunteer_path: OuterRef("pk")})
    if month is not None:
        rows = rows.filter(date__month=month)
    total = rows.values(volunteer_path).annotate(total=Sum("minutes")).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def hours_per_volunteer_month(*, organisation, year: int):
    """For the coordinator: one row per volunteer with hours in `year`, columns m1..m12 and `total` (minutes),
    by name. One query for a page of rows, however many volunteers."""
    annotations = {}
    for month in MONTHS:
        annotations[f"m{month}"] = _minutes(ContactLog, "match__volunteer", year, month) + _minutes(
            HoursEntry, "volunteer", year, month
        )
    annotations["total"] = _minutes(ContactLog, "match__volunteer", year, None) + _minutes(
        HoursEntry, "volunteer", year, None
    )
    return (
        Volunteer.objects.filter(organisation=organisation)
        .select_related("membership__user")
        .annotate(**annotations)
        .filter(total__gt=0)
        .order_by("membership__user__name", "pk")
    )


def hours_totals(rows) -> dict:
    """The column totals of `hours_per_volunteer_month` rows (one query): {'months': [12], 'total': n}."""
    sums = rows.order_by().aggregate(**{f"s{m}": Sum(f"m{m}") for m in MONTHS}, stotal=Sum("total"))
    return {"months": [sums[f"s{m}"] or 0 for m in MONTHS], "total": sums["stotal"] or 0}
