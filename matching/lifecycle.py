"""The request lifecycle, in one place: which status may follow which, and the change itself."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import HelpRequest, StatusChange

S = HelpRequest.Status

TRANSITIONS = {
    S.NEW: {S.SEARCHING, S.CANCELLED, S.ESCALATED},
    S.SEARCHING: {S.PROPOSED, S.CANCELLED, S.ESCALATED},
    S.PROPOSED: {S.MATCHED, S.SEARCHING, S.CANCELLED, S.ESCALATED},
    S.MATCHED: {S.DONE, S.SEARCHING, S.CANCELLED, S.ESCALATED},
    S.DONE: set(),
    S.CANCELLED: {S.NEW},
    S.ESCALATED: {S.SEARCHING, S.DONE, S.CANCELLED},
}

# What a coordinator's button says for each move.
ACTION_LABELS = {
    S.SEARCHING: _("Zoek een vrijwilliger"),
    S.PROPOSED: _("Markeer als voorgesteld"),
    S.MATCHED: _("Markeer als gekoppeld"),
    S.DONE: _("Rond af"),
    S.CANCELLED: _("Annuleer"),
    S.ESCALATED: _("Schaal op naar het wijkteam"),
    S.NEW: _("Heropen"),
}
SUGGESTING = {S.SEARCHING, S.PROPOSED}
# Reached through a proposal to a volunteer and their answer (matching/proposals.py), not by a button.
SET_BY_MATCHING = {S.PROPOSED, S.MATCHED}
# Moves that need a reason in the record.
REASON_REQUIRED = {S.CANCELLED, S.ESCALATED}


class InvalidTransition(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def allowed_transitions(status):
    return sorted(TRANSITIONS[S(status)], key=list(S).index)


@transaction.atomic
def request_transition(*, help_request, to_status, by=None, reason=""):
    """Moves a request to `to_status`, or raises InvalidTransition with a message for the coordinator."""
    # Lock the row so two coordinators clicking at once can't both move it from the same status.
    current = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    try:
        to_status = S(to_status)
    except ValueError:
        raise InvalidTransition(_("Deze status bestaat niet.")) from None
    if to_status not in TRANSITIONS[S(current.status)]:
        raise InvalidTransition(
            _("Een hulpvraag met status ‘%(from)s’ kan niet naar ‘%(to)s’.")
            % {"from": S(current.status).label, "to": to_status.label}
        )
    reason = (reason or "").strip()
    if to_status in REASON_REQUIRED and not reason:
        raise InvalidTransition(_("Geef een reden op."))
    now = timezone.now()
    StatusChange.objects.create(
        organisation_id=current.organisation_id,
        help_request=current,
        from_status=current.status,
        to_status=to_status,
        by=by,
        at=now,
        reason=reason,
    )
    previous = current.status
    current.status = to_status
    current.status_changed_at = now
    current.save(update_fields=["status", "status_changed_at", "updated_at"])
    help_request.status, help_request.status_changed_at = current.status, now
    # Searching again, or no longer searching: its suggestions need (re)computing or clearing.
    if to_status == S.SEARCHING or (previous in SUGGESTING and to_status not in SUGGESTING):
        from .tasks import enqueue_suggestions

        enqueue_suggestions(current)
    return help_request
