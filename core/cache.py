"""A Redis cache that degrades to "no cache" when Redis is unreachable instead of failing requests.

After a failure it stops trying for a few seconds, so a dead Redis costs one failed connection per
few seconds per worker thread, not one per cache call.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a runtime requirement
    RedisError = OSError


class ResilientRedisCache(RedisCache):
    retry_after = 5.0  # seconds without Redis after a failure, before trying again

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._down_until = 0.0

    def _safe(self, name, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except (RedisError, OSError) as error:
            self._down_until = time.monotonic() + self.retry_after
            log.warning(
                "cache unavailable (%s: %s); serving without it for %.0f s",
                name,
                type(error).__name__,
                self.retry_after,
            )
            return default

    def get(self, key, default=None, version=None):
        return self._safe("get", default, key, default, version)

    def set(self, *args, **kwargs):
        return self._safe("set", None, *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._safe("add", False, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._safe("touch", False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._safe("delete", False, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._safe("get_many", {}, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._safe("set_many", [], *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._safe("delete_many", None, *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._safe("incr", None, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._safe("has_key", False, *args, **kwargs)

    def clear(self):
        return self._safe("clear", None)
