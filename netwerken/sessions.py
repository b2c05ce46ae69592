"""How long a signed-in session lasts: short for staff, long for a volunteer on their own phone.

Staff is anyone who holds a role other than volunteer in some organisation (coordinator, wijkteamprofessional,
beheerder, financier) and anyone with access to Django's admin: they see residents' data, often on a shared
computer in a community centre. Their session ends after SESSION_STAFF_IDLE_TIMEOUT seconds without a request
and SESSION_STAFF_MAX_AGE seconds after signing in, whatever they do. A person who is only a volunteer keeps
their session for SESSION_VOLUNTEER_IDLE_TIMEOUT without a request (SESSION_VOLUNTEER_MAX_AGE at most).
A person without any membership yet counts as staff: the strict limits cost them nothing.

The times live in the session itself (signed in at, last seen, kind), set when signing in. The last-seen time is
written at most once a minute, so an ordinary page costs no extra session write and no extra query. Someone
promoted to coordinator while signed in as a volunteer becomes staff at their first staff page (the tenant
middleware already knows their roles there). An expired session is flushed on the server (the same as signing
out) and the visitor is sent to the login page with a Dutch message; nothing of the page is shown.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .roles import Role
from .selectors import roles_held_anywhere

STARTED = "_bh_signed_in_at"
SEEN = "_bh_last_seen_at"
KIND = "_bh_session_kind"
STAFF, VOLUNTEER = "staff", "volunteer"
# The last-seen time is rewritten only when it is older than this (seconds): one session write a minute at most.
SEEN_RESOLUTION = 60


def now() -> float:
    """The clock of this module (tests move it)."""
    return time.time()


def session_kind(user) -> str:
    """STAFF or VOLUNTEER: a volunteer holds only volunteer roles, in at least one organisation."""
    if user.is_staff or user.is_superuser:
        return STAFF
    return VOLUNTEER if roles_held_anywhere(user) == {Role.VOLUNTEER} else STAFF


def limits(kind: str) -> tuple[int, int]:
    """(inactivity timeout, absolute lifetime) in seconds for a session of `kind`."""
    if kind == VOLUNTEER:
        return settings.SESSION_VOLUNTEER_IDLE_TIMEOUT, settings.SESSION_VOLUNTEER_MAX_AGE
    return settings.SESSION_STAFF_IDLE_TIMEOUT, settings.SESSION_STAFF_MAX_AGE


def start(session, user) -> None:
    moment = now()
    session[STARTED] = moment
    session[SEEN] = moment
    session[KIND] = session_kind(user)


@receiver(user_logged_in, dispatch_uid="buurthulp-session-start")
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start(request.session, user)


def expired(session) -> bool:
    idle, lifetime = limits(session.get(KIND, STAFF))
    moment = now()
    return moment - session.get(SEEN, 0) > idle or moment - session.get(STARTED, 0) > lifetime


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        if STARTED not in session:
            # A session from before these limits existed (or signed in by a path without the signal).
            start(session, user)
        elif expired(session):
            staff = session.get(KIND, STAFF) == STAFF
            logout(request)  # flushes the session on the server: the old cookie opens nothing any more
            if staff:
                text = _("Je was een tijd niet actief of al lang ingelogd. Log opnieuw in om verder te gaan.")
            else:
                text = _("Je bent al een tijd niet actief geweest. Log opnieuw in om verder te gaan.")
            messages.info(request, text)
            return redirect_to_login(request.get_full_path())
        elif now() - session.get(SEEN, 0) >= SEEN_RESOLUTION:
            session[SEEN] = now()
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.roles - {Role.VOLUNTEER}
            and getattr(request, "session", None) is not None
            and request.session.get(KIND) == VOLUNTEER
        ):
            request.session[KIND] = STAFF
        return response
