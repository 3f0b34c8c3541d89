"""The API's content negotiation remembers DRF's choice and never differs from it (issue 15)."""

from __future__ import annotations

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from portal import negotiation
from portal.negotiation import RememberedContentNegotiation

HEADERS = [
    None, "*/*", "", "application/json", "application/json; indent=4", "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "application/*", "application/json;q=0.1, text/html", "text/*;q=0.5, */*;q=0.1", "image/png",
    "application/vnd.oai.openapi", "  application/json  ", "x" * 600,
]


def _request(accept, query=""):
    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get("/api/v1/x/" + query, **extra))


def _choose(negotiation_class, accept, query="", suffix=None, renderer_classes=(JSONRenderer, BrowsableAPIRenderer)):
    renderers = [renderer_class() for renderer_class in renderer_classes]
    try:
        renderer, media_type = negotiation_class().select_renderer(_request(accept, query), renderers, suffix)
    except Exception as error:  # NotAcceptable (406), or Http404 for an unknown format
        return type(error).__name__
    return renderers.index(renderer), media_type


@pytest.mark.parametrize("accept", HEADERS)
@pytest.mark.parametrize("query,suffix", [("", None), ("?format=json", None), ("?format=api", None),
                                          ("?format=xml", None), ("", "json")])
def test_negotiation_chooses_what_drf_chooses(accept, query, suffix):
    for renderer_classes in ((JSONRenderer, BrowsableAPIRenderer), (JSONRenderer,), (BrowsableAPIRenderer,
                                                                                     JSONRenderer)):
        expected = _choose(DefaultContentNegotiation, accept, query, suffix, renderer_classes)
        first = _choose(RememberedContentNegotiation, accept, query, suffix, renderer_classes)
        again = _choose(RememberedContentNegotiation, accept, query, suffix, renderer_classes)  # remembered
        assert first == again == expected, (accept, query, suffix, renderer_classes)


def test_negotiation_keeps_a_bounded_memory_and_never_long_headers():
    negotiation._choice.cache_clear()
    for i in range(negotiation.CHOICES_KEPT * 2):
        _choose(RememberedContentNegotiation, f"application/json; v={i}")
    assert negotiation._choice.cache_info().currsize == negotiation.CHOICES_KEPT
    negotiation._choice.cache_clear()
    assert _choose(RememberedContentNegotiation, "application/json," + "a" * 600) == (0, "application/json")
    assert negotiation._choice.cache_info().currsize == 0


def test_negotiation_is_the_portals_default():
    assert api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS is RememberedContentNegotiation


@pytest.mark.django_db
def test_api_answers_406_for_what_it_cannot_render(client):
    answer = client.get("/api/v1/certificates/verify/?number=X&name=Y", HTTP_ACCEPT="image/png")
    assert answer.status_code == 406
    assert client.get("/api/v1/certificates/verify/?number=X&name=Y",
                      HTTP_ACCEPT="application/json").status_code != 406
