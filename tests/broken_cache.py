"""A cache backend whose every call fails the way a stopped Redis does (tests/test_resilience.py)."""

from django.core.cache.backends.base import BaseCache
from redis.exceptions import ConnectionError as RedisConnectionError


class BrokenCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    add = get = set = touch = delete = get_many = has_key = incr = decr = set_many = delete_many = clear = _down
