"""Committees (and their calls) named in the reader's language: the filed Chinese name stays the
official one (audit trail, filing, publicity titles); pages and notifications show the English or
Uyghur name when the bureau gave one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEvent, Committee, Notification, User
from review import services
from tests.factories import UserFactory
from tests.review.conftest import bureau_of, engineering, file_committee, make_application, specialty
from tests.review.test_pages import count_queries
from tests.title_names_helpers import page

COMMITTEE_ZH = "乌鲁木齐市工程系列职称评审委员会"
COMMITTEE_EN = "Urumqi Engineering Title Evaluation Committee"
COMMITTEE_UG = "ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش كومىتېتى"
CALL_ZH = "2026年度乌鲁木齐市工程系列职称评审（民营企业专场）"
CALL_EN = "Urumqi engineering title evaluation 2026 (private enterprises)"
CALL_UG = "2026-يىللىق ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش"


def _name(committee, call=None):
    Committee.objects.filter(pk=committee.pk).update(name=COMMITTEE_ZH, name_en=COMMITTEE_EN, name_ug=COMMITTEE_UG)
    committee.refresh_from_db()
    if call is not None:
        type(call).objects.filter(pk=call.pk).update(name=CALL_ZH, name_en=CALL_EN, name_ug=CALL_UG)
        call.refresh_from_db()


@pytest.mark.parametrize(("language", "shown"), [("zh-hans", COMMITTEE_ZH), ("en", COMMITTEE_EN),
                                                 ("ug", COMMITTEE_UG)])
def test_committee_display_name_is_the_name_in_the_active_language(language, shown):
    committee = Committee(name=COMMITTEE_ZH, name_en=COMMITTEE_EN, name_ug=COMMITTEE_UG)
    with translation.override(language):
        assert committee.display_name == shown
    assert str(committee) == COMMITTEE_ZH


@pytest.mark.parametrize("language", ["zh-hans", "en", "ug"])
def test_committee_display_name_falls_back_to_chinese_when_the_translation_is_blank(language):
    with translation.override(language):
        assert Committee(name=COMMITTEE_ZH, name_en="", name_ug="").display_name == COMMITTEE_ZH


def test_call_dashboard_names_the_call_and_committee_in_uyghur_and_in_english(client, committee, secretary, call):
    _name(committee, call)
    make_application(call)
    url = reverse("review-call-dashboard", args=[call.pk])
    uyghur = page(client, secretary, url, "ug")
    # The "names in other languages" form shows the official Chinese name on purpose (read-only, lang="zh-Hans"):
    # everywhere else the page names the call in Uyghur.
    assert 'lang="zh-Hans" readonly' in uyghur
    uyghur = re.sub(r'<div class="card mb-3" data-testid="translated-names">.*?</form>', "", uyghur, flags=re.S)
    assert CALL_UG in uyghur and COMMITTEE_UG in uyghur and CALL_ZH not in uyghur
    english = page(client, secretary, url, "en")
    assert CALL_EN in english and COMMITTEE_EN in english and COMMITTEE_ZH not in english
    chinese = page(client, secretary, url, "zh-hans")
    assert CALL_ZH in chinese and COMMITTEE_ZH in chinese


def test_call_dashboard_reads_as_many_queries_in_every_language(client, committee, secretary, call):
    _name(committee, call)
    make_application(call)
    url = reverse("review-call-dashboard", args=[call.pk])
    counts = []
    for language in ("zh-hans", "en", "ug"):
        page(client, secretary, url, language)
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1] == counts[2], counts


def test_secretary_pages_name_the_call_and_committee_in_uyghur(client, committee, secretary, call):
    _name(committee, call)
    application = make_application(call)
    home = page(client, secretary, reverse("review-secretary-home"), "ug")
    assert CALL_UG in home and COMMITTEE_UG in home and COMMITTEE_ZH not in home
    one = page(client, secretary, reverse("review-call-application", args=[call.pk, application.pk]), "ug")
    assert CALL_UG in one


def test_committee_file_form_saves_the_english_and_uyghur_names(client, officer):
    chair, member, member2, secretary = (UserFactory() for _ in range(4))
    client.force_login(officer)
    form = client.get(reverse("review-committee-new")).content.decode()
    assert 'name="name_ug"' in form and 'name="name_en"' in form
    response = client.post(reverse("review-committee-new"), {
        "name": COMMITTEE_ZH, "name_en": COMMITTEE_EN, "name_ug": f" {COMMITTEE_UG} ", "kind": "bureau",
        "organizer": bureau_of().pk, "series": engineering().pk, "filing_number": "乌人社职备〔2026〕19号",
        "filed_on": "2026-11-01", "valid_until": "2029-10-31", "levels": ["intermediate"],
        "specialties": [specialty().pk], "chair": chair.mobile, "members": f"{member.mobile}\n{member2.mobile}",
        "secretaries": secretary.mobile})
    assert response.status_code == 302
    committee = Committee.objects.get(filing_number="乌人社职备〔2026〕19号")
    assert (committee.name, committee.name_en, committee.name_ug) == (COMMITTEE_ZH, COMMITTEE_EN, COMMITTEE_UG)
    event = AuditEvent.objects.get(action="committee.file", object_id=str(committee.pk))
    assert event.object_label == COMMITTEE_ZH  # the audit trail keeps the filed name


def test_committee_file_api_saves_and_gives_the_english_and_uyghur_names(officer):
    from rest_framework.test import APIClient

    chair, member, secretary = (UserFactory() for _ in range(3))
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post("/api/v1/review/committees/", {
        "name": COMMITTEE_ZH, "name_ug": COMMITTEE_UG, "kind": "bureau", "organizer_id": bureau_of().pk,
        "series_id": engineering().pk, "filing_number": "乌人社职备〔2026〕29号", "filed_on": "2026-11-01",
        "valid_until": "2029-10-31", "scopes": [{"level": "intermediate", "specialty_id": specialty().pk}],
        "members": [{"user_id": chair.pk, "role": "chair"}, {"user_id": member.pk, "role": "member"},
                    {"user_id": secretary.pk, "role": "secretary"}]}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["name_en"], response.json()["name_ug"]) == ("", COMMITTEE_UG)
    assert Committee.objects.get(pk=response.json()["id"]).name_ug == COMMITTEE_UG


def test_notification_to_a_uyghur_reader_names_the_committee_in_uyghur(officer):
    secretary = UserFactory(language="ug")
    english = UserFactory(language="en")
    committee = file_committee(officer, secretary=secretary)
    _name(committee)
    committee.members.create(user=english, role="secretary")
    services.committee_sanction(actor=officer, committee_id=committee.pk, kind="reminder", reason="材料不全")
    to_ug = Notification.objects.filter(recipient=secretary).latest("pk")
    assert COMMITTEE_UG in to_ug.subject and COMMITTEE_ZH not in to_ug.subject
    to_en = Notification.objects.filter(recipient=english).latest("pk")
    assert COMMITTEE_EN in to_en.subject
    assert User.objects.get(pk=officer.pk).language != "ug"


def test_meeting_notice_names_the_committee_in_each_members_language(officer, committee, call, secretary):
    from django.utils import timezone

    _name(committee, call)
    member = committee.members.filter(role="member").select_related("user").first().user
    User.objects.filter(pk=member.pk).update(language="ug")
    make_application(call, scored=True)
    meeting = services.meeting_create(actor=secretary, call_id=call.pk, title="评审会", scheduled_at=timezone.now())
    services.meeting_notice_send(actor=secretary, meeting_id=meeting.pk)
    notice = Notification.objects.filter(recipient=member).latest("pk")
    assert COMMITTEE_UG in notice.body and COMMITTEE_ZH not in notice.body
