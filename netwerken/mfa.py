"""Two-factor sign-in is required for staff who see residents' data (setting MFA_ENFORCE).

Coordinators, wijkteamprofessionals and org admins (a role in any organisation) and Django-admin users
(is_staff, is_superuser) without an activated authenticator (allauth.mfa: TOTP or WebAuthn) are sent to allauth's
TOTP set-up page before any other page. Let through: allauth's own pages (/accounts/: the MFA pages, the
re-authentication that set-up asks for, the email confirmation, logout), static files, /healthz and the language
switch. Volunteers and funders are offered two-factor sign-in (a link on their pages) but not forced.

The setting is read per request, so tests switch it with override_settings. Once a session's user is known to
have an authenticator, the session remembers it (no query per page); removing an authenticator forgets it.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect

from .selectors import RESIDENT_DATA_ROLES, roles_held_anywhere

SESSION_OK = "_bh_mfa_ok"
# Set when the session's user needs no second factor, so their pages cost no MFA queries. A role that does need
# one, granted while signed in, is seen by the tenant middleware on the first page of that role (reconsider()).
SESSION_FREE = "_bh_mfa_free"
# Paths that never show a resident's data and are needed to set up a second factor (or to leave).
ALLOWED_PREFIXES = ("/accounts/", "/healthz", "/taal/")


def mfa_required(user) -> bool:
    """Whether `user` must sign in with a second factor: Django-admin users and staff roles in any organisation."""
    if user.is_staff or user.is_superuser:
        return True
    return bool(roles_held_anywhere(user) & RESIDENT_DATA_ROLES)


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def _allowed_path(path: str) -> bool:
    static = "/" + (settings.STATIC_URL or "static/").lstrip("/")
    return path.startswith(ALLOWED_PREFIXES) or path.startswith(static)


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.MFA_ENFORCE
            and user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_OK)
            and not (request.session.get(SESSION_FREE) and not (user.is_staff or user.is_superuser))
            and not _allowed_path(request.path_info)
        ):
            if has_authenticator(user):
                request.session[SESSION_OK] = True
            elif mfa_required(user):
                return redirect("mfa_activate_totp")
            else:
                request.session[SESSION_FREE] = True
        return self.get_response(request)


def reconsider(request, roles) -> HttpResponse | None:
    """For the tenant middleware: a session marked "no second factor needed" that now opens a page with a role
    that needs one is sent to the set-up page (None: go on)."""
    if (
        settings.MFA_ENFORCE
        and roles & RESIDENT_DATA_ROLES
        and request.session.get(SESSION_FREE)
        and not request.session.get(SESSION_OK)
    ):
        del request.session[SESSION_FREE]
        if not has_authenticator(request.user):
            return redirect("mfa_activate_totp")
        request.session[SESSION_OK] = True
    return None


@receiver(authenticator_removed, dispatch_uid="buurthulp-mfa-removed")
def _authenticator_removed(sender, request=None, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_OK, None)
