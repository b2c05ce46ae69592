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
from django.db.models import Q
from django.dispatch import receiver
from django.shortcuts import redirect
from django_scopes import scopes_disabled

from .models import Membership

SESSION_OK = "_bh_mfa_ok"
# Paths that never show a resident's data and are needed to set up a second factor (or to leave).
ALLOWED_PREFIXES = ("/accounts/", "/healthz", "/taal/")


def mfa_required(user) -> bool:
    """Whether `user` must sign in with a second factor: Django-admin users and staff roles in any organisation."""
    if user.is_staff or user.is_superuser:
        return True
    with scopes_disabled():
        return (
            Membership.objects.filter(user=user)
            .filter(Q(is_coordinator=True) | Q(is_professional=True) | Q(is_org_admin=True))
            .exists()
        )


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
            and not _allowed_path(request.path_info)
        ):
            if has_authenticator(user):
                request.session[SESSION_OK] = True
            elif mfa_required(user):
                return redirect("mfa_activate_totp")
        return self.get_response(request)


@receiver(authenticator_removed, dispatch_uid="buurthulp-mfa-removed")
def _authenticator_removed(sender, request=None, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_OK, None)
