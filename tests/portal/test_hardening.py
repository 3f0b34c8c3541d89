"""Issue 14: nothing an outsider types crashes a page, and the back office's login opens for anyone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from portal.models import Organization, User
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, hr_admin_of

NUL = "\x00"


@pytest.fixture
def api():
    return APIClient()


# --- 2. NUL characters -------------------------------------------------------------------------

@pytest.mark.parametrize("path, params", [
    ("/publicity/", {"q": NUL}),
    ("/bureau/certificates/", {"q": NUL}),
    ("/review/bureau/committees/", {"status": NUL}),
    ("/integrity/reports/", {"q": f"a{NUL}b"}),
    ("/", {f"k{NUL}": "v"}),
])
def test_nul_in_a_query_string_is_a_400_in_the_users_language(client, path, params):
    client.force_login(bureau_officer())
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "空字符" in response.content.decode()  # the message, in Chinese
    with translation.override("zh-hans"):
        assert translation.gettext("Bad request") in response.content.decode()


def test_nul_in_an_api_query_string_is_a_json_400(api):
    enterprise = EnterpriseFactory()
    api.force_authenticate(hr_admin_of(enterprise))
    response = api.get(f"/api/v1/enterprises/{enterprise.pk}/applications/", {"name": NUL})
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert response.json()["detail"]


def test_nul_in_a_form_is_refused_and_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("my-settings"), {"language": f"en{NUL}"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.language == ""


def test_nul_in_a_multipart_form_is_refused(client, png_file):
    response = client.post(reverse("integrity-report"), {"description": f"x{NUL}y", "evidence": png_file})
    assert response.status_code == 400


def test_nul_in_json_is_refused_and_changes_nothing(api):
    before = User.objects.count()
    response = api.post("/api/v1/accounts/register/", {"mobile": "13800001111", "real_name": "张\u0000三",
                                                        "password": "Passw0rd!x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert User.objects.count() == before
    enterprise_count = Organization.objects.count()
    api.force_authenticate(UserFactory())
    response = api.post("/api/v1/enterprises/", b'{"name": "\\u0000"}', content_type="application/json")
    assert response.status_code == 400
    assert Organization.objects.count() == enterprise_count


def test_text_without_nul_still_reaches_the_view(client, api):
    assert client.get("/publicity/", {"q": "张三 \\u0000 %00"}).status_code == 200
    response = api.post("/api/v1/accounts/register/", b'{"real_name": "\\\\u0000"}', content_type="application/json")
    assert response.status_code == 400 and response.json().get("code") != "nul_character"


# --- 3. The back office's login page -------------------------------------------------------------

def test_admin_login_page_opens_for_an_anonymous_visitor(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200


def test_admin_index_is_not_shown_to_a_logged_in_non_staff_user(client):
    client.force_login(UserFactory())
    assert client.get("/admin/").status_code == 302
