"""Per-address rate limits for public HTML forms and pages (a cache counter
in fixed windows). Addresses are hashed in cache keys; the API uses DRF
throttles instead."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def address_key(request) -> str:
    return hashlib.sha256((request.META.get("REMOTE_ADDR") or "").encode()).hexdigest()[:32]


def allow(request, scope: str, *, limit: int, window: int) -> bool:
    """Count one request of the address in ``scope``; False once over ``limit`` per ``window`` seconds."""
    return allow_key(scope, address_key(request), limit=limit, window=window)


def allow_key(scope: str, subject: str, *, limit: int, window: int) -> bool:
    """Count one request of ``subject`` (an address key, or a keyed hash of an account or mobile
    number: never a plain one) in ``scope``; False once over ``limit`` per ``window`` seconds."""
    key = f"ratelimit:{scope}:{subject}:{int(time.time() // window)}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, window + 5)
        count = 1
    return count <= limit
