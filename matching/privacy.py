"""What matching holds of a resident or a volunteer: export, erasure and retention (registered in
matching/registrations.py with netwerken's privacy registry).

Erasure blanks every free text of the person's requests and matches — descriptions, particulars,
reasons, notes, comments — and ends what is still open through the lifecycle, so the volunteers are
told and the request's state stays true. Rows stay, so the figures stay counted.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from netwerken.models import Volunteer

from . import backstop, lifecycle
from .models import (
    BatchProposal,
    ContactLog,
    HelpRequest,
    Match,
    MatchSuggestion,
    Offer,
    SatisfactionResponse,
    StatusChange,
)

S = HelpRequest.Status
M = Match.Status
ERASED = "[gewist]"


def _iso(value):
    return value.isoformat() if value else None


def _match_data(match, *, for_resident):
    data = {
        "soort_hulp": match.help_request.category.name,
        "status": match.get_status_display(),
        "voorgesteld_op": _iso(match.proposed_at),
        "antwoord_op": _iso(match.responded_at),
        "afgesloten_op": _iso(match.closed_at),
        "resultaat": match.get_outcome_display() if match.outcome else None,
        "toelichting": match.closing_note,
        "reden_afwijzing": match.decline_reason,
        "reden_beeindigd": match.end_reason,
        "contactmomenten": [
            {"datum": log.date.isoformat(), "minuten": log.minutes, "notitie": log.note}
            for log in match.contact_logs.all()
        ],
        "tevredenheid": [
            {
                "wie": answer.get_respondent_display(),
                "hielp_het": answer.helped,
                "zou_het_opnieuw_doen": answer.would_again,
                "opmerking": answer.comment,
            }
            for answer in match.satisfaction.all()
        ],
    }
    if for_resident:
        # The resident knows their helper by first name; the rest of the volunteer is theirs.
        data["vrijwilliger"] = match.volunteer.user.get_short_name() if match.volunteer.user else None
    return data


def export_resident(resident):
    requests = (
        HelpRequest.objects.filter(resident=resident)
        .select_related("category", "consent")
        .prefetch_related(
            "status_changes",
            "matches__contact_logs",
            "matches__satisfaction",
            "matches__volunteer__membership__user",
            "matches__help_request__category",
            "escalations__steps",
            "escalations__referrals__entry",
            "professional_notes",
        )
        .order_by("created_at")
    )
    return [
        {
            "soort_hulp": r.category.name,
            "wat": r.description,
            "datum": _iso(r.date),
            "van": r.time_from.strftime("%H:%M") if r.time_from else None,
            "tot": r.time_to.strftime("%H:%M") if r.time_to else None,
            "waar": r.location,
            "status": r.get_status_display(),
            "resultaat": r.get_outcome_display() if r.outcome else None,
            "mobiliteit": r.mobility,
            "huisdieren": r.pets,
            "sleutelkluis": r.key_safe,
            "bijzonderheden": r.particulars,
            "binnengekomen": r.get_channel_display(),
            "toestemming": {
                "tekst": r.consent.text,
                "hoe": r.consent.get_method_display(),
                "wanneer": r.consent.given_at.isoformat(),
            },
            "geschiedenis": [
                {"wanneer": c.at.isoformat(), "van": c.from_status, "naar": c.to_status, "reden": c.reason}
                for c in r.status_changes.all()
            ],
            "koppelingen": [_match_data(match, for_resident=True) for match in r.matches.all()],
            "wijkteam": [
                {
                    "opgeschaald": e.escalated_at.isoformat(),
                    "reden": e.reason,
                    "status": e.get_status_display(),
                    "advies": e.advice,
                    "stappen": [
                        {"wanneer": step.at.isoformat(), "wat": step.get_action_display(), "toelichting": step.reason}
                        for step in e.steps.all()
                    ],
                    "verwijzingen": [
                        {"naar": ref.entry.name, "wanneer": ref.at.isoformat(), "aangenomen": ref.accepted}
                        for ref in e.referrals.all()
                    ],
                }
                for e in r.escalations.all()
            ],
            # A resident may see what is written about them (AVG art. 15), the wijkteam's notes included.
            "notities_wijkteam": [{"wanneer": n.at.isoformat(), "tekst": n.text} for n in r.professional_notes.all()],
        }
        for r in requests
    ]


def erase_resident(resident, *, by, reason):
    requests = HelpRequest.objects.filter(resident=resident)
    # Free text first, so what the cancellation writes (a generic reason) is all that stays.
    StatusChange.objects.filter(help_request__in=requests).update(reason="")
    matches = Match.objects.filter(help_request__in=requests)
    matches.update(closing_note="", decline_reason="", end_reason="")
    ContactLog.objects.filter(match__in=matches).update(note="")
    SatisfactionResponse.objects.filter(match__in=matches).update(comment="")
    BatchProposal.objects.filter(help_request__in=requests).update(note="", criteria=[])
    # The wijkteam's escalations close (so the requests can be cancelled) and their free text goes.
    backstop.escalations_close_for_erasure(requests=requests, by=by, reason=reason)
    for help_request in requests.filter(status__in=lifecycle.OPEN).order_by("pk"):
        lifecycle.request_transition(help_request=help_request, to_status=S.CANCELLED, by=by, reason=reason)
    MatchSuggestion.objects.filter(help_request__in=requests).delete()
    requests.update(description=ERASED, particulars="", mobility="", location="")
    # 'Er zijn voor elkaar': the link to the volunteer who is the same person goes with the data.
    Volunteer.objects.filter(resident=resident).update(resident=None)


def residents_to_keep(cutoff):
    """Residents with a request still open, or one closed (or changed) within the retention period."""
    return (
        HelpRequest.objects.filter(Q(status__in=lifecycle.OPEN) | Q(status_changed_at__gte=cutoff))
        .values_list("resident_id", flat=True)
        .distinct()
    )


def export_volunteer(volunteer):
    matches = (
        Match.objects.filter(volunteer=volunteer)
        .select_related("help_request__category")
        .prefetch_related("contact_logs", "satisfaction")
        .order_by("proposed_at")
    )
    return {
        "soorten_hulp": [c.name for c in volunteer.categories.all()],
        "aanbod": [
            {"soort_hulp": o.category.name, "wat": o.description, "wanneer": o.availability_text, "actief": o.active}
            for o in Offer.objects.filter(volunteer=volunteer).select_related("category")
        ],
        "koppelingen": [_match_data(match, for_resident=False) for match in matches],
    }


def erase_volunteer(volunteer, *, by, reason):
    """Ends the volunteer's open proposals and matches (the requests look further), removes what they
    offered and blanks what they wrote about themselves. The contact moments stay: they are the resident's."""
    from .notifications import tell_coordinators
    from .proposals import match_end, match_withdraw

    for match in Match.objects.filter(volunteer=volunteer, status__in=Match.ACTIVE).select_related(
        "help_request__organisation", "help_request__category"
    ):
        if match.status == M.PROPOSED:
            match_withdraw(match=match, by=by, reason=reason)
        else:
            ended = match_end(match=match, by=by, reason=reason)
            tell_coordinators(ended, "volunteer_left")
    Match.objects.filter(volunteer=volunteer).update(decline_reason="")
    SatisfactionResponse.objects.filter(match__volunteer=volunteer, respondent="vrijwilliger").update(comment="")
    MatchSuggestion.objects.filter(volunteer=volunteer).delete()
    # A refused pair's note names the volunteer ("… heeft dan pauze.", "Bel … (06 …)").
    BatchProposal.objects.filter(volunteer=volunteer).update(note="")
    BatchProposal.objects.filter(volunteer=volunteer, decision=BatchProposal.Decision.PENDING).update(
        decision=BatchProposal.Decision.DROPPED, note=_("De vrijwilliger is gestopt.")
    )
    Offer.objects.filter(volunteer=volunteer).delete()
    volunteer.categories.clear()
    # 'Er zijn voor elkaar': no longer linked to the resident record of the same person.
    Volunteer.objects.filter(pk=volunteer.pk).update(resident=None)
    volunteer.resident = None
