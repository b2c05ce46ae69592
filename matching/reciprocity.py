"""Reciprocity ("er zijn voor elkaar"): who gave help and who received it. Reads only, never writes.

A person is *linked* when a Volunteer has `resident` set: the same person asks and helps. For a linked
person (volunteer V, resident R), counted over contact moments (ContactLog.date in [start, end)):

- gave = contact moments of V's matches + mutual contact moments of matches of R's requests;
- received = contact moments of matches of R's requests + mutual contact moments of V's matches.

A mutual meeting ("we hielpen elkaar") counts once in each direction for each of the two people.
Everything here runs in the current organisation's scope (the scoped managers) and in a constant number
of queries, however many people there are (the evaluation's indicators are built on these functions).
"""

import datetime

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext

from netwerken.models import Area, Volunteer

from .help_types import is_mutual
from .models import ContactLog, Match


def mutual_help(organisation) -> bool:
    """Whether the organisation is 'er zijn voor elkaar': only there are reciprocity and mutual meetings shown."""
    return is_mutual(organisation)


def _period(start: datetime.date | None, end: datetime.date | None, prefix: str = "") -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{prefix}date__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}date__lt": end})
    return q


def _counts(*, volunteer_id: int | None, resident_id: int | None, start, end) -> dict:
    """One query: the four counts behind gave and received."""
    as_volunteer = Q(match__volunteer_id=volunteer_id) if volunteer_id is not None else Q(pk__in=[])
    as_resident = Q(match__help_request__resident_id=resident_id) if resident_id is not None else Q(pk__in=[])
    if volunteer_id is None and resident_id is None:
        return {"gave": 0, "received": 0}
    row = (
        ContactLog.objects.filter(_period(start, end))
        .filter(as_volunteer | as_resident)
        .aggregate(
            volunteer_all=Count("pk", filter=as_volunteer),
            volunteer_mutual=Count("pk", filter=as_volunteer & Q(mutual=True)),
            resident_all=Count("pk", filter=as_resident),
            resident_mutual=Count("pk", filter=as_resident & Q(mutual=True)),
        )
    )
    return {
        "gave": row["volunteer_all"] + row["resident_mutual"],
        "received": row["resident_all"] + row["volunteer_mutual"],
    }


