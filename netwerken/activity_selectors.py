"""Reads for activities, sessions and participation. Every list is a fixed number of queries, however many
activities, sessions or members there are. The figures' words are netwerken/figures.py's."""

import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import figures
from .models import Activity, ActivitySession, NetworkMember, Participation
from .validators import parse_id

PLANNED = ActivitySession.Status.PLANNED


def _with_counts(sessions):
    return sessions.annotate(
        signed_up_count=Count("participations", filter=Q(participations__signed_up=True)),
        attended_count=Count("participations", filter=Q(participations__attended=True)),
    )


def activity_list(*, network=None, status=None):
    """Activities with their network, organiser and next planned session (`next_start`), soonest first."""
    activities = Activity.objects.select_related("network", "organiser__membership__user", "area").annotate(
        next_start=Min(
            "sessions__starts_at",
            filter=Q(sessions__starts_at__gte=timezone.now(), sessions__status=PLANNED),
        )
    )
    if network is not None:
        activities = activities.filter(network=network)
    if status:
        activities = activities.filter(status=status)
    return activities.order_by("status", "title", "pk")


def activity_get(pk):
    """The activity (404 for an id that is none of this organisation's, or no id at all)."""
    if parse_id(pk) is None:
        raise Http404
    return get_object_or_404(Activity.objects.select_related("network", "organiser__membership__user", "area"), pk=pk)


def activity_detail(*, activity_pk, upcoming=10, past=10, reach_days=365):
    """The activity, its next and its last sessions (with counts), and its reach over the last year."""
    activity = activity_get(activity_pk)
    now = timezone.now()
    sessions = _with_counts(ActivitySession.objects.filter(activity=activity))
    today = timezone.localdate()
    return {
        "activity": activity,
        "upcoming": list(sessions.filter(starts_at__gte=now).order_by("starts_at")[:upcoming]),
        "past": list(sessions.filter(starts_at__lt=now).order_by("-starts_at")[:past]),
        "reach": activity_reach(activity=activity, start=today - datetime.timedelta(days=reach_days), end=today),
        "reach_days": reach_days,
    }


def activity_reach(*, activity, start, end):
    """Sessions held, unique participants and new participants (first attended session ever in the period)
    of one activity in [start, end], with netwerken/figures.py's definitions, in two queries."""
    held = figures.held_in_period(start, end)
    sessions_held = ActivitySession.objects.filter(held, activity=activity).count()
    low, _high = figures._bounds(start, end)
    earlier = (
        Participation.objects.filter(attended=True, session__starts_at__lt=low)
        .exclude(session__status=ActivitySession.Status.CANCELLED)
        .values("member")
    )
    counts = Participation.objects.filter(
        figures.held_in_period(start, end, "session__"), session__activity=activity, attended=True
    ).aggregate(
        participants_unique=Count("member", distinct=True),
        participants_new=Count("member", distinct=True, filter=~Q(member__in=earlier)),
    )
    return {"sessions_held": sessions_held, **counts}


def session_get(pk):
    if parse_id(pk) is None:
        raise Http404
    return get_object_or_404(ActivitySession.objects.select_related("activity__network", "activity__organiser"), pk=pk)


def session_member(*, session, pk):
    """A member of the session's network by id, or None."""
    if parse_id(pk) is None:
        return None
    return NetworkMember.objects.filter(network_id=session.activity.network_id, pk=pk).first()


def session_detail(*, session):
    """A session's tap list: every current member of the activity's network (and anyone recorded who has left
    since), each with `is_signed_up` / `is_there` for this session, and the counts on top."""
    mine = Participation.objects.filter(session=session, member=OuterRef("pk"))
    members = (
        NetworkMember.objects.filter(network_id=session.activity.network_id)
        .filter(Q(left_on__isnull=True) | Q(participations__session=session))
        .distinct()
        .select_related("resident", "volunteer__membership__user")
        .annotate(
            is_signed_up=Exists(mine.filter(signed_up=True)),
            is_there=Exists(mine.filter(attended=True)),
        )
        .order_by("name", "pk")
    )
    counts = Participation.objects.filter(session=session).aggregate(
        signed_up=Count("pk", filter=Q(signed_up=True)), attended=Count("pk", filter=Q(attended=True))
    )
    capacity = session.activity.capacity
    return {
        "session": session,
        "activity": session.activity,
        "members": list(members),
        "counts": counts,
        "places_left": None if capacity is None else max(capacity - counts["signed_up"], 0),
    }


def volunteer_sessions(*, volunteer, limit=10):
    """The next planned sessions of the activities a volunteer organises (their own list)."""
    if volunteer is None:
        return []
    day_start = datetime.datetime.combine(
        timezone.localdate(), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    return list(
        _with_counts(
            ActivitySession.objects.filter(
                activity__organiser=volunteer,
                activity__status=Activity.Status.ACTIVE,
                starts_at__gte=day_start,
                status=PLANNED,
            )
        )
        .select_related("activity")
        .order_by("starts_at", "pk")[:limit]
    )
