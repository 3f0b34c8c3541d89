"""Application materials and evidence: real scans (40 MB through the page and
the API, streamed to disk, never held in memory), phone photos stored
downscaled, and image bombs refused with a 400 on every way in."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.signals import request_started
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from applications import application_services as svc
from applications.models import Attachment
from portal.models import PolicySettings
from tests.uploads_helpers import jpeg_bomb, phone_photo, png_bomb, scanned_pdf, upload

MB = 1024 * 1024


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def memory_of_requests():
    """The peak of Python memory allocated while each request is handled
    (from ``request_started``: the test client's body, built before, is not counted)."""
    peaks: list[int] = []

    def start(**_kwargs):
        tracemalloc.start()

    request_started.connect(start)
    try:
        yield peaks
    finally:
        request_started.disconnect(start)
        if tracemalloc.is_tracing():
            tracemalloc.stop()


def _peak() -> int:
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


@pytest.fixture
def spy_uploads(monkeypatch):
    """The kind of file object each upload reached the service as."""
    seen = []
    real = svc.prepare_document

    def spy(upload, **kwargs):
        seen.append(upload)
        return real(upload, **kwargs)

    monkeypatch.setattr(svc, "prepare_document", spy)
    return seen


def test_a_40_mb_scan_goes_through_the_materials_page_streamed_to_disk(client, world, media, memory_of_requests,
                                                                         spy_uploads):
    application = world.create()
    client.force_login(world.applicant)
    scan = scanned_pdf(40 * MB)
    response = client.post(reverse("application-edit", args=[application.pk, "materials"]),
                           {"material": "work_summary", "file": upload("工作总结（扫描件）.pdf", scan,
                                                                       "application/pdf")})
    peak = _peak()
    assert response.status_code == 302, response.content[:500]
    attachment = Attachment.objects.get(application=application)
    assert attachment.size == len(scan) and attachment.original_name == "工作总结（扫描件）.pdf"
    assert (media / attachment.file.name).stat().st_size == len(scan)
    assert isinstance(spy_uploads[0], TemporaryUploadedFile)  # on disk, not in memory
    assert peak < 8 * MB, f"{peak / MB:.1f} MB held while handling a 40 MB upload"


def test_a_40_mb_scan_goes_through_the_attachments_api_streamed_to_disk(world, media, memory_of_requests,
                                                                          spy_uploads):
    application = world.create()
    api = APIClient()
    api.force_authenticate(world.applicant)
    scan = scanned_pdf(40 * MB)
    response = api.post(f"/api/v1/applications/{application.pk}/attachments/",
                        {"material": "work_summary", "file": upload("scan.pdf", scan, "application/pdf")},
                        format="multipart")
    peak = _peak()
    assert response.status_code == 201, response.content[:500]
    assert response.json()["size"] == len(scan) and response.json()["content_type"] == "application/pdf"
    assert isinstance(spy_uploads[0], TemporaryUploadedFile)
    assert peak < 8 * MB, f"{peak / MB:.1f} MB held while handling a 40 MB upload"


def test_a_phone_photo_over_8_mb_is_stored_downscaled_through_the_api(world, media):
    application = world.create()
    api = APIClient()
    api.force_authenticate(world.applicant)
    photo = phone_photo(6000, 4500, orientation=6, min_bytes=8 * MB + 1)
    response = api.post(f"/api/v1/applications/{application.pk}/attachments/",
                        {"material": "work_summary", "file": upload("IMG_0001.JPG", photo, "image/jpeg")},
                        format="multipart")
    assert response.status_code == 201
    attachment = Attachment.objects.get(application=application)
    stored = Image.open(io.BytesIO(attachment.file.read()))
    assert stored.size == (3000, 4000) and not stored.getexif()
    assert attachment.size == attachment.file.size < len(photo) // 4 and attachment.content_type == "image/jpeg"


def test_application_materials_page_refuses_an_image_bomb_with_a_400(client, world, media):
    application = world.create()
    client.force_login(world.applicant)
    response = client.post(reverse("application-edit", args=[application.pk, "materials"]),
                           {"material": "work_summary", "file": upload("scan.png", png_bomb(), "image/png")})
    assert response.status_code == 400 and "too large in pixels" in response.content.decode()
    assert not application.attachments.exists()


def test_application_evidence_upload_refuses_an_image_bomb_with_a_400(client, world, media):
    application = world.create()
    achievement = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="project",
                                      title="换热装置项目")
    client.force_login(world.applicant)
    response = client.post(reverse("application-edit", args=[application.pk, "achievements"]),
                           {"form": "evidence", "achievement": achievement.pk,
                            "file": upload("photo.jpg", jpeg_bomb(), "image/jpeg")})
    assert response.status_code == 400 and "too large in pixels" in response.content.decode()
    assert not achievement.evidence.exists()


def test_application_attachments_api_refuses_an_image_bomb_with_a_400(world, media):
    application = world.create()
    api = APIClient()
    api.force_authenticate(world.applicant)
    response = api.post(f"/api/v1/applications/{application.pk}/attachments/",
                        {"material": "other", "file": upload("x.png", png_bomb(30000, 30000), "image/png")},
                        format="multipart")
    assert response.status_code == 400
    assert response.json()["field"] == "file" and "too large in pixels" in response.json()["detail"]
    assert not application.attachments.exists()


def test_materials_page_offers_the_policy_limit_to_the_browser(client, world):
    policy = PolicySettings.load()
    policy.max_file_mb = 30
    policy.save()
    application = world.create()
    client.force_login(world.applicant)
    page = client.get(reverse("application-edit", args=[application.pk, "materials"])).content.decode()
    assert f'data-upload-max="{30 * MB}"' in page and "at most 30.0" in page
    achievement = svc.achievement_add(actor=world.applicant, application_id=application.pk, kind="project",
                                      title="项目")
    page = client.get(reverse("application-edit", args=[application.pk, "achievements"])).content.decode()
    assert f'id="evidence-{achievement.pk}"' in page and f'data-upload-max="{30 * MB}"' in page
