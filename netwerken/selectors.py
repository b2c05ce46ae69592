"""Reads. Cross-tenant reads are explicit (scopes_disabled) and return only what the caller may see."""

from django.db.models import Count, Q
from django_scopes import scopes_disabled

from .models import Membership, Organisation
from .roles import ROLE_FIELDS, Role


def memberships_of(user):
    """All organisations a person belongs to, for the organisation switcher."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name"))


def staff_list():
    """Members of the current organisation (scoped), people's names first."""
    return Membership.objects.select_related("user").order_by("user__name", "user__email")


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
