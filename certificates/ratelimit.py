"""Per-address rate limits: a DRF throttle for the API and a cache counter
for the HTML pages. Addresses are hashed in cache keys."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

from portal import ratelimit as portal_ratelimit

DEFAULT_API_RATE = "30/minute"
DEFAULT_PAGE_LIMIT = (30, 60)  # requests per seconds


class VerifyRateThrottle(SimpleRateThrottle):
    """Per client address, logged in or not: a sliding-window counter (the
    current and the previous fixed window, weighted), one round trip to
    Redis when there is one (issue 15: DRF's history list costs two round
    trips and a list as long as the rate), the cache otherwise."""

    scope = "certificate_verify"

    def get_rate(self):
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        return rates.get(self.scope) or getattr(settings, "CERTIFICATE_VERIFY_RATE", DEFAULT_API_RATE)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": portal_ratelimit.address_key(request)}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        counted = getattr(request, "verify_counted", None)
        if counted is not None:  # counted by the Redis path already (certificates.public_records)
            allowed, self._estimate, self._left = counted
            return allowed
        key = self.get_cache_key(request, view)
        now = time.time()
        window = int(now // self.duration)
        current, previous = f"{key}:{window}", f"{key}:{window - 1}"
        if getattr(settings, "REDIS_URL", ""):
            from portal.redis_pool import redis_client

            pipe = redis_client(settings.REDIS_URL).pipeline(transaction=False)
            pipe.incr(current)
            pipe.expire(current, int(self.duration) * 2 + 5)
            pipe.get(previous)
            count, _expiry, before = pipe.execute()
        else:
            self.cache.add(current, 0, int(self.duration) * 2 + 5)
            try:
                count = self.cache.incr(current)
            except ValueError:
                self.cache.set(current, 1, int(self.duration) * 2 + 5)
                count = 1
            before = self.cache.get(previous)
        elapsed = (now % self.duration) / self.duration
        self._estimate = int(before or 0) * (1 - elapsed) + int(count)
        self._left = self.duration - now % self.duration
        return self._estimate <= self.num_requests

    def wait(self):
        return getattr(self, "_left", None)


def allow(request, scope: str) -> bool:
    """Count one request of the address; False once over the limit."""
    limit, window = getattr(settings, "CERTIFICATE_VERIFY_PAGE_LIMIT", DEFAULT_PAGE_LIMIT)
    return portal_ratelimit.allow(request, f"certificates:{scope}", limit=limit, window=window)


def rate_limited(scope: str, methods: tuple[str, ...] = ("GET", "POST")):
    """Answer 429 with a page once the address is over the limit."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not allow(request, scope):
                response = render(request, "certificates/rate_limited.html", status=429)
                response["Retry-After"] = str(getattr(settings, "CERTIFICATE_VERIFY_PAGE_LIMIT",
                                                      DEFAULT_PAGE_LIMIT)[1])
                response["X-Robots-Tag"] = "noindex, nofollow"
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def noindex(view):
    """Verification pages stay out of search engines (meta tag and header)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        # Not "no-referrer": with it Chromium posts the page's own forms with
        # "Origin: null", which the CSRF check refuses. "same-origin" still
        # keeps a QR code's URL from leaking to other sites.
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped
