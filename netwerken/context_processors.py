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
    }


def _memberships(request):
    from .selectors import memberships_of

    # The tenant middleware read them already on an organisation's pages.
    known = getattr(request, "memberships", None)
    return known if known is not None else memberships_of(request.user)
