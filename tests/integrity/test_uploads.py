"""Evidence files on the public fraud report (page and API, anonymous) and on
a case: an image bomb is a 400 with a message, never a 500; photos are
stored without their EXIF data."""

from __future__ import annotations

import io

from django.urls import reverse
from PIL import Image

from integrity import services
from integrity.models import Evidence, FraudReport
from tests.integrity.conftest import DESCRIPTION, open_case
from tests.uploads_helpers import GPS_IFD, jpeg_bomb, phone_photo, png_bomb, upload


def _report(grant, **extra) -> dict:
    return {"certificate_number": grant.certificate.number, "holder_name": grant.certificate.holder_name,
            "description": DESCRIPTION, **extra}


def test_public_report_page_refuses_an_image_bomb_with_a_400_and_stores_nothing(client, grant):
    response = client.post(reverse("integrity-report"),
                           _report(grant, evidence=[upload("scan.png", png_bomb(30000, 30000), "image/png")]))
    assert response.status_code == 400
    assert b"too large in pixels" in response.content and b"bomb.png" not in response.content
    assert not FraudReport.objects.exists() and not Evidence.objects.exists()


def test_public_report_api_refuses_an_image_bomb_with_a_400_and_stores_nothing(client, grant):
    response = client.post("/api/v1/integrity/reports/",
                           _report(grant, evidence=[upload("scan.jpg", jpeg_bomb(), "image/jpeg")]))
    assert response.status_code == 400
    assert response.json()["field"] == "evidence" and "too large in pixels" in response.json()["detail"]
    assert not FraudReport.objects.exists()


def test_public_report_stores_a_phone_photo_without_its_gps_position(client, grant):
    response = client.post("/api/v1/integrity/reports/",
                           _report(grant, evidence=[upload("IMG_1.jpg", phone_photo(5000, 3000), "image/jpeg")]))
    assert response.status_code == 201
    evidence = Evidence.objects.get()
    stored = Image.open(io.BytesIO(evidence.file.read()))
    assert stored.size == (2400, 4000) and not stored.getexif().get_ifd(GPS_IFD)
    assert evidence.size == evidence.file.size and evidence.name == "IMG_1.jpg"


def test_case_evidence_refuses_an_image_bomb_with_a_400(client, grant, supervisor):
    case = open_case(grant, supervisor)
    client.force_login(supervisor)
    response = client.post(reverse("integrity-case-detail", args=[case.pk]),
                           {"action": "evidence", "file": upload("x.png", png_bomb(), "image/png")})
    assert response.status_code == 400 and b"too large in pixels" in response.content
    assert not Evidence.objects.filter(case=case).exists()


def test_report_form_offers_the_limits_to_the_browser(client):
    page = client.get(reverse("integrity-report")).content.decode()
    assert f'data-upload-max="{services.max_file_bytes()}"' in page
    assert f'data-upload-max-files="{services.max_report_files()}"' in page
    assert 'data-upload="pdf jpeg png"' in page and "/static/portal/js/uploads.js" in page
