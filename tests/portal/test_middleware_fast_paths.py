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
