"""Writes. Views and forms call these; they never save tenant data themselves."""

from django.db import transaction

from .models import Membership
from .roles import PROVIDER_ROLES, Role


def is_last_org_admin(membership):
    return (
        membership.is_org_admin and not Membership.objects.filter(is_org_admin=True).exclude(pk=membership.pk).exists()
    )


@transaction.atomic
def membership_set_roles(*, membership, roles):
    roles = set(roles) & set(PROVIDER_ROLES)
    if not roles:
        raise ValueError("A membership needs at least one role")
    if Role.ORG_ADMIN not in roles and is_last_org_admin(membership):
        raise ValueError("An organisation needs at least one org admin")
    membership.set_roles(roles)
    membership.save(update_fields=["is_volunteer", "is_coordinator", "is_professional", "is_org_admin"])
    return membership


def organisation_update(*, organisation, name, municipality, help_type, phase):
    organisation.name = name
    organisation.municipality = municipality
    organisation.help_type = help_type
    organisation.phase = phase
    organisation.full_clean()
    organisation.save(update_fields=["name", "municipality", "help_type", "phase"])
    return organisation
