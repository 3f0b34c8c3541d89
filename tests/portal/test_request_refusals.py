"""What Django refuses before (or outside) a view: a query string or body of more than
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields, a Host not served, a malformed multipart body. Every
``/api/`` path answers the API's own JSON error (``InvalidInput``) in the caller's language; a page
answers the HTML 400, in the reader's language. Nothing is changed and no traceback is logged."""

from __future__ import annotations

import logging

import pytest

from portal.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "&".join(f"f{i}=x" for i in range(1001))
#: The too-many-fields message, per language.
WORDS = {"zh-hans": "字段或文件过多", "ug": "ھۆججەت بەك كۆپ", "en": "too many fields or files"}
#: The generic bad-request message, per language.
NOT_UNDERSTOOD = {"zh-hans": "无法识别该请求", "ug": "تەلەپنى چۈشەنگىلى بولمىدى", "en": "could not be understood"}


def _no_traceback(caplog):
    assert not [r for r in caplog.records if r.exc_info], "a refusal a user can cause logged a traceback"


def _api_error(response, word):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "InvalidInput"
    assert word in body["detail"]


def _page_error(response, word):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert word in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_api_get_of_too_many_query_parameters_answers_the_api_error_in_the_callers_language(
        client, caplog, language):
    caplog.set_level(logging.INFO)
    response = client.get(f"/api/v1/regions/?{TOO_MANY}", HTTP_ACCEPT_LANGUAGE=language)
    _api_error(response, WORDS[language])
    _no_traceback(caplog)
    assert any(r.name == "django.security.TooManyFieldsSent" for r in caplog.records)


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_api_post_of_too_many_query_parameters_answers_the_api_error_and_changes_nothing(
        client, caplog, language):
    response = client.post(f"/api/v1/accounts/register/?{TOO_MANY}",
                           {"real_name": "张三", "mobile": "13811112222"}, content_type="application/json",
                           HTTP_ACCEPT_LANGUAGE=language)
    _api_error(response, WORDS[language])
    _no_traceback(caplog)
    assert not User.objects.filter(mobile="13811112222").exists()


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_api_post_of_a_body_of_too_many_fields_answers_the_api_error_in_the_callers_language(
        client, caplog, language):
    body = TOO_MANY + "&real_name=张三&mobile=13811112222"
    response = client.post("/api/v1/accounts/register/", body, content_type="application/x-www-form-urlencoded",
                           HTTP_ACCEPT_LANGUAGE=language)
    _api_error(response, WORDS[language])
    _no_traceback(caplog)
    assert not User.objects.filter(mobile="13811112222").exists()


