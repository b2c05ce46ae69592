"""Proposals and matches: propose, accept, decline, expire, withdraw, close, end. Never double.

Each service checks here whether the step may happen — every hard filter of matching included, so a
hand-made POST for an unsuitable volunteer is refused exactly like the list would never suggest them —
and lets matching/lifecycle.py make the change to the match and its request together.

Lock order is always request, then volunteer, then match, so concurrent calls queue instead of
deadlocking. The unique constraints on Match are the last line: the database refuses a second active
match for the same helper place even if this code were wrong.
"""

import datetime
import logging

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netwerken.models import Volunteer

from . import lifecycle, notifications, scoring
from .explain import refusal
from .models import HelpRequest, Match, MatchSuggestion
from .suggestions import indexes, matching_settings

logger = logging.getLogger(__name__)
S = HelpRequest.Status
M = Match.Status
TOKEN_SALT = "buurthulp.proposal"

# A volunteer needs this long at least to read and answer a proposal by mail; with less time before
# the help starts, the coordinator phones instead.
MIN_ANSWER_TIME = datetime.timedelta(hours=2)
# With less than this, the proposal goes out but the coordinator is advised to phone as well.
SHORT_ANSWER_TIME = datetime.timedelta(hours=12)
# The volunteer should know an hour before the help starts.
START_MARGIN = datetime.timedelta(hours=1)
# Where a one-off request has a date but no hour, the help counts as starting at this hour.
DEFAULT_START_HOUR = 9


class ProposalError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- when the help starts, and the answer deadline ----------------------------------------------------


def help_starts_at(help_request):
    """When the help starts, as an aware datetime, or None when the date is still to be agreed."""
    if help_request.date is None:
        return None
    start = help_request.time_from or datetime.time(DEFAULT_START_HOUR)
    return timezone.make_aware(datetime.datetime.combine(help_request.date, start))


def answer_deadline(help_request, now, hours):
    """The deadline of a new proposal: the organisation's time to think, but never after the help starts."""
    deadline = now + datetime.timedelta(hours=hours)
    start = help_starts_at(help_request)
    if start is not None:
        deadline = min(deadline, start - START_MARGIN)
    return deadline


def answer_time_is_short(match):
    """The proposal leaves the volunteer little time: the coordinator had better phone as well."""
    return match.status == M.PROPOSED and match.deadline - match.proposed_at < SHORT_ANSWER_TIME


# --- tokens for the email links --------------------------------------------------------------------


def proposal_token(match):
    return signing.dumps({"m": match.pk, "v": match.volunteer_id}, salt=TOKEN_SALT, compress=True)


def match_from_token(token):
    """The open proposal a link points to, or None: forged, too old, or the proposal has ended.

    The link is a bearer link (whoever holds the mail can use it), so it works only while the
    proposal is open, and the page it opens shows only what a volunteer needs to decide.
    """
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
        Match.objects.select_related("help_request__category", "help_request__area", "volunteer__membership__user")
        .filter(pk=match_id, volunteer_id=volunteer_id)
        .first()
    )


# --- the hard filters, for one pair ------------------------------------------------------------------


def hard_filter_refusals(help_request, volunteer, *, skip=(), booked_by=Match.ACTIVE):
    """The hard filters that `volunteer` fails for `help_request`, computed by the same code as the
    suggestions and the batch (matching/scoring.py), so the service refuses exactly what the list leaves out."""
    category_index, area_index = indexes()
    requests = scoring.load_requests([help_request], category_index, area_index, help_request.organisation)
    matches = scoring.recent_matches(requests.pks, requests.resident, for_request=help_request)
    volunteers = scoring.load_volunteers(Volunteer.objects.filter(pk=volunteer.pk), category_index, area_index, matches)
    excluded, met = scoring.pair_sets(requests.pks, matches)
    booked = scoring.booked_matrix(requests, volunteers, matches, statuses=booked_by)
    scores = scoring.score(requests, volunteers, matching_settings().weights, excluded, met, booked=booked)
    return [key for key in scoring.refusals(scores, 0, 0) if key not in skip]


def _check_volunteer(request, volunteer, *, skip=(), booked_by=Match.ACTIVE):
    if volunteer.status != Volunteer.Status.ACTIVE or volunteer.erased_at is not None:
        raise ProposalError(_("%(name)s is geen actieve vrijwilliger.") % {"name": volunteer.name})
    failed = hard_filter_refusals(request, volunteer, skip=skip, booked_by=booked_by)
    if failed:
        raise ProposalError(refusal(volunteer.name, failed))


# --- the services ----------------------------------------------------------------------------------


