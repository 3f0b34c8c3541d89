"""Issue 14 item 9: what concerns a logged-in person (their account, applications, files, the form
PDF) is sent with ``Cache-Control: private, no-store``, by page and by API."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import Attachment
from portal.account_services import api_token_issue


def private_no_store(response) -> bool:
    parts = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= parts and "public" not in parts


def test_private_no_store_on_application_pages_files_and_form_pdf(client, world):
    application = world.submitted()
    attachment = Attachment.objects.filter(application=application).first()
    for user in (world.applicant, world.hr):
        client.force_login(user)
        for url in (reverse("application-detail", args=[application.pk]),
                    reverse("application-file", args=[application.pk, attachment.pk]),
                    reverse("application-pdf", args=[application.pk]),
                    reverse("my-settings")):
            response = client.get(url, follow=True)  # HR is sent on to the review page
            assert response.status_code == 200, url
            assert private_no_store(response), (url, response.get("Cache-Control"))


def test_private_no_store_on_the_api_with_a_token_or_a_session(world):
    application = world.submitted()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=world.applicant)[1]}")
    for url in ("/api/v1/me/", f"/api/v1/applications/{application.pk}/",
                f"/api/v1/applications/{application.pk}/form.pdf"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert private_no_store(response), (url, response.get("Cache-Control"))
    session = APIClient()
    session.force_login(world.hr)
    assert private_no_store(session.get("/api/v1/me/"))


def test_an_anonymous_public_page_is_not_marked_private(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")
