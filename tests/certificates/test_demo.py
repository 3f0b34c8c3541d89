"""``manage.py demo_data`` issues demo certificates that every certificate page
can show: one batch of the demo bureau, PDFs rendered, one revoked; a
second run changes nothing."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from certificates.models import Certificate, IssueBatch


def test_demo_data_issues_verifiable_certificates_idempotently(client, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_data", stdout=out)
    certificates = list(Certificate.objects.filter(grant_key__startswith="demo:certificate:").order_by("grant_key"))
    assert [c.status for c in certificates] == ["valid", "valid", "revoked"]
    assert all(c.pdf_ready for c in certificates)
    assert certificates[0].holder.mobile == "13900000003"  # the demo applicant holds one
    assert certificates[1].number in out.getvalue()  # printed, to try on /verify/
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_data_certificates", stdout=StringIO())
    assert Certificate.objects.filter(grant_key__startswith="demo:certificate:").count() == 3
    assert IssueBatch.objects.count() == 1
    page = client.post(reverse("certificate-verify"), {"number": certificates[2].number,
                                                       "name": certificates[2].holder_name})
    assert page.status_code == 200 and b'data-status="revoked"' in page.content
