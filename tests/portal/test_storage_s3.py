"""The object-store path (issue 16 §2): uploads and certificate PDFs in a private S3 bucket, under
random keys, downloaded only through the portal's permission checks.

Runs on PostgreSQL and Redis only (``.ci/run``), against moto's S3 server on 127.0.0.1 (started
here; see ``tests/s3_helpers.py``).
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Attachment
from certificates import services as certificate_services
from certificates.models import Certificate
from portal.models import CommitteeMember, Role
from portal.storage import PrivateS3Storage
from tests.applications.conftest import World, eligible_for_intermediate, make_call, make_committee
from tests.certificates.conftest import grant_kwargs
from tests.factories import EnterpriseFactory, UserFactory, bureau_officer, employee_of, hr_admin_of
from tests.s3_helpers import require_postgres_and_redis, s3_endpoint

pytestmark = [pytest.mark.integration]

RANDOM_KEY = re.compile(r"^(applications/\d{4}/\d{2}|certificates/\d{4})/[0-9a-f]{32}\.pdf$")


@pytest.fixture(scope="module")
def s3():
    require_postgres_and_redis()
    with s3_endpoint() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3, settings):
    name = s3.new_bucket()
    settings.STORAGES = s3.storages(name)
    return name


@pytest.fixture
def world(db) -> World:
    committee = make_committee()
    secretary = UserFactory(roles=[Role.COMMITTEE_SECRETARY])
    CommitteeMember.objects.create(committee=committee, user=secretary, role=CommitteeMember.Role.SECRETARY)
    enterprise = EnterpriseFactory()
    applicant = employee_of(enterprise)
    eligible_for_intermediate(applicant)
    return World(committee=committee, call=make_call(committee=committee), enterprise=enterprise,
                 hr=hr_admin_of(enterprise), applicant=applicant, officer=bureau_officer("650100"))


def test_the_default_storage_is_the_bucket_when_s3_settings_are_given(bucket):
    default_storage.exists("x")  # set up the lazy object
    assert isinstance(default_storage._wrapped, PrivateS3Storage)
    assert default_storage.bucket_name == bucket


def test_an_upload_lands_in_the_bucket_under_a_random_key_and_only_the_permitted_download_it(
        s3, bucket, world, client):
    application = world.create()
    client.force_login(world.applicant)
    scan = b"%PDF-1.4\n" + bytes(range(256)) * 4000 + b"\n%%EOF\n"
    response = client.post(reverse("application-edit", args=[application.pk, "materials"]),
                           {"material": "work_summary",
                            "file": SimpleUploadedFile("工作总结 张三.pdf", scan, content_type="application/pdf")})
    assert response.status_code == 302, response.content[:300]
    attachment = Attachment.objects.get(application=application)
    assert RANDOM_KEY.match(attachment.file.name), attachment.file.name
    assert s3.objects(bucket) == {attachment.file.name: scan}

    url = reverse("application-file", args=[application.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == scan
    assert response["Content-Type"] == "application/pdf"

    client.force_login(world.another_applicant())  # an applicant of the same enterprise, not this one
    assert client.get(url).status_code == 404
    client.force_login(hr_admin_of(EnterpriseFactory()))  # another enterprise's HR
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_R5_3_a_certificate_pdf_is_written_once_and_a_new_version_gets_a_new_key(
        s3, bucket, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_services.certificate_issue(**grant_kwargs())
    certificate.refresh_from_db()
    first = certificate.pdf.name
    assert RANDOM_KEY.match(first) and certificate.number not in first
    stored = s3.objects(bucket)
    assert list(stored) == [first]
    assert hashlib.sha256(stored[first]).hexdigest() == certificate.pdf_sha256

    client.force_login(certificate.holder)
    response = client.get(reverse("my-certificate-pdf", args=[certificate.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored[first]
    client.force_login(UserFactory())
    assert client.get(reverse("my-certificate-pdf", args=[certificate.pk])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.certificate_qr_replace(actor=certificate.holder, certificate_id=certificate.pk)
    certificate.refresh_from_db()
    second = certificate.pdf.name
    assert second != first and RANDOM_KEY.match(second)
    # The new rendering is a new object; the one it replaced is gone once the new one is recorded.
    assert set(s3.objects(bucket)) == {second}
    assert hashlib.sha256(s3.objects(bucket)[second]).hexdigest() == certificate.pdf_sha256
    assert Certificate.objects.get(pk=certificate.pk).pdf_generation == 2


def test_a_name_already_taken_is_never_overwritten(s3, bucket):
    first = default_storage.save("certificates/2026/same.pdf", ContentFile(b"first"))
    second = default_storage.save("certificates/2026/same.pdf", ContentFile(b"second"))
    assert first == "certificates/2026/same.pdf" and second != first
    assert s3.objects(bucket) == {first: b"first", second: b"second"}


def test_a_file_missing_from_the_bucket_is_a_404_not_a_500(s3, bucket, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_services.certificate_issue(**grant_kwargs())
    certificate.refresh_from_db()
    s3.client().delete_object(Bucket=bucket, Key=certificate.pdf.name)
    client.force_login(certificate.holder)
    assert client.get(reverse("my-certificate-pdf", args=[certificate.pk])).status_code == 404


# --- manage.py storage_migrate -------------------------------------------------------------------

@pytest.fixture
def old_media(tmp_path):
    """A site's MEDIA_ROOT as it was before the bucket: nested folders, a large scan, an empty file."""
    files = {
        "licences/2025/03/licence.pdf": b"%PDF-1.4 licence",
        "applications/2026/01/工作总结.pdf": b"%PDF-1.4 " + bytes(range(256)) * 20000,
        "certificates/2026/XJ-2026-0001-1.pdf": b"%PDF-1.4 certificate",
        "integrity/case-1/empty.png": b"",
    }
    for key, data in files.items():
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(data)
    return tmp_path, files


