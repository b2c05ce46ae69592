"""Writes for activities, their sessions and who takes part (issue 10, points 2 and 3).

A series is stored as an RFC 5545 rule (netwerken/recurrence.py) and materialised as sessions, each keyed by
its `original_start` (the RECURRENCE-ID). Generating is idempotent: it creates the occurrences that are
missing, never touches a session moved or cancelled by hand (`changed`), and after the series is edited
removes the future untouched sessions nobody signed up for that no longer fit the rule.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import recurrence
from .models import Activity, ActivitySession, NetworkMember, Participation

HORIZON_DAYS = 90


class ActivityError(Exception):
    """A refused write; `message` is Dutch and shown as is, `field` names the form field when there is one."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


# --- the activity and its series -------------------------------------------------------------------------------


@transaction.atomic
def activity_save(
    *,
    network,
    activity: Activity | None = None,
    title: str,
    description: str = "",
    place: str = "",
    area=None,
    capacity: int | None = None,
    organiser=None,
    start_date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int = 90,
    repeat: str | None = recurrence.ONCE,
    until: datetime.date | None = None,
    status: str | None = None,
    by,
) -> Activity:
    """Creates or edits an activity and (when it is active) generates its sessions. `repeat` is one of
    recurrence.REPEAT_CHOICES; None keeps a stored rule that is none of them."""
    title = (title or "").strip()
    if not title:
        raise ActivityError(_("Geef de activiteit een naam."), field="title")
    if repeat is not None and repeat not in dict(recurrence.REPEAT_CHOICES):
        raise ActivityError(_("Kies hoe vaak de activiteit terugkomt."), field="repeat")
    if until is not None and until < start_date:
        raise ActivityError(_("‘Herhalen tot en met’ ligt voor de eerste keer."), field="until")
    if capacity is not None and capacity < 1:
        raise ActivityError(_("Het aantal plaatsen is minstens 1, of laat het leeg."), field="capacity")
    if not 5 <= duration_minutes <= 24 * 60:
        raise ActivityError(_("Een activiteit duurt tussen 5 minuten en 24 uur."), field="duration_minutes")
    if activity is None:
        activity = Activity(organisation=network.organisation, created_by=by)
    elif activity.status == Activity.Status.STOPPED:
        raise ActivityError(_("Deze activiteit is gestopt en kan niet meer worden gewijzigd."))
    rule = activity.rrule if repeat is None else recurrence.rule_for(repeat, start_date)
    if rule and not recurrence.validate_rule(rule, start_date):
        raise ActivityError(_("Deze herhaling klopt niet."), field="repeat")
    activity.network = network
    activity.title, activity.description, activity.place = title, description.strip(), place.strip()
    activity.area, activity.capacity, activity.organiser = area, capacity, organiser
    activity.start_date, activity.start_time, activity.duration_minutes = start_date, start_time, duration_minutes
    activity.rrule, activity.until = rule, (until if rule else None)
    if status is not None:
        if status not in (Activity.Status.PROPOSED, Activity.Status.ACTIVE):
            raise ActivityError(_("Kies ‘voorgesteld’ of ‘actief’."), field="status")
        activity.status = status
    activity.save()
    activity_sessions_generate(activity=activity)
    return activity


def _wanted_starts(activity, end):
    return recurrence.occurrences(
        rule=activity.rrule, start_date=activity.start_date, start_time=activity.start_time, end=end
    )


