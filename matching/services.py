"""Writes for requests, offers, categories, and a volunteer's sign-up and profile (with what they help with)."""

import datetime
import functools
import operator

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netwerken import availability
from netwerken import services as people
from netwerken.pagination import filter_choices_changed
from netwerken.services import consent_record

from .models import Category, HelpRequest, Offer, StatusChange


def request_slots(help_request, recurring_slots):
    """The parts of the week a request needs someone: chosen for recurring help, derived for one-off help."""
    if help_request.kind == HelpRequest.Kind.RECURRING:
        return recurring_slots
    if help_request.date is None:
        if help_request.time_from is None and help_request.time_to is None:
            return availability.ALL
        # The day is in overleg, the time is not: the parts of the day the window touches, on any day.
        monday = datetime.date(2024, 1, 1)
        return functools.reduce(
            operator.or_,
            (
                availability.mask_for_window(
                    monday + datetime.timedelta(days=day), help_request.time_from, help_request.time_to
                )
                for day in range(7)
            ),
        )
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


def _once(*, organisation, submission_key, create):
    """`create()`'s request, made once per form key (forms.SubmitOnce): a second post of the same form gets the
    first one's request back, marked `repeated`, and nothing is added (no second resident, consent or mail).

    Two posts at the same moment meet at the unique (organisation, submission_key): the loser's savepoint rolls
    back everything it made and it reads the winner's request (committed by then: it waited on the index).
    """
    if submission_key is None:
        return create()

    def earlier():
        found = HelpRequest.objects.filter(organisation=organisation, submission_key=submission_key).first()
        if found is not None:
            found.repeated = True
        return found

    if (found := earlier()) is not None:
        return found
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        if (found := earlier()) is not None:
            return found
        raise


@transaction.atomic
def help_request_intake(
    *,
    organisation,
    resident=None,
    new_resident=None,
    by,
    channel,
    consent_method,
    consent_text,
    submission_key=None,
    **fields,
):
    """The coordinator's phone intake: the chosen resident, or a new one, and their request, in one transaction."""

    def create():
        nonlocal resident
        if resident is None:
            resident = people.resident_create(organisation=organisation, **new_resident)
        return help_request_create(
            organisation=organisation,
            resident=resident,
            by=by,
            channel=channel,
            consent_method=consent_method,
            consent_text=consent_text,
            submission_key=submission_key,
            **fields,
        )

    return _once(organisation=organisation, submission_key=submission_key, create=create)


@transaction.atomic
def help_request_online(*, organisation, resident_data, consent_method, consent_text, submission_key=None, **fields):
    """A resident's own request on the public page: attached to them if they asked before (people service).
    Every coordinator is mailed that it came in (no details of the resident in the mail)."""
    from . import notifications

    def create():
        resident = people.resident_for_online_request(organisation=organisation, **resident_data)
        help_request = help_request_create(
            organisation=organisation,
            resident=resident,
            by=None,
            channel=HelpRequest.Channel.ONLINE,
            consent_method=consent_method,
            consent_text=consent_text,
            submission_key=submission_key,
            **fields,
        )
        notifications.tell_coordinators_new_request(help_request)
        return help_request

    return _once(organisation=organisation, submission_key=submission_key, create=create)


class RequestChangeRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@transaction.atomic
def help_request_update(*, help_request, recurring_slots=0, **fields):
    """The coordinator edits a request. A change that no longer fits the volunteer who has it (another
    time at which they are booked, a kind of help they don't offer, a VOG that is needed now) is refused:
    the hard filters hold for a match that exists as much as for a new one."""
    from . import lifecycle
    from .explain import refusal
    from .models import Match
    from .proposals import hard_filter_refusals

    lifecycle.lock_request(help_request)
    for name, value in fields.items():
        setattr(help_request, name, value)
    help_request.slots = request_slots(help_request, recurring_slots)
    for match in Match.objects.filter(help_request=help_request, status__in=Match.ACTIVE).select_related(
        "volunteer__membership__user"
    ):
        failed = hard_filter_refusals(help_request, match.volunteer, skip=("room", "excluded"))
        if failed:
            raise RequestChangeRefused(
                _(
                    "Zo past de hulpvraag niet meer bij wie hem al heeft: %(why)s "
                    "Beëindig of trek eerst de koppeling in."
                )
                % {"why": refusal(match.volunteer.name, failed)}
            )
    help_request.save()
    if help_request.status in (HelpRequest.Status.SEARCHING, HelpRequest.Status.PROPOSED):
        from .tasks import enqueue_suggestions

        enqueue_suggestions(help_request)
    return help_request


