"""What a page may say about an organisation while the database is down: its name and phone number.

TenantMiddleware remembers them (in this process) for every organisation it loads, at no extra query, and
organisation_update writes them to the cache when the public page is saved, for processes that have not served
the organisation yet. The 503 page (buurthulp/errors.py) reads them without touching the database.
"""

from django.core.cache import cache

_known: dict[str, tuple[str, str]] = {}


def _cache_key(slug):
    return f"offline-contact:{slug}"


def remember(organisation) -> None:
    """Keeps the organisation's name and phone in this process (called for every tenant page; no I/O)."""
    _known[organisation.slug] = (organisation.name, organisation.phone)


def publish(organisation) -> None:
    """Also writes them to the shared cache (when the public page's settings are saved)."""
    remember(organisation)
    cache.set(_cache_key(organisation.slug), [organisation.name, organisation.phone], None)


def contact_for(slug: str) -> tuple[str, str] | None:
    """(name, phone) of the organisation with this slug, from memory or the cache; None if unknown."""
    known = _known.get(slug)
    if known is None:
        cached = cache.get(_cache_key(slug))
        if isinstance(cached, list) and len(cached) == 2:
            known = (str(cached[0]), str(cached[1]))
            _known[slug] = known
    return known
