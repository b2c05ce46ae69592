from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .menu import menu_for


def tenant(request):
    tenant = getattr(request, "tenant", None)
    return {
        "tenant": tenant,
        "organisation": tenant.organisation if tenant else None,
        "menu": menu_for(tenant),
        # Lazy: only pages that show the organisation switcher pay its one query.
        "my_memberships": SimpleLazyObject(lambda: _memberships(request)),
        "DEMO_ACCOUNTS": _demo_accounts() if settings.DEBUG else None,
    }


def _memberships(request):
    from .selectors import memberships_of

    return memberships_of(request.user)


def _demo_accounts():
    from .demo import DEMO_ACCOUNTS

    return DEMO_ACCOUNTS
