"""The bench's own URLs (bench/pages.py only; never in the portal): the
portal's, plus two yardsticks served by the same gunicorn in the same run:

- ``/bench/ok/``: a bare Django view answering "ok";
- ``/bench/lookup/?number=``: a bare view doing one indexed lookup of a
  certificate by number and answering its public fields as JSON.
"""

from django.http import HttpResponse, JsonResponse
from django.urls import include, path

from certificates.models import Certificate


def ok(request):
    return HttpResponse("ok")


def lookup(request):
    row = (Certificate.objects.filter(number=request.GET.get("number", ""))
           .values("number", "holder_name", "title_name", "series_name", "specialty_name", "level", "method",
                   "granting_body_name", "date_granted", "date_issued", "status").first())
    return JsonResponse(row or {"status": "not_found"})


def serve_hook(application) -> None:
    """``bench/serve.py``'s hook: the portal's URLs and the two yardsticks; static files from the
    source folders (production reads a manifest written by collectstatic, which the bench does
    not run): the same URLs, one dictionary look-up less."""
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.pages_urls"
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


urlpatterns = [
    path("bench/ok/", ok),
    path("bench/lookup/", lookup),
    path("", include("portal.urls")),
]