def person_reciprocity(
    *, volunteer: Volunteer, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict:
    """How often this volunteer gave and received help in [start, end) (open ends: always). One query.

    Without a linked resident, received is only what residents gave back in mutual meetings."""
    return _counts(volunteer_id=volunteer.pk, resident_id=volunteer.resident_id, start=start, end=end)


def resident_reciprocity(*, resident, start: datetime.date | None = None, end: datetime.date | None = None) -> dict:
    """The same, seen from the resident: their linked volunteer's counts, or (not linked) gave=0 and
    received = the contact moments of matches of their requests. At most two queries."""
    volunteer_id = Volunteer.objects.filter(resident=resident).values_list("pk", flat=True).first()
    if volunteer_id is None:
        received = ContactLog.objects.filter(_period(start, end), match__help_request__resident=resident).count()
        return {"gave": 0, "received": received}
    return _counts(volunteer_id=volunteer_id, resident_id=resident.pk, start=start, end=end)


def _count_of(logs, outer_field: str, group_field: str):
    """A subquery: how many of `logs` belong to OuterRef(outer_field), 0 when none."""
    counted = (
        logs.filter(**{group_field: OuterRef(outer_field)})
        .order_by()
        .values(group_field)
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def linked_people(*, start: datetime.date | None = None, end: datetime.date | None = None):
    """Every linked volunteer of the organisation annotated with `gave` and `received` in the period
    (one query, correlated subqueries; no query per person)."""
    logs = ContactLog.objects.filter(_period(start, end))
    mutual = logs.filter(mutual=True)
    return (
        Volunteer.objects.filter(resident__isnull=False)
        .annotate(
            _v_all=_count_of(logs, "pk", "match__volunteer_id"),
            _v_mutual=_count_of(mutual, "pk", "match__volunteer_id"),
            _r_all=_count_of(logs, "resident_id", "match__help_request__resident_id"),
            _r_mutual=_count_of(mutual, "resident_id", "match__help_request__resident_id"),
        )
        .annotate(gave=F("_v_all") + F("_r_mutual"), received=F("_r_all") + F("_v_mutual"))
    )


def organisation_reciprocity(*, start: datetime.date | None, end: datetime.date | None) -> dict:
    """The organisation's reciprocity in [start, end), in total and per neighbourhood of the resident.

    linked_people: volunteers who are residents too; gave_and_received: of those, who both gave and
    received in the period; meetings: contact moments in the period; mutual_meetings: of those, the
    mutual ones. `by_area`: the same per Resident.area (of the linked resident; of the match's resident
    for meetings), every area of the organisation, plus "zonder buurt" when anything has none.
    Three queries, however many people.
    """
    people = (
        linked_people(start=start, end=end)
        .values("resident__area_id")
        .annotate(
            linked=Count("pk"),
            both=Count("pk", filter=Q(gave__gt=0, received__gt=0)),
        )
        .order_by()
    )
    meetings = (
        ContactLog.objects.filter(_period(start, end))
        .values("match__help_request__resident__area_id")
        .annotate(meetings=Count("pk"), mutual=Count("pk", filter=Q(mutual=True)))
        .order_by()
    )
    rows = {}

    def row(area_id):
        return rows.setdefault(
            area_id, {"linked_people": 0, "gave_and_received": 0, "meetings": 0, "mutual_meetings": 0}
        )

    for area in Area.objects.order_by("name").values("pk", "name"):
        row(area["pk"])["area_name"] = area["name"]
    for item in people:
        counts = row(item["resident__area_id"])
        counts["linked_people"] += item["linked"]
        counts["gave_and_received"] += item["both"]
    for item in meetings:
        counts = row(item["match__help_request__resident__area_id"])
        counts["meetings"] += item["meetings"]
        counts["mutual_meetings"] += item["mutual"]
    by_area = []
    for area_id, counts in rows.items():
        if area_id is None:
            continue
        by_area.append({"area_id": area_id, "area_name": counts.pop("area_name", ""), **counts})
    if None in rows:
        by_area.append({"area_id": None, "area_name": gettext("zonder buurt"), **rows[None]})
    totals = {
        key: sum(item[key] for item in by_area)
        for key in ("linked_people", "gave_and_received", "meetings", "mutual_meetings")
    }
    return {**totals, "by_area": by_area}


def received_help_volunteer_ids():
    """Ids of the volunteers whose linked resident has received help themselves: a contact moment on a
    match of one of their requests, or a closed match as resident (one query; for matching's
    reciprocity criterion)."""
    helped = Q(resident__help_requests__matches__contact_logs__isnull=False) | Q(
        resident__help_requests__matches__status=Match.Status.CLOSED
    )
    return Volunteer.objects.filter(resident__isnull=False).filter(helped).values_list("pk", flat=True).distinct()


def reciprocity_sentence(*, gave: int, received: int, name: str | None = None) -> str:
    """'Je gaf 4 keer hulp en kreeg 3 keer hulp.' (or with a name, for staff), with proper plurals."""
    if name is None:
        gave_text = ngettext("Je gaf %(count)s keer hulp", "Je gaf %(count)s keer hulp", gave) % {"count": gave}
    else:
        gave_text = ngettext("%(name)s gaf %(count)s keer hulp", "%(name)s gaf %(count)s keer hulp", gave) % {
            "name": name,
            "count": gave,
        }
    received_text = ngettext("kreeg %(count)s keer hulp", "kreeg %(count)s keer hulp", received) % {"count": received}
    return gettext("%(gave)s en %(received)s.") % {"gave": gave_text, "received": received_text}


def volunteer_reciprocity(*, volunteer: Volunteer, organisation, own: bool = False) -> dict | None:
    """What a volunteer's pages show of their reciprocity: None outside 'er zijn voor elkaar' (the type
    shapes the screens), else the counts, the sentence and the linked resident. One or two queries."""
    if volunteer is None or not mutual_help(organisation):
        return None
    counts = person_reciprocity(volunteer=volunteer)
    sentence = reciprocity_sentence(name=None if own else volunteer.name, **counts)
    return {**counts, "sentence": sentence, "linked_resident_id": volunteer.resident_id}


def resident_reciprocity_context(*, resident, organisation) -> dict | None:
    """The resident page's reciprocity, for staff: None outside 'er zijn voor elkaar'."""
    if not mutual_help(organisation):
        return None
    volunteer = Volunteer.objects.filter(resident=resident).select_related("membership__user").first()
    counts = resident_reciprocity(resident=resident)
    return {
        **counts,
        "sentence": reciprocity_sentence(name=resident.name, **counts),
        "linked_volunteer": volunteer,
    }
