"""A fixed-window rate limit on the cache, per account or client: sign-up, login and posting answer 429 when a
client goes too fast. The default cache is per process (LocMemCache); a multi-process deployment sets a shared CACHES backend."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def too_many(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True when this is beyond `limit` attempts in the current `window` seconds."""
    bucket = int(time.time() // window)
    name = f"rl:{scope}:{key}:{bucket}"
    if cache.add(name, 1, timeout=window + 5):
        return False
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window + 5)
        return False
    return count > limit
