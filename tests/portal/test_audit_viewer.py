"""Trace back (R6.2): the audit viewer, its export, and the nightly check."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
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


def test_R6_2_export_keeps_the_record_but_typed_text_never_starts_a_formula(client):
    audit_record(actor=None, action="gamma.step", object_type="test.thing", object_id="=1+1", reason="=HYPERLINK(1)")
    audit_chain_seal()
    login(client, UserFactory(roles=[Role.AUDITOR]))
    workbook = load_workbook(BytesIO(client.get(reverse("audit-export"), {"action": "gamma"}).content))
    row = list(workbook.active.iter_rows(values_only=True))[1]
    assert row[5] == "'=1+1" and row[9] == "'=HYPERLINK(1)"
    assert not [c for r in workbook.active.iter_rows() for c in r if c.data_type == "f"]


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


@override_settings(AUDIT_CHAIN_INLINE=False)
def test_R6_2_the_viewer_says_how_many_events_wait_to_be_chained(client):
    events(2)
    audit_record(actor=UserFactory(), action="test.waiting", object_type="test.object", object_id="1")
    login(client, UserFactory(roles=[Role.AUDITOR]))
    page = client.get(reverse("audit-list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [e.action for e in page.context["events"]] == ["test.step", "test.step"]  # chained events only
    assert page.context["backlog"].count == 1 and not page.context["backlog"].stale
    assert "另有 1 条较新的事件正在写入审计链" in page.content.decode()
    english = client.get(reverse("audit-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 newer event is being sealed into the chain" in english
    later = timezone.now() + dt.timedelta(seconds=settings.AUDIT_CHAIN_STALE_SECONDS + 1)
    with mock.patch("portal.audit.timezone.now", return_value=later):
        text = client.get(reverse("audit-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "审计链已滞后：有 1 条事件" in text
    audit_chain_seal()
    page = client.get(reverse("audit-list"))
    assert page.context["events"][0].action == "test.waiting" and "data-audit-backlog" not in page.content.decode()


def test_R6_2_a_time_range_finds_events_chained_out_of_time_order(client):
    """Events are chained in commit order, so a long transaction's event can
    be chained after events that happened later. The time filters still find
    exactly the events of the range."""
    from portal.audit import _append, _event
    from portal.selectors import audit_events

    actor = UserFactory()
    boundary = timezone.now() - dt.timedelta(minutes=1)

    def at(seconds: float, label: str):
        event = _event(actor=actor, action=f"test.{label}", object_type="test.object", object_id=label)
        event.created_at = boundary + dt.timedelta(seconds=seconds)
        return event

    with override_settings(AUDIT_CHAIN_INLINE=False):
        _append([at(-3600, "long_before")])
        audit_chain_seal()
        # Inserted (and so chained) in this order, each the other way round in time:
        # "t" before the boundary chained before "s" still earlier; "x" after it before "y" still earlier.
        _append([at(-1, "t"), at(-2, "s"), at(20, "x"), at(10, "y"), at(3600, "long_after")])
        audit_chain_seal()
    assert list(AuditEvent.objects.order_by("seq").values_list("object_id", flat=True)) == [
        "long_before", "t", "s", "x", "y", "long_after"]

    def ids(**filters):
        return {e.object_id for e in audit_events(**filters)}

    assert ids(until=boundary) == {"long_before", "t", "s"}
    assert ids(since=boundary) == {"x", "y", "long_after"}
    assert ids(since=boundary - dt.timedelta(seconds=1.5), until=boundary + dt.timedelta(seconds=15)) == {"t", "y"}
