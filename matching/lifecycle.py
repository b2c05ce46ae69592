"""The one state machine of a request and its matches.

Only this module writes a request's status or a match's status. proposals.py decides whether a
proposal, an answer or a close may happen; the change itself happens here, for the request and its
matches together, with the request's row locked first (then the match), so the two can never drift
apart. What holds after every change (tests/test_lifecycle_state.py checks it after every step of
random sequences of every action of every role):

- nieuw, afgerond, geannuleerd, opgeschaald: no proposed and no accepted match;
- voorgesteld: at least one proposed match;
- gekoppeld: no proposed match, at least one accepted, and every helper place filled (for a request
  that needs one helper: exactly one accepted match);
- zoekend: no proposed match and not every place filled.

So a request for one helper is gekoppeld if and only if it has an active (accepted) match, and only
the volunteer of an accepted match sees the resident's address and phone.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Escalation, EscalationStep, HelpRequest, Match, Outcome, StatusChange

S = HelpRequest.Status
M = Match.Status

# Moves a person makes with a button on the request page. voorgesteld and gekoppeld follow from the
# proposals and answers (derive() below), never from a button.
TRANSITIONS = {
    S.NEW: {S.SEARCHING, S.CANCELLED, S.ESCALATED},
    S.SEARCHING: {S.CANCELLED, S.ESCALATED},
    S.PROPOSED: {S.SEARCHING, S.CANCELLED, S.ESCALATED},
    S.MATCHED: {S.DONE, S.SEARCHING, S.CANCELLED, S.ESCALATED},
    S.DONE: set(),
    S.CANCELLED: {S.NEW},
    S.ESCALATED: {S.SEARCHING, S.DONE, S.CANCELLED},
}

# What a coordinator's button says for each move, by the status it starts from where that matters.
ACTION_LABELS = {
    S.SEARCHING: gettext_lazy("Zoek een vrijwilliger"),
    S.DONE: gettext_lazy("Rond af"),
    S.CANCELLED: gettext_lazy("Annuleer"),
    S.ESCALATED: gettext_lazy("Schaal op naar het wijkteam"),
    S.NEW: gettext_lazy("Heropen"),
}
ACTION_LABELS_FROM = {
    (S.PROPOSED, S.SEARCHING): gettext_lazy("Trek de voorstellen in en zoek opnieuw"),
    (S.MATCHED, S.SEARCHING): gettext_lazy("Beëindig de koppeling en zoek een ander"),
    (S.ESCALATED, S.SEARCHING): gettext_lazy("Terug naar buurthulp: zoek een vrijwilliger"),
}
# Moves that undo what people planned ask first: the button is a danger button with this question in its
# data-confirm (templates/matching/_transition_form.html, static/js/buurthulp.js).
CONFIRM_QUESTIONS = {
    S.CANCELLED: gettext_lazy("Weet je zeker dat je deze hulpvraag wilt annuleren?"),
}
CONFIRM_QUESTIONS_FROM = {
    (S.PROPOSED, S.SEARCHING): gettext_lazy("Weet je zeker dat je de voorstellen wilt intrekken?"),
    (S.MATCHED, S.SEARCHING): gettext_lazy(
        "Weet je zeker dat je de koppeling wilt beëindigen? De vrijwilliger krijgt bericht."
    ),
}
SUGGESTING = {S.SEARCHING, S.PROPOSED}
OPEN = {S.NEW, S.SEARCHING, S.PROPOSED, S.MATCHED, S.ESCALATED}
# States in which a request has no proposed or accepted match.
WITHOUT_MATCHES = {S.NEW, S.DONE, S.CANCELLED, S.ESCALATED}


def reason_required(from_status, to_status):
    """Cancelling, escalating and ending someone's match need a reason in the record (the volunteer reads it)."""
    return to_status in (S.CANCELLED, S.ESCALATED) or (from_status == S.MATCHED and to_status == S.SEARCHING)


def outcome_required(from_status, to_status):
    return to_status == S.DONE


