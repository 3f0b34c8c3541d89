"""Django's PostgreSQL backend, with the health check of a reused connection made without a round
trip when the connection shows no sign of trouble (issue 15).

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request that
reuses a persistent connection: a round trip, ~10 us of the database's CPU and ~10 us of ours on every
request, although the connection served the previous request a moment ago. A connection the
server (or PgBouncer) closed or terminated has its socket readable: the server's last message, an
error ("terminating connection due to administrator command"), or the end of the stream. A healthy
idle connection has nothing to read. So the socket is polled first, without waiting: nothing to read,
the connection is taken as healthy; anything to read (or an error, or a hang-up), Django's own ping
decides, and a connection that fails it is replaced as before. (A connection whose peer vanished
without a word, a dead host or network, is not seen by either check before its query times out.)

Everything else is Django's backend; ``connection.vendor`` is still ``"postgresql"``."""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done \
                or getattr(self, "pool", None):
            return super().close_if_health_check_failed()
        if _quiet(self.connection):
            self.health_check_done = True
            return None
        return super().close_if_health_check_failed()


def _quiet(connection) -> bool:
    """Whether the connection's socket has nothing to read and no error or hang-up, found without
    waiting. False when that cannot be told (then Django pings)."""
    try:
        if connection.closed:
            return False
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except Exception:  # noqa: BLE001 - anything odd: Django's ping decides
        return False
