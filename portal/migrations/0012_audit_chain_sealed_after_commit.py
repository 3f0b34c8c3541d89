"""The audit chain is sealed after commit (issue 15, the deadline peak).

Events are inserted by the service's transaction without their place in the
chain (``seq``, ``prev_hash`` and ``hash`` empty) and chained in commit order
by a seal pass (``portal.audit.audit_chain_seal``), so writers no longer queue
on the chain head's row lock. On PostgreSQL the append-only trigger now lets
exactly that happen once per event: ``seq``, ``prev_hash`` and ``hash`` go
from empty to set while every other column stays as it was. Every other
UPDATE, every DELETE and TRUNCATE are still refused.

``digest_version`` (issue 14 item 13): events stored before this migration
keep verifying under version 1, whose hash left out ``id``, ``actor_label``,
``object_label`` and ``ip_address``; new events use version 2, which covers
every column. The chain head records the time of the newest seal pass and
the largest lag seen between an event and the pass that chained it.
"""

import datetime

from django.db import migrations, models

SEAL_ONCE = """
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
DECLARE
    chained portal_auditevent%ROWTYPE;
BEGIN
    -- The one UPDATE allowed (R6.2): a seal pass chaining an event that was not yet chained,
    -- setting seq, prev_hash and hash and changing nothing else.
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash = '' AND OLD.prev_hash = ''
       AND NEW.seq IS NOT NULL AND length(NEW.hash) = 64 AND length(NEW.prev_hash) = 64 THEN
        chained := OLD;
        chained.seq := NEW.seq;
        chained.prev_hash := NEW.prev_hash;
        chained.hash := NEW.hash;
        IF NEW IS NOT DISTINCT FROM chained THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'portal_auditevent is append-only (R6.2): % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'portal_auditevent is append-only (R6.2): % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def trigger_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # raw: the function body contains a literal %
            cursor.execute(SEAL_ONCE)


def trigger_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(APPEND_ONLY)


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0011_policy_upload_limits_for_scans"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': [models.OrderBy(models.F('seq'), nulls_last=True), 'id'],
                     'verbose_name': 'audit event', 'verbose_name_plural': 'audit events'},
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='max_lag',
            field=models.DurationField(default=datetime.timedelta),
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='sealed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        # The events already stored were hashed under version 1 (a constant default: no table rewrite).
        migrations.AddField(
            model_name='auditevent',
            name='digest_version',
            field=models.SmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='digest_version',
            field=models.SmallIntegerField(default=2),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.RunPython(trigger_forwards, trigger_backwards),
    ]
