"""Proposals and matches: propose, accept, decline, expire, close. Never double, enforced under lock.

Lock order is always request, then volunteer, then match, so concurrent calls queue instead of
deadlocking. The unique constraints on Match are the last line: the database refuses a second active
match for the same helper place even if this code were wrong.
"""

import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netwerken.mail import queue_email
from netwerken.models import Membership, Volunteer

from . import lifecycle, scoring
from .models import HelpRequest, Match, MatchSuggestion
from .suggestions import matching_settings

logger = logging.getLogger(__name__)
S = HelpRequest.Status
TOKEN_SALT = "buurthulp.proposal"


class ProposalError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- time overlap --------------------------------------------------------------------------------


def times_overlap(a, b):
    """Whether two requests claim the same volunteer at the same time."""
    one_off_a, one_off_b = a.kind == HelpRequest.Kind.ONE_OFF, b.kind == HelpRequest.Kind.ONE_OFF
    if (one_off_a and a.date is None) or (one_off_b and b.date is None):
        return False  # "in overleg": the time is still to be agreed
    if one_off_a and one_off_b:
        if a.date != b.date:
            return False
        if a.time_from and a.time_to and b.time_from and b.time_to:
            return a.time_from < b.time_to and b.time_from < a.time_to
    return bool(a.slots & b.slots)


def _conflict(volunteer, help_request, exclude_match=None, statuses=Match.ACTIVE):
    others = Match.objects.filter(volunteer=volunteer, status__in=statuses).exclude(help_request=help_request)
    if exclude_match is not None:
        others = others.exclude(pk=exclude_match.pk)
    for match in others.select_related("help_request"):
        if times_overlap(match.help_request, help_request):
            return match
    return None


# --- tokens for the email links --------------------------------------------------------------------


def proposal_token(match):
    return signing.dumps({"m": match.pk, "v": match.volunteer_id}, salt=TOKEN_SALT, compress=True)


def match_from_token(token):
    """The match a link points to, or None if the link is forged or older than any proposal may be."""
    from netwerken.validators import parse_id

    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=60 * 60 * 24 * 15)
    except (signing.BadSignature, ValueError):
        return None
    # A signed payload of any other shape (an older format, ids as text or lists) is as unknown as a forged one.
    match_id = parse_id(data.get("m")) if isinstance(data, dict) else None
    volunteer_id = parse_id(data.get("v")) if isinstance(data, dict) else None
    if match_id is None or volunteer_id is None:
        return None
    return (
        Match.objects.select_related("help_request__category", "help_request__resident", "volunteer__membership__user")
        .filter(pk=match_id, volunteer_id=volunteer_id)
        .first()
    )


# --- notifications ----------------------------------------------------------------------------------


def _coordinators(organisation_id):
    return list(
        Membership.objects.filter(organisation_id=organisation_id, is_coordinator=True)
        .select_related("user")
        .values_list("user__email", flat=True)
    )


def _mail(template, to, context):
    # Mail goes out in the organisation's language, not in whatever language the sender's screen is in.
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"matching/email/{template}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    queue_email(to=to, subject=subject.strip(), body_text=body.strip() + "\n")


def _absolute(path):
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _proposal_links(match):
    org = match.help_request.organisation.slug
    return {
        "link": _absolute(reverse("matching:proposal_link", kwargs={"org": org, "token": proposal_token(match)})),
        "app_link": _absolute(reverse("matching:my_match", kwargs={"org": org, "match": match.pk})),
    }


def notify_volunteer_of_proposal(match, template="proposal"):
    volunteer_user = match.volunteer.membership.user
    _mail(template, volunteer_user.email, {"match": match, "request": match.help_request, **_proposal_links(match)})


def notify_coordinators(match, template):
    context = {
        "match": match,
        "request": match.help_request,
        "link": _absolute(
            reverse(
                "matching:request_detail",
                kwargs={"org": match.help_request.organisation.slug, "help_request": match.help_request_id},
            )
        ),
    }
    for email in _coordinators(match.organisation_id):
        _mail(template, email, context)


# --- the services ----------------------------------------------------------------------------------


def _locked(help_request, volunteer):
    request = (
        HelpRequest.objects.select_for_update()
        .select_related("category", "resident", "organisation")
        .get(pk=help_request.pk)
    )
    volunteer = Volunteer.objects.select_for_update().select_related("membership__user").get(pk=volunteer.pk)
    return request, volunteer


