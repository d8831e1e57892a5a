"""A Redis cache that degrades instead of failing (DESIGN §6 "Caching").

Everything Kakehashi caches can be computed again, so a Redis outage must cost speed, never a
page: every operation that cannot reach Redis behaves like a miss (reads give the default, writes
are dropped), logs one warning, and Redis is left alone for ``RETRY_AFTER`` seconds so that a
page does not wait for a connection timeout on every cache call. Errors that are not about the
connection (a missing key for ``incr``) still raise as Django documents.

Selected by ``config.settings.cache_settings`` whenever ``CACHE_URL``/``REDIS_URL`` is set.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: seconds to leave Redis alone after a failure before trying again
RETRY_AFTER = 5.0

_lock = threading.Lock()
#: per Redis location: until when it is considered down (monotonic seconds)
_down_until: dict[str, float] = {}
_failures = 0


def failures() -> int:
    """How many cache operations in this process have failed or been skipped so far (callers
    compare two readings to learn whether a write of theirs was dropped)."""
    return _failures


class ForgivingRedisCache(RedisCache):
    """Django's RedisCache whose failures degrade to cache misses (see the module docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def _attempt(self, operation: str, default, *args):
        """RedisCache's ``operation`` with ``args``, or ``default`` when Redis cannot be reached."""
        global _failures
        now = time.monotonic()
        if _down_until.get(self._location, 0.0) > now:
            with _lock:
                _failures += 1
            return default
        try:
            return getattr(RedisCache, operation)(self, *args)
        except (RedisError, OSError) as error:
            with _lock:
                _failures += 1
                was_up = _down_until.get(self._location, 0.0) <= now
                _down_until[self._location] = now + RETRY_AFTER
            if was_up:
                logger.warning(
                    "Cache unavailable (%s: %s); computing without it for the next %s s.",
                    operation,
                    error,
                    RETRY_AFTER,
                )
            return default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._attempt("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._attempt("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._attempt("incr", None, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._attempt("delete_many", None, keys, version)

    def clear(self):
        return self._attempt("clear", False)


def cache_works() -> bool:
    """Whether the default cache stores and returns a value right now (for /healthz)."""
    import secrets

    from django.core.cache import cache

    token = secrets.token_hex(8)
    key = f"kakehashi:healthz:{token}"
    try:
        cache.set(key, token, timeout=10)
        works = cache.get(key) == token
        cache.delete_many([key])
    except Exception:  # noqa: BLE001 - any backend failure means "not working"
        return False
    return works
