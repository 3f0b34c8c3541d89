"""The events still waiting to be chained, found from a small partial index.

A seal pass reads ``WHERE seq IS NULL ORDER BY id``; the index holds only
those rows (a few hundred at a deadline peak, none when idle). Built
CONCURRENTLY on PostgreSQL: the audit table is large and writes must not wait.
"""

from django.db import migrations, models

INDEX = "audit_unchained_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{INDEX}" ON "portal_auditevent" ("id") '
                           'WHERE "seq" IS NULL')
    else:
        model = apps.get_model("portal", "AuditEvent")
        schema_editor.add_index(model, models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name=INDEX))


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{INDEX}"')
        else:
            cursor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("portal", "0012_audit_chain_sealed_after_commit")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(
                model_name="auditevent",
                index=models.Index(condition=models.Q(("seq__isnull", True)), fields=["id"], name=INDEX))],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
