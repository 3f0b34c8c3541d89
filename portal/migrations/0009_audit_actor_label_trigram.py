"""A trigram index for searching the audit trail by part of an actor's name.

The audit viewer filters with ``actor_label__icontains``, which PostgreSQL
runs as ``UPPER(actor_label::text) LIKE UPPER('%…%')``: no B-tree helps, so
at 10 million events it read the table (432 ms). A GIN index of that
expression with ``gin_trgm_ops`` (the ``pg_trgm`` extension, trusted since
PostgreSQL 13, so the database's owner may create it) answers it from the
index. Built CONCURRENTLY: the table is append-only and large, and writes
must not wait. Where the extension cannot be created, the search still
works, only slower; SQLite is left alone.
"""

import logging

from django.db import DatabaseError, migrations

logger = logging.getLogger(__name__)

INDEX = "portal_audit_actor_label_trgm"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as error:  # no privilege: the search works without the index
            logger.warning("pg_trgm unavailable (%s); the audit actor search stays unindexed", error)
            return
        cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON portal_auditevent "
                       "USING gin ((UPPER(actor_label::text)) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("portal", "0008_notification_unread_url_idx")]

    operations = [migrations.RunPython(create, drop)]
