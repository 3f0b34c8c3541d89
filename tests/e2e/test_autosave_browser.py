"""The application form's autosave in Chromium: as the applicant types, the browser PATCHes the
draft asking for no answer (``Prefer: return=minimal``, issue 15), the API answers 204 with
``Preference-Applied``, the page says it was saved, and the draft holds the text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from applications.models import Application
from tests.applications.conftest import world  # noqa: F401 - the fixture
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


def test_the_draft_autosaves_as_the_applicant_types_with_an_empty_answer(page, world):  # noqa: F811
    application = world.create()
    login(page, world.applicant.mobile)
    page.goto(f"/applications/{application.pk}/edit/basics/")
    summary = page.locator("[data-autosave=summary]")
    with page.expect_response(lambda r: r.request.method == "PATCH") as saved:
        summary.fill("主持完成装备制造工艺改进 · 阿依古丽·买买提")
    response = saved.value
    assert response.status == 204
    assert response.headers.get("preference-applied") == "return=minimal"
    assert response.request.headers.get("prefer") == "return=minimal"
    expect(page.locator("[data-autosave-status]")).to_contain_text("已保存")
    application.refresh_from_db()
    assert application.summary == "主持完成装备制造工艺改进 · 阿依古丽·买买提"
    assert Application.objects.get(pk=application.pk).status == "draft"