class InvalidTransition(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


def allowed_transitions(status):
    return sorted(TRANSITIONS[S(status)], key=list(S).index)


def action_label(from_status, to_status):
    return ACTION_LABELS_FROM.get((S(from_status), S(to_status))) or ACTION_LABELS[S(to_status)]


def confirm_question(from_status, to_status):
    """The question a destructive move asks before it is sent, or '' for a move that needs no asking."""
    return CONFIRM_QUESTIONS_FROM.get((S(from_status), S(to_status))) or CONFIRM_QUESTIONS.get(S(to_status), "")


def lock_request(help_request):
    """The request's row, locked: every change of a request or its matches starts here."""
    return (
        HelpRequest.objects.select_for_update(of=("self",))
        .select_related("category", "resident", "organisation", "area")
        .get(pk=help_request.pk if isinstance(help_request, HelpRequest) else help_request)
    )


def _record(request, to_status, by, reason, now):
    StatusChange.objects.create(
        organisation_id=request.organisation_id,
        help_request=request,
        from_status=request.status,
        to_status=to_status,
        by=by,
        at=now,
        reason=(reason or "")[:1000],
    )
    previous = request.status
    request.status, request.status_changed_at = to_status, now
    request.save(update_fields=["status", "status_changed_at", "outcome", "updated_at"])
    # Searching again, or no longer searching: its suggestions need (re)computing or clearing.
    if to_status == S.SEARCHING or (previous in SUGGESTING and to_status not in SUGGESTING):
        from .tasks import enqueue_suggestions

        enqueue_suggestions(request)


def _set_match(match, to_status, *, now, reason="", outcome="", note=""):
    """Changes one match (already locked by the caller's request lock) and tells the volunteer what concerns them."""
    from . import notifications

    previous = match.status
    match.status = to_status
    fields = ["status"]
    if to_status in (M.ACCEPTED, M.DECLINED, M.EXPIRED) or (to_status == M.WITHDRAWN and match.responded_at is None):
        match.responded_at = now
        fields.append("responded_at")
    if to_status == M.DECLINED:
        match.decline_reason = (reason or "")[:500]
        fields.append("decline_reason")
    if to_status in (M.WITHDRAWN, M.ENDED):
        match.end_reason = (reason or "")[:1000]
        fields.append("end_reason")
    if to_status in (M.CLOSED, M.ENDED):
        match.closed_at = now
        fields.append("closed_at")
    if to_status == M.CLOSED:
        match.outcome, match.closing_note = outcome, (note or "")[:2000]
        fields += ["outcome", "closing_note"]
    match.save(update_fields=fields)
    if to_status == M.WITHDRAWN and previous == M.PROPOSED:
        notifications.tell_volunteer(match, "withdrawn", reason=match.end_reason)
    elif to_status == M.ENDED:
        notifications.tell_volunteer(match, "ended", reason=match.end_reason)
    elif to_status == M.CLOSED:
        notifications.tell_volunteer(match, "closed")
    from .tasks import enqueue_volunteer_sync

    # The volunteer's load and bookings changed: their other suggestions are recomputed after the commit.
    enqueue_volunteer_sync(match.volunteer)
    return match


def _active_matches(request):
    return list(
        Match.objects.select_for_update(of=("self",))
        .filter(help_request=request, status__in=Match.ACTIVE)
        .select_related("volunteer__membership__user", "help_request__organisation", "help_request__category")
        .order_by("pk")
    )


def _end_all(request, *, now, reason, outcome="", note=""):
    """Ends every proposed or accepted match of a request that leaves the matching states."""
    for match in _active_matches(request):
        if match.status == M.PROPOSED:
            _set_match(match, M.WITHDRAWN, now=now, reason=reason)
        elif outcome:
            _set_match(match, M.CLOSED, now=now, outcome=outcome, note=note)
        else:
            _set_match(match, M.ENDED, now=now, reason=reason)


def open_escalation(request):
    return Escalation.objects.filter(help_request=request, status__in=Escalation.OPEN).first()


def _escalate(request, *, by, reason, urgency, match=None, now):
    """The wijkteam's case for a request (its queue is made of these); one open at a time."""
    escalation = open_escalation(request)
    if escalation is None:
        escalation = Escalation.objects.create(
            organisation_id=request.organisation_id,
            help_request=request,
            match=match,
            urgency=urgency or Escalation.Urgency.NORMAL,
            reason=reason,
            escalated_by=by,
            escalated_at=now,
        )
        EscalationStep.objects.create(
            organisation_id=request.organisation_id,
            escalation=escalation,
            action=EscalationStep.Action.ESCALATED,
            by=by,
            at=now,
            reason=reason,
        )
    return escalation


@transaction.atomic
def request_transition(*, help_request, to_status, by=None, reason="", outcome="", note="", urgency=None):
    """A person's move of a request (a button), with what it means for its matches.

    Cancelling or escalating ends its matches with the reason and tells the volunteers; "zoek een ander"
    on a matched request ends the match; closing (afgerond) closes the matches with the outcome asked for.
    Raises InvalidTransition with a message for the coordinator.
    """
    current = lock_request(help_request)
    try:
        to_status = S(to_status)
    except ValueError:
        raise InvalidTransition(_("Deze status bestaat niet.")) from None
    from_status = S(current.status)
    if to_status not in TRANSITIONS[from_status]:
        raise InvalidTransition(
            _("Een hulpvraag met status ‘%(from)s’ kan niet naar ‘%(to)s’.")
            % {"from": from_status.label, "to": to_status.label}
        )
    escalation = open_escalation(current) if from_status == S.ESCALATED else None
    if escalation is not None and escalation.status != Escalation.Status.WAITING:
        # A professional has it: only their hand-back, referral or close moves it on (backstop.py).
        raise InvalidTransition(
            _("Deze hulpvraag ligt bij het wijkteam; het wijkteam geeft hem terug of rondt hem af.")
        )
    reason = (reason or "").strip()
    if reason_required(from_status, to_status) and not reason:
        raise InvalidTransition(_("Geef een reden op."), field="reason")
    if outcome_required(from_status, to_status):
        if outcome not in Outcome.values:
            raise InvalidTransition(_("Kies hoe het ging: geholpen, deels geholpen of niet geholpen."), field="outcome")
        current.outcome = outcome
    now = timezone.now()
    if to_status == S.DONE:
        _end_all(current, now=now, reason=reason, outcome=outcome, note=note or reason)
    elif to_status in (S.CANCELLED, S.ESCALATED, S.SEARCHING):
        _end_all(current, now=now, reason=reason or _("De coördinator zoekt opnieuw."))
    if to_status == S.ESCALATED:
        _escalate(current, by=by, reason=reason, urgency=urgency, now=now)
    elif escalation is not None:
        # Nobody of the wijkteam took it yet: the coordinator takes it back, and the queue no longer shows it.
        escalation.status, escalation.ended_at = Escalation.Status.CLOSED, now
        escalation.save(update_fields=["status", "ended_at"])
        EscalationStep.objects.create(
            organisation_id=current.organisation_id,
            escalation=escalation,
            action=EscalationStep.Action.CLOSED,
            by=by,
            at=now,
            reason=_("Teruggenomen door de coördinator. %(reason)s") % {"reason": reason},
        )
    _record(current, to_status, by, reason or note, now)
    help_request.status, help_request.status_changed_at = current.status, now
    help_request.outcome = current.outcome
    return help_request


def derive(request, *, by=None, reason="", now=None):
    """Brings a request in the matching states in line with its matches (the request is locked)."""
    if request.status not in (S.SEARCHING, S.PROPOSED, S.MATCHED):
        return request
    counts = {status: 0 for status in M}
    for status in Match.objects.filter(help_request=request).values_list("status", flat=True):
        counts[M(status)] += 1
    accepted, proposed, closed = counts[M.ACCEPTED], counts[M.PROPOSED], counts[M.CLOSED]
    needed = request.helpers_needed
    if accepted == 0 and proposed == 0 and closed >= needed:
        target = S.DONE
        last = Match.objects.filter(help_request=request, status=M.CLOSED).order_by("-closed_at", "-pk").first()
        request.outcome = last.outcome if last else ""
    elif proposed:
        target = S.PROPOSED
    elif accepted and accepted + closed >= needed:
        target = S.MATCHED
    else:
        target = S.SEARCHING
    if target != request.status:
        _record(request, target, by, reason, now or timezone.now())
    return request


def match_create(*, request, volunteer, place, score, by, deadline):
    """A proposal to a volunteer (the request and volunteer are locked and every check has passed)."""
    now = timezone.now()
    match = Match.objects.create(
        organisation_id=request.organisation_id,
        help_request=request,
        volunteer=volunteer,
        place=place,
        score=score,
        proposed_by=by,
        proposed_at=now,
        deadline=deadline,
    )
    derive(request, by=by, now=now)
    return match


def match_change(*, match, to_status, by=None, reason="", outcome="", note="", expect=(M.PROPOSED,)):
    """Moves one match (accept, decline, expire, withdraw, close, end) and its request with it.

    Locks the request, then the match. Returns (match, changed): a match that is no longer in one of
    the `expect` states is returned unchanged, so a second click or a late timer does nothing.
    """
    request = lock_request(match.help_request_id)
    locked = (
        Match.objects.select_for_update(of=("self",))
        .select_related("volunteer__membership__user", "help_request__organisation", "help_request__category")
        .get(pk=match.pk)
    )
    if locked.status not in expect:
        return locked, False
    now = timezone.now()
    _set_match(locked, to_status, now=now, reason=reason, outcome=outcome, note=note)
    # A volunteer's own words (why they said no) stay on their match, not in the request's history.
    history_reason = M(to_status).label if to_status == M.DECLINED else (reason or M(to_status).label)
    derive(request, by=by, reason=history_reason, now=now)
    return locked, True
