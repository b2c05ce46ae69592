"""Writes. Views and forms call these; they never save tenant data themselves."""

from django.db import transaction
from django.utils import timezone

from .models import Membership
from .roles import PROVIDER_ROLES, Role
from .validators import normalize_phone


def is_last_org_admin(membership):
    return (
        membership.is_org_admin and not Membership.objects.filter(is_org_admin=True).exclude(pk=membership.pk).exists()
    )


class TeamError(Exception):
    """A change to the team that is refused, with the reason in Dutch."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def team_change_problem(*, membership, roles=None, by=None):
    """Why removing `membership` (roles None) or giving it `roles` is refused, or None. The organisation keeps
    at least one org admin, and an admin does not take away their own admin role: another admin does."""
    from django.utils.translation import gettext as _

    loses_admin = membership.is_org_admin and (roles is None or Role.ORG_ADMIN not in roles)
    if not loses_admin:
        return None
    if is_last_org_admin(membership):
        return _("De organisatie heeft minstens één beheerder nodig.")
    if by is not None and membership.user_id == by.pk:
        return _("Je kunt jezelf niet als beheerder weghalen; vraag dat een andere beheerder.")
    return None


def _lock_admins(organisation_id):
    # Two admins demoting each other at the same moment: the second waits and then sees the first's change.
    list(Membership.objects.select_for_update().filter(organisation_id=organisation_id, is_org_admin=True))


@transaction.atomic
def membership_set_roles(*, membership, roles, by=None):
    roles = set(roles) & set(PROVIDER_ROLES)
    if not roles:
        raise ValueError("A membership needs at least one role")
    _lock_admins(membership.organisation_id)
    problem = team_change_problem(membership=membership, roles=roles, by=by)
    if problem:
        raise TeamError(problem)
    membership.set_roles(roles)
    membership.save(update_fields=["is_volunteer", "is_coordinator", "is_professional", "is_org_admin"])
    return membership


@transaction.atomic
def membership_remove(*, membership, by):
    """Takes a person out of the organisation. A volunteer is not removed here: their profile holds personal
    data that goes through the volunteer's erasure (matching's volunteer_erase), not a dangling row."""
    from django.utils.translation import gettext as _

    _lock_admins(membership.organisation_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    problem = team_change_problem(membership=membership, by=by)
    if problem:
        raise TeamError(problem)
    if hasattr(membership, "volunteer"):
        raise TeamError(
            _("%(name)s is vrijwilliger. Haal eerst de rol vrijwilliger weg of wis de vrijwilliger.")
            % {"name": membership.user}
        )
    membership.delete()


# --- funders of an organisation ----------------------------------------------------------------------------


@transaction.atomic
def funding_add(*, organisation, funder, by=None):
    """`funder` (a funder organisation on the instance) funds `organisation` and may read its aggregate figures."""
    from .models import Funding, Organisation

    if organisation.is_funder or funder.kind != Organisation.Kind.FUNDER:
        raise ValueError("A funding links a funder organisation to a buurthulp organisation")
    funding, _created = Funding.objects.get_or_create(funder=funder, organisation=organisation)
    return funding


@transaction.atomic
def funding_remove(*, funding, by=None):
    funding.delete()


PUBLIC_FIELDS = ("intro", "phone", "email", "opening_hours", "address")


def organisation_update(
    *,
    organisation,
    name,
    municipality,
    help_type,
    retention_months,
    intro="",
    phone="",
    email="",
    opening_hours="",
    address="",
):
    """The organisation's settings and its public page (o/<org>/over/). Not its phase: that moves through
    netwerken.phases.phase_move, which records the move and the items still open."""
    organisation.name = name
    organisation.municipality = municipality
    organisation.help_type = help_type
    organisation.retention_months = retention_months
    organisation.intro = intro.strip()
    organisation.phone = normalize_phone(phone) if phone else ""
    organisation.email = email.strip()
    organisation.opening_hours = opening_hours.strip()
    organisation.address = address.strip()
    organisation.full_clean()
    organisation.save(update_fields=["name", "municipality", "help_type", "retention_months", *PUBLIC_FIELDS])
    from . import offline

    # The 503 page shows the phone number while the database is down.
    transaction.on_commit(lambda: offline.publish(organisation))
    return organisation


# --- set-up -----------------------------------------------------------------------------------------


def organisation_setup(*, organisation):
    """Everything a new organisation starts with; each app registers its part (netwerken/registry.py).
    A funder organisation has no buurthulp of its own to set up."""
    from django_scopes import scope

    if organisation.is_funder:
        return

    from .registry import organisation_setup_hooks

    with scope(organisation=organisation):
        for hook in organisation_setup_hooks():
            hook(organisation=organisation)


@transaction.atomic
def organisation_create(*, by=None, admin_email: str = "", organisation=None, **fields):
    """A new organisation, set up completely: its defaults from every app (kinds of help, the phase checklist:
    organisation_setup), and an invitation for its first admin — org admin of a buurthulp organisation, the
    funder role in a funder organisation — mailed after the commit. Django admin calls this (netwerken/admin.py).
    Consent texts need nothing stored: they are written from the organisation's name (netwerken/consent.py)."""
    from .invitations import invitation_create, invite_roles
    from .models import Organisation
    from .roles import Role

    # Django admin hands over the instance its form built; a caller in code gives the fields.
    organisation = organisation if organisation is not None else Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    organisation_setup(organisation=organisation)
    if admin_email:
        from django_scopes import scope

        role = Role.FUNDER if organisation.is_funder else Role.ORG_ADMIN
        assert role in invite_roles(organisation)
        with scope(organisation=organisation):
            invitation_create(organisation=organisation, email=admin_email, roles=[role], by=by)
    return organisation


