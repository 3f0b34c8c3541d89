"""Issue 15: the portal's middlewares do no needless work on a logged-in GET, and answer exactly as
before: a NUL in a query string is still refused (GET and HEAD), a logged-in answer is still
``private, no-store`` whatever the view set."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import patch_cache_control

from portal.middleware import NulCharacterRefusalMiddleware, PrivateCacheMiddleware


class _User:
    is_authenticated = True


def _private(view_headers: dict) -> HttpResponse:
    def view(request):
        response = HttpResponse("ok")
        for name, value in view_headers.items():
            response[name] = value
        return response

    request = RequestFactory().get("/x/")
    request.user = _User()
    return PrivateCacheMiddleware(view)(request)


def test_private_no_store_written_as_patch_cache_control_writes_it():
    expected = HttpResponse("ok")
    patch_cache_control(expected, private=True, no_store=True)
    assert _private({})["Cache-Control"] == expected["Cache-Control"] == "private, no-store"


def test_private_no_store_added_to_what_a_view_set_and_public_dropped():
    parts = {p.strip() for p in _private({"Cache-Control": "public, max-age=60"})["Cache-Control"].split(",")}
    assert parts == {"private", "no-store", "max-age=60"}


def test_anonymous_answer_keeps_its_headers():
    request = RequestFactory().get("/x/")
    response = PrivateCacheMiddleware(lambda r: HttpResponse("ok"))(request)
    assert "Cache-Control" not in response


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("query", ["q=a%00b", "k%00=v"])
def test_nul_in_the_query_string_of_a_get_or_head_is_refused(method, query):
    request = getattr(RequestFactory(), method)("/x/?" + query)
    response = NulCharacterRefusalMiddleware(lambda r: HttpResponse("ok"))(request)
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["get", "head"])
def test_get_without_nul_reaches_the_view(method):
    for path in ("/x/", "/x/?q=abc"):
        request = getattr(RequestFactory(), method)(path)
        assert NulCharacterRefusalMiddleware(lambda r: HttpResponse("ok"))(request).status_code == 200


# --- The language (portal.middleware.LocaleMiddleware) and the message storage (MessageMiddleware) ---

def _through(middleware_class, request, response):
    from django.contrib.sessions.middleware import SessionMiddleware

    SessionMiddleware(lambda r: response).process_request(request)
    return middleware_class(lambda r: response)(request)


@pytest.mark.parametrize("accept", ["zh-CN,zh;q=0.9", "ug", "en-US,en;q=0.8", "fr", ""])
@pytest.mark.parametrize("vary", [None, "Cookie", "*"])
@pytest.mark.parametrize("cookie", [None, "ug", "en"])
def test_the_language_and_its_headers_are_the_ones_djangos_locale_middleware_gives(accept, vary, cookie, settings):
    from django.middleware.locale import LocaleMiddleware as Django
    from django.utils import translation

    from portal.middleware import LocaleMiddleware

    answers = []
    for middleware in (Django, LocaleMiddleware):
        request = RequestFactory().get("/api/v1/applications/7/", HTTP_ACCEPT_LANGUAGE=accept)
        if cookie:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
        response = HttpResponse("{}", content_type="application/json")
        if vary:
            response["Vary"] = vary
        with translation.override(None):
            answer = _through(middleware, request, response)
            answers.append((request.LANGUAGE_CODE, translation.get_language(), answer.get("Vary"),
                            answer.get("Content-Language")))
    assert answers[0] == answers[1]


def test_the_language_is_chosen_without_looking_for_a_prefix_in_the_path(client, monkeypatch):
    """The portal's URLs have no language prefixes: the path is not parsed for one (issue 15)."""
    from django.utils import translation
    from django.utils.translation import trans_real

    def refuse(path):
        raise AssertionError(f"looked for a language prefix in {path}")

    monkeypatch.setattr(trans_real, "get_language_from_path", refuse)
    monkeypatch.setattr(translation, "get_language_from_path", refuse)
    response = client.get("/rules/", HTTP_ACCEPT_LANGUAGE="ug")
    assert response.status_code == 200 and response["Content-Language"] == "ug"
    assert "Accept-Language" in response["Vary"]


def test_the_message_storage_is_made_only_when_used(monkeypatch):
    from django.contrib import messages
    from django.contrib.messages import storage

    from portal.middleware import MessageMiddleware

    made = []
    default_storage = storage.default_storage
    monkeypatch.setattr(storage, "default_storage", lambda request: made.append(1) or default_storage(request))

    untouched = _through(MessageMiddleware, RequestFactory().get("/x/"), HttpResponse("ok"))
    assert made == [] and not untouched.cookies

    def view(request):
        messages.success(request, "saved")
        return HttpResponse("ok")

    from django.contrib.sessions.middleware import SessionMiddleware

    request = RequestFactory().get("/x/")
    SessionMiddleware(view).process_request(request)
    response = MessageMiddleware(view)(request)
    assert made == [1]
    assert [m.message for m in default_storage(_with_cookies(request, response))] == ["saved"]


def _with_cookies(request, response):
    """A next request carrying the cookies the response set (the message cookie)."""
    following = RequestFactory().get("/y/")
    following.COOKIES.update({name: morsel.value for name, morsel in response.cookies.items()})
    following.session = request.session
    return following


def test_client_address_parsed_once_per_text():
    from portal.middleware import _address, client_address

    _address.cache_clear()
    for _ in range(3):
        assert client_address({"REMOTE_ADDR": "10.0.0.7"}, num_proxies=0, trusted_proxies=()) == "10.0.0.7"
    assert _address.cache_info().misses == 1 and _address.cache_info().hits == 2
    assert client_address({"REMOTE_ADDR": "not an address"}, num_proxies=0, trusted_proxies=()) is None
