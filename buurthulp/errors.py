"""Error pages that must render without the database: 503 (the database is down) and 413 (a body too large).

Both are rendered without the request (no context processors: no session, user or tenant queries), so they
cost no query. The 503 page names the organisation's phone number when it is known without the database
(netwerken/offline.py), from the /o/<org>/ in the address.
"""

import logging
import re
import sys
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from netwerken import offline

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
ORG_IN_PATH = re.compile(r"^/o/(?P<org>[-a-zA-Z0-9_]+)/")


def database_unavailable(request, exc=None):
    logger.error("Database unavailable (%s) for %s: answered 503", exc.__class__.__name__ if exc else "?", request.path)
    match = ORG_IN_PATH.match(request.path_info or "")
    contact = offline.contact_for(match["org"]) if match else None
    name, phone = contact if contact else ("", "")
    response = HttpResponse(
        render_to_string("503.html", {"organisation_name": name, "organisation_phone": phone}),
        status=HTTPStatus.SERVICE_UNAVAILABLE,
    )
    response["Retry-After"] = str(getattr(settings, "DATABASE_RETRY_AFTER", 30))
    response["Cache-Control"] = "no-store"
    return response


def body_too_large(request):
    limit_mb = getattr(settings, "MAX_REQUEST_BODY_BYTES", 2621440) / (1024 * 1024)
    response = HttpResponse(
        render_to_string("413.html", {"limit_mb": f"{limit_mb:.1f}".replace(".", ",")}),
        status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    )
    # The client is still sending: closing tells it to stop instead of reading on.
    response["Connection"] = "close"
    return response


def bad_request(request, exception):
    """handler400: Django's RequestDataTooBig (too many bytes or fields in a form) is a 413 with a Dutch page."""
    if isinstance(exception, RequestDataTooBig):
        return body_too_large(request)
    return defaults.bad_request(request, exception)


def server_error(request):
    """handler500: a database that went away (in a middleware, before any view) is a 503, not a 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        return database_unavailable(request, exc)
    return defaults.server_error(request)
