"""Limits on the public forms, per visitor, counting only what was actually saved.

The visitor is the client address as the TLS proxy in front of the app saw it: with
TRUSTED_PROXY_COUNT proxies (the README's deployment has one), the address that many entries from the
end of X-Forwarded-For; without a proxy, REMOTE_ADDR. allauth's own limits read the same setting
(ALLAUTH_TRUSTED_PROXY_COUNT), so login and these forms agree on who a visitor is.

A form checks `limited()` before saving and calls `record_success()` after: a visitor who mistypes a
postcode five times has not sent five requests. The counts live in the shared cache (Redis in
production, see settings); when that cache is unreachable the form is allowed and a line is logged,
because refusing a resident's request for help over a cache outage loses more than it protects.
"""

import logging

from django.conf import settings
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


def client_ip(request):
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if len(addresses) >= count:
            return addresses[-count][:64]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _key(group, request):
    return client_ip(request)


def _usage(request, group, rate, increment):
    try:
        return get_usage(request, group=group, key=_key, rate=rate, method=get_usage.ALL, increment=increment)
    except Exception as exc:  # noqa: BLE001 - any cache failure: allow, and say so in the log
        logger.warning("Rate limit cache unavailable for %s (%s): allowed", group, exc.__class__.__name__)
        return None


def limited(request, group, rate):
    """Whether this visitor already reached `rate` ('5/h') successful submissions of `group`."""
    usage = _usage(request, group, rate, increment=False)
    return bool(usage) and usage["count"] >= usage["limit"]


def record_success(request, group, rate):
    _usage(request, group, rate, increment=True)
