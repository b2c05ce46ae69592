"""Who may do what: the role predicates, and netwerken's permissions. Every check takes (user, organisation).

Each app adds its own permissions in its rules.py (loaded by rules' autodiscovery) from these predicates.
"""

import rules

from .roles import Role


def roles_in(user, organisation):
    if organisation is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = getattr(user, "_tenant_roles", None)
    if cache is None:
        cache = {}
        user._tenant_roles = cache
    if organisation.pk not in cache:
        from .tenancy import access_roles

        cache[organisation.pk] = access_roles(user, organisation)[0]
    return cache[organisation.pk]


def _has_role(role):
    @rules.predicate(name=f"is_{role}")
    def predicate(user, organisation):
        return role in roles_in(user, organisation)

    return predicate


is_volunteer = _has_role(Role.VOLUNTEER)
is_coordinator = _has_role(Role.COORDINATOR)
is_professional = _has_role(Role.PROFESSIONAL)
is_org_admin = _has_role(Role.ORG_ADMIN)
is_funder = _has_role(Role.FUNDER)

# Dashboards
rules.add_perm("netwerken.coordinator_dashboard", is_coordinator)
rules.add_perm("netwerken.volunteer_dashboard", is_volunteer)
rules.add_perm("netwerken.professional_dashboard", is_professional)
rules.add_perm("netwerken.admin_dashboard", is_org_admin)
rules.add_perm("netwerken.funder_dashboard", is_funder)

# Organisation set-up: staff, roles and the organisation's own settings.
rules.add_perm("netwerken.view_staff", is_org_admin | is_coordinator)
rules.add_perm("netwerken.manage_organisation", is_org_admin)
rules.add_perm("netwerken.manage_areas", is_org_admin)
rules.add_perm("netwerken.manage_residents", is_coordinator)
# matching's permissions are in matching/rules.py, with these predicates.

# Resident networks (bewonersnetwerken): mapped and kept up by the coordinator, the wijkteam and the admin.
rules.add_perm("netwerken.view_networks", is_coordinator | is_professional | is_org_admin)
rules.add_perm("netwerken.manage_networks", is_coordinator | is_professional | is_org_admin)
# Development phases (netwerken/phase_views.py): org admin, professional and coordinator see the checklist;
# the coordinator may tick items off; the org admin and the professional edit, add and delete items and
# move the organisation (or a network's initiative) to another phase.
rules.add_perm("netwerken.view_phases", is_org_admin | is_professional | is_coordinator)
rules.add_perm("netwerken.tick_phase_items", is_org_admin | is_professional | is_coordinator)
rules.add_perm("netwerken.manage_phases", is_org_admin | is_professional)
# Activities of the networks: the staff; a session's pages also the volunteer who organises it (checked per
# session in netwerken/activity_views.py).
rules.add_perm("netwerken.manage_activities", is_coordinator | is_professional | is_org_admin)
rules.add_perm("netwerken.record_sessions", is_coordinator | is_professional | is_org_admin | is_volunteer)
