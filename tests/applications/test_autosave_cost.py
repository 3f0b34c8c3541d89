"""Issue 15 (the deadline peak): an autosave costs a fixed, small number of
queries; it writes only the changed columns and looks up no reviewer scope."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.applications.test_api import as_user, create_payload

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
    assert len(autosave(api, pk, "再一次")) == len(queries) <= 13
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
