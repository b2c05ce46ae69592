"""The one tenancy mechanism.

Every tenant URL starts with /o/<org>/. TenantMiddleware resolves that organisation once per request,
works out the roles the user holds there (a membership, or funder access through a Funding), answers
404 when they hold none — the same answer as for an organisation that does not exist — and runs the
view inside django-scopes' scope(organisation=...). Tenant models use ScopedManager, so a query of
tenant data outside a scope raises ScopeError instead of returning every organisation's rows.
"""

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import Resolver404, resolve
from django_scopes import scope, scopes_disabled

from . import mfa, offline
from .models import Funding, Membership, Organisation
from .roles import Role
from .selectors import memberships_of

ORG_KWARG = "org"
SESSION_KEY = "current_organisation"


@dataclass(frozen=True)
class Tenant:
    organisation: Organisation
    roles: frozenset = field(default_factory=frozenset)
    membership: Membership | None = None


def access_roles(user, organisation, *, memberships=None):
    """The roles `user` holds in `organisation`: from their membership, plus FUNDER via a Funding.

    `memberships`: all of the user's memberships with their organisations (selectors.memberships_of), when the
    caller has them already; then the membership costs no query, and the Funding is only looked up for a user who
    is a funder somewhere.
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset(), None
    with scopes_disabled():
        if memberships is None:
            membership = Membership.objects.filter(user=user, organisation=organisation).first()
            may_fund = True
        else:
            membership = next((m for m in memberships if m.organisation_id == organisation.pk), None)
            may_fund = any(m.is_funder and m.organisation.is_funder for m in memberships)
        roles = set(membership.roles) if membership else set()
        if (
            may_fund
            and not organisation.is_funder
            and Funding.objects.filter(
                organisation=organisation, funder__memberships__user=user, funder__memberships__is_funder=True
            ).exists()
        ):
            roles.add(Role.FUNDER)
    if organisation.is_funder:
        roles &= {Role.FUNDER}
    return frozenset(roles), membership


def _resolve(request, slug):
    """The organisation of `slug` and the user's roles there, in one query for a member: the user's memberships
    (which the organisation switcher in the base template shows too) carry their organisations."""
    memberships = None
    organisation = None
    if request.user.is_authenticated:
        memberships = memberships_of(request.user)
        request.memberships = memberships
        organisation = next((m.organisation for m in memberships if m.organisation.slug == slug), None)
    if organisation is None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise Http404
    return organisation, *access_roles(request.user, organisation, memberships=memberships)


def public_page(view):
    """Marks a tenant view that anyone may open (a sign-up or request form), member or not."""
    view.tenant_public = True
    return view


def role_required(perm):
    """Lets the view run only when the user has `perm` (netwerken/rules.py) in the current organisation."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm, request.tenant.organisation):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm
        return wrapped

    return decorator


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)

        if match.app_name == "admin":
            # Django's admin is for superusers who look across tenants on purpose.
            with scopes_disabled():
                return self.get_response(request)

        slug = match.kwargs.get(ORG_KWARG)
        if slug is None:
            return self.get_response(request)

        organisation, roles, membership = _resolve(request, slug)
        # Its phone number for the 503 page, should the database go down later (netwerken/offline.py).
        offline.remember(organisation)
        if not roles and not getattr(match.func, "tenant_public", False):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        request.tenant = Tenant(organisation=organisation, roles=roles, membership=membership)
        if roles:
            # Prime the per-user cache that the rules predicates read, so checks cost no queries.
            # (setattr, not __dict__: request.user is a lazy proxy of the user object the rules receive.)
            request.user._tenant_roles = {organisation.pk: roles}
            if request.session.get(SESSION_KEY) != organisation.slug:
                request.session[SESSION_KEY] = organisation.slug
            refused = mfa.reconsider(request, roles)
            if refused is not None:
                return refused
        with scope(organisation=organisation):
            return self.get_response(request)
