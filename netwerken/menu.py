"""The main menu per role, from what each app registered (netwerken/registry.py).

Pages a person can't open are not shown (the views check again).
"""

from django.urls import reverse

from . import registry
from .roles import LANDING_ORDER


def menu_for(tenant):
    if tenant is None:
        return []
    items, seen = [], set()
    for role in LANDING_ORDER:
        if role not in tenant.roles:
            continue
        for item in registry.menu_items(role):
            if not item.shown_for(tenant.organisation):
                continue
            url = reverse(item.url_name, kwargs={"org": tenant.organisation.slug})
            if url not in seen:
                seen.add(url)
                items.append((item.label, url))
    return items
