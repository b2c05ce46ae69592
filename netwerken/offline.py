"""What a page may say about an organisation while the database is down: its name and phone number.

TenantMiddleware remembers them (in this process) for every organisation it loads, at no extra query, and the
first time a process sees an organisation (or sees its name or phone changed) it also writes them to the shared
cache, for the processes that have not served the organisation yet: one cache write per process and organisation,
not one per page. organisation_update writes them when the public page is saved. The 503 page
(buurthulp/errors.py) reads them without touching the database. The cache fails safe (buurthulp/cache.py): with
Redis down a write is a logged no-op.
"""

from django.core.cache import cache

_known: dict[str, tuple[str, str]] = {}


def _cache_key(slug):
    return f"offline-contact:{slug}"


def remember(organisation) -> None:
    """Keeps the organisation's name and phone in this process (called for every tenant page), and publishes them
    to the shared cache when this process had not seen them yet: no I/O on the pages after the first."""
    contact = (organisation.name, organisation.phone)
    if _known.get(organisation.slug) != contact:
        publish(organisation)


def publish(organisation) -> None:
    """Keeps them in this process and writes them to the shared cache (also when the public page is saved)."""
    _known[organisation.slug] = (organisation.name, organisation.phone)
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
