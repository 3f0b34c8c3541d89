"""Issue 15 (the deadline peak): an autosave costs a fixed, small number of
queries; it writes only the changed columns and looks up no reviewer scope."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from applications import application_services as svc
from portal.errors import NotFound
from tests.applications.test_api import as_user, create_payload
from tests.applications.test_corrections import returned  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def autosave(api, pk: int, text: str):
    with CaptureQueriesContext(connection) as context:
        response = api.patch(f"/api/v1/applications/{pk}/", {"summary": text}, format="json")
    assert response.status_code == 200 and response.json()["summary"] == text
    return [q["sql"] for q in context.captured_queries]


def test_autosave_writes_only_the_changed_columns_in_fixed_queries(world):
    api = as_user(APIClient(), world.applicant)
    pk = api.post("/api/v1/applications/", create_payload(world), format="json").json()["id"]
    autosave(api, pk, "第一次")
    queries = autosave(api, pk, "自动保存的总结")
    updates = [q for q in queries if q.startswith('UPDATE "applications_application"')]
    assert len(updates) == 1
    assert '"summary"' in updates[0] and '"updated_at"' in updates[0]
    assert '"call_id"' not in updates[0] and '"status"' not in updates[0]  # not the whole row
    assert not [q for q in queries if '"portal_membership"' in q]  # the applicant's own: no reviewer scope
    for page_only in ('FROM "applications_correctionround"', 'FROM "applications_unitobjection"'):
        assert not [q for q in queries if page_only in q]  # what only the page shows is not read for the API
    assert not [q for q in queries if 'FROM "applications_correction"' in q]  # a draft has none
    # The application is read once, locked, with what the answer names; the answer adds only its lists.
    [lock] = [q for q in queries if 'FROM "applications_application"' in q]
    # A text-only save checks nothing in the call: of the objects the row names, the lock reads only
    # what the answer shows (no password, no committee), and no ORDER BY (by primary key).
    assert '"portal_user"."password"' not in lock and '"portal_committee"' not in lock
    assert "ORDER BY" not in lock and ("FOR UPDATE" in lock or not connection.features.has_select_for_update)
    # (PostgreSQL: one statement more, the SET LOCAL that spares the lock's join-order search.)
    postgresql = connection.vendor == "postgresql"
    assert [q for q in queries if q.startswith("SET LOCAL join_collapse_limit")] == (
        ["SET LOCAL join_collapse_limit = 1"] if postgresql else [])
    assert len(autosave(api, pk, "再一次")) == len(queries) <= 11 + postgresql
    # Someone else's application stays a 404.
    other = as_user(APIClient(), world.hr)
    assert other.patch(f"/api/v1/applications/{pk}/", {"summary": "x"}, format="json").status_code == 404


def test_autosave_of_the_level_writes_the_title_with_it(world):
    api = as_user(APIClient(), world.applicant)
    pk = api.post("/api/v1/applications/", create_payload(world), format="json").json()["id"]
    response = api.patch(f"/api/v1/applications/{pk}/", {"level": "intermediate", "summary": "s"}, format="json")
    assert response.status_code == 200
    from applications.models import Application

    application = Application.objects.get(pk=pk)
    assert application.summary == "s" and application.title_name
    # A change of level (and its title) answers as a fresh read does.
    response = api.patch(f"/api/v1/applications/{pk}/", {"level": "junior", "pathway": "regular"}, format="json")
    assert response.status_code == 200 and response.json()["level"] == "junior"
    assert response.content == api.get(f"/api/v1/applications/{pk}/").content
    assert response.json()["title_name"] == Application.objects.get(pk=pk).title_name != application.title_name


def test_autosave_answer_is_the_full_application_output(world, returned):  # noqa: F811 - the fixture
    """The answer is what ``ApplicationOutput`` makes of the application as a fresh read finds it:
    achievements with their evidence, materials and corrections, in their order (issue 15 built it
    without the serializer's fields each time and without reading the application again)."""
    from rest_framework.renderers import JSONRenderer

    from applications.selectors import application_get_for_user
    from applications.serializers import ApplicationOutput

    svc.achievement_update(actor=world.applicant, application_id=returned.pk, achievement_id=returned.patent.pk,
                           kind="patent", title="换热装置 <b>&", role="lead", number="ZL202310123456.8")
    api = as_user(APIClient(), world.applicant)
    response = api.patch(f"/api/v1/applications/{returned.pk}/", {"summary": "改后的总结 <i>&"}, format="json")
    assert response.status_code == 200
    fresh = application_get_for_user(user=world.applicant, pk=returned.pk, page=False)
    expected = json.loads(JSONRenderer().render(ApplicationOutput(fresh).data))
    assert response.json() == expected
    assert response.content == JSONRenderer().render(ApplicationOutput(fresh).data)
    assert [a["title"] for a in expected["achievements"]] == ["换热装置 <b>&"]
    assert expected["achievements"][0]["evidence"] and expected["attachments"] and len(expected["corrections"]) == 4
    assert expected["summary"] == "改后的总结 <i>&"
    assert api.get(f"/api/v1/applications/{returned.pk}/").content == response.content


def test_nothing_leads_an_application_back_to_a_draft():
    """The autosave's answer reads no corrections for a draft: they come only with a return, and no
    transition (nor resubmission, which goes back to the returning stage) ends in a draft."""
    from applications.models import ApplicationStatus
    from applications.workflow import APPLICATION_WORKFLOW, RETURN_ACTIONS

    targets = {t.target for t in APPLICATION_WORKFLOW.transitions.values()}
    assert ApplicationStatus.DRAFT not in targets
    assert ApplicationStatus.DRAFT not in RETURN_ACTIONS  # the stages a resubmission returns to


def test_autosave_validation_answers_as_the_serializer_does(world):
    """Invalid saves get the messages ``ApplicationUpdateInput.is_valid`` gives; a valid save passes
    only its own fields on (the validating serializer is shared by the process's saves)."""
    from rest_framework.renderers import JSONRenderer

    from applications.serializers import ApplicationUpdateInput

    api = as_user(APIClient(), world.applicant)
    pk = api.post("/api/v1/applications/", create_payload(world), format="json").json()["id"]
    for bad in ({"level": "emperor"}, {"specialty": "x"}, {"specialty": 0}, {"pathway": None},
                {"summary": "长" * 20001}, {"justification": ["x"]}, [1], "text"):
        response = api.patch(f"/api/v1/applications/{pk}/", bad, format="json")
        assert response.status_code == 400, bad
        reference = ApplicationUpdateInput(data=bad, partial=True)
        assert not reference.is_valid()
        assert response.json() == json.loads(JSONRenderer().render(reference.errors)), bad
    assert api.patch(f"/api/v1/applications/{pk}/", {"level": "junior"}, format="json").json()["level"] == "junior"
    with CaptureQueriesContext(connection) as context:
        response = api.patch(f"/api/v1/applications/{pk}/", {"summary": "只改总结"}, format="json")
    assert response.json()["level"] == "junior" and response.json()["summary"] == "只改总结"
    [update] = [q["sql"] for q in context.captured_queries if q["sql"].startswith('UPDATE "applications_application"')]
    assert '"level"' not in update and '"title_name"' not in update


def check_text_lock(world, pk: int) -> None:
    """The text-only autosave's lock (SQL compiled once) gives the instance the ORM's
    ``select_related(...).only(...)`` gives: every column of the row, the named objects with the
    columns the answer shows and the others deferred (no query when the answer reads them)."""
    from django.db import transaction

    from applications.models import Application

    related = ("applicant", "call", "series", "region", *svc.ANSWER_RELATED)
    with transaction.atomic():
        mine = svc._lock_own_for_text(world.applicant, pk)
        orm = (Application.objects.select_related(*related)
               .only(*[f.name for f in Application._meta.concrete_fields], *svc._ANSWER_COLUMNS).get(pk=pk))
    for field in Application._meta.concrete_fields:
        assert getattr(mine, field.attname) == getattr(orm, field.attname), field.name
    assert mine.get_deferred_fields() == orm.get_deferred_fields() == set()
    for name in related:
        ours, theirs = getattr(mine, name), getattr(orm, name)
        assert (ours is None) == (theirs is None), name
        if ours is not None:
            assert type(ours) is type(theirs) and ours.pk == theirs.pk, name
            assert ours.get_deferred_fields() == theirs.get_deferred_fields(), name
            loaded = {f.attname for f in ours._meta.concrete_fields} - ours.get_deferred_fields()
            assert {a: getattr(ours, a) for a in loaded} == {a: getattr(theirs, a) for a in loaded}, name
    with pytest.raises(NotFound), transaction.atomic():
        svc._lock_own_for_text(world.hr, pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as context:
        svc._lock_own_for_text(world.applicant, pk)
    assert len(context.captured_queries) == 1  # (the compiled SQL is the ORM's own: test_compiled_sql.py)


def test_text_lock_of_a_returned_application(world, returned):  # noqa: F811 - the fixture
    check_text_lock(world, returned.pk)


def test_text_lock_of_a_draft(world):
    check_text_lock(world, world.create().pk)


def test_autosave_answer_lists_in_their_order(world):
    """Achievements (by kind, then id), each with its evidence (by id), and the materials (by
    material, then id) answer as a fresh read lists them."""
    from tests.applications.conftest import pdf, png

    application = world.create()
    a = dict(actor=world.applicant, application_id=application.pk)
    standard = svc.achievement_add(**a, kind="standard", title="标准 <b>", role="lead", number="JB/T 1-2025")
    patent = svc.achievement_add(**a, kind="patent", title="专利 & 二", role="lead", number="ZL1")
    svc.achievement_add(**a, kind="paper", title="论文", role="", number="")
    for achievement in (standard, patent, standard):
        svc.attachment_add(**a, material="evidence", upload=pdf("证据.pdf"), achievement_id=achievement.pk)
    for material in ("work_summary", "other", "work_summary"):
        svc.attachment_add(**a, material=material, upload=png(f"{material}.png"))
    api = as_user(APIClient(), world.applicant)
    response = api.patch(f"/api/v1/applications/{application.pk}/", {"summary": "总结"}, format="json")
    assert response.status_code == 200
    assert response.content == api.get(f"/api/v1/applications/{application.pk}/").content
    body = response.json()
    assert [x["kind"] for x in body["achievements"]] == ["paper", "patent", "standard"]
    assert [len(x["evidence"]) for x in body["achievements"]] == [0, 1, 2]
    assert [x["material"] for x in body["attachments"]] == ["other", "work_summary", "work_summary"]


def test_autosave_of_an_id_beyond_any_row_is_404(world):
    """The text-only lock is compiled SQL: an id past 64 bits (the URL takes any digits) is a 404, on
    SQLite as on PostgreSQL (SQLite refused the number: a 500), and nothing is written."""
    api = as_user(APIClient(), world.applicant)
    pk = api.post("/api/v1/applications/", create_payload(world), format="json").json()["id"]
    for bad in (2**63, 10**20):
        response = api.patch(f"/api/v1/applications/{bad}/", {"summary": "x"}, format="json")
        assert response.status_code == 404
    assert api.get(f"/api/v1/applications/{pk}/").json()["summary"] != "x"


# --- Prefer: return=minimal (RFC 7240; issue 15) ------------------------------------------------

MINIMAL = {"HTTP_PREFER": "return=minimal"}


def _event_columns(event) -> dict:
    """An audit event's columns but its id, time, the values saved (which differ by save) and its
    place in the chain (given once sealed: at once where the chain is sealed inline, SQLite)."""
    from portal.models import AuditEvent

    return {f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields
            if f.name not in ("id", "created_at", "before", "after", "seq", "prev_hash", "hash")}


def test_autosave_with_return_minimal_is_a_204_saving_the_same_row_and_event(world):
    from applications.models import Application
    from portal.models import AuditEvent

    api = as_user(APIClient(), world.applicant)
    pk = api.post("/api/v1/applications/", create_payload(world), format="json").json()["id"]
    full = api.patch(f"/api/v1/applications/{pk}/", {"summary": "完整的回答"}, format="json")
    assert full.status_code == 200 and full.json()["summary"] == "完整的回答"
    full_event = AuditEvent.objects.filter(action="application.edit").latest("id")
    before = Application.objects.get(pk=pk)
    response = api.patch(f"/api/v1/applications/{pk}/", {"summary": "简短 <i>&"}, format="json", **MINIMAL)
    assert response.status_code == 204 and response.content == b""
    assert response["Preference-Applied"] == "return=minimal" and "Content-Type" not in response
    after = Application.objects.get(pk=pk)
    assert after.summary == "简短 <i>&" and after.updated_at > before.updated_at
    assert {f.attname: getattr(after, f.attname) for f in Application._meta.concrete_fields
            if f.name not in ("summary", "updated_at")} == {
        f.attname: getattr(before, f.attname) for f in Application._meta.concrete_fields
        if f.name not in ("summary", "updated_at")}
    event = AuditEvent.objects.filter(action="application.edit").latest("id")
    assert event.pk != full_event.pk and _event_columns(event) == _event_columns(full_event)
    assert (event.seq is None) == (full_event.seq is None)  # both waiting for the sequencer, or both chained
    assert (event.before, event.after) == ({"summary": "完整的回答"}, {"summary": "简短 <i>&"})
    # The full answer afterwards is what a fresh read gives, as before.
    again = api.patch(f"/api/v1/applications/{pk}/", {"summary": "再完整"}, format="json")
    assert again.status_code == 200 and "Preference-Applied" not in again
    assert again.content == api.get(f"/api/v1/applications/{pk}/").content


def test_autosave_without_return_minimal_answers_the_application(world):
    """No ``Prefer``, or another preference (``return=representation``, an unknown one, a second
    ``return`` after the first): the full answer, the bytes a fresh read gives."""
    api = as_user(APIClient(), world.applicant)
    pk = api.post("/api/v1/applications/", create_payload(world), format="json").json()["id"]
    for prefer in (None, "return=representation", "respond-async", "return=representation, return=minimal",
                   "return=minimalist"):
        extra = {} if prefer is None else {"HTTP_PREFER": prefer}
        response = api.patch(f"/api/v1/applications/{pk}/", {"summary": f"总结 {prefer}"}, format="json", **extra)
        assert response.status_code == 200 and "Preference-Applied" not in response, prefer
        assert response.content == api.get(f"/api/v1/applications/{pk}/").content, prefer


def test_prefer_header_parsing():
    from rest_framework.test import APIRequestFactory

    from applications.api import prefers_minimal

    factory = APIRequestFactory()
    for header, expected in (("return=minimal", True), ("RETURN = \"Minimal\"", True),
                             ("respond-async, return=minimal; foo=bar", True), ("wait=10,return=minimal", True),
                             ("return=representation", False), ("return=minimal-ish", False), ("", False),
                             ("return=representation, return=minimal", False), ("returns=minimal", False)):
        assert prefers_minimal(factory.patch("/", HTTP_PREFER=header)) is expected, header
    assert prefers_minimal(factory.patch("/")) is False


def test_autosave_with_return_minimal_still_refuses_with_the_json_error(world, returned):  # noqa: F811
    """Invalid input, a field a return did not unlock, someone else's application, an id past any
    row: the same status and JSON as without the preference."""
    from rest_framework.renderers import JSONRenderer

    from applications.serializers import ApplicationUpdateInput

    api = as_user(APIClient(), world.applicant)
    pk = returned.pk
    for bad in ({"level": "emperor"}, {"summary": "长" * 20001}, {"pathway": None}, [1]):
        response = api.patch(f"/api/v1/applications/{pk}/", bad, format="json", **MINIMAL)
        reference = ApplicationUpdateInput(data=bad, partial=True)
        assert not reference.is_valid()
        assert response.status_code == 400 and "Preference-Applied" not in response, bad
        assert response.json() == json.loads(JSONRenderer().render(reference.errors)), bad
    url = f"/api/v1/applications/{returned.pk}/"
    locked = api.patch(url, {"justification": "x"}, format="json", **MINIMAL)
    assert locked.status_code == 400 and locked.json() == api.patch(url, {"justification": "x"},
                                                                   format="json").json()
    assert locked.json()["field"] == "justification"
    assert api.patch(url, {"summary": "补正后"}, format="json", **MINIMAL).status_code == 204  # unlocked
    other = as_user(APIClient(), world.hr)
    for target in (pk, 2**63):
        response = other.patch(f"/api/v1/applications/{target}/", {"summary": "x"}, format="json", **MINIMAL)
        assert response.status_code == 404 and response.json()["detail"], target
    from applications.models import Application

    assert Application.objects.get(pk=pk).summary == "补正后"


def test_autosave_with_return_minimal_of_the_level_checks_the_call(world):
    from applications.models import Application

    api = as_user(APIClient(), world.applicant)
    pk = api.post("/api/v1/applications/", create_payload(world), format="json").json()["id"]
    with CaptureQueriesContext(connection) as context:
        response = api.patch(f"/api/v1/applications/{pk}/", {"level": "junior", "summary": "s"}, format="json",
                             **MINIMAL)
    assert response.status_code == 204
    # The call's check reads what it needs with the lock: no object of the row read on its own.
    assert len([q for q in context.captured_queries if 'FROM "applications_application"' in q["sql"]]) == 1
    for table in ("portal_organization", "applications_specialty"):
        by_id = f'WHERE "{table}"."id" = '
        assert not [q for q in context.captured_queries if by_id in q["sql"]], table
    application = Application.objects.get(pk=pk)
    assert (application.level, application.summary) == ("junior", "s")
    assert application.title_name == api.get(f"/api/v1/applications/{pk}/").json()["title_name"]
    refused = api.patch(f"/api/v1/applications/{pk}/", {"level": "emperor"}, format="json", **MINIMAL)
    assert refused.status_code == 400


def test_autosave_with_return_minimal_reads_the_row_alone_in_fixed_queries(world):
    """The minimal save locks the row with no join (and so sets no join order), reads none of the
    answer's lists, writes the changed columns, and costs the same number of queries each time."""
    api = as_user(APIClient(), world.applicant)
    pk = api.post("/api/v1/applications/", create_payload(world), format="json").json()["id"]
    counts = []
    for text in ("一", "二", "三"):
        with CaptureQueriesContext(connection) as context:
            response = api.patch(f"/api/v1/applications/{pk}/", {"summary": text}, format="json", **MINIMAL)
        assert response.status_code == 204
        queries = [q["sql"] for q in context.captured_queries]
        counts.append(len(queries))
    [lock] = [q for q in queries if 'FROM "applications_application"' in q]
    assert " JOIN " not in lock and '"frozen_profile"' not in lock and "ORDER BY" not in lock
    assert "FOR UPDATE" in lock or not connection.features.has_select_for_update
    assert not [q for q in queries if q.startswith("SET LOCAL")]
    assert not [q for q in queries if 'FROM "applications_achievement"' in q or 'FROM "applications_attachment"' in q]
    [update] = [q for q in queries if q.startswith('UPDATE "applications_application"')]
    assert '"summary"' in update and '"updated_at"' in update and '"status"' not in update
    assert len([q for q in queries if q.startswith('INSERT INTO "portal_auditevent"')]) == 1
    # The lock, the update, the event, in the transaction (a savepoint inside the test's): no more
    # (where the chain is sealed inline, SQLite, the seal pass's queries besides).
    from django.conf import settings

    assert counts[0] == counts[1] == counts[2], queries
    assert settings.AUDIT_CHAIN_INLINE or counts[0] == 5, queries
    other = as_user(APIClient(), world.hr)  # someone else's draft stays a 404
    assert other.patch(f"/api/v1/applications/{pk}/", {"summary": "x"}, format="json", **MINIMAL).status_code == 404


def test_autosave_with_return_minimal_keeps_csrf_for_sessions_and_opens_to_tokens(world):
    """The preference changes the answer only: a session caller without the CSRF token is refused
    (403, its JSON) and nothing is saved; a caller with an API token saves (204)."""
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    from applications.models import Application
    from tests.portal.test_api_tokens import PASSWORD, obtain, token_client

    pk = world.create().pk
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(world.applicant)
    url = f"/api/v1/applications/{pk}/"
    refused = session.patch(url, {"summary": "无令牌"}, format="json", **MINIMAL)
    assert refused.status_code == 403 and refused.json()["detail"] and "Preference-Applied" not in refused
    assert Application.objects.get(pk=pk).summary != "无令牌"
    token = get_token(RequestFactory().get("/"))
    session.cookies["csrftoken"] = token
    saved = session.patch(url, {"summary": "有令牌"}, format="json", HTTP_X_CSRFTOKEN=token, **MINIMAL)
    assert saved.status_code == 204 and Application.objects.get(pk=pk).summary == "有令牌"
    world.applicant.set_password(PASSWORD)
    world.applicant.save(update_fields=["password"])
    api = token_client(obtain(world.applicant))
    response = api.patch(url, {"summary": "凭令牌"}, format="json", **MINIMAL)
    assert response.status_code == 204 and Application.objects.get(pk=pk).summary == "凭令牌"