def test_api_answers_in_the_signed_in_persons_own_language_whatever_the_browser_asks(client):
    user = UserFactory(language="ug")
    client.force_login(user)
    response = client.get(f"/api/v1/me/?{TOO_MANY}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    _api_error(response, WORDS["ug"])


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_page_get_of_too_many_query_parameters_keeps_the_html_400_in_the_readers_language(
        client, caplog, language):
    response = client.get(f"/rules/?{TOO_MANY}", HTTP_ACCEPT_LANGUAGE=language)
    _page_error(response, WORDS[language])
    _no_traceback(caplog)


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_page_post_of_too_many_fields_keeps_the_html_400_and_signs_nobody_in(client, caplog, language):
    user = UserFactory()
    body = TOO_MANY + f"&username={user.mobile}&password=Passw0rd!x"
    response = client.post("/accounts/login/", body, content_type="application/x-www-form-urlencoded",
                           HTTP_ACCEPT_LANGUAGE=language)
    _page_error(response, WORDS[language])
    _no_traceback(caplog)
    assert "_auth_user_id" not in client.session


def test_page_post_of_too_many_fields_with_the_csrf_check_on_keeps_the_html_400(caplog):
    """The CSRF check is where a real browser's body is read first."""
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", TOO_MANY,
                                                     content_type="application/x-www-form-urlencoded",
                                                     HTTP_ACCEPT_LANGUAGE="ug")
    assert response.status_code in (400, 403)  # refused either way, never a 500
    _no_traceback(caplog)


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_a_host_not_served_answers_json_under_api_and_html_on_pages(client, caplog, language):
    api = client.get("/api/v1/regions/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE=language)
    _api_error(api, NOT_UNDERSTOOD[language])
    page = client.get("/rules/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE=language)
    _page_error(page, NOT_UNDERSTOOD[language])
    _no_traceback(caplog)
    assert any(r.name == "django.security.DisallowedHost" for r in caplog.records)


#: A multipart body Django cannot parse: its boundary is empty.
BROKEN = b"--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nvalue"
BROKEN_TYPE = "multipart/form-data; boundary="


def _one_line_logged(caplog):
    """One log line names the refusal, none carries a traceback (Django's own would, at ERROR)."""
    _no_traceback(caplog)
    lines = [r for r in caplog.records if "MultiPartParserError" in r.getMessage() or r.name == "django.request"]
    assert len(lines) == 1, [r.getMessage() for r in lines]


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_malformed_multipart_body_posted_to_a_page_is_refused_with_the_400_page_not_taken_as_an_empty_form(
        client, caplog, language):
    """The NUL-character middleware reads the form first: a parse error there used to be lost, and
    the login form came back (200) as if nothing had been sent."""
    from axes.models import AccessAttempt

    caplog.set_level(logging.INFO)
    response = client.generic("POST", "/accounts/login/", BROKEN, content_type=BROKEN_TYPE,
                              HTTP_ACCEPT_LANGUAGE=language)
    _page_error(response, NOT_UNDERSTOOD[language])
    _one_line_logged(caplog)
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_malformed_multipart_body_posted_to_a_signed_in_form_changes_nothing_and_answers_in_the_users_language(
        client, caplog, language):
    from portal.models import Organization

    user = UserFactory(language=language)
    client.force_login(user)
    before = Organization.objects.count()
    other = "ug" if language == "zh-hans" else "zh-hans"
    response = client.generic("POST", "/enterprises/register/", BROKEN, content_type=BROKEN_TYPE,
                              HTTP_ACCEPT_LANGUAGE=other)
    _page_error(response, NOT_UNDERSTOOD[language])
    _one_line_logged(caplog)
    assert Organization.objects.count() == before


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_malformed_multipart_body_with_the_csrf_check_on_is_the_400_not_a_csrf_failure(caplog, language):
    """A browser sends its CSRF token in the body; the body being unreadable, Django's CSRF check
    would find no token and answer 403. The body is refused first, as unreadable: the 400 page."""
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    secret = _get_new_csrf_string()
    browser.cookies["csrftoken"] = secret
    body = BROKEN + b"\r\n--x\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n" + \
        secret.encode()
    response = browser.generic("POST", "/accounts/login/", body, content_type=BROKEN_TYPE,
                               HTTP_ACCEPT_LANGUAGE=language)
    _page_error(response, NOT_UNDERSTOOD[language])
    without_cookie = Client(enforce_csrf_checks=True).generic("POST", "/accounts/login/", BROKEN,
                                                              content_type=BROKEN_TYPE, HTTP_ACCEPT_LANGUAGE=language)
    _page_error(without_cookie, NOT_UNDERSTOOD[language])
    _no_traceback(caplog)


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_malformed_multipart_body_posted_to_the_api_answers_the_api_error_in_the_callers_language(
        client, caplog, language):
    """DRF's own answer was English and quoted the boundary sent ("Multipart form parse error - ...")."""
    caplog.set_level(logging.INFO)
    response = client.generic("POST", "/api/v1/accounts/register/", b"--x\r\n",
                              content_type='multipart/form-data; boundary="a b\x01"', HTTP_ACCEPT_LANGUAGE=language)
    _api_error(response, NOT_UNDERSTOOD[language])
    assert "boundary" not in response.content.decode() and "a b" not in response.content.decode()
    _one_line_logged(caplog)
    assert not User.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_malformed_multipart_body_posted_to_a_multipart_api_view_changes_nothing(client, caplog, language):
    """A view that names DRF's multipart parser itself (``parser_classes``) answers the same."""
    from portal.models import Organization

    client.force_login(UserFactory(language=language))
    before = Organization.objects.count()
    response = client.generic("POST", "/api/v1/enterprises/", BROKEN, content_type=BROKEN_TYPE)
    _api_error(response, NOT_UNDERSTOOD[language])
    _one_line_logged(caplog)
    assert Organization.objects.count() == before


def test_a_multipart_body_too_large_for_the_form_is_refused_not_taken_as_an_empty_form(client, settings, caplog):
    """Too many fields in a multipart body was lost the same way."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    data = {f"f{i}": "x" for i in range(5)}
    response = client.post("/accounts/login/", data, HTTP_ACCEPT_LANGUAGE="ug")  # multipart, as the client sends
    _page_error(response, WORDS["ug"])
    _no_traceback(caplog)
