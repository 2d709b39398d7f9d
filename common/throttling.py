"""The API rate limiter, failing over to this process when the shared cache (Redis) is away.

DRF's throttles keep their request history in the default cache. With Redis stopped every throttled
API call raised ConnectionError, so an IVR payment answered 500 although PostgreSQL, which holds
the money, was fine. Here a cache error switches the request to an in-process limiter with the
same rate: each web worker still limits its own share (a client cannot flood one worker), nothing
is refused because of the outage, and the shared limiter is used again as soon as Redis answers.
"""

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import UserRateThrottle

log = logging.getLogger(__name__)

# One per process: the fallback history outlives a request, as the shared one does.
_local_cache = LocMemCache("api-throttle-fallback", {"MAX_ENTRIES": 10_000})
_last_warning = 0.0
WARN_EVERY = 60.0  # seconds: an outage is logged, not every request during it


def _warn(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY:
        _last_warning = now
        log.warning("API rate limiter: cache unreachable (%s); limiting in this process instead", exc)


class ResilientUserRateThrottle(UserRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:  # DRF's views import throttles
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # redis.ConnectionError, TimeoutError, ...: any cache failure
            _warn(exc)
            self.cache = _local_cache
            return super().allow_request(request, view)
