"""Issue 15: a session is written at most once a minute, while the 30-minute
idle timeout still holds: 29 idle minutes still logged in, 31 out."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
REAL_NOW = timezone.now


def at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def session_writes(client, url: str, moment: dt.datetime) -> tuple[int, int]:
    with at(moment), CaptureQueriesContext(connection) as context:
        response = client.get(url)
    writes = [q for q in context.captured_queries
              if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    return response.status_code, len(writes)


def test_SEC_session_written_at_most_once_a_minute(client):
    user = UserFactory()
    start = REAL_NOW()
    with at(start):
        client.force_login(user)
    url = reverse("notifications")
    assert session_writes(client, url, start) == (200, 0)  # the login stamped the session: no second write
    assert session_writes(client, url, start + dt.timedelta(seconds=5)) == (200, 0)
    assert session_writes(client, url, start + dt.timedelta(seconds=59)) == (200, 0)
    assert session_writes(client, url, start + dt.timedelta(seconds=61)) == (200, 1)  # refreshed
    assert session_writes(client, url, start + dt.timedelta(seconds=90)) == (200, 0)


def test_SEC_session_idle_29_minutes_still_logged_in_31_minutes_out(client):
    user = UserFactory()
    start = REAL_NOW()
    with at(start):
        client.force_login(user)
    url = reverse("notifications")
    assert session_writes(client, url, start) == (200, 0)  # the login stamped the session: no second write
    # Active for a while, with requests just under the refresh minute apart: the expiry follows activity.
    last = start
    for seconds in (50, 100, 150, 200):
        last = start + dt.timedelta(seconds=seconds)
        assert session_writes(client, url, last)[0] == 200
    assert session_writes(client, url, last + dt.timedelta(minutes=29))[0] == 200  # 29 idle minutes: in
    assert session_writes(client, url, last + dt.timedelta(minutes=29, seconds=31))[0] == 200
    later = last + dt.timedelta(minutes=29, seconds=31)
    status, _ = session_writes(client, url, later + dt.timedelta(minutes=31))  # 31 idle minutes: out
    assert status == 302


def test_SEC_session_idle_timeout_boundary_29_59_in_30_01_out(client, settings):
    """The 30-minute idle limit, to the second, from the session's last write (which the once-a-minute
    refresh keeps at most a minute behind the last request)."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_REFRESH_SECONDS == 60
    url = reverse("notifications")
    outcomes = {}
    for idle in (dt.timedelta(minutes=29, seconds=59), dt.timedelta(minutes=30, seconds=1)):
        client.logout()
        start = REAL_NOW()
        with at(start):
            client.force_login(UserFactory())
        written = start + dt.timedelta(seconds=61)
        assert session_writes(client, url, written) == (200, 1)  # the refresh: the expiry is now written + 30:00
        assert session_writes(client, url, written + dt.timedelta(seconds=59))[1] == 0  # no write within the minute
        outcomes[idle] = session_writes(client, url, written + idle)[0]
    assert outcomes == {dt.timedelta(minutes=29, seconds=59): 200, dt.timedelta(minutes=30, seconds=1): 302}


def test_SEC_anonymous_requests_write_no_session(client):
    assert session_writes(client, reverse("home"), REAL_NOW())[1] == 0


def test_healthz_reuses_a_pooled_redis_connection(client, settings):
    """Issue 15: /healthz pings the broker over one pooled connection per process."""
    from tests.integration_helpers import local_redis

    url = local_redis()
    from portal.redis_pool import redis_client as broker_client

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    broker_client.cache_clear()
    for _ in range(5):
        response = client.get("/healthz")
        assert response.status_code == 200 and response.json()["broker"] == "ok"
    pool = broker_client(url).connection_pool
    assert pool._created_connections == 1  # one connection, reused by every probe
    broker_client.cache_clear()
