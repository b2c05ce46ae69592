"""The wijkteam as achterwacht: escalating a request, a professional taking it over, and what they do then.

A request that is too heavy for buurthulp is escalated (by the coordinator, or by the volunteer from
their match: "dit is te zwaar voor mij") with a reason and an urgency. The open escalations of every
organisation a professional serves form their queue. A professional takes one over (it is theirs),
decides whether a running match continues or ends, and then refers it to formal care (an entry of
the social map), hands it back to buurthulp with advice, or closes it. Every step is an
EscalationStep: who, when, what and why. Status changes of the request itself go through
lifecycle.py, the only writer of request and match status.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import lifecycle, notifications
from .models import Escalation, EscalationStep, HelpRequest, Match, Outcome, ProfessionalNote, Referral, SocialMapEntry

S = HelpRequest.Status
E = Escalation.Status
A = EscalationStep.Action


class BackstopError(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


def _is_professional(user, organisation):
    return user is not None and user.has_perm("matching.backstop", organisation)


def _step(escalation, action, by, reason="", now=None):
    EscalationStep.objects.create(
        organisation_id=escalation.organisation_id,
        escalation=escalation,
        action=action,
        by=by,
        at=now or timezone.now(),
        reason=(reason or "")[:2000],
    )


def _lock(escalation):
    """The request's row first (as every change of a request starts), then the escalation's."""
    lifecycle.lock_request(escalation.help_request_id)
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("help_request__organisation", "help_request__category", "match__volunteer__membership__user")
        .get(pk=escalation.pk)
    )


def _required(text, message, field):
    text = (text or "").strip()
    if not text:
        raise BackstopError(message, field=field)
    return text


def _urgency(urgency):
    try:
        return Escalation.Urgency(int(urgency))
    except (TypeError, ValueError):
        raise BackstopError(_("Kies hoe dringend het is."), field="urgency") from None


@transaction.atomic
def escalation_open(*, help_request, by, reason, urgency, match=None) -> Escalation:
    """Gives a request to the wijkteam. A request without a volunteer becomes opgeschaald (its proposals are
    withdrawn); a request with a running match keeps it until the professional decides, and its volunteer is
    told (unless they asked for it themselves)."""
    reason = _required(reason, _("Schrijf op waarom het wijkteam moet meekijken."), "reason")
    urgency = _urgency(urgency)
    request = lifecycle.lock_request(help_request)
    if lifecycle.open_escalation(request) is not None:
        raise BackstopError(_("Deze hulpvraag ligt al bij het wijkteam."))
    if request.status == S.MATCHED:
        running = Match.objects.filter(help_request=request, status=Match.Status.ACCEPTED)
        if match is not None:
            running = running.filter(pk=match.pk)
        match = running.select_related("volunteer__membership__user", "help_request__organisation").first()
        if match is None:
            raise BackstopError(_("Deze koppeling loopt niet meer."))
        escalation = lifecycle._escalate(
            request, by=by, reason=reason, urgency=urgency, match=match, now=timezone.now()
        )
        if match.volunteer.user != by:
            notifications.tell_volunteer(match, "escalated")
    elif request.status in (S.NEW, S.SEARCHING, S.PROPOSED):
        if match is not None:
            raise BackstopError(_("Deze koppeling loopt niet meer."))
        try:
            lifecycle.request_transition(
                help_request=request, to_status=S.ESCALATED, by=by, reason=reason, urgency=urgency
            )
        except lifecycle.InvalidTransition as error:
            raise BackstopError(error.message, field=error.field) from None
        escalation = lifecycle.open_escalation(request)
    else:
        raise BackstopError(
            _("Een hulpvraag met status ‘%(status)s’ kan niet naar het wijkteam.")
            % {"status": request.get_status_display()}
        )
    notifications.tell_professionals(escalation)
    return escalation


@transaction.atomic
def escalation_take_over(*, escalation, by) -> Escalation:
    escalation = _lock(escalation)
    if not _is_professional(by, escalation.help_request.organisation):
        raise BackstopError(_("Alleen een professional van het wijkteam neemt een hulpvraag over."))
    if escalation.status == E.TAKEN and escalation.professional_id == by.pk:
        return escalation  # a second click
    if escalation.status != E.WAITING:
        raise BackstopError(_("Deze opschaling is al overgenomen of afgerond."))
    now = timezone.now()
    escalation.status, escalation.professional, escalation.taken_at = E.TAKEN, by, now
    escalation.save(update_fields=["status", "professional", "taken_at"])
    _step(escalation, A.TAKEN, by, now=now)
    return escalation


def _theirs(escalation, by):
    if escalation.status != E.TAKEN:
        raise BackstopError(_("Neem de hulpvraag eerst over."))
    if escalation.professional_id != by.pk:
        raise BackstopError(_("Deze hulpvraag is van een andere professional."))


def _running_match(escalation):
    if escalation.help_request.status != S.MATCHED:
        return None
    return Match.objects.filter(help_request_id=escalation.help_request_id, status=Match.Status.ACCEPTED).first()


@transaction.atomic
def escalation_decide_match(*, escalation, by, keep: bool, reason: str = "") -> Escalation:
    """The professional decides whether the volunteer goes on helping. Ending it tells the volunteer why."""
    escalation = _lock(escalation)
    _theirs(escalation, by)
    if _running_match(escalation) is None:
        raise BackstopError(_("Er loopt geen koppeling meer."))
    if keep:
        _step(escalation, A.MATCH_KEPT, by, reason)
        return escalation
    reason = _required(reason, _("Schrijf op waarom de koppeling stopt; de vrijwilliger leest het."), "reason")
    lifecycle.request_transition(help_request=escalation.help_request, to_status=S.ESCALATED, by=by, reason=reason)
    _step(escalation, A.MATCH_ENDED, by, reason)
    return escalation


def _finish(escalation, status, by, now, **fields):
    escalation.status, escalation.ended_at = status, now
    for name, value in fields.items():
        setattr(escalation, name, value)
    escalation.save(update_fields=["status", "ended_at", *fields])


@transaction.atomic
def escalation_refer(*, escalation, by, entry: SocialMapEntry, note: str = "") -> Referral:
    """Refers the resident to formal care. Without a running match buurthulp's part ends (afgerond, verwezen)."""
    escalation = _lock(escalation)
    _theirs(escalation, by)
    if entry is None or not entry.active or entry.organisation_id != escalation.organisation_id:
        raise BackstopError(_("Kies een organisatie van de sociale kaart."), field="entry")
    now = timezone.now()
    referral = Referral.objects.create(
        organisation_id=escalation.organisation_id, escalation=escalation, entry=entry, note=note.strip(), by=by, at=now
    )
    _finish(escalation, E.REFERRED, by, now)
    _step(escalation, A.REFERRED, by, _("Naar %(entry)s. %(note)s") % {"entry": entry.name, "note": note.strip()}, now)
    if escalation.help_request.status == S.ESCALATED:
        lifecycle.request_transition(
            help_request=escalation.help_request,
            to_status=S.DONE,
            by=by,
            outcome=Outcome.REFERRED,
            reason=_("Verwezen naar %(entry)s.") % {"entry": entry.name},
        )
    return referral


