"""URLs of ``test_request_user``: the portal's, plus a logged-in page that is base.html with an empty
block, to count what every page pays before its own work."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path


@login_required
def base_only(request):
    template = engines["django"].from_string("{% extends 'base.html' %}{% block content %}{% endblock %}")
    return HttpResponse(template.render({}, request))


urlpatterns = [
    path("test/base-only/", base_only, name="test-base-only"),
    path("", include("portal.urls")),
]