def match_propose(*, help_request, volunteer, by=None, score=None):
    """Proposes the request to a volunteer; they get an email and see it in the app."""
    with transaction.atomic():
        request, volunteer = _locked(help_request, volunteer)
        if request.status not in (S.SEARCHING, S.PROPOSED, S.MATCHED):
            raise ProposalError(
                _("Deze hulpvraag zoekt geen vrijwilliger (status ‘%(status)s’).")
                % {"status": request.get_status_display()}
            )
        if volunteer.status != Volunteer.Status.ACTIVE:
            raise ProposalError(_("%(name)s is geen actieve vrijwilliger.") % {"name": volunteer.name})
        active = list(Match.objects.filter(help_request=request, status__in=Match.ACTIVE))
        if any(m.volunteer_id == volunteer.pk for m in active):
            raise ProposalError(_("%(name)s heeft deze hulpvraag al.") % {"name": volunteer.name})
        taken = {m.place for m in active}
        free = [place for place in range(1, request.helpers_needed + 1) if place not in taken]
        if not free:
            raise ProposalError(_("Deze hulpvraag heeft al genoeg vrijwilligers."))
        if _conflict(volunteer, request):
            raise ProposalError(_("%(name)s is op dat moment al gekoppeld of voorgesteld.") % {"name": volunteer.name})
        if score is None:
            suggestion = MatchSuggestion.objects.filter(help_request=request, volunteer=volunteer).first()
            score = suggestion.score if suggestion else None
        now = timezone.now()
        try:
            with transaction.atomic():
                match = Match.objects.create(
                    organisation_id=request.organisation_id,
                    help_request=request,
                    volunteer=volunteer,
                    place=free[0],
                    score=score,
                    proposed_by=by,
                    proposed_at=now,
                    deadline=now + timezone.timedelta(hours=matching_settings().proposal_hours),
                )
        except IntegrityError:
            raise ProposalError(_("Deze hulpvraag is net aan iemand anders voorgesteld.")) from None
        if request.status == S.SEARCHING:
            lifecycle.request_transition(help_request=request, to_status=S.PROPOSED, by=by)
        notify_volunteer_of_proposal(match)
    _volunteer_changed(volunteer)
    return match


def _lock_match(match):
    request = HelpRequest.objects.select_for_update().get(pk=match.help_request_id)
    volunteer = Volunteer.objects.select_for_update().get(pk=match.volunteer_id)
    locked = (
        Match.objects.select_for_update()
        .select_related("help_request__organisation", "volunteer__membership__user")
        .get(pk=match.pk)
    )
    return request, volunteer, locked


def match_accept(*, match):
    """The volunteer says yes: the match is active and they see the resident's contact details."""
    with transaction.atomic():
        request, volunteer, match = _lock_match(match)
        if match.status == Match.Status.ACCEPTED:
            return match  # a second click on the same link
        if match.status != Match.Status.PROPOSED:
            raise ProposalError(
                _("Dit voorstel staat niet meer open (%(status)s).") % {"status": match.get_status_display()}
            )
        if match.deadline < timezone.now():
            raise ProposalError(_("De bedenktijd voor dit voorstel is voorbij."))
        if _conflict(volunteer, request, exclude_match=match, statuses=(Match.Status.ACCEPTED,)):
            raise ProposalError(_("Je bent op dat moment al gekoppeld aan een andere hulpvraag."))
        match.status, match.responded_at = Match.Status.ACCEPTED, timezone.now()
        match.save(update_fields=["status", "responded_at"])
        accepted = Match.objects.filter(help_request=request, status=Match.Status.ACCEPTED).count()
        if accepted >= request.helpers_needed and request.status in (S.SEARCHING, S.PROPOSED):
            if request.status == S.SEARCHING:
                lifecycle.request_transition(help_request=request, to_status=S.PROPOSED)
            lifecycle.request_transition(help_request=request, to_status=S.MATCHED, by=volunteer.membership.user)
        notify_coordinators(match, "accepted")
    _volunteer_changed(volunteer)
    return match


def _end_proposal(match, status, reason=""):
    with transaction.atomic():
        request, volunteer, match = _lock_match(match)
        if match.status != Match.Status.PROPOSED:
            return match, None
        match.status, match.responded_at, match.decline_reason = status, timezone.now(), reason[:500]
        match.save(update_fields=["status", "responded_at", "decline_reason"])
        still_active = Match.objects.filter(help_request=request, status__in=Match.ACTIVE).exists()
        if request.status == S.PROPOSED and not still_active:
            lifecycle.request_transition(help_request=request, to_status=S.SEARCHING, reason=match.get_status_display())
        notify_coordinators(match, "declined" if status == Match.Status.DECLINED else "expired")
        next_match = None
        if matching_settings().auto_propose_next:
            next_match = _propose_next(request)
    _volunteer_changed(volunteer)
    _request_changed(request)
    return match, next_match