def offer_save(*, volunteer, offer=None, category, description, availability_mask, active=True):
    from .tasks import enqueue_volunteer_sync

    offer = offer or Offer(organisation_id=volunteer.organisation_id, volunteer=volunteer)
    before = None
    if offer.pk:  # as stored: a bound ModelForm may have copied the new values onto the instance already
        before = Offer.objects.filter(pk=offer.pk).values_list("category_id", "availability", "active").first()
    offer.category, offer.description, offer.availability, offer.active = (
        category,
        description,
        availability_mask,
        active,
    )
    offer.save()
    if before != (offer.category_id, offer.availability, offer.active):
        # What and when they offer counts in their suggestions; the description does not.
        enqueue_volunteer_sync(volunteer, {"offers"})
    return offer


def category_save(*, organisation, category=None, name, requires_vog, active, fee_unit=None, fee_amount=None):
    """Saves a kind of help. The fee (unit and amount) is kept only in 'een extraatje bijverdienen';
    elsewhere it is left as it is (not given) or refused."""
    from .help_types import is_modest_fee

    category = category or Category(organisation=organisation)
    category.name, category.requires_vog, category.active = name, requires_vog, active
    if fee_unit is not None or fee_amount is not None:
        if not is_modest_fee(organisation):
            raise ValueError("A fee belongs to 'een extraatje bijverdienen' only")
        category.fee_unit = fee_unit or ""
        category.fee_amount = fee_amount if category.fee_unit else None
    category.save()
    return category


# --- set-up of a new organisation ---------------------------------------------------------------------

DEFAULT_CATEGORIES = [
    ("Boodschappen", False),
    ("Vervoer en ziekenhuisvervoer", False),
    ("Klusjes", False),
    ("Tuin", False),
    ("Bezoek en gezelschap", True),
    ("Koken en maaltijden", False),
    ("Administratie en post", True),
    ("Computer en telefoon", False),
    ("Wandelen", False),
]


def categories_setup_defaults(*, organisation):
    """Sensible Dutch help categories for a new organisation; the org admin adapts them."""
    existing = set(Category.objects.filter(organisation=organisation).values_list("name", flat=True))
    Category.objects.bulk_create(
        [
            Category(organisation=organisation, name=name, requires_vog=requires_vog)
            for name, requires_vog in DEFAULT_CATEGORIES
            if name not in existing
        ]
    )
    # bulk_create sends no post_save: the cached filter forms learn of the new choices here.
    filter_choices_changed(model=Category, organisation_id=organisation.pk)


# --- a volunteer's sign-up and profile: netwerken's person plus what they help with -------------------


class AlreadyVolunteer(Exception):
    """The person is a volunteer of this organisation already: a second sign-up makes no second candidate."""


class EmailTaken(Exception):
    """An account with this email was made since the form checked (a second tab or a double-clicked submit)."""