def _locked(help_request, volunteer):
    request = lifecycle.lock_request(help_request)
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",)).select_related("membership__user").get(pk=volunteer.pk)
    )
    return request, volunteer


def _free_place(request, volunteer):
    if request.status not in (S.SEARCHING, S.PROPOSED, S.MATCHED):
        raise ProposalError(
            _("Deze hulpvraag zoekt geen vrijwilliger (status ‘%(status)s’).")
            % {"status": request.get_status_display()}
        )
    active = list(Match.objects.filter(help_request=request, status__in=Match.ACTIVE))
    if any(m.volunteer_id == volunteer.pk for m in active):
        raise ProposalError(_("%(name)s heeft deze hulpvraag al.") % {"name": volunteer.name})
    taken = {m.place for m in active}
    free = [place for place in range(1, request.helpers_needed + 1) if place not in taken]
    if not free:
        raise ProposalError(_("Deze hulpvraag heeft al genoeg vrijwilligers."))
    return free[0]


def _create(request, volunteer, *, place, score, by, deadline):
    if score is None:
        suggestion = MatchSuggestion.objects.filter(help_request=request, volunteer=volunteer).first()
        score = suggestion.score if suggestion else None
    try:
        with transaction.atomic():
            return lifecycle.match_create(
                request=request, volunteer=volunteer, place=place, score=score, by=by, deadline=deadline
            )
    except IntegrityError:
        raise ProposalError(_("Deze hulpvraag is net aan iemand anders voorgesteld.")) from None


def match_propose(*, help_request: HelpRequest, volunteer: Volunteer, by=None, score: float | None = None) -> Match:
    """Proposes the request to a volunteer; they get an email and see it in the app.

    Refused with a Dutch message when the volunteer fails a hard filter, when the request has no free
    place, or when the help starts too soon for an answer by mail (then: phone, and record it with
    match_agree_by_phone).
    """
    with transaction.atomic():
        request, volunteer = _locked(help_request, volunteer)
        place = _free_place(request, volunteer)
        _check_volunteer(request, volunteer)
        now = timezone.now()
        deadline = answer_deadline(request, now, matching_settings().proposal_hours)
        if deadline - now < MIN_ANSWER_TIME:
            phone = volunteer.phone
            raise ProposalError(
                _(
                    "De hulp begint te snel voor een voorstel per e-mail. Bel %(name)s (%(phone)s); zegt die ja, "
                    "kies dan ‘Telefonisch afgesproken’."
                )
                % {"name": volunteer.name, "phone": phone}
            )
        match = _create(request, volunteer, place=place, score=score, by=by, deadline=deadline)
        notifications.tell_volunteer(match, "proposal")
    return match


def match_agree_by_phone(*, help_request: HelpRequest, volunteer: Volunteer, by, score: float | None = None) -> Match:
    """The coordinator phoned and the volunteer said yes: the match is active at once, with every check."""
    with transaction.atomic():
        request, volunteer = _locked(help_request, volunteer)
        place = _free_place(request, volunteer)
        _check_volunteer(request, volunteer)
        match = _create(request, volunteer, place=place, score=score, by=by, deadline=timezone.now())
        match, _changed = lifecycle.match_change(match=match, to_status=M.ACCEPTED, by=by)
        notifications.tell_volunteer(match, "agreed_by_phone")
    return match


def match_accept(*, match: Match) -> Match:
    """The volunteer says yes: the match is active and they see the resident's contact details."""
    with transaction.atomic():
        request, volunteer = _locked(match.help_request, match.volunteer)
        current = Match.objects.get(pk=match.pk)
        if current.status == M.ACCEPTED:
            return current  # a second click on the same link
        if current.status != M.PROPOSED:
            raise ProposalError(
                _("Dit voorstel staat niet meer open (%(status)s).") % {"status": current.get_status_display()}
            )
        if current.deadline < timezone.now():
            raise ProposalError(_("De bedenktijd voor dit voorstel is voorbij."))
        # Checked again: a pause, an expired VOG or another match may have come up since the proposal.
        # The month's maximum counts this proposal already, and it is this request's own proposal. Other
        # proposals at the same time do not stand in the way of a yes: the first yes books the time.
        _check_volunteer(request, volunteer, skip=("room", "excluded"), booked_by=(M.ACCEPTED,))
        accepted, _changed = lifecycle.match_change(match=current, to_status=M.ACCEPTED, by=volunteer.user)
        notifications.tell_coordinators(accepted, "accepted")
    return accepted


def _after_no(match, template):
    """A proposal ended without a yes: tell the coordinators and offer the next suggestion."""
    notifications.tell_coordinators(match, template)
    if matching_settings().auto_propose_next:
        return _propose_next(match.help_request)
    return None


