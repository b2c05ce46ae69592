"""The roles a person can hold in an organisation. Who may do what lives in netwerken/rules.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Vrijwilliger")
    COORDINATOR = "coordinator", _("Coördinator")
    PROFESSIONAL = "professional", _("Wijkteamprofessional")
    ORG_ADMIN = "org_admin", _("Beheerder")
    FUNDER = "funder", _("Financier")


# Membership stores each role as a boolean column, so "all coordinators" is a plain indexed filter.
ROLE_FIELDS = {
    Role.VOLUNTEER: "is_volunteer",
    Role.COORDINATOR: "is_coordinator",
    Role.PROFESSIONAL: "is_professional",
    Role.ORG_ADMIN: "is_org_admin",
    Role.FUNDER: "is_funder",
}

# Roles that exist inside a buurthulp organisation; a funder organisation only has FUNDER members.
PROVIDER_ROLES = (Role.COORDINATOR, Role.VOLUNTEER, Role.PROFESSIONAL, Role.ORG_ADMIN)

# Which dashboard a person lands on when they hold several roles in one organisation.
LANDING_ORDER = (Role.COORDINATOR, Role.PROFESSIONAL, Role.VOLUNTEER, Role.ORG_ADMIN, Role.FUNDER)
