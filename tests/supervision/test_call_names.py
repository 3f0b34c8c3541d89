"""Oversight names calls and committees in the reader's language: the alert sent to a supervisor who
reads Uyghur, and the alert API giving the English and Uyghur names beside the official ones."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from applications.models import Call
from portal.models import Committee, Notification, User
from supervision import services
from tests.api_contract import assert_matches_schema
from tests.supervision.conftest import closed_meeting

CALL_UG = "2025-يىللىق ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى باھالاش"
COMMITTEE_EN = "Urumqi Engineering Title Evaluation Committee"


def test_oversight_alert_to_a_uyghur_reader_names_the_call_in_uyghur(call, supervisor,
                                                                     django_capture_on_commit_callbacks):
    Call.objects.filter(pk=call.pk).update(name_ug=CALL_UG)
    User.objects.filter(pk=supervisor.pk).update(language="ug")
    closed_meeting(call, passed=3, failed=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.oversight_check()
    alert = Notification.objects.filter(recipient=supervisor).latest("pk")
    assert CALL_UG in alert.subject and call.name not in alert.subject


def test_alert_api_gives_the_english_and_uyghur_names_beside_the_official_ones(call, supervisor):
    Call.objects.filter(pk=call.pk).update(name_ug=CALL_UG)
    Committee.objects.filter(pk=call.committee_id).update(name_en=COMMITTEE_EN)
    closed_meeting(call, passed=3, failed=0)
    services.oversight_check()
    api = APIClient()
    api.force_authenticate(supervisor)
    page = assert_matches_schema(api.get(reverse("api-supervision-alerts")), "/api/v1/supervision/alerts/")
    row = page["results"][0]
    assert (row["call_name"], row["call_name_en"], row["call_name_ug"]) == (call.name, "", CALL_UG)
    assert (row["committee_name_en"], row["committee_name_ug"]) == (COMMITTEE_EN, "")