@transaction.atomic
def area_save(*, organisation, area=None, name, postcodes, latitude=None, longitude=None):
    """Saves a neighbourhood and its postcodes; its centre follows from the postcodes (geo.area_centre), computed
    again on every save. `latitude` and `longitude` override it (the demo's hand-placed centres; Django admin)."""
    from . import geo
    from .models import Area, AreaPostcode

    if latitude is None or longitude is None:
        centre = geo.area_centre(postcodes)
        if centre is None:
            raise ValueError(f"no known centre for any of {postcodes}")  # the form refuses this first
        latitude, longitude = centre
    area = area or Area(organisation=organisation)
    area.name, area.latitude, area.longitude = name, latitude, longitude
    area.save()
    area.postcodes.exclude(prefix__in=postcodes).delete()
    known = set(area.postcodes.values_list("prefix", flat=True))
    AreaPostcode.objects.bulk_create(
        [
            AreaPostcode(organisation=organisation, area=area, prefix=prefix)
            for prefix in postcodes
            if prefix not in known
        ]
    )
    return area


# --- consent, residents, volunteers -------------------------------------------------------------------


def consent_record(*, organisation, text, method, recorded_by=None):
    from .models import Consent

    return Consent.objects.create(organisation=organisation, text=text, method=method, recorded_by=recorded_by)


def resident_create(*, organisation, name, phone="", email="", postcode, house_number, street=""):
    from . import geo
    from .models import Resident

    resident = Resident(
        organisation=organisation,
        name=name,
        phone=phone,
        email=email,
        postcode=postcode,
        house_number=house_number,
        street=street,
    )
    geo.locate(resident)
    resident.save()
    _refine_location_later(resident)
    return resident


def resident_for_online_request(*, organisation, phone="", postcode, **details):
    """The resident an online request belongs to: one who asked before with the same phone number and
    postcode gets the new request too (a second record would split their history); otherwise a new one."""
    from .models import Resident

    if phone:
        existing = Resident.objects.filter(phone=phone, postcode=postcode, erased_at__isnull=True).first()
        if existing is not None:
            return existing
    return resident_create(organisation=organisation, phone=phone, postcode=postcode, **details)


