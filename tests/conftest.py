"""Fixtures shared by the whole suite."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# A test skipped for a missing program (pdftoppm, msgfmt, Chromium) fails the run in CI.
from tests.tools import pytest_runtest_makereport, pytest_runtest_setup  # noqa: F401


def seed_reference_data() -> None:
    from applications.eligibility import eligibility_seed
    from applications.services import catalogue_seed
    from portal.services import regions_seed

    regions_seed()
    catalogue_seed()
    eligibility_seed()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed regions, bureaus, role groups and the catalogue once per test DB."""
    with django_db_blocker.unblock():
        seed_reference_data()
        allow_test_flush()


def allow_test_flush() -> None:
    """Transactional tests end with a TRUNCATE of every table; in the test
    database only, the audit table's TRUNCATE guard is switched off (its
    UPDATE/DELETE guard stays, and a test switches the TRUNCATE guard back on
    to prove it)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER portal_auditevent_no_truncate")
        _flush_by_delete()


#: Tables the flush still truncates: the audit table refuses DELETE (its guard trigger stays on).
_TRUNCATED_BY_FLUSH = {"portal_auditevent"}


def _flush_by_delete() -> None:
    """In this test process, a transactional test's flush on PostgreSQL empties the tables with
    DELETE, in the flush's transaction with the foreign keys checked at its commit (all of them are
    deferrable), instead of one TRUNCATE of every table: the tables hold a test's few rows, and
    TRUNCATE's new files for ~100 tables took 1-2 s of each such test's teardown, DELETE ~0.1 s.
    Sequences are not reset either way (the tests' flush asks for no reset); a flush that asks for
    one, or for CASCADE, is left as Django writes it."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    if getattr(truncate, "by_delete", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        kept = [table for table in tables if table in _TRUNCATED_BY_FLUSH]
        return (["SET CONSTRAINTS ALL DEFERRED"]
                + [f"DELETE FROM {self.quote_name(table)}" for table in tables if table not in kept]  # noqa: S608
                + (truncate(self, style, kept) if kept else []))

    sql_flush.by_delete = True
    DatabaseOperations.sql_flush = sql_flush


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Every test may use the database (reference data lives there). Runs
    before pytest-django sorts the tests, so that every test inside a
    rolled-back transaction runs before the transactional ones, which flush
    the database (and re-seed it, committed, when they start)."""
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the database when they end; put the
    reference data back for whichever test comes next."""
    request.getfixturevalue("db")
    from portal.models import Region

    if not Region.objects.exists():
        _reseed()


#: The rows the seed wrote into a flushed database, per table, taken after the first re-seed: the
#: seed's services take some 3,400 queries (an ``update_or_create`` per catalogue entry), the copy a
#: few multi-row INSERTs. Tables that the flush's post_migrate fills again (content types,
#: permissions) are not copied.
_seed_rows: dict[str, tuple[list[str], list[tuple]]] | None = None


def _reseed() -> None:
    global _seed_rows
    if _seed_rows is None:
        seed_reference_data()
        _seed_rows = _seed_snapshot()
    else:
        _seed_restore(_seed_rows)


def _seed_tables() -> list[str]:
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    refilled = {ContentType._meta.db_table, Permission._meta.db_table}
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)
              if model._meta.managed and not model._meta.proxy}
    return sorted(tables - refilled)


def _seed_snapshot() -> dict[str, tuple[list[str], list[tuple]]]:
    """Every non-empty table's rows, as the database gives them (no model code in between); ``{}``
    (so: the seed's services every time) if a row points at a content type or a permission, whose ids
    the next flush changes."""
    from django.contrib.auth.models import Group
    from django.db import connection

    if Group.permissions.through.objects.exists():
        return {}
    rows = {}
    with connection.cursor() as cursor:
        for table in _seed_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a table name)
            found = cursor.fetchall()
            if found:
                rows[table] = ([column[0] for column in cursor.description], found)
    return rows


def _seed_restore(rows: dict[str, tuple[list[str], list[tuple]]]) -> None:
    from django.db import connection, transaction

    if not rows:
        seed_reference_data()
        return
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:  # foreign keys are checked at commit
        for table, (columns, values) in rows.items():
            per_statement = max(1, 900 // len(columns))
            row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
            for start in range(0, len(values), per_statement):
                chunk = values[start:start + per_statement]
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
                    + ", ".join([row_sql] * len(chunk)),
                    [value for row in chunk for value in row])


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and rate limits live in the cache: start each test clean (and the rendered
    fragments and page frames, which a test's own settings, such as its storage, may change)."""
    from django.core.cache import cache, caches

    from portal.templatetags.shell import forget_frames

    cache.clear()
    caches["fragments"].clear()
    forget_frames()
    yield
    cache.clear()
    caches["fragments"].clear()
    forget_frames()


@pytest.fixture(autouse=True)
def _title_names_read(_reference_data, _fresh_cache):
    """The title names each process keeps (``applications.title_names``) are current when a test
    starts (its cache was just emptied, its reference data perhaps re-seeded): a page's query count
    then does not depend on which test ran before. Names read again during the test (a test that
    changed the catalogue) may be those of its rolled-back transaction: forgotten after it."""
    from applications import title_names

    title_names.warm()
    kept = title_names.kept_names()
    yield
    if title_names.kept_names() is not kept:
        title_names.forget()


@pytest.fixture(autouse=True)
def _empty_sms_folder():
    """The file SMS backend's folder starts empty in each test (``tests.factories.sms_to`` reads it)."""
    import shutil
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.SMS_FILE_PATH)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    yield


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run a call (a client request, a service) and the on-commit work it scheduled — emails, SMS —
    as a committed request would: ``deliver(client.post, url, data)``."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions compare English messages; the zh-hans UI is tested on its own."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def png_file():
    def make(name: str = "licence.png") -> SimpleUploadedFile:
        buffer = BytesIO()
        Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")

    return make


@pytest.fixture
def pdf_file():
    def make(name: str = "licence.pdf") -> SimpleUploadedFile:
        content = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make
