"""Issue 14 item 10: a unit-publicity objector's contact is stored encrypted (as fraud-report
contacts are), shown in clear only to the sponsoring unit that must answer it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from applications import application_services as svc
from applications.models import UnitObjection


def test_R5_5_unit_objection_contact_is_stored_encrypted(world):
    application = world.approve(world.submitted())
    objection = svc.unit_objection_create(application_id=application.pk, reason="材料存疑请核实",
                                          contact="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM applications_unitobjection WHERE id = %s", [objection.pk])
        assert "13912345678" not in repr(cursor.fetchall())
    objection = UnitObjection.objects.get(pk=objection.pk)
    assert objection.contact == "13912345678"
    assert objection.contact_masked == "139****5678"


def test_R5_5_only_the_sponsor_reads_the_objectors_contact(client, world):
    application = world.approve(world.submitted())
    svc.unit_objection_create(application_id=application.pk, reason="材料存疑请核实", contact="13912345678")
    client.force_login(world.hr)
    page = client.get(reverse("application-review", args=[application.pk])).content.decode()
    assert "13912345678" in page


class QuickerBackwardsExecutor(MigrationExecutor):
    """Django's executor, but going back it walks the full plan with the migrations to undo last.

    Before undoing, Django computes the project state before each migration to undo by walking
    the full plan; from the first of them on, every migration of every app is applied to the
    rendered state (~2 minutes of model re-rendering here, most of this test). Every migration
    that depends on one being undone is itself undone, so the ones kept, then the ones undone (each
    in the plan's order) is still an order the graph allows: the same states, the same undoing."""

    def _migrate_all_backwards(self, plan, full_plan, fake):
        undo = {migration for migration, _backwards in plan}
        full_plan = ([step for step in full_plan if step[0] not in undo]
                     + [step for step in full_plan if step[0] in undo])
        return super()._migrate_all_backwards(plan, full_plan, fake)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_contacts_stored_in_clear(world):
    application = world.approve(world.submitted())
    before = ("applications", "0009_submission_receipts")
    after = ("applications", "0010_unit_objection_contact_encrypted")
    executor = QuickerBackwardsExecutor(connection)
    try:
        executor.migrate([before])
        old = executor.loader.project_state([before]).apps.get_model("applications", "UnitObjection")
        old.objects.create(application_id=application.pk, reason="旧的异议", contact="someone@example.com")
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([after])
        objection = UnitObjection.objects.get(reason="旧的异议")
        assert objection.contact == "someone@example.com" and objection.contact_masked == "s***@example.com"
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM applications_unitobjection")
            assert "someone@example.com" not in repr(cursor.fetchall())
    finally:
        # Back to the whole schema, every app's latest migration: the tests that follow need it.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
