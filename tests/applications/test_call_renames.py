"""A call given its Uyghur name later shows it on every applicant's dashboard at once: the open calls
each process keeps (applications/open_calls.py) are renewed by the rename's commit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications import application_services as svc
from applications import open_calls
from portal.models import User

CALL_UG = "2026-يىللىق ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش"


@pytest.fixture
def kept(settings):
    """The calls kept as with Redis (the tests' cache is this process's: the same code path)."""
    settings.OPEN_CALLS_KEPT = True
    open_calls.new_version()
    yield
    open_calls.new_version()


def test_a_renamed_call_shows_its_uyghur_name_on_the_applicants_dashboard_at_once(
        client, world, kept, django_capture_on_commit_callbacks):
    User.objects.filter(pk=world.applicant.pk).update(language="ug")
    client.force_login(world.applicant)
    url = reverse("applications-dashboard")
    before = client.get(url, HTTP_ACCEPT_LANGUAGE="ug").content.decode()
    assert world.call.name in before and CALL_UG not in before  # kept by the process, Chinese: no Uyghur name
    secretary = world.committee.members.get(role="secretary").user
    with django_capture_on_commit_callbacks(execute=True):
        svc.call_rename_translations(actor=secretary, call_id=world.call.pk, name_ug=CALL_UG)
    after = client.get(url, HTTP_ACCEPT_LANGUAGE="ug").content.decode()
    assert CALL_UG in after and world.call.name not in after
