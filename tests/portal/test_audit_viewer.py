"""Trace back (R6.2): the audit viewer, its export, and the nightly check."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from portal.audit import audit_chain_seal, audit_record
from portal.models import AuditEvent, Notification, Role
from portal.tasks import verify_audit_chain_nightly
from tests.factories import UserFactory, bureau_officer


def login(client, user):
    client.force_login(user, backend="portal.backends.MobileOrIdNumberBackend")
    return client


def events(n, action="test.step", object_id="1"):
    """Record ``n`` events and seal them (the viewer lists chained events)."""
    actor = UserFactory(real_name="审计测试人")
    for i in range(n):
        audit_record(actor=actor, action=action, object_type="test.object", object_id=object_id, after={"i": i})
    audit_chain_seal()


@pytest.mark.parametrize("role, status", [(Role.SUPERVISOR, 200), (Role.AUDITOR, 200),
                                          (Role.SYSTEM_ADMIN, 403), (Role.APPLICANT, 403)])
def test_R6_2_audit_viewer_is_for_supervisors_and_auditors(client, role, status):
    assert login(client, UserFactory(roles=[role])).get(reverse("audit-list")).status_code == status
    assert client.get(reverse("audit-export")).status_code == status


def test_R6_2_audit_viewer_refuses_bureau_officers_and_anonymous(client):
    assert client.get(reverse("audit-list")).status_code == 302
    assert login(client, bureau_officer()).get(reverse("audit-list")).status_code == 403


def test_R6_2_filters_and_keyset_pages(client):
    events(60, action="alpha.step", object_id="7")
    events(5, action="beta.step", object_id="8")
    login(client, UserFactory(roles=[Role.SUPERVISOR]))
    page = client.get(reverse("audit-list"), {"action": "alpha"}).context
    assert len(page["events"]) == 50 and page["has_more"]
    assert all(e.action == "alpha.step" for e in page["events"])
    second = client.get(reverse("audit-list"), {"action": "alpha", "before": page["next_before"]}).context
    assert len(second["events"]) == 10 and not second["has_more"]
    assert {e.seq for e in page["events"]}.isdisjoint({e.seq for e in second["events"]})
    by_object = client.get(reverse("audit-list"), {"object_type": "test.object", "object_id": "8"}).context
    assert len(by_object["events"]) == 5


def test_R6_2_the_actor_is_found_by_part_of_the_name(client):
    named = UserFactory(real_name="古丽娜尔·买买提")
    audit_record(actor=named, action="alpha.step", obj=None, object_label="x")
    audit_record(actor=UserFactory(real_name="王建国"), action="alpha.step", obj=None, object_label="y")
    audit_chain_seal()
    login(client, UserFactory(roles=[Role.SUPERVISOR]))
    found = client.get(reverse("audit-list"), {"actor": "娜尔"}).context["events"]
    assert [e.actor_id for e in found] == [named.pk]
    assert not client.get(reverse("audit-list"), {"actor": "没有此人"}).context["events"]
    if connection.vendor == "postgresql":  # answered from a trigram index (migration portal 0009)
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'portal_audit_actor_label_trgm'")
            (definition,) = cursor.fetchone()
        assert "gin_trgm_ops" in definition and "upper" in definition.lower()


def test_R6_2_audit_viewer_query_count_is_flat(client):
    login(client, UserFactory(roles=[Role.SUPERVISOR]))
    from django.test.utils import CaptureQueriesContext

    events(10)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("audit-list"))
    events(200)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("audit-list"))
    assert len(large) == len(small)


def test_R6_2_export_is_excel_and_is_itself_audited(client):
    events(3, action="gamma.step")
    login(client, UserFactory(roles=[Role.AUDITOR]))
    response = client.get(reverse("audit-export"), {"action": "gamma"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3 and rows[1][3] == "gamma.step"
    assert AuditEvent.objects.filter(action="audit.export").exists()


def test_R6_2_nightly_check_alerts_supervisors_on_a_break():
    supervisor = UserFactory(roles=[Role.SUPERVISOR])
    events(3)
    assert verify_audit_chain_nightly()["broken"] is None
    target = AuditEvent.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE portal_auditevent SET reason = 'forged' WHERE id = %s", [target.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    result = verify_audit_chain_nightly()
    assert f"#{target.seq}" in result["broken"]
    assert Notification.objects.filter(recipient=supervisor, subject__contains=str(target.seq)).exists()
