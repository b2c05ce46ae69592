"""A resident's rights (AVG): see who looked, take the data along, have it erased."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import AccessLog, Resident


def resident_export(*, resident, by):
    """Everything stored about a resident, as plain data; the export itself is logged."""
    from matching.models import HelpRequest

    requests = (
        HelpRequest.objects.filter(resident=resident)
        .select_related("category", "consent")
        .prefetch_related("status_changes", "matches__contact_logs")
        .order_by("created_at")
    )
    AccessLog.objects.create(
        organisation_id=resident.organisation_id, user=by, resident=resident, action="geëxporteerd"
    )
    return {
        "organisatie": resident.organisation.name,
        "geëxporteerd_op": timezone.now().isoformat(),
        "bewoner": {
            "naam": resident.name,
            "telefoon": resident.phone,
            "e-mail": resident.email,
            "straat": resident.street,
            "huisnummer": resident.house_number,
            "postcode": resident.postcode,
            "buurt": resident.area.name if resident.area else None,
            "geregistreerd_op": resident.created_at.isoformat(),
        },
        "hulpvragen": [
            {
                "soort_hulp": r.category.name,
                "wat": r.description,
                "datum": r.date.isoformat() if r.date else None,
                "status": r.get_status_display(),
                "mobiliteit": r.mobility,
                "bijzonderheden": r.particulars,
                "toestemming": {
                    "tekst": r.consent.text,
                    "hoe": r.consent.get_method_display(),
                    "wanneer": r.consent.given_at.isoformat(),
                },
                "geschiedenis": [
                    {"wanneer": c.at.isoformat(), "van": c.from_status, "naar": c.to_status, "reden": c.reason}
                    for c in r.status_changes.all()
                ],
                "contactmomenten": [
                    {"datum": log.date.isoformat(), "minuten": log.minutes, "notitie": log.note}
                    for match in r.matches.all()
                    for log in match.contact_logs.all()
                ],
            }
            for r in requests
        ],
        "inzage": [
            {"wie": str(log.user) if log.user else None, "wat": log.action, "wanneer": log.at.isoformat()}
            for log in AccessLog.objects.filter(resident=resident).select_related("user")
        ],
    }


def resident_erase(*, resident, by):
    """Erases a resident's personal data on request. Open requests are cancelled; figures stay counted."""
    # What is written into the record is in the organisation's language, whoever clicks.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _erase(resident, by)


def _erase(resident, by):
    from matching import lifecycle
    from matching.models import HelpRequest, Match

    S = HelpRequest.Status
    reason = _("Gegevens gewist op verzoek van de bewoner")
    for help_request in HelpRequest.objects.filter(resident=resident).exclude(status__in=[S.DONE, S.CANCELLED]):
        Match.objects.filter(help_request=help_request, status__in=Match.ACTIVE).update(
            status=Match.Status.WITHDRAWN, responded_at=timezone.now()
        )
        if S.CANCELLED in lifecycle.TRANSITIONS[S(help_request.status)]:
            lifecycle.request_transition(help_request=help_request, to_status=S.CANCELLED, by=by, reason=reason)
    HelpRequest.objects.filter(resident=resident).update(
        description=_("[gewist]"), particulars="", mobility="", location=""
    )
    from matching.models import ContactLog

    ContactLog.objects.filter(match__help_request__resident=resident).update(note="")
    Resident.objects.filter(pk=resident.pk).update(
        name=_("Gewiste bewoner"),
        phone="",
        email="",
        street="",
        house_number="",
        postcode=resident.postcode[:4],  # the postcode area stays, for counts per neighbourhood
        latitude=None,
        longitude=None,
        erased_at=timezone.now(),
    )
    AccessLog.objects.create(
        organisation_id=resident.organisation_id, user=by, resident=resident, action=AccessLog.Action.ERASED
    )
    resident.refresh_from_db()
    return resident
