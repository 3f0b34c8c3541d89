"""Django's Redis cache backend, with one ``redis.Redis`` client per connection pool (issue 15).

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis`` for
every cache operation; each one copies its ~170 response callbacks into a fresh dictionary, which
cost more CPU than the operation itself (a logged-in page reads its session from the cache on
every request). A ``redis.Redis`` holds no connection of its own: it takes one from its pool for
each command and gives it back, so one client per pool is shared safely by threads, and by
processes forked after it was made (the pool notices the new process id and opens its own
connections). Everything else (pools, serializer, servers, options) is Django's."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
