"""Writes for requests, offers and categories."""

from django.db import transaction
from django.utils import timezone

from netwerken import availability
from netwerken.services import consent_record

from .models import Category, HelpRequest, Offer, StatusChange


def request_slots(help_request, recurring_slots):
    """The parts of the week a request needs someone: chosen for recurring help, derived for one-off help."""
    if help_request.kind == HelpRequest.Kind.RECURRING:
        return recurring_slots
    if help_request.date is None:
        return availability.ALL
    return availability.mask_for_window(help_request.date, help_request.time_from, help_request.time_to)


@transaction.atomic
def help_request_create(
    *, organisation, resident, by, channel, consent_method, consent_text, recurring_slots=0, **fields
):
    """A new request, with the resident's consent recorded: what text, how, by whom."""
    consent = consent_record(organisation=organisation, text=consent_text, method=consent_method, recorded_by=by)
    help_request = HelpRequest(
        organisation=organisation, resident=resident, created_by=by, channel=channel, consent=consent, **fields
    )
    help_request.area = resident.area
    help_request.slots = request_slots(help_request, recurring_slots)
    help_request.save()
    StatusChange.objects.create(
        organisation=organisation, help_request=help_request, to_status=help_request.status, by=by, at=timezone.now()
    )
    return help_request


def help_request_update(*, help_request, recurring_slots=0, **fields):
    for name, value in fields.items():
        setattr(help_request, name, value)
    help_request.slots = request_slots(help_request, recurring_slots)
    help_request.save()
    if help_request.status in (HelpRequest.Status.SEARCHING, HelpRequest.Status.PROPOSED):
        from .tasks import enqueue_suggestions

        enqueue_suggestions(help_request)
    return help_request


def offer_save(*, volunteer, offer=None, category, description, availability_mask, active=True):
    offer = offer or Offer(organisation_id=volunteer.organisation_id, volunteer=volunteer)
    offer.category, offer.description, offer.availability, offer.active = (
        category,
        description,
        availability_mask,
        active,
    )
    offer.save()
    return offer


def category_save(*, organisation, category=None, name, requires_vog, active):
    category = category or Category(organisation=organisation)
    category.name, category.requires_vog, category.active = name, requires_vog, active
    category.save()
    return category
