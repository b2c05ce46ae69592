"""The cache, failing safe: when the cache server is unreachable, every call behaves as a miss and logs a warning.

Nothing here keeps data only in the cache (sessions live in the database): the cache holds rate-limit counts
(allauth's, netwerken/ratelimits.py, buurthulp/security.py) and PDOK answers. With Redis down, a rate limit
that cannot count lets the visitor through (allowed, with a log line) rather than answering 500 and losing
what they typed; allauth's lock (`cache.add`) is taken as granted, its history as empty.

settings.CACHES wraps the real backend:
    {"BACKEND": "buurthulp.cache.FailSafeCache", "LOCATION": url, "OPTIONS": {"BACKEND": real, "OPTIONS": {...}}}
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class FailSafeCache(BaseCache):
    def __init__(self, location, params):
        super().__init__({})
        inner = dict(params.get("OPTIONS") or {})
        backend = import_string(inner.pop("BACKEND"))
        inner.setdefault("LOCATION", location)
        self.inner = backend(location, inner)

    def _safe(self, name, fallback, *args, **kwargs):
        try:
            return getattr(self.inner, name)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any cache failure: a miss, and say so in the log
            logger.warning("Cache unavailable (%s) in %s: treated as a miss", exc.__class__.__name__, name)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Taken as added: allauth's rate-limit lock is then granted instead of waiting and refusing.
        return self._safe("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._safe("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safe("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safe("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._safe("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._safe("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._safe("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._safe("incr", delta, key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._safe("decr", -delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._safe("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._safe("delete_many", None, keys, version)

    def clear(self):
        return self._safe("clear", None)

    def close(self, **kwargs):
        return self._safe("close", None, **kwargs)