@transaction.atomic
def volunteer_signup(*, organisation, user=None, account=None, consent_text, categories, notify=True, **profile):
    """A person becomes a volunteer: membership, profile and consent (netwerken), and their kinds of help.

    `account` ({email, password, name}) makes the login for someone who has none yet (`user` None). The
    coordinators are told (`notify`; the demo seed, which makes dozens at once, says False). Someone who is a
    volunteer here already raises AlreadyVolunteer: one person, one volunteer record per organisation.
    """
    from netwerken.models import User, Volunteer

    from . import notifications

    if user is None:
        # The form saw no account with this email, but a parallel sign-up can make one after it looked: the
        # unique email decides, and the loser gets an answer instead of an IntegrityError.
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=account["email"], password=account["password"], name=account["name"].strip()
                )
        except IntegrityError:
            raise EmailTaken from None
    elif Volunteer.objects.filter(organisation=organisation, membership__user=user).exists():
        raise AlreadyVolunteer
    try:
        with transaction.atomic():
            volunteer = people.volunteer_register(
                organisation=organisation, user=user, consent_text=consent_text, **profile
            )
    except IntegrityError:
        # One profile per membership (a one-to-one): a second tab's post that passed the check above.
        if Volunteer.objects.filter(organisation=organisation, membership__user=user).exists():
            raise AlreadyVolunteer from None
        raise
    volunteer.categories.set(categories)
    if notify:
        notifications.tell_coordinators_new_volunteer(volunteer)
    return volunteer


def volunteer_join(*, organisation, user, consent_text, phone: str, postcode: str, house_number: str):
    """Someone with an account but no organisation chose this one and confirmed: a volunteer candidate
    ('aangemeld'), the same record as the full sign-up makes, with only what the coordinator needs to call
    them for the intake. What they help with and when is filled in at that intake or on their profile."""
    from netwerken.models import Volunteer

    return volunteer_signup(
        organisation=organisation,
        user=user,
        consent_text=consent_text,
        categories=[],
        phone=phone,
        postcode=postcode,
        house_number=house_number,
        areas=[],
        max_distance_km=None,
        availability=0,
        languages=["nl"],
        preference=Volunteer.Preference.BOTH,
        max_requests_per_month=4,
    )


@transaction.atomic
def volunteer_profile_update(*, volunteer, categories=None, **fields):
    from .tasks import enqueue_volunteer_sync

    volunteer = people.volunteer_update_profile(volunteer=volunteer, **fields)
    if categories is not None:
        before = set(volunteer.categories.values_list("pk", flat=True))
        volunteer.categories.set(categories)
        if before != {getattr(category, "pk", category) for category in categories}:
            enqueue_volunteer_sync(volunteer, {"categories"})
    return volunteer


# --- certificates of conduct (VOG) ----------------------------------------------------------------------


def vog_send_warnings(*, today=None) -> int:
    """Six weeks before a VOG expires (or once it has, if nobody was warned yet), the volunteer and the
    coordinators get one mail per expiry date. Returns how many volunteers were warned."""
    from netwerken.models import Volunteer

    from . import notifications
    from .selectors import vog_expiring_volunteers

    today = today or timezone.localdate()
    warned = 0
    for volunteer in vog_expiring_volunteers(today=today):
        if volunteer.vog_warned_for == volunteer.vog_expires:
            continue
        with transaction.atomic():
            # Claimed first, so two sweeps at once send one warning.
            claimed = (
                Volunteer.objects.filter(pk=volunteer.pk, vog_expires=volunteer.vog_expires)
                .exclude(vog_warned_for=volunteer.vog_expires)
                .update(vog_warned_for=volunteer.vog_expires)
            )
            if claimed:
                notifications.tell_about_vog(volunteer, (volunteer.vog_expires - today).days)
                warned += 1
    return warned


def matching_settings_update(*, settings, **fields):
    """The organisation's weights and timers. Open requests get their suggestions again with the new weights."""
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save(update_fields=list(fields))
    from netwerken.background import enqueue_on_commit

    from .scoring import OPEN_STATUSES
    from .suggestions import mark_requested
    from .tasks import compute_suggestions

    open_ids = list(HelpRequest.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    mark_requested(open_ids)
    for pk in open_ids:
        enqueue_on_commit(compute_suggestions, settings.organisation_id, pk)
    return settings