def _refine_location_later(instance):
    """Records that exact coordinates are wanted (the sweep redoes it if the task is lost) and asks for them."""
    from django.conf import settings

    if getattr(settings, "PDOK_LOCATIESERVER_URL", ""):
        from .background import enqueue_on_commit
        from .tasks import refine_location

        instance.location_requested_at = timezone.now()
        type(instance).objects.filter(pk=instance.pk).update(location_requested_at=instance.location_requested_at)
        enqueue_on_commit(refine_location, instance._meta.label, instance.pk, instance.organisation_id)


@transaction.atomic
def volunteer_register(
    *,
    organisation,
    user,
    phone,
    postcode,
    house_number,
    areas,
    max_distance_km,
    availability,
    languages,
    preference,
    max_requests_per_month,
    consent_text,
):
    """A person becomes a volunteer of `organisation`: membership, profile and recorded consent."""
    from . import geo
    from .models import Consent, Volunteer

    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
    membership.is_volunteer = True
    membership.save()
    consent = consent_record(organisation=organisation, text=consent_text, method=Consent.Method.ONLINE)
    volunteer = Volunteer(
        organisation=organisation,
        membership=membership,
        phone=phone,
        postcode=postcode,
        house_number=house_number,
        max_distance_km=max_distance_km,
        availability=availability,
        languages=",".join(languages),
        preference=preference,
        max_requests_per_month=max_requests_per_month,
        consent=consent,
        sort_name=user.name,
    )
    geo.locate(volunteer)
    volunteer.save()
    volunteer.areas.set(areas)
    _refine_location_later(volunteer)
    volunteer_changed(volunteer)
    return volunteer


def user_name_changed(user) -> None:
    """After `user.name` is saved: the copy their volunteer profiles sort on (Volunteer.sort_name), in every
    organisation."""
    from .models import Volunteer

    Volunteer.objects.with_scopes_disabled().filter(membership__user=user).update(sort_name=user.name)


def volunteer_changed(volunteer, changed=None):
    """Tells whoever registered (matching: recompute the suggestions this change affects, after the commit).

    `changed`: the names of the fields (and "areas") that changed, None when unknown (a new volunteer).
    """
    from .registry import volunteer_changed_hooks

    for hook in volunteer_changed_hooks():
        hook(volunteer, changed=None if changed is None else frozenset(changed))


_BOOKKEEPING = ("id", "suggestions_synced_at", "suggestions_requested_at")


def _stored_fields(volunteer):
    """The volunteer's fields as the database holds them (attname -> value), to tell what a save changes:
    a bound ModelForm has already copied the new values onto the instance. One query."""
    names = [f.attname for f in volunteer._meta.concrete_fields if f.attname not in ("id", "updated_at")]
    return volunteer.__class__.objects.filter(pk=volunteer.pk).values(*names).first() or {}


def _changed_fields(volunteer, stored):
    return {
        field.name
        for field in volunteer._meta.concrete_fields
        if field.attname in stored and stored[field.attname] != getattr(volunteer, field.attname)
    }


def volunteer_update_profile(*, volunteer, **fields):
    from . import geo

    areas = fields.pop("areas", None)
    if "languages" in fields:
        fields["languages"] = ",".join(fields["languages"])
    stored = _stored_fields(volunteer)
    moved = "postcode" in fields and fields["postcode"] != stored.get("postcode", volunteer.postcode)
    for name, value in fields.items():
        setattr(volunteer, name, value)
    if moved:
        geo.locate(volunteer)
    # Not the suggestion bookkeeping: matching writes it, and this instance may hold an older copy.
    volunteer.save(update_fields=[f.name for f in volunteer._meta.concrete_fields if f.name not in _BOOKKEEPING])
    changed = _changed_fields(volunteer, stored)
    if areas is not None:
        before = set(volunteer.areas.values_list("pk", flat=True))
        volunteer.areas.set(areas)
        if before != {getattr(area, "pk", area) for area in areas}:
            changed.add("areas")
    if moved:
        _refine_location_later(volunteer)
    volunteer_changed(volunteer, changed)
    return volunteer