def migrate(source, *args) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("storage_migrate", "--source", str(source), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_storage_migrate_copies_every_file_byte_for_byte_under_the_same_key(s3, bucket, old_media):
    source, files = old_media
    out = migrate(source)
    assert "copied 4 files" in out and "0 conflicts; 0 failed" in out
    assert s3.objects(bucket) == files


@pytest.mark.django_db
def test_storage_migrate_is_idempotent_and_copies_only_what_is_new(s3, bucket, old_media):
    source, files = old_media
    migrate(source)
    assert "copied 0 files (0 bytes); 4 already there with the same checksum" in migrate(source)
    (source / "licences/2025/03/later.pdf").write_bytes(b"%PDF-1.4 written while the site still ran on disk")
    assert "copied 1 files" in migrate(source) and len(s3.objects(bucket)) == 5


@pytest.mark.django_db
def test_storage_migrate_dry_run_copies_nothing(s3, bucket, old_media):
    source, _files = old_media
    assert "would copy 4 files" in migrate(source, "--dry-run")
    assert s3.objects(bucket) == {}


@pytest.mark.django_db
def test_storage_migrate_leaves_a_different_file_under_the_same_key_alone_and_fails(s3, bucket, old_media):
    from django.core.management.base import CommandError

    source, _files = old_media
    s3.client().put_object(Bucket=bucket, Key="licences/2025/03/licence.pdf", Body=b"another file")
    with pytest.raises(CommandError) as error:
        migrate(source)
    assert error.value.returncode == 1
    objects = s3.objects(bucket)
    assert objects["licences/2025/03/licence.pdf"] == b"another file" and len(objects) == 4


@pytest.mark.django_db
def test_storage_migrate_removes_a_copy_that_reads_back_wrong(s3, bucket, old_media, monkeypatch):
    from django.core.management.base import CommandError

    from portal import storage

    source, _files = old_media
    real = storage.sha256_of
    monkeypatch.setattr(storage, "sha256_of",
                        lambda target, name: "0" * 64 if name.endswith("licence.pdf") else real(target, name))
    with pytest.raises(CommandError):
        migrate(source)
    assert "licences/2025/03/licence.pdf" not in s3.objects(bucket) and len(s3.objects(bucket)) == 3


@pytest.mark.django_db
def test_storage_migrate_counts_database_files_the_bucket_lacks(s3, bucket, old_media):
    from portal.models import Organization

    source, _files = old_media
    enterprise = EnterpriseFactory()
    Organization.objects.filter(pk=enterprise.pk).update(business_licence="licences/2025/03/licence.pdf")
    assert "files the database refers to that the storage lacks: 0" in migrate(source)
    Organization.objects.filter(pk=enterprise.pk).update(business_licence="licences/2025/03/gone.pdf")
    assert "files the database refers to that the storage lacks: 1" in migrate(source)
