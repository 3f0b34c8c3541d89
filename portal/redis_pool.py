"""One Redis client per process and URL, over a small connection pool: the
health check and the verification-event buffer reuse a connection instead
of opening one per request (issue 15)."""

from __future__ import annotations

import functools


@functools.cache
def redis_client(url: str):
    import redis

    return redis.Redis(connection_pool=redis.ConnectionPool.from_url(
        url, socket_connect_timeout=2, socket_timeout=2, max_connections=8))