@transaction.atomic
def referral_answer(*, referral, by, accepted: bool) -> Referral:
    """Whether the formal care took the referral on: the number a funder asks for."""
    if not _is_professional(by, referral.escalation.help_request.organisation):
        raise BackstopError(_("Alleen een professional van het wijkteam legt dit vast."))
    referral = (
        Referral.objects.select_for_update(of=("self",)).select_related("escalation", "entry").get(pk=referral.pk)
    )
    referral.accepted, referral.answered_at = bool(accepted), timezone.now()
    referral.save(update_fields=["accepted", "answered_at"])
    said = _("geaccepteerd") if accepted else _("niet geaccepteerd")
    _step(referral.escalation, A.REFERRAL_ANSWERED, by, f"{referral.entry.name}: {said}")
    return referral


@transaction.atomic
def escalation_hand_back(*, escalation, by, advice: str) -> Escalation:
    """Back to buurthulp with advice ("kan met een maatje, let op ..."): the request is zoekend again."""
    advice = _required(advice, _("Geef buurthulp een advies mee."), "advice")
    escalation = _lock(escalation)
    _theirs(escalation, by)
    now = timezone.now()
    _finish(escalation, E.HANDED_BACK, by, now, advice=advice)
    _step(escalation, A.HANDED_BACK, by, advice, now)
    if escalation.help_request.status == S.ESCALATED:
        lifecycle.request_transition(
            help_request=escalation.help_request,
            to_status=S.SEARCHING,
            by=by,
            reason=_("Teruggegeven door het wijkteam: %(advice)s") % {"advice": advice},
        )
    notifications.tell_coordinators_handed_back(escalation)
    return escalation


@transaction.atomic
def escalation_close(*, escalation, by, outcome: str, reason: str = "") -> Escalation:
    """The professional closes it. Without a running match the request is afgerond with the outcome."""
    if outcome not in Outcome.values:
        raise BackstopError(_("Kies hoe het ging."), field="outcome")
    escalation = _lock(escalation)
    _theirs(escalation, by)
    now = timezone.now()
    _finish(escalation, E.CLOSED, by, now)
    _step(escalation, A.CLOSED, by, reason, now)
    if escalation.help_request.status == S.ESCALATED:
        lifecycle.request_transition(
            help_request=escalation.help_request,
            to_status=S.DONE,
            by=by,
            outcome=outcome,
            reason=reason or _("Afgerond door het wijkteam."),
        )
    return escalation


@transaction.atomic
def professional_note_add(*, help_request, by, text: str) -> ProfessionalNote:
    if not _is_professional(by, help_request.organisation):
        raise BackstopError(_("Alleen een professional van het wijkteam schrijft hier."))
    text = _required(text, _("Schrijf een notitie."), "text")
    return ProfessionalNote.objects.create(
        organisation_id=help_request.organisation_id, help_request=help_request, text=text, by=by
    )


@transaction.atomic
def social_map_entry_save(*, organisation, entry=None, **fields) -> SocialMapEntry:
    name = (fields.get("name") or "").strip()
    taken = SocialMapEntry.objects.filter(name__iexact=name)
    if entry is not None:
        taken = taken.exclude(pk=entry.pk)
    if taken.exists():
        raise BackstopError(_("Deze naam staat al op de sociale kaart."), field="name")
    fields["name"] = name
    entry = entry or SocialMapEntry(organisation=organisation)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()
    return entry


def escalations_close_for_erasure(*, requests, by, reason):
    """Erasing a resident: their open escalations close (so their requests can be cancelled) and every free
    text of the backstop about them goes."""
    now = timezone.now()
    escalations = Escalation.objects.filter(help_request__in=requests)
    escalations.filter(status__in=Escalation.OPEN).update(status=E.CLOSED, ended_at=now)
    escalations.update(reason="", advice="")
    EscalationStep.objects.filter(escalation__in=escalations).update(reason="")
    Referral.objects.filter(escalation__in=escalations).update(note="")
    ProfessionalNote.objects.filter(help_request__in=requests).delete()
