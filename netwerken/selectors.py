"""Reads. Cross-tenant reads are explicit (scopes_disabled) and return only what the caller may see."""

from django.db.models import Count, Q
from django_scopes import scopes_disabled

from .models import Membership, Organisation, User
from .roles import ROLE_FIELDS, Role


def memberships_of(user):
    """All organisations a person belongs to, for the organisation switcher."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name"))


# Roles that open residents' data: they need a second factor and get a staff session's short limits.
RESIDENT_DATA_ROLES = frozenset({Role.COORDINATOR, Role.PROFESSIONAL, Role.ORG_ADMIN})


def roles_held_anywhere(user) -> frozenset:
    """Every role `user` holds in any organisation (one query): the one answer to "is this person staff?"."""
    with scopes_disabled():
        rows = Membership.objects.filter(user=user).values_list(*ROLE_FIELDS.values())
        return frozenset(role for row in rows for role, held in zip(ROLE_FIELDS, row, strict=True) if held)


def organisations_served(user, *, roles) -> list:
    """The buurthulp organisations where `user` (active) holds one of `roles`, by name: the one answer to "which
    organisations does this professional or admin serve" across tenants (explicit, scopes off)."""
    if not user.is_authenticated or not user.is_active:
        return []
    condition = Q()
    for role in roles:
        condition |= Q(**{ROLE_FIELDS[role]: True})
    with scopes_disabled():
        return [
            membership.organisation
            for membership in Membership.objects.filter(condition, user=user)
            .exclude(organisation__kind=Organisation.Kind.FUNDER)
            .select_related("organisation")
            .order_by("organisation__name", "organisation__pk")
        ]


def staff_list(query=""):
    """Members of the current organisation (scoped), people's names first; `query` searches name and email."""
    members = Membership.objects.select_related("user").order_by("user__name", "user__email", "pk")
    query = (query or "").strip()[:100]
    if query:
        members = members.filter(Q(user__name__icontains=query) | Q(user__email__icontains=query))
    return members


def open_invitations():
    """The current organisation's invitations that were neither accepted nor revoked (expired ones too)."""
    from .models import Invitation

    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related("invited_by")


def invitation_by_token(token):
    """The current organisation's invitation for this link (scoped: a token of another organisation finds none)."""
    from .invitations import hash_token
    from .models import Invitation

    return Invitation.objects.filter(token_hash=hash_token(token)).select_related("organisation").first()


def user_exists(email):
    return User.objects.filter(email__iexact=email).exists()


def fundings_of(organisation):
    """Who funds `organisation`: its Funding rows with the funder organisation."""
    from .models import Funding

    return Funding.objects.filter(organisation=organisation).select_related("funder").order_by("funder__name")


def funders_available(organisation):
    """The funder organisations on the instance that do not fund `organisation` yet."""
    return Organisation.objects.filter(kind=Organisation.Kind.FUNDER).exclude(funded_organisations=organisation)


def _role_counts(prefix=""):
    return {
        f"{role}_count": Count(f"{prefix}pk", filter=Q(**{f"{prefix}{field}": True}))
        for role, field in ROLE_FIELDS.items()
        if role != Role.FUNDER
    }


def organisation_figures():
    """Aggregate figures of the current organisation: counts only, never names."""
    return Membership.objects.aggregate(**_role_counts())


def funded_organisations(funder):
    """The organisations a funder funds, each with aggregate figures (one query, no personal data)."""
    return Organisation.objects.filter(funders=funder).annotate(**_role_counts("memberships__")).order_by("name")


def funder_users(organisation):
    """The active people of every funder of `organisation` who hold the funder role there (for report mail)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_funder=True,
            memberships__organisation__fundings__organisation=organisation,
        )
        .distinct()
        .order_by("email")
    )


# --- residents and volunteers (current organisation) ------------------------------------------------


def resident_search(query, limit=10):
    """Residents matching a name, phone number or postcode, for the phone intake."""
    import re

    from .models import Resident

    query = (query or "").strip()[:100]
    if len(query) < 2:
        return []
    condition = Q(name__icontains=query)
    digits = re.sub(r"\D", "", query)
    # Phones are stored as E.164 ('+31612345678'): a national '06…' or '0031…' is searched as '316…'.
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "31" + digits[1:]
    if len(digits) >= 4:
        condition |= Q(phone__contains=digits)
    compact = query.replace(" ", "").upper()
    if re.fullmatch(r"[1-9][0-9]{3}([A-Z]{0,2})", compact):
        postcode = compact[:4] + (" " + compact[4:] if len(compact) > 4 else "")
        condition |= Q(postcode__startswith=postcode)
    return list(Resident.objects.filter(condition).select_related("area").order_by("name")[:limit])


def resident_duplicates(*, phone, postcode, house_number):
    from .models import Resident

    condition = Q(postcode=postcode, house_number__iexact=house_number) if postcode and house_number else Q(pk=None)
    if phone:
        condition |= Q(phone=phone)
    return list(Resident.objects.filter(condition).order_by("name")[:5])


def volunteer_list():
    from .models import Volunteer

    return (
        Volunteer.objects.select_related("membership__user", "area")
        .prefetch_related("categories")
        .order_by("sort_name", "id")
    )


def volunteer_of(user):
    """The current organisation's profile of this user, or None."""
    from .models import Volunteer

    return Volunteer.objects.filter(membership__user=user).select_related("membership__user").first()


_NOT_LOOKED_UP = object()


def volunteer_of_request(request):
    """volunteer_of(request.user), looked up once per request: the volunteer's dashboard has several sections
    (registered by different apps) that each need the profile. Kept on the request, for its tenant."""
    key = request.tenant.organisation.pk
    cache = request.__dict__.setdefault("_volunteer_of", {})
    volunteer = cache.get(key, _NOT_LOOKED_UP)
    if volunteer is _NOT_LOOKED_UP:
        volunteer = cache[key] = volunteer_of(request.user)
    return volunteer


# --- the public front door (home page, o/<org>/over/) ------------------------------------------------


def public_organisations():
    """Every buurthulp organisation on the instance, for anyone (no personal data; funders are not listed)."""
    return list(Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).order_by("name"))


def organisations_for_postcode(postcode):
    """The buurthulp organisations whose neighbourhoods hold `postcode` ('3401 AB' or '3401'), each with the
    neighbourhood's name: a list of (organisation, area name), by organisation name. Across organisations, so
    explicit; a full postcode listed as a street side wins over its PC4 within one organisation."""
    from . import geo
    from .models import AreaPostcode

    if not postcode:
        return []
    with scopes_disabled():
        rows = list(
            AreaPostcode.objects.filter(
                prefix__in=geo.postcode_prefixes(postcode), organisation__kind=Organisation.Kind.PROVIDER
            ).select_related("area", "organisation")
        )
    found = [(row.organisation, row.area.name) for row in geo.most_specific(rows).values()]
    return sorted(found, key=lambda pair: pair[0].name)


def public_areas():
    """The current organisation's neighbourhoods (scoped), names only for the public page."""
    from .models import Area

    return list(Area.objects.order_by("name").values_list("name", flat=True))