def _propose_next(request):
    """Offers the request to the best suggestion that hasn't had it yet, if any."""
    request = HelpRequest.objects.get(pk=request.pk)
    if request.status not in (S.SEARCHING, S.PROPOSED):
        return None
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


def match_decline(*, match: Match, reason: str = ""):
    """The volunteer says no. Returns (match, next proposal or None); an old link after a yes changes nothing."""
    with transaction.atomic():
        ended, changed = lifecycle.match_change(
            match=match, to_status=M.DECLINED, by=match.volunteer.user, reason=reason
        )
        next_match = _after_no(ended, "declined") if changed else None
    return ended, next_match


def match_expire(*, match: Match):
    with transaction.atomic():
        ended, changed = lifecycle.match_change(match=match, to_status=M.EXPIRED)
        next_match = _after_no(ended, "expired") if changed else None
    return ended, next_match


def match_withdraw(*, match: Match, by=None, reason: str = ""):
    """The coordinator withdraws a proposal; the volunteer is told it was withdrawn."""
    with transaction.atomic():
        ended, _changed = lifecycle.match_change(
            match=match, to_status=M.WITHDRAWN, by=by, reason=reason or _("ingetrokken door de coördinator")
        )
    return ended, None


def match_close(*, match: Match, outcome: str, note: str = "", by=None) -> Match:
    """The help is done: the match is closed with its outcome; the last one closes the request."""
    if outcome not in Match.Outcome.values:
        raise ProposalError(_("Kies hoe het ging: geholpen, deels geholpen of niet geholpen."))
    with transaction.atomic():
        closed, changed = lifecycle.match_change(
            match=match, to_status=M.CLOSED, by=by, outcome=outcome, note=note, expect=(M.ACCEPTED,)
        )
        if not changed:
            raise ProposalError(_("Alleen een actieve koppeling kan worden afgesloten."))
    return closed


def match_end(*, match: Match, reason: str, by=None) -> Match:
    """The coordinator ends an active match early (the volunteer stops); the request looks further."""
    reason = (reason or "").strip()
    if not reason:
        raise ProposalError(_("Geef een reden op; de vrijwilliger krijgt die te lezen."))
    with transaction.atomic():
        ended, changed = lifecycle.match_change(
            match=match, to_status=M.ENDED, by=by, reason=reason, expect=(M.ACCEPTED,)
        )
        if not changed:
            raise ProposalError(_("Alleen een actieve koppeling kan worden beëindigd."))
    return ended


def contact_log_add(*, match: Match, date, minutes: int, note: str = "", mutual: bool = False, by=None):
    """A contact moment; `mutual` (we helped each other) is kept only in 'er zijn voor elkaar'."""
    from .models import ContactLog
    from .reciprocity import mutual_help

    if match.status not in (M.ACCEPTED, M.CLOSED):
        raise ProposalError(_("Contactmomenten horen bij een actieve koppeling."))
    return ContactLog.objects.create(
        organisation_id=match.organisation_id,
        match=match,
        date=date,
        minutes=minutes,
        note=note,
        mutual=bool(mutual) and mutual_help(match.help_request.organisation),
        logged_by=by,
    )


def satisfaction_record(*, match: Match, respondent: str, helped: int, would_again: bool, comment: str = "", by=None):
    from .models import SatisfactionResponse

    if match.status != M.CLOSED:
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
        Match.objects.filter(status=M.PROPOSED, deadline__lt=timezone.now()).only(
            "pk", "help_request_id", "volunteer_id"
        )
    )
    for match in overdue:
        match_expire(match=match)
    return len(overdue)


def send_reminders():
    """One reminder per proposal, `reminder_hours` before its deadline.

    A proposal whose whole answer time is shorter than that gets none: its first mail is the reminder.
    """
    hours = matching_settings().reminder_hours
    now = timezone.now()
    lead = datetime.timedelta(hours=hours)
    due = Match.objects.filter(
        status=M.PROPOSED,
        reminder_sent_at__isnull=True,
        deadline__gt=now,
        deadline__lte=now + lead,
    ).values_list("pk", "proposed_at", "deadline")
    sent = 0
    for pk, proposed_at, deadline in list(due):
        if deadline - proposed_at <= lead:
            continue
        with transaction.atomic():
            match = (
                Match.objects.select_for_update(of=("self",))
                .select_related("help_request__organisation", "help_request__category", "volunteer__membership__user")
                .filter(pk=pk, status=M.PROPOSED, reminder_sent_at__isnull=True)
                .first()
            )
            if match is None:
                continue
            match.reminder_sent_at = now
            match.save(update_fields=["reminder_sent_at"])
            notifications.tell_volunteer(match, "reminder")
            sent += 1
    return sent
