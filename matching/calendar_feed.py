"""A volunteer's private calendar (iCal) feed: their active matches' appointments and their activities' sessions.

The address holds a secret token (Volunteer.calendar_token), looked up only inside the organisation of the URL.
A new token revokes the old address (it then answers 404); erasing the volunteer removes it.

What the feed shows is what a phone's lock screen may show: the kind of help and the resident's FIRST name,
the day and time, a link back to the match page. Never an address, phone number, the request's description
or any other free text. Every event has a stable UID, so a calendar app updates it instead of adding it again.
"""

import datetime
import secrets

import icalendar
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from netwerken.models import Activity, ActivitySession, Volunteer
from netwerken.recurrence import local_zone, rule_for

from .hours import first_name
from .models import HelpRequest, Match

TOKEN_BYTES = 32  # 43 characters of the URL-safe alphabet
# Sessions from this long ago on are in the feed (older ones are history; the feed stays small).
SESSIONS_SINCE = datetime.timedelta(days=60)
MAX_SESSIONS = 500
DEFAULT_LENGTH = datetime.timedelta(hours=1)


def calendar_token_renew(*, volunteer: Volunteer, by) -> str:
    """A new secret for the volunteer's calendar address; the old address stops working at once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(calendar_token=token)
    volunteer.calendar_token = token
    return token


def volunteer_by_calendar_token(*, organisation, token: str):
    """The (not erased) volunteer of `organisation` whose calendar address holds `token`, or None."""
    if not token or len(token) > 64:
        return None
    return (
        Volunteer.objects.filter(organisation=organisation, calendar_token=token, erased_at__isnull=True)
        .select_related("organisation")
        .first()
    )


def _uid(kind, pk, organisation):
    return f"{kind}-{pk}@{organisation.slug}.buurthulp"


def _match_event(match, *, site, now):
    request = match.help_request
    if request.date is None:
        return None
    event = icalendar.Event()
    event.add("uid", _uid("koppeling", match.pk, match.organisation))
    event.add("dtstamp", now)
    event.add("summary", f"{request.category.name} — {first_name(request.resident.name)}")
    if request.time_from is not None:
        start = datetime.datetime.combine(request.date, request.time_from, tzinfo=local_zone())
        end = (
            datetime.datetime.combine(request.date, request.time_to, tzinfo=local_zone())
            if request.time_to is not None
            else start + DEFAULT_LENGTH
        )
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        event.add("dtstart", request.date)
        event.add("dtend", request.date + datetime.timedelta(days=1))
    if request.kind == HelpRequest.Kind.RECURRING and request.recurrence:
        rule = rule_for(request.recurrence, request.date)
        if rule:
            event.add("rrule", icalendar.vRecur.from_ical(rule))
    event.add("url", site + reverse("matching:my_match", kwargs={"org": match.organisation.slug, "match": match.pk}))
    event.add("status", "CONFIRMED")
    return event


def _session_event(session, *, now):
    event = icalendar.Event()
    event.add("uid", _uid("bijeenkomst", session.pk, session.organisation))
    event.add("dtstamp", now)
    event.add("summary", session.activity.title)
    event.add("dtstart", timezone.localtime(session.starts_at, local_zone()))
    event.add("dtend", timezone.localtime(session.ends_at, local_zone()))
    if session.where:
        event.add("location", session.where)
    cancelled = session.status == ActivitySession.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def feed_matches(volunteer):
    return (
        Match.objects.filter(volunteer=volunteer, status=Match.Status.ACCEPTED)
        .select_related("help_request__category", "help_request__resident", "organisation")
        .order_by("pk")
    )


def feed_sessions(volunteer, now):
    """Sessions of activities the volunteer organises, or takes part in (a participation in any session)."""
    activities = Activity.objects.filter(
        Q(organiser=volunteer) | Q(sessions__participations__member__volunteer=volunteer)
    ).values("pk")
    return (
        ActivitySession.objects.filter(activity__in=activities, starts_at__gte=now - SESSIONS_SINCE)
        .select_related("activity", "organisation")
        .order_by("starts_at", "pk")[:MAX_SESSIONS]
    )


def calendar_ics(*, volunteer: Volunteer, site: str) -> bytes:
    """The feed as iCalendar bytes; `site` is 'https://host' for the links back. Three queries."""
    now = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Buurthulp//Agenda vrijwilliger//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", volunteer.organisation.name)
    calendar.add("x-wr-timezone", str(local_zone()))
    for match in feed_matches(volunteer):
        event = _match_event(match, site=site, now=now)
        if event is not None:
            calendar.add_component(event)
    for session in feed_sessions(volunteer, now):
        calendar.add_component(_session_event(session, now=now))
    calendar.add_missing_timezones()
    return calendar.to_ical()
