"""The deadline-peak bench's own URLs (``bench/peak.py served --modes floor`` only; never in the
portal): the portal's, plus the bare write, the yardstick of what one autosave costs at the least
on this machine and this stack.

``PATCH /bench/write/<id>/`` passes the same middleware as the API (session, CSRF, the user read,
the language), then, in one transaction, locks the applicant's own draft and writes its summary
from the JSON body, and answers 204: no DRF, no validation, no audit event, no answer body.
"""

import json

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import include, path


def write(request, pk: int):
    if request.method != "PATCH" or not request.user.is_authenticated:
        return HttpResponse(status=403)
    summary = str(json.loads(request.body)["summary"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM applications_application WHERE id = %s AND applicant_id = %s "
                       "AND status = 'draft' FOR UPDATE", [pk, request.user.pk])
        if cursor.fetchone() is None:
            return HttpResponse(status=404)
        cursor.execute("UPDATE applications_application SET summary = %s, updated_at = now() WHERE id = %s",
                       [summary, pk])
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/write/<int:pk>/", write),
    path("", include("portal.urls")),
]
