"""Records written by services are read in the back office, never written
there: every admin built on ``portal.admin.ReadOnlyAdmin`` refuses to add,
change or delete, even for a superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from portal.admin import ReadOnlyAdmin
from tests.factories import UserFactory

READ_ONLY = sorted(((model, model_admin) for model, model_admin in admin.site._registry.items()
                    if isinstance(model_admin, ReadOnlyAdmin)), key=lambda pair: pair[0]._meta.label)


def test_the_service_written_records_are_read_only_in_every_app():
    labels = {model._meta.app_label for model, _admin in READ_ONLY}
    assert {"portal", "certificates", "review", "integrity", "supervision"} <= labels


@pytest.mark.parametrize("model, model_admin", READ_ONLY, ids=[m._meta.label for m, _a in READ_ONLY])
def test_a_superuser_cannot_add_change_or_delete_them(model, model_admin, client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    client.force_login(superuser)
    add_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert client.get(add_url).status_code == 403