@transaction.atomic
def activity_sessions_generate(*, activity: Activity, horizon_days: int = HORIZON_DAYS) -> int:
    """Creates the sessions of an active activity that are missing up to `horizon_days` from today (or its
    `until`), and returns how many. Moved and cancelled sessions stay as they are; future untouched ones that
    no longer fit the rule (after an edit) go, unless someone signed up or came."""
    if activity.status != Activity.Status.ACTIVE:
        return 0
    end = timezone.localdate() + datetime.timedelta(days=horizon_days)
    if activity.until is not None:
        end = min(end, activity.until)
    existing = list(activity.sessions.all())
    # Whether an existing session still fits is judged over its own date too (a shorter horizon removes nothing).
    latest = max((timezone.localdate(s.original_start) for s in existing), default=end)
    fits_until = max(end, latest) if activity.until is None else min(max(end, latest), activity.until)
    wanted = set(_wanted_starts(activity, fits_until))
    duration = datetime.timedelta(minutes=activity.duration_minutes)
    now = timezone.now()

    stale = [s.pk for s in existing if s.original_start not in wanted and not s.changed and s.starts_at >= now]
    still_there = set()
    if stale:
        ActivitySession.objects.filter(pk__in=stale, participations__isnull=True).delete()
        still_there = set(ActivitySession.objects.filter(pk__in=stale).values_list("pk", flat=True))
    # An untouched session keeps up with the series' duration.
    for session in existing:
        if (
            session.pk not in stale
            and not session.changed
            and session.starts_at >= now
            and session.ends_at - session.starts_at != duration
        ):
            session.ends_at = session.starts_at + duration
            session.save(update_fields=["ends_at"])

    # One session a day at most: an occurrence on a day that already has one (a session moved or cancelled by
    # hand, a past one at the old time after the series was edited, one kept because someone signed up) is
    # that day's session already.
    kept = [s for s in existing if s.pk not in stale or s.pk in still_there]
    have = {s.original_start for s in kept}
    days = {timezone.localdate(s.original_start) for s in kept}
    new = [
        ActivitySession(
            organisation_id=activity.organisation_id,
            activity=activity,
            original_start=start,
            starts_at=start,
            ends_at=start + duration,
        )
        for start in sorted(wanted)
        if start not in have and timezone.localdate(start) not in days and timezone.localdate(start) <= end
    ]
    ActivitySession.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def activity_stop(*, activity: Activity, by) -> bool:
    """Stops an activity: its future untouched sessions are removed, a future moved one is cancelled. Past
    sessions and their attendance stay. Returns whether it changed (a second click changes nothing)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == Activity.Status.STOPPED:
        return False
    activity.status = Activity.Status.STOPPED
    activity.save(update_fields=["status"])
    future = ActivitySession.objects.filter(activity=activity, starts_at__gte=timezone.now())
    future.filter(changed=False).delete()
    future.filter(status=ActivitySession.Status.PLANNED).update(
        status=ActivitySession.Status.CANCELLED, note=_("De activiteit is gestopt.")
    )
    return True


# --- one session -------------------------------------------------------------------------------------------------


@transaction.atomic
def session_move(
    *,
    session: ActivitySession,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    note: str = "",
    by,
) -> ActivitySession:
    """Moves one session (another time or place) without touching the series: `original_start` stays, so
    regenerating leaves it where it was put. Without `ends_at` it keeps its length."""
    session = ActivitySession.objects.select_for_update().get(pk=session.pk)
    if session.status == ActivitySession.Status.CANCELLED:
        raise ActivityError(_("Deze bijeenkomst is afgelast; verplaatsen kan niet meer."))
    if ends_at is None:
        ends_at = starts_at + (session.ends_at - session.starts_at)
    if ends_at <= starts_at:
        raise ActivityError(_("De bijeenkomst moet eindigen na het begin."), field="ends_at")
    session.starts_at, session.ends_at = starts_at, ends_at
    session.place, session.note, session.changed = place.strip(), note.strip(), True
    session.save(update_fields=["starts_at", "ends_at", "place", "note", "changed"])
    return session


@transaction.atomic
def session_cancel(*, session: ActivitySession, note: str = "", by) -> bool:
    """Cancels one session (the series goes on). Returns whether it changed."""
    session = ActivitySession.objects.select_for_update().get(pk=session.pk)
    if session.status == ActivitySession.Status.CANCELLED:
        return False
    session.status, session.changed = ActivitySession.Status.CANCELLED, True
    session.note = note.strip() or session.note
    session.save(update_fields=["status", "changed", "note"])
    return True


# --- participation ---------------------------------------------------------------------------------------------


@transaction.atomic
def participation_set(
    *,
    session: ActivitySession,
    member: NetworkMember,
    signed_up: bool | None = None,
    attended: bool | None = None,
    by,
) -> Participation | None:
    """Records that a member signed up for and/or came to a session (None leaves that part as it is). Signing
    up beyond the activity's capacity is refused; being there is always recorded. Returns the participation,
    or None when neither is left."""
    session = ActivitySession.objects.select_for_update(of=("self",)).select_related("activity").get(pk=session.pk)
    if member.network_id != session.activity.network_id:
        raise ActivityError(_("Deze persoon hoort niet bij het netwerk van deze activiteit."), field="member")
    if session.status == ActivitySession.Status.CANCELLED:
        raise ActivityError(_("Deze bijeenkomst is afgelast."))
    participation = Participation.objects.filter(session=session, member=member).first()
    if participation is None:
        participation = Participation(organisation_id=session.organisation_id, session=session, member=member)
    capacity = session.activity.capacity
    if signed_up and not participation.signed_up and capacity is not None:
        taken = Participation.objects.filter(session=session, signed_up=True).exclude(member=member).count()
        if taken >= capacity:
            raise ActivityError(
                _("Vol: alle %(capacity)s plaatsen zijn bezet. Wie toch komt, kun je bij ‘was er’ aanvinken.")
                % {"capacity": capacity},
                field="signed_up",
            )
    if signed_up is not None:
        participation.signed_up = signed_up
    if attended is not None:
        participation.attended = attended
    if not participation.signed_up and not participation.attended:
        if participation.pk:
            participation.delete()
        return None
    participation.recorded_by, participation.recorded_at = by, timezone.now()
    participation.save()
    return participation


@transaction.atomic
def participant_add(*, session: ActivitySession, name: str, phone: str = "", by) -> NetworkMember:
    """Someone new who came: a member of the activity's network by name (and phone, if given), without an
    account or a resident record, marked present."""
    name = (name or "").strip()
    if not name:
        raise ActivityError(_("Vul de naam in."), field="name")
    session = ActivitySession.objects.select_related("activity").get(pk=session.pk)
    if session.status == ActivitySession.Status.CANCELLED:
        raise ActivityError(_("Deze bijeenkomst is afgelast."))
    if Participation.objects.filter(session=session, member__name__iexact=name).exists():
        raise ActivityError(_("%(name)s staat al op de lijst van deze bijeenkomst.") % {"name": name}, field="name")
    member = NetworkMember.objects.create(
        organisation_id=session.organisation_id,
        network_id=session.activity.network_id,
        name=name,
        phone=(phone or "").strip(),
    )
    participation_set(session=session, member=member, attended=True, by=by)
    return member