def _propose_next(request):
    """Offers the request to the best suggestion that hasn't had it yet, if any."""
    had_it = Match.objects.filter(help_request=request).values("volunteer_id")
    for suggestion in (
        MatchSuggestion.objects.filter(help_request=request)
        .exclude(volunteer_id__in=had_it)
        .select_related("volunteer")[:5]
    ):
        try:
            with transaction.atomic():
                return match_propose(help_request=request, volunteer=suggestion.volunteer, score=suggestion.score)
        except ProposalError as error:
            logger.info("Next suggestion skipped for request %s: %s", request.pk, error.message)
    return None


def match_decline(*, match, reason=""):
    return _end_proposal(match, Match.Status.DECLINED, reason)


def match_expire(*, match):
    return _end_proposal(match, Match.Status.EXPIRED)


def match_withdraw(*, match, by=None):
    return _end_proposal(match, Match.Status.WITHDRAWN, _("ingetrokken door de coördinator"))


def match_close(*, match, outcome, note="", by=None):
    with transaction.atomic():
        request, volunteer, match = _lock_match(match)
        if match.status != Match.Status.ACCEPTED:
            raise ProposalError(_("Alleen een actieve koppeling kan worden afgesloten."))
        match.status, match.closed_at, match.outcome, match.closing_note = (
            Match.Status.CLOSED,
            timezone.now(),
            outcome,
            note,
        )
        match.save(update_fields=["status", "closed_at", "outcome", "closing_note"])
        if (
            request.status == S.MATCHED
            and not Match.objects.filter(help_request=request, status__in=Match.ACTIVE).exists()
        ):
            lifecycle.request_transition(help_request=request, to_status=S.DONE, by=by)
        links = _proposal_links(match)
        _mail("closed", volunteer.membership.user.email, {"match": match, "request": request, **links})
    _volunteer_changed(volunteer)
    return match


def contact_log_add(*, match, date, minutes, note="", by=None):
    from .models import ContactLog

    if match.status not in (Match.Status.ACCEPTED, Match.Status.CLOSED):
        raise ProposalError(_("Contactmomenten horen bij een actieve koppeling."))
    return ContactLog.objects.create(
        organisation_id=match.organisation_id, match=match, date=date, minutes=minutes, note=note, logged_by=by
    )


def satisfaction_record(*, match, respondent, helped, would_again, comment="", by=None):
    from .models import SatisfactionResponse

    if match.status != Match.Status.CLOSED:
        raise ProposalError(_("De tevredenheid vragen we na het afsluiten van de koppeling."))
    answer, _created = SatisfactionResponse.objects.update_or_create(
        match=match,
        respondent=respondent,
        defaults={
            "organisation_id": match.organisation_id,
            "helped": helped,
            "would_again": would_again,
            "comment": comment,
            "recorded_by": by,
        },
    )
    return answer


# --- timers (Celery beat) ----------------------------------------------------------------------------


def expire_overdue():
    """Proposals past their deadline expire; the next suggestion is offered. Returns how many."""
    overdue = list(
        Match.objects.filter(status=Match.Status.PROPOSED, deadline__lt=timezone.now()).only(
            "pk", "help_request_id", "volunteer_id"
        )
    )
    for match in overdue:
        match_expire(match=match)
    return len(overdue)


def send_reminders():
    """One reminder per proposal, `reminder_hours` before its deadline."""
    hours = matching_settings().reminder_hours
    now = timezone.now()
    due = Match.objects.filter(
        status=Match.Status.PROPOSED,
        reminder_sent_at__isnull=True,
        deadline__gt=now,
        deadline__lte=now + timezone.timedelta(hours=hours),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            match = (
                Match.objects.select_for_update()
                .select_related("help_request__organisation", "help_request__category", "volunteer__membership__user")
                .filter(pk=pk, status=Match.Status.PROPOSED, reminder_sent_at__isnull=True)
                .first()
            )
            if match is None:
                continue
            match.reminder_sent_at = now
            match.save(update_fields=["reminder_sent_at"])
            notify_volunteer_of_proposal(match, template="reminder")
            sent += 1
    return sent


# --- keeping suggestions fresh ------------------------------------------------------------------------


def _volunteer_changed(volunteer):
    from .tasks import enqueue_volunteer_sync

    enqueue_volunteer_sync(volunteer)


def _request_changed(request):
    from .tasks import enqueue_suggestions

    if request.status in scoring.OPEN_STATUSES:
        enqueue_suggestions(request)
