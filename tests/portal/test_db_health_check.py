"""Issue 15: a reused PostgreSQL connection is health-checked without a round trip while its socket
shows nothing (``portal/postgresql/base.py``); a connection the server ended is still replaced
before the request's first query, and one with something to read is pinged as Django pings."""

from __future__ import annotations

import select
import time
from unittest import mock

import psycopg2
import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def _pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _next_request() -> None:
    """What Django does between two requests on a persistent connection (``request_started``); the
    tests' connections have no ``CONN_MAX_AGE``: this one is kept as a persistent one is."""
    connections["default"].close_at = None
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is not None
    assert connection.health_check_done is False


def _other():
    params = connection.get_connection_params()
    return psycopg2.connect(**{k: v for k, v in params.items() if k not in ("cursor_factory", "context")})


def _readable(timeout: float = 5.0) -> None:
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + timeout
    while not poller.poll(50) and time.monotonic() < deadline:
        pass


def test_a_quiet_reused_connection_is_not_pinged():
    assert connection.settings_dict["ENGINE"] == "portal.postgresql" and connection.health_check_enabled
    pid = _pid()
    _next_request()
    with mock.patch.object(type(connections["default"]), "is_usable", side_effect=AssertionError("pinged")) as ping:
        assert _pid() == pid
    ping.assert_not_called()
    assert connection.health_check_done is True


def test_a_connection_the_server_ended_is_replaced_before_the_first_query():
    pid = _pid()
    other = _other()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    _readable()
    _next_request()
    assert _pid() != pid  # no error: Django's ping failed and a new connection served the query


def test_a_connection_with_something_to_read_is_pinged_and_kept():
    pid = _pid()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN portal_health_check_test")
    other = _other()
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("NOTIFY portal_health_check_test")
    finally:
        other.close()
    _readable()
    _next_request()
    with mock.patch.object(type(connections["default"]), "is_usable", autospec=True, return_value=True) as ping:
        assert _pid() == pid
    ping.assert_called_once()
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")
