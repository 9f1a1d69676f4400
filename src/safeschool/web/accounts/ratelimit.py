"""Rate limits on Django's cache (the shared default cache, so every worker process counts together).

`too_many` is a fixed window counting every attempt (sign-up, posting). Logins count only *failed* attempts, on
two keys at once: the normalised username (so " staff", "STAFF" and "ｓｔａｆｆ" share one counter) and the client
address; `login_blocked` says whether either is over its limit and `login_failures_clear` lets a password reset
unlock the username.
"""

from __future__ import annotations

import hashlib
import time
import unicodedata

from django.core.cache import cache
from django.http import HttpRequest

# (failures, seconds): a username is locked after 10 failed logins in 15 minutes, an address after 50.
LOGIN_USERNAME_LIMIT = (10, 900)
LOGIN_ADDRESS_LIMIT = (50, 900)


# Behind a proxy on this machine (nginx in docs/deployment.md) every request comes from loopback: the client is the
# address that proxy appended last to X-Forwarded-For (what a client sends itself stands to its left, untrusted).
TRUSTED_PROXIES = ("127.0.0.1", "::1")


def client_ip(request: HttpRequest) -> str:
    address = request.META.get("REMOTE_ADDR", "unknown")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if address in TRUSTED_PROXIES and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64] or address
    return address


def normalise_username(username: str) -> str:
    """The form of a username that the throttle keys on: NFKC (as Django's login form applies), stripped, casefolded."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()[:150]


def _key(scope: str, key: str) -> str:
    # hashed: usernames may hold spaces or any character; cache backends want short, plain keys
    return f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"


def _count(name: str, window: int) -> int:
    """Add one to the counter `name`, which lives `window` seconds from its first hit; return the new count."""
    if cache.add(name, 1, timeout=window):
        return 1
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window)
        return 1


def too_many(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True when this is beyond `limit` attempts in the current `window` seconds."""
    bucket = int(time.time() // window)
    return _count(_key(scope, f"{key}:{bucket}"), window + 5) > limit


def login_blocked(*, username: str, address: str) -> bool:
    """True when the username or the address has used up its failed logins; counts nothing."""
    return (cache.get(_key("login-user", normalise_username(username)), 0) >= LOGIN_USERNAME_LIMIT[0]
            or cache.get(_key("login-address", address), 0) >= LOGIN_ADDRESS_LIMIT[0])


def login_failure_record(*, username: str, address: str) -> None:
    _count(_key("login-user", normalise_username(username)), LOGIN_USERNAME_LIMIT[1])
    _count(_key("login-address", address), LOGIN_ADDRESS_LIMIT[1])


def login_failures_clear(*, username: str) -> None:
    """Forget the failed logins of a username (after its owner proved who they are by resetting the password)."""
    cache.delete(_key("login-user", normalise_username(username)))
