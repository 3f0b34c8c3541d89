"""Issue 15: the Redis cache backend (``portal.cache.RedisCache``) reuses one ``redis.Redis`` per
connection pool instead of building one per operation, and still reads and writes as Django's."""

from __future__ import annotations

from portal.cache import RedisCache
from tests.integration_helpers import local_redis


def test_one_client_per_pool_reused_for_every_operation():
    cache = RedisCache("redis://127.0.0.1:6379/15", {})  # no connection is opened by get_client
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client  # one server: reads and writes share it
    assert client.connection_pool is cache._cache._pools[0]


def test_reads_from_a_replica_and_writes_to_the_primary():
    cache = RedisCache("redis://127.0.0.1:6379/14,redis://127.0.0.1:6379/15", {})
    write = cache._cache.get_client("a", write=True)
    read = cache._cache.get_client("a")
    assert write is not read
    assert write.connection_pool.connection_kwargs["db"] == 14
    assert read.connection_pool.connection_kwargs["db"] == 15
    assert cache._cache.get_client("b") is read and cache._cache.get_client("b", write=True) is write


def test_cache_operations_through_the_reused_client():
    cache = RedisCache(local_redis(), {"KEY_PREFIX": "test-portal-cache"})
    cache.set("k", {"v": 1}, 30)
    assert cache.get("k") == {"v": 1}
    assert cache.get_many(["k", "missing"]) == {"k": {"v": 1}}
    assert cache.add("k", 2, 30) is False
    cache.set("n", 1, 30)
    assert cache.incr("n", 2) == 3
    cache.delete_many(["k", "n"])
    assert cache.get("k") is None and cache.get("n") is None
