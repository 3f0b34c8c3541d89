"""Run a real Celery worker against Redis for integration tests."""

from __future__ import annotations

import contextlib
import os

import pytest


def require_redis() -> str:
    """The broker URL, or skip (locally) / fail (in CI) when there is none."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL must be set in CI: integration tests need a real broker")
        pytest.skip("REDIS_URL is not set; the integration test needs Redis")
    return url


def local_redis() -> str:
    """A Redis for tests that need one but no worker (``TEST_REDIS_URL``, default db 6 here), or skip.

    It is handed over without certificates' public records: one left by an earlier test (or by anyone
    else using that database) for the same certificate number would answer for a row that is not
    in this test's database."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/6")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        from certificates.public_records import PREFIX

        stale = list(client.scan_iter(match=PREFIX + "*", count=1000))
        if stale:
            client.delete(*stale)
    except redis.RedisError:
        pytest.skip("no Redis here")
    return url


@contextlib.contextmanager
def real_worker():
    """A Celery worker thread consuming from Redis, with eager mode off."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    url = require_redis()
    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app.conf.result_backend = url
    try:
        app.control.purge()
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30):
            yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = previous
