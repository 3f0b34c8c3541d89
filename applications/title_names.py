"""A title's name in the page's language, without a query per row (the Uyghur and English names
of issue 13 on every page that names a title).

An application (and a certificate, a title held) keeps its title's Chinese name as it was
(``title_name``): that is the legal name, and stored data, the audit trail and certificates keep
printing it. Pages read the name in their language from the catalogue: the ``TitleName`` of the
same series and level, its English name on English pages and its Uyghur name on Uyghur pages,
the stored name on Chinese pages or when the catalogue has no such name.

Each process keeps the catalogue's names by (series id, level) — some 120 rows, read in one query —
under a *titles version* held in the shared cache, as ``applications.open_calls`` keeps the open
calls (the key names the database). Any save or delete of a ``TitleName`` sets a new version once
its transaction commits and drops this process's copy at once; other processes compare the version
at most once every ``CHECK_SECONDS`` (one cache read, no query) and read the names again when it
moved. A write behind
the models' back (``QuerySet.update``) is seen after ``changed()`` is called. An emptied cache is
not a change: each process puts back the version it holds (``_version``)."""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connections, transaction
from django.utils.translation import get_language

log = logging.getLogger(__name__)

VERSION_KEY = "applications:titles-version"
#: Seconds between two reads of the shared version by a process (the names themselves are read
#: only when it moved).
CHECK_SECONDS = 1.0

# (version, monotonic time of the last version check, {(series_id, level): (name, name_en, name_ug)}
# or None when nothing is kept): replaced whole, never changed in place.
_kept: tuple = (None, 0.0, None)


def version_key() -> str:
    """The version's key in the shared cache, per database: the processes of one site share it, and
    those of another database on the same cache (the tests' parallel processes) do not."""
    return f"{VERSION_KEY}:{connections['default'].settings_dict['NAME']}"


def _version(kept_version: str | None) -> str | None:
    try:
        version = cache.get(version_key())
        if version is None:
            # First use, or the cache was emptied (a restart, or a test's cache.clear() in another
            # process). Not a change of the catalogue: the version this process holds is put back, so
            # that processes holding the same names agree again without reading them; one that reads
            # them takes the version found then. Only a change committed in the moment between a
            # flush and this check could be missed, until the catalogue's next change.
            cache.add(version_key(), kept_version or uuid.uuid4().hex, None)
            version = cache.get(version_key())
        return version
    except Exception:  # noqa: BLE001 - a cache that is down: the names kept stay until it answers
        log.warning("title names: could not read the titles version")
        return None


def _read() -> dict[tuple[int, str], tuple[str, str, str]]:
    from applications.models import TitleName

    return {(series_id, level): (name, name_en, name_ug) for series_id, level, name, name_en, name_ug
            in TitleName.objects.order_by().values_list("series_id", "level", "name", "name_en", "name_ug")}


def names(*, check: bool = False) -> dict[tuple[int, str], tuple[str, str, str]]:
    """The catalogue's names by (series id, level): those kept, or read again (one query) when there
    are none or the titles version moved. ``check``: compare the version now, whenever it was last."""
    global _kept
    kept_version, checked_at, kept = _kept
    now = time.monotonic()
    if kept is not None and not check and now - checked_at < CHECK_SECONDS:
        return kept
    version = _version(kept_version if kept is not None else None)
    if kept is None or (version is not None and version != kept_version):
        kept = _read()
    _kept = (version if version is not None else kept_version, now, kept)
    return kept


def warm() -> None:
    """Compare the version now and read the names if they are not current (the tests call it at
    their start, so that a page's query count does not depend on which test ran before)."""
    names(check=True)


def kept_names() -> dict | None:
    """The names this process keeps now (None when none), for tests."""
    return _kept[2]


def forget() -> None:
    """This process reads the names again at their next use."""
    global _kept
    _kept = (None, 0.0, None)


def changed() -> None:
    """A new titles version for every process, and this process forgets its names at once."""
    forget()
    try:
        cache.set(version_key(), uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001 - other processes keep their names until the cache answers
        log.warning("title names: could not set a new titles version")


def titles_changed(sender=None, **kwargs) -> None:
    """``post_save`` / ``post_delete`` of a ``TitleName``: a new version when the change commits."""
    transaction.on_commit(changed)


def title_in_language(*, series_id: int | None, level: str, stored: str, same_name_only: bool = False) -> str:
    """The name of the title of ``series_id`` and ``level`` in the active language: the catalogue's
    English or Uyghur name on English or Uyghur pages when it has one, else ``stored`` (the Chinese
    name kept with the record). ``same_name_only``: for names a person typed (a title held, an
    expert's title), translated only when ``stored`` is the catalogue's Chinese name (an empty one
    stays empty)."""
    language = get_language() or ""
    if language.startswith("en"):
        column = 1
    elif language.startswith("ug"):
        column = 2
    else:
        return stored
    found = names().get((series_id, level))
    if found is None or not found[column]:
        return stored
    if same_name_only and stored != found[0]:
        return stored
    return found[column]