def volunteer_intake(*, volunteer, by, status, vog_seen, vog_date, vog_expires, job_seeker=None, reintegrating=None):
    """The coordinator's intake: status (active after the conversation) and the certificate of conduct;
    in 'een extraatje bijverdienen' also job seeker / re-integrating (given only there, kept elsewhere)."""
    from django.utils import timezone

    from .models import Organisation, Volunteer

    marks = {"job_seeker": job_seeker, "reintegrating": reintegrating}
    marks = {name: bool(value) for name, value in marks.items() if value is not None}
    if marks and volunteer.organisation.help_type != Organisation.HelpType.MODEST_FEE:
        raise ValueError("Job seeker / re-integrating belong to 'een extraatje bijverdienen' only")
    for name, value in marks.items():
        setattr(volunteer, name, value)

    # Compare with the stored status: a bound ModelForm has already copied the new one onto the instance.
    stored = _stored_fields(volunteer)
    stored_status = stored["status"]
    if status == Volunteer.Status.ACTIVE and stored_status != Volunteer.Status.ACTIVE:
        volunteer.activated_at = timezone.now()
        volunteer.intake_by = by
    volunteer.status = status
    volunteer.vog_seen, volunteer.vog_date, volunteer.vog_expires = vog_seen, vog_date, vog_expires
    volunteer.save(
        update_fields=[
            "status",
            "activated_at",
            "intake_by",
            "vog_seen",
            "vog_date",
            "vog_expires",
            *marks,
            "updated_at",
        ]
    )
    volunteer_changed(volunteer, _changed_fields(volunteer, stored))
    return volunteer


def volunteer_pause(*, volunteer, paused_from, paused_until):
    stored = _stored_fields(volunteer)
    volunteer.paused_from, volunteer.paused_until = paused_from, paused_until
    volunteer.save(update_fields=["paused_from", "paused_until", "updated_at"])
    volunteer_changed(volunteer, _changed_fields(volunteer, stored))
    return volunteer


# --- 'er zijn voor elkaar': a volunteer who is a resident too -------------------------------------------


class LinkError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def volunteer_link_resident(*, volunteer, resident, by):
    """Records that this volunteer is also this resident (the same person asks and helps), so their
    reciprocity can be shown. Only in 'er zijn voor elkaar'; a resident is linked to one volunteer at most."""
    from django.db import IntegrityError
    from django.utils.translation import gettext as _

    from .models import Organisation, Volunteer

    if volunteer.organisation.help_type != Organisation.HelpType.MUTUAL:
        raise LinkError(_("Alleen bij 'Er zijn voor elkaar' kan een vrijwilliger ook bewoner zijn."))
    if (
        volunteer.erased_at is not None
        or resident.erased_at is not None
        or resident.organisation_id != volunteer.organisation_id
    ):
        raise LinkError(_("Deze vrijwilliger of bewoner kan niet gekoppeld worden."))
    with transaction.atomic():
        other = (
            # Only the volunteer row is locked: PostgreSQL can't lock the nullable side of the membership join.
            Volunteer.objects.select_for_update(of=("self",))
            .filter(resident=resident)
            .exclude(pk=volunteer.pk)
            .select_related("membership__user")
            .first()
        )
        if other is not None:
            raise LinkError(
                _("Deze bewoner is al gekoppeld aan vrijwilliger %(name)s. Ontkoppel die eerst.") % {"name": other.name}
            )
        volunteer.resident = resident
        try:
            with transaction.atomic():
                volunteer.save(update_fields=["resident", "updated_at"])
        except IntegrityError:  # linked by someone else at the same moment
            raise LinkError(_("Deze bewoner is net aan een andere vrijwilliger gekoppeld.")) from None
    volunteer_changed(volunteer, {"resident"})  # reciprocity counts in their suggestions
    return volunteer


def volunteer_unlink_resident(*, volunteer, by):
    volunteer.resident = None
    volunteer.save(update_fields=["resident", "updated_at"])
    volunteer_changed(volunteer, {"resident"})
    return volunteer
