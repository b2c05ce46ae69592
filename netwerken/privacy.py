"""A person's rights (AVG): who looked, take the data along, have it erased, and how long it is kept.

The mechanism, after pretix's data shredders: every app registers in its AppConfig.ready() a DataPart
that says what it holds of a resident or a volunteer — how to export it, how to erase it, and which
residents it still needs (retention). netwerken registers its own part like any other, so the
services below never reach into another app's models. Erasing runs every registered part in one
transaction, in `order`: the higher apps first (matching ends the matches and tells the volunteers),
netwerken's own part last (it clears the person and every mail that mentions them).

Every look at a resident's data is written by access_log_record(), the one writer of AccessLog.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import AccessLog, Resident, Volunteer


@dataclass(frozen=True)
class DataPart:
    """What one app holds of a person. Every callable is optional."""

    key: str  # the section of the export, e.g. "hulpvragen"
    order: int = 100  # erasure runs the parts from low to high
    export_resident: Callable | None = None  # (resident) -> JSON-able data
    erase_resident: Callable | None = None  # (resident, *, by, reason) -> None
    export_volunteer: Callable | None = None  # (volunteer) -> JSON-able data
    erase_volunteer: Callable | None = None  # (volunteer, *, by, reason) -> None
    # (cutoff) -> resident ids this app still needs: activity after `cutoff`, or work still open.
    residents_to_keep: Callable | None = None


_parts: dict[str, DataPart] = {}


def register(part: DataPart) -> None:
    _parts[part.key] = part


def parts() -> list[DataPart]:
    return sorted(_parts.values(), key=lambda part: (part.order, part.key))


# --- the access log -------------------------------------------------------------------------------


def access_log_record(*, user, resident, action=AccessLog.Action.VIEWED, subject=None) -> AccessLog | None:
    """Logs that `user` looked at (exported, erased) `resident`'s data, through `subject` (a request, a match)."""
    if resident is None:
        return None
    return AccessLog.objects.create(
        organisation_id=resident.organisation_id,
        user=user if getattr(user, "is_authenticated", False) else None,
        resident=resident,
        action=action,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
    )


def access_logs_of(resident, limit=50):
    return AccessLog.objects.filter(resident=resident).select_related("user", "subject_type")[:limit]


# --- residents -------------------------------------------------------------------------------------


def resident_export(*, resident: Resident, by) -> dict:
    """Everything stored about a resident, as plain data, from every app's part; the export is logged."""
    access_log_record(user=by, resident=resident, action=AccessLog.Action.EXPORTED)
    data = {"organisatie": resident.organisation.name, "geëxporteerd_op": timezone.now().isoformat()}
    for part in parts():
        if part.export_resident is not None:
            data[part.key] = part.export_resident(resident)
    return data


def resident_erase(*, resident: Resident, by, reason: str = "") -> Resident:
    """Erases a resident's personal data, every app's part in one transaction. The figures stay counted.

    Running it twice changes nothing the second time.
    """
    # What is written into the record is in the organisation's language, whoever clicks.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        resident = Resident.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=resident.pk)
        if resident.erased_at is not None:
            return resident
        reason = reason or _("Gegevens gewist op verzoek van de bewoner")
        for part in parts():
            if part.erase_resident is not None:
                part.erase_resident(resident, by=by, reason=reason)
        access_log_record(user=by, resident=resident, action=AccessLog.Action.ERASED)
    resident.refresh_from_db()
    return resident


def residents_past_retention(*, now=None) -> list[int]:
    """Residents of the current organisation whose data is kept longer than its retention period allows."""
    from django_scopes.state import get_scope

    from .models import Organisation

    organisation = get_scope()["organisation"]
    if not isinstance(organisation, Organisation):
        organisation = Organisation.objects.get(pk=organisation)
    cutoff = (now or timezone.now()) - datetime.timedelta(days=round(organisation.retention_months * 30.44))
    keep = set()
    for part in parts():
        if part.residents_to_keep is not None:
            keep.update(part.residents_to_keep(cutoff))
    candidates = Resident.objects.filter(erased_at__isnull=True, created_at__lt=cutoff).values_list("pk", flat=True)
    return [pk for pk in candidates if pk not in keep]


def resident_retention_run(*, now=None) -> int:
    """Erases every resident of the current organisation past the retention period. Returns how many."""
    erased = 0
    for pk in residents_past_retention(now=now):
        resident = Resident.objects.filter(pk=pk).first()
        if resident is not None:
            resident_erase(resident=resident, by=None, reason=_("Bewaartermijn verstreken"))
            erased += 1
    return erased


# --- volunteers ------------------------------------------------------------------------------------


def volunteer_export(*, volunteer: Volunteer, by) -> dict:
    data = {"organisatie": volunteer.organisation.name, "geëxporteerd_op": timezone.now().isoformat()}
    for part in parts():
        if part.export_volunteer is not None:
            data[part.key] = part.export_volunteer(volunteer)
    return data


def volunteer_erase(*, volunteer: Volunteer, by, reason: str = "") -> Volunteer:
    """Erases a volunteer's personal data (on their own request, or by a coordinator). Counts stay."""
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        volunteer = (
            Volunteer.objects.select_for_update(of=("self",))
            .select_related("organisation", "membership__user")
            .get(pk=volunteer.pk)
        )
        if volunteer.erased_at is not None:
            return volunteer
        reason = reason or _("De vrijwilliger is gestopt en liet de gegevens wissen.")
        for part in parts():
            if part.erase_volunteer is not None:
                part.erase_volunteer(volunteer, by=by, reason=reason)
    volunteer.refresh_from_db()
    return volunteer
