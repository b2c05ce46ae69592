"""The main menu per role; pages a person can't open are not shown (the views check again)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import LANDING_ORDER, Role

MENU = {
    Role.COORDINATOR: [
        (_("Coördinatie"), "netwerken:coordinator_dashboard"),
        (_("Hulpvragen"), "matching:request_list"),
        (_("Nieuwe hulpvraag"), "matching:intake"),
        (_("Alles voorstellen"), "matching:batch_list"),
        (_("Vrijwilligers"), "netwerken:volunteer_list"),
    ],
    Role.PROFESSIONAL: [(_("Wijkteam"), "netwerken:professional_dashboard")],
    Role.VOLUNTEER: [
        (_("Mijn vrijwilligerswerk"), "netwerken:volunteer_dashboard"),
        (_("Mijn profiel"), "netwerken:my_profile"),
        (_("Mijn aanbod"), "matching:my_offers"),
    ],
    Role.ORG_ADMIN: [
        (_("Beheer"), "netwerken:admin_dashboard"),
        (_("Team"), "netwerken:staff_list"),
        (_("Soorten hulp"), "matching:category_list"),
        (_("Buurten"), "netwerken:area_list"),
        (_("Matching"), "matching:settings"),
    ],
    Role.FUNDER: [(_("Rapportage"), "netwerken:funder_dashboard")],
}


def menu_for(tenant):
    if tenant is None:
        return []
    items, seen = [], set()
    for role in LANDING_ORDER:
        if role not in tenant.roles:
            continue
        for label, name in MENU[role]:
            url = reverse(name, kwargs={"org": tenant.organisation.slug})
            if url not in seen:
                seen.add(url)
                items.append((label, url))
    return items
