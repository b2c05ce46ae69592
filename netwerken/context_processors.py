from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .roles import LANDING_ORDER


def tenant(request):
    tenant = getattr(request, "tenant", None)
    dashboards = []
    if tenant is not None:
        from .views import DASHBOARD_URLS

        dashboards = [(role, DASHBOARD_URLS[role]) for role in LANDING_ORDER if role in tenant.roles]
    context = {
        "tenant": tenant,
        "organisation": tenant.organisation if tenant else None,
        "dashboards": dashboards,
        # Lazy: only pages that show the organisation switcher pay its one query.
        "my_memberships": SimpleLazyObject(lambda: _memberships(request)),
        "DEMO_ACCOUNTS": _demo_accounts() if settings.DEBUG else None,
    }
    return context


def _memberships(request):
    from .selectors import memberships_of

    return memberships_of(request.user)


def _demo_accounts():
    from .demo import DEMO_ACCOUNTS

    return DEMO_ACCOUNTS
