"""Resident networks (bewonersnetwerken): writes. A network and its members; views call these only.

A member is one of three kinds: a resident the organisation knows (usually without an account), a
volunteer, or just a name and a phone number the organiser noted. The same person is an active member
of a network once; someone who left and comes back is the same row again (the database allows one
row per resident or volunteer per network), so their attendance history stays theirs.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Area, Network, NetworkMember, Organisation, Resident, Volunteer
from .validators import normalize_phone


class NetworkError(Exception):
    """A refused write, with the Dutch message to show."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _phone(value: str) -> str:
    """Stored as E.164, like every phone number; a number that is not one is refused in Dutch."""
    if not value:
        return ""
    try:
        return normalize_phone(value)
    except ValidationError as error:
        raise NetworkError(error.messages[0]) from None


@transaction.atomic
def network_save(
    *,
    organisation: Organisation,
    network: Network | None = None,
    name: str,
    kind: str,
    description: str = "",
    areas: list[Area] | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    contact_volunteer: Volunteer | None = None,
    status: str = Network.Status.ACTIVE,
    phase: str = "",
    started_on: datetime.date | None = None,
    by,
) -> Network:
    """Creates a network (network=None) or saves an existing one, with its neighbourhoods. `phase` is the starting
    phase of a new network; an existing network's phase moves only through phase_move (recorded)."""
    name = (name or "").strip()
    if not name:
        raise NetworkError(_("Geef het netwerk een naam."))
    others = Network.objects.filter(organisation=organisation, name__iexact=name)
    if network is not None:
        others = others.exclude(pk=network.pk)
    if others.exists():
        raise NetworkError(_("Er is al een netwerk met de naam ‘%(name)s’.") % {"name": name})
    if contact_volunteer is not None and contact_volunteer.erased_at is not None:
        raise NetworkError(_("Deze vrijwilliger kan geen contactpersoon zijn."))
    network = network or Network(organisation=organisation)
    network.name = name
    network.kind = kind
    network.description = description
    network.contact_name = contact_name.strip()
    network.contact_phone = _phone(contact_phone)
    network.contact_email = contact_email
    network.contact_volunteer = contact_volunteer
    network.status = status
    if network.pk is None:
        network.phase = phase
    network.started_on = started_on
    try:
        with transaction.atomic():
            network.save()
    except IntegrityError:  # the same name saved by someone else at the same moment
        raise NetworkError(_("Er is al een netwerk met de naam ‘%(name)s’.") % {"name": name}) from None
    network.areas.set(areas or [])
    return network


def _same_person(network: Network, *, resident, volunteer, name: str, phone: str):
    """The member row of this person in this network, active or not (None when there is none)."""
    rows = NetworkMember.objects.select_for_update().filter(network=network)
    if resident is not None:
        return rows.filter(resident=resident).first()
    if volunteer is not None:
        return rows.filter(volunteer=volunteer).first()
    # Someone without a record: the same name with the same number (or both without one), still active.
    return (
        rows.filter(resident__isnull=True, volunteer__isnull=True, name__iexact=name, phone=phone)
        .filter(left_on__isnull=True, erased_at__isnull=True)
        .first()
    )


@transaction.atomic
def network_member_add(
    *,
    network: Network,
    resident: Resident | None = None,
    volunteer: Volunteer | None = None,
    name: str = "",
    phone: str = "",
    joined_on: datetime.date | None = None,
    by,
) -> NetworkMember:
    """Adds a resident, a volunteer, or someone by name and phone to the network.

    Exactly one of the three. An active member of the same person is refused; one who left comes back.
    """
    name = (name or "").strip()
    given = [resident is not None, volunteer is not None, bool(name)]
    if sum(given) != 1:
        raise NetworkError(_("Kies een bewoner of een vrijwilliger, of vul een naam in: één van de drie."))
    if phone and not name:
        raise NetworkError(_("Een telefoonnummer hoort bij een naam: vul ook de naam in."))
    phone = _phone(phone)
    joined_on = joined_on or timezone.localdate()
    for person in (resident, volunteer):
        if person is not None and (person.erased_at is not None or person.organisation_id != network.organisation_id):
            raise NetworkError(_("Deze persoon kan niet aan het netwerk worden toegevoegd."))
    # Lock the network, so two clicks at once cannot both add the same person.
    Network.objects.select_for_update().filter(pk=network.pk).first()
    existing = _same_person(network, resident=resident, volunteer=volunteer, name=name, phone=phone)
    if existing is not None and existing.left_on is None:
        raise NetworkError(
            _("%(name)s doet al mee aan %(network)s.") % {"name": existing.display_name, "network": network.name}
        )
    if existing is not None:
        existing.joined_on, existing.left_on = joined_on, None
        existing.save(update_fields=["joined_on", "left_on"])
        return existing
    return NetworkMember.objects.create(
        organisation_id=network.organisation_id,
        network=network,
        resident=resident,
        volunteer=volunteer,
        name=name,
        phone=phone,
        joined_on=joined_on,
    )


class AlreadyLeft(NetworkError):
    pass


@transaction.atomic
def network_member_leave(*, member: NetworkMember, left_on: datetime.date | None = None, by) -> NetworkMember:
    """Records that the member stopped (today unless said otherwise). The row stays: the history counts."""
    member = NetworkMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise AlreadyLeft(
            _("%(name)s was al gestopt op %(date)s.")
            % {"name": member.display_name, "date": member.left_on.strftime("%d-%m-%Y")}
        )
    left_on = left_on or timezone.localdate()
    if left_on < member.joined_on:
        raise NetworkError(_("De stopdatum ligt vóór de datum waarop iemand lid werd."))
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    return member


@transaction.atomic
def network_member_erase(*, member: NetworkMember, by) -> NetworkMember:
    """Blanks the name and number of a member the organisation has no record of (the organiser's own note), on
    their request. The row stays, as on any erasure, so attendance and growth stay counted. A resident's or a
    volunteer's membership is erased with the rest of that person's data (the privacy registry), not here."""
    member = NetworkMember.objects.select_for_update().get(pk=member.pk)
    if member.resident_id or member.volunteer_id:
        raise NetworkError(_("Wis deze gegevens via de bewoner of de vrijwilliger: dan gaat alles in één keer."))
    if member.erased_at is not None:
        raise NetworkError(_("De gegevens van deze deelnemer waren al gewist."))
    erase_network_members(NetworkMember.objects.filter(pk=member.pk))
    member.refresh_from_db()
    return member


def erase_network_members(rows) -> None:
    """Blanks name and number of these member rows and ends their membership (today, or the day they joined).
    The one writer of an erased network member, for the privacy registry and for network_member_erase."""
    from django.db.models import F, Value
    from django.db.models.functions import Greatest

    today = timezone.localdate()
    rows.filter(left_on__isnull=True).update(left_on=Greatest(F("joined_on"), Value(today)))
    rows.update(name="", phone="", erased_at=timezone.now())
