"""Stored files: random keys on every backend, certificates written once (issue 16 §2)."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from portal.storage import PrivateFileSystemStorage, unguessable_name

KEY = re.compile(r"^[a-z]+(/[0-9]{4}(/[0-9]{2})?)?/[0-9a-f]{32}(\.[a-z0-9]+)?$")


def test_a_stored_name_keeps_the_folder_and_extension_and_nothing_of_the_users_name():
    names = {unguessable_name("applications/2026/12/张三 身份证 110101199003074514.PDF") for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert KEY.match(name), name
        assert name.startswith("applications/2026/12/") and name.endswith(".pdf")
        assert "110101" not in name and "张三" not in name


def test_an_odd_extension_is_dropped_not_carried_into_the_key():
    assert "." not in unguessable_name("pending/x/evil.p h/p").rsplit("/", 1)[-1]
    assert unguessable_name("pending/x/noext").count(".") == 0


def test_the_default_storage_names_uploads_at_random(tmp_path):
    storage = PrivateFileSystemStorage(location=tmp_path)
    first = storage.save(storage.generate_filename("licences/2026/12/licence.pdf"), ContentFile(b"%PDF-1"))
    second = storage.save(storage.generate_filename("licences/2026/12/licence.pdf"), ContentFile(b"%PDF-2"))
    assert first != second and KEY.match(first) and KEY.match(second)
    assert storage.open(first).read() == b"%PDF-1" and storage.open(second).read() == b"%PDF-2"


@pytest.mark.django_db
def test_an_uploaded_licence_is_stored_under_a_random_key(pdf_file):
    from tests.factories import UserFactory
    from tests.portal.test_enterprise_services import register

    organization = register(UserFactory(), pdf_file("营业执照.pdf"))
    assert isinstance(storages["default"], PrivateFileSystemStorage)
    name = organization.business_licence.name
    assert KEY.match(name), name
    assert "营业执照" not in name and name.startswith("licences/")


def test_storage_migrate_refuses_to_copy_the_media_folder_onto_itself(settings, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(CommandError, match="S3_BUCKET"):
        call_command("storage_migrate", "--source", str(tmp_path))


@pytest.mark.django_db
def test_a_licence_missing_from_storage_is_a_404_for_its_hr_not_a_500(client, pdf_file):
    from django.urls import reverse

    from tests.factories import UserFactory
    from tests.portal.test_enterprise_services import register

    hr = UserFactory()
    organization = register(hr, pdf_file("licence.pdf"))
    client.force_login(hr)
    url = reverse("enterprise-licence", args=[organization.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    # Stored under a random key; shown inline and saved under the enterprise's name.
    from urllib.parse import quote

    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline") and quote(f"{organization.name}.pdf") in disposition
    organization.business_licence.storage.delete(organization.business_licence.name)
    assert client.get(url).status_code == 404
