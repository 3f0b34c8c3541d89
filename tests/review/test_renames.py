"""The English and Uyghur names given later to a committee (by the bureau that filed it) and to a call
(by who opens its calls: the committee's secretary, the bureau's officer): services, pages and API.
The official Chinese name never changes there."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from applications import application_services as svc
from portal.errors import InvalidInput, NotFound
from portal.models import AuditEvent, Committee, Role
from review import services
from tests.api_contract import assert_matches_schema
from tests.factories import UserFactory, bureau_officer
from tests.review.conftest import bureau_of, file_committee, make_call, secretary_of
from tests.title_names_helpers import page

COMMITTEE_EN = "Urumqi Engineering Title Evaluation Committee"
COMMITTEE_UG = "ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش كومىتېتى"
CALL_EN = "Urumqi engineering title evaluation 2026"
CALL_UG = "2026-يىللىق ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش"
TOO_LONG = "ئ" * 129


def _events(obj, action: str):
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)))


# --- Committees: the service ----------------------------------------------------------------

def test_committee_rename_sets_both_names_and_records_one_audit_event(officer, committee):
    official = committee.name
    services.committee_rename_translations(actor=officer, committee_id=committee.pk, name_en=f"  {COMMITTEE_EN} ",
                                           name_ug=COMMITTEE_UG)
    committee.refresh_from_db()
    assert (committee.name_en, committee.name_ug, committee.name) == (COMMITTEE_EN, COMMITTEE_UG, official)
    [event] = _events(committee, "committee.rename_translations")
    assert event.before == {"name_en": "", "name_ug": ""}
    assert event.after == {"name_en": COMMITTEE_EN, "name_ug": COMMITTEE_UG}


def test_committee_rename_records_no_event_when_nothing_changed(officer, committee):
    services.committee_rename_translations(actor=officer, committee_id=committee.pk, name_en=COMMITTEE_EN,
                                           name_ug=COMMITTEE_UG)
    services.committee_rename_translations(actor=officer, committee_id=committee.pk, name_en=COMMITTEE_EN + " ",
                                           name_ug=COMMITTEE_UG)
    services.committee_rename_translations(actor=officer, committee_id=committee.pk)  # nothing given
    assert len(_events(committee, "committee.rename_translations")) == 1


def test_committee_rename_keeps_a_name_not_given_and_removes_a_blank_one(officer, committee):
    services.committee_rename_translations(actor=officer, committee_id=committee.pk, name_en=COMMITTEE_EN,
                                           name_ug=COMMITTEE_UG)
    services.committee_rename_translations(actor=officer, committee_id=committee.pk, name_en="")
    committee.refresh_from_db()
    assert (committee.name_en, committee.name_ug) == ("", COMMITTEE_UG)


def test_committee_rename_too_long_is_refused_and_changes_nothing(officer, committee):
    with pytest.raises(InvalidInput) as error:
        services.committee_rename_translations(actor=officer, committee_id=committee.pk, name_en=COMMITTEE_EN,
                                               name_ug=TOO_LONG)
    assert error.value.field == "name_ug" and "128" in error.value.as_text()
    committee.refresh_from_db()
    assert (committee.name_en, committee.name_ug) == ("", "")
    assert _events(committee, "committee.rename_translations") == []


def test_committee_rename_only_by_the_bureau_that_filed_it(officer, committee):
    others = [bureau_officer("652300"), secretary_of(committee), UserFactory(roles=[Role.APPLICANT])]
    for actor in others:
        with pytest.raises(NotFound):
            services.committee_rename_translations(actor=actor, committee_id=committee.pk, name_en=COMMITTEE_EN)
    assert Committee.objects.get(pk=committee.pk).name_en == ""


# --- Committees: the bureau's page ------------------------------------------------------------

def test_committee_page_form_renames_in_the_users_language(client, officer, committee):
    url = reverse("review-committee-detail", args=[committee.pk])
    html = page(client, officer, url, "ug")
    assert 'data-testid="translated-names"' in html and committee.name in html  # the official name, read-only
    response = client.post(url, {"action": "names", "name_ug": COMMITTEE_UG, "name_en": COMMITTEE_EN}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "باشقا تىللاردىكى ناملار ساقلاندى" in body  # "The names in other languages are saved." in Uyghur
    assert re.search(r'<h1 class="h4 mb-0">\s*' + re.escape(COMMITTEE_UG), body)  # the heading, in Uyghur at once
    committee.refresh_from_db()
    assert (committee.name_en, committee.name_ug) == (COMMITTEE_EN, COMMITTEE_UG)


def test_committee_page_too_long_name_shows_the_error_and_changes_nothing(client, officer, committee):
    url = reverse("review-committee-detail", args=[committee.pk])
    page(client, officer, url, "zh-hans")
    response = client.post(url, {"action": "names", "name_ug": TOO_LONG, "name_en": COMMITTEE_EN})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() and "128" in response.content.decode()
    committee.refresh_from_db()
    assert (committee.name_en, committee.name_ug) == ("", "")


def test_committee_page_rename_refused_to_others(client, officer, committee):
    url = reverse("review-committee-detail", args=[committee.pk])
    data = {"action": "names", "name_ug": COMMITTEE_UG, "name_en": COMMITTEE_EN}
    assert client.post(url, data).status_code == 302  # anonymous: to the login
    for outsider in (bureau_officer("652300"), secretary_of(committee), UserFactory(roles=[Role.APPLICANT])):
        client.force_login(outsider)
        assert client.post(url, data).status_code in (403, 404)
    committee.refresh_from_db()
    assert (committee.name_en, committee.name_ug) == ("", "")


# --- Committees: the API -----------------------------------------------------------------------

def test_committee_patch_api_renames_and_answers_the_names(client, officer, committee):
    client.force_login(officer)
    url = f"/api/v1/review/committees/{committee.pk}/"
    response = client.patch(url, {"name_ug": COMMITTEE_UG, "name_en": COMMITTEE_EN}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/v1/review/committees/{id}/", "patch")
    assert {k: response.json()[k] for k in ("name", "name_en", "name_ug")} == {
        "name": committee.name, "name_en": COMMITTEE_EN, "name_ug": COMMITTEE_UG}


def test_committee_patch_api_accepts_only_the_two_names(client, officer, committee):
    client.force_login(officer)
    url = f"/api/v1/review/committees/{committee.pk}/"
    response = client.patch(url, {"name": "别的名称", "name_en": COMMITTEE_EN}, content_type="application/json")
    assert response.status_code == 400 and "name" in response.json().get("errors", response.json())
    response = client.patch(url, {"name_en": "x" * 129}, content_type="application/json")
    assert response.status_code == 400
    committee.refresh_from_db()
    assert committee.name_en == "" and committee.name.startswith("工程系列评审委员会")


def test_committee_patch_api_refused_to_others(client, officer, committee):
    url = f"/api/v1/review/committees/{committee.pk}/"
    assert client.patch(url, {"name_en": COMMITTEE_EN}, content_type="application/json").status_code in (401, 403)
    for outsider in (bureau_officer("652300"), secretary_of(committee), UserFactory(roles=[Role.APPLICANT])):
        client.force_login(outsider)
        assert client.patch(url, {"name_en": COMMITTEE_EN}, content_type="application/json").status_code in (403, 404)
    committee.refresh_from_db()
    assert committee.name_en == ""


# --- Calls: the service ---------------------------------------------------------------------------

def test_call_rename_sets_both_names_and_records_one_audit_event(secretary, call):
    official = call.name
    svc.call_rename_translations(actor=secretary, call_id=call.pk, name_en=CALL_EN, name_ug=CALL_UG)
    svc.call_rename_translations(actor=secretary, call_id=call.pk, name_en=CALL_EN, name_ug=CALL_UG)  # unchanged
    call.refresh_from_db()
    assert (call.name_en, call.name_ug, call.name) == (CALL_EN, CALL_UG, official)
    [event] = _events(call, "call.rename_translations")
    assert event.before == {"name_en": "", "name_ug": ""} and event.after == {"name_en": CALL_EN, "name_ug": CALL_UG}


def test_call_rename_by_the_bureau_officer_for_a_bureaus_call(officer):
    call = make_call(bureau=bureau_of())
    svc.call_rename_translations(actor=officer, call_id=call.pk, name_ug=CALL_UG)
    call.refresh_from_db()
    assert call.name_ug == CALL_UG
    with pytest.raises(NotFound):
        svc.call_rename_translations(actor=bureau_officer("652300"), call_id=call.pk, name_ug="")


def test_call_rename_only_by_who_opens_its_calls(officer, committee, call):
    others = [officer, secretary_of(file_committee(officer)), UserFactory(roles=[Role.APPLICANT])]
    for actor in others:
        with pytest.raises(NotFound):
            svc.call_rename_translations(actor=actor, call_id=call.pk, name_en=CALL_EN)
    call.refresh_from_db()
    assert call.name_en == ""


def test_call_rename_too_long_is_refused_and_changes_nothing(secretary, call):
    with pytest.raises(InvalidInput) as error:
        svc.call_rename_translations(actor=secretary, call_id=call.pk, name_en="x" * 129, name_ug=CALL_UG)
    assert error.value.field == "name_en"
    call.refresh_from_db()
    assert (call.name_en, call.name_ug) == ("", "")
    assert _events(call, "call.rename_translations") == []


# --- Calls: the secretary's call dashboard ------------------------------------------------------

def test_call_dashboard_form_renames_the_call(client, secretary, call):
    url = reverse("review-call-dashboard", args=[call.pk])
    html = page(client, secretary, url, "zh-hans")
    assert 'data-testid="translated-names"' in html and "其他语言名称" in html
    response = client.post(url, {"action": "names", "name_ug": CALL_UG, "name_en": CALL_EN}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "其他语言名称已保存" in body
    call.refresh_from_db()
    assert (call.name_en, call.name_ug) == (CALL_EN, CALL_UG)
    assert CALL_UG in page(client, secretary, url, "ug")


def test_call_dashboard_too_long_name_shows_the_error_and_changes_nothing(client, secretary, call):
    url = reverse("review-call-dashboard", args=[call.pk])
    page(client, secretary, url, "zh-hans")
    response = client.post(url, {"action": "names", "name_ug": TOO_LONG, "name_en": CALL_EN})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    call.refresh_from_db()
    assert (call.name_en, call.name_ug) == ("", "")


def test_call_dashboard_rename_refused_to_others(client, officer, committee, call):
    url = reverse("review-call-dashboard", args=[call.pk])
    data = {"action": "names", "name_ug": CALL_UG}
    assert client.post(url, data).status_code == 302  # anonymous: to the login
    for outsider in (officer, secretary_of(file_committee(officer)), UserFactory(roles=[Role.APPLICANT])):
        client.force_login(outsider)
        assert client.post(url, data).status_code in (403, 404)
    call.refresh_from_db()
    assert call.name_ug == ""


# --- Calls: the API ---------------------------------------------------------------------------------

def test_call_patch_api_renames_and_answers_the_names(client, secretary, call):
    client.force_login(secretary)
    response = client.patch(f"/api/v1/calls/{call.pk}/", {"name_ug": CALL_UG}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/v1/calls/{id}/", "patch")
    assert {k: response.json()[k] for k in ("id", "name", "name_en", "name_ug")} == {
        "id": call.pk, "name": call.name, "name_en": "", "name_ug": CALL_UG}


def test_call_patch_api_for_a_bureaus_call_by_its_officer(client, officer):
    call = make_call(bureau=bureau_of())
    client.force_login(officer)
    response = client.patch(f"/api/v1/calls/{call.pk}/", {"name_en": CALL_EN}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name_en"] == CALL_EN


def test_call_patch_api_refused_to_others_and_to_other_fields(client, officer, committee, secretary, call):
    url = f"/api/v1/calls/{call.pk}/"
    assert client.patch(url, {"name_en": CALL_EN}, content_type="application/json").status_code in (401, 403)
    for outsider in (officer, secretary_of(file_committee(officer)), UserFactory(roles=[Role.APPLICANT])):
        client.force_login(outsider)
        assert client.patch(url, {"name_en": CALL_EN}, content_type="application/json").status_code in (403, 404)
    client.force_login(secretary)
    assert client.patch(url, {"name": "别的名称"}, content_type="application/json").status_code == 400
    assert client.patch(url, {"name_en": "x" * 129}, content_type="application/json").status_code == 400
    call.refresh_from_db()
    assert call.name_en == "" and call.name.startswith("2026年度工程系列评审")
