"""Issue 15: ``portal.middleware.CSPMiddleware`` builds the Content-Security-Policy text once per
process for responses that change nothing of the policy; every header it sets is the one django-csp
sets, with a nonce when a page used one and with a view's own policy when it has one."""

from __future__ import annotations

import pytest
from csp.constants import NONCE, SELF
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from portal.middleware import CSPMiddleware

HEADER = "Content-Security-Policy"


def _both(view, path: str = "/x/"):
    """The response of ``view`` through the portal's middleware and through django-csp's."""
    ours = CSPMiddleware(view)(RequestFactory().get(path))
    theirs = DjangoCSPMiddleware(view)(RequestFactory().get(path))
    return ours, theirs


def test_settings_middleware_is_the_portal_one(settings):
    assert "portal.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE


def test_plain_response_gets_django_csp_header():
    ours, theirs = _both(lambda request: HttpResponse("ok"))
    assert ours[HEADER] == theirs[HEADER]
    assert "default-src 'self'" in ours[HEADER] and "frame-ancestors 'none'" in ours[HEADER]
    assert ("Content-Security-Policy-Report-Only" in ours) == ("Content-Security-Policy-Report-Only" in theirs)


def test_nonce_used_by_a_page_is_in_its_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}
    nonces = []

    def view(request):
        nonces.append(str(request.csp_nonce))
        return HttpResponse("ok")

    response = CSPMiddleware(view)(RequestFactory().get("/x/"))
    assert f"'nonce-{nonces[0]}'" in response[HEADER]
    ours, theirs = _both(lambda request: HttpResponse("ok"))  # no nonce used: none in the header
    assert ours[HEADER] == theirs[HEADER] and "nonce-" not in ours[HEADER]


def test_nonce_asked_after_the_header_is_written_raises():
    request = RequestFactory().get("/x/")
    CSPMiddleware(lambda r: HttpResponse("ok"))(request)
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)


# Same-site sources only: the portal loads nothing from outside the site.
@pytest.mark.parametrize("attribute, value, shown", [
    ("_csp_update", {"img-src": ["blob:"]}, "blob:"),
    ("_csp_replace", {"script-src": ["'self'", "'wasm-unsafe-eval'"]}, "script-src 'self' 'wasm-unsafe-eval'"),
    ("_csp_config", {"default-src": ["'none'"]}, "default-src 'none'"),
])
def test_a_views_own_policy_goes_through_django_csp(attribute, value, shown):
    def view(request):
        response = HttpResponse("ok")
        setattr(response, attribute, value)
        return response

    ours, theirs = _both(view)
    assert ours[HEADER] == theirs[HEADER]
    assert shown in ours[HEADER]


def test_exempt_response_and_header_already_set_are_kept():
    def exempt(request):
        response = HttpResponse("ok")
        response._csp_exempt = True
        return response

    def own(request):
        response = HttpResponse("ok")
        response[HEADER] = "default-src 'none'"
        return response

    assert HEADER not in CSPMiddleware(exempt)(RequestFactory().get("/x/"))
    assert CSPMiddleware(own)(RequestFactory().get("/x/"))[HEADER] == "default-src 'none'"


def test_excluded_prefix_and_setting_change(settings):
    settings.CONTENT_SECURITY_POLICY = {"EXCLUDE_URL_PREFIXES": ["/skip/"], "DIRECTIVES": {"default-src": [SELF]}}
    view = CSPMiddleware(lambda request: HttpResponse("ok"))
    assert HEADER not in view(RequestFactory().get("/skip/this/"))
    assert view(RequestFactory().get("/x/"))[HEADER] == "default-src 'self'"
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "data:"]}}
    assert "img-src 'self' data:" in view(RequestFactory().get("/x/"))[HEADER]
