"""Sessions kept in PostgreSQL and read through the cache (issue 15): a logged-in page reads its
session without a database query.

Django's ``cached_db`` store trusts the cache's own expiry; this one keeps the session's expiry time
beside the data and checks it on every read, so the idle limit (``SESSION_COOKIE_AGE``) holds to the
second whatever the cache does with timeouts. A cache that is down or emptied falls back to the
database: nobody is logged out by it."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDBStore):
    cache_key_prefix = "portal.sessions."

    def load(self):
        try:
            entry = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - the database has it
            entry = None
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] > timezone.now().timestamp():
            return entry[1]
        stored = self._get_session_from_db()  # only one that has not expired
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache_set(data, stored.expire_date)
        return data

    def save(self, must_create=False):
        DBStore.save(self, must_create=must_create)
        self._cache_set(self._session, self.get_expiry_date())

    def _cache_set(self, data, expire_date) -> None:
        try:
            self._cache.set(self.cache_key, (expire_date.timestamp(), data),
                            max(1, self.get_expiry_age(expiry=expire_date)))
        except Exception:  # noqa: BLE001 - kept in the database all the same
            logger.exception("Error saving a session to the cache")
