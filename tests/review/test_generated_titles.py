"""Meeting and publicity titles written from a call's name are shown in the reader's language,
derived from the call's ``display_name``; the stored title keeps the Chinese text (the record), and a
title an officer typed is shown as typed (``title_generated``, migration review 0008)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from portal.models import Notification
from review import services
from review.models import Meeting, PublicityPeriod
from review.services._common import voting_member_ids
from tests.review.conftest import make_application, secretary_of
from tests.title_names_helpers import page

NOW = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
NAMES = {"zh-hans": "2026年度工程系列评审", "en": "2026 engineering evaluation", "ug": "2026-يىللىق قۇرۇلۇش باھالاش"}
RESULTS = {"zh-hans": "2026年度工程系列评审评审结果", "en": "Results of 2026 engineering evaluation",
           "ug": "2026-يىللىق قۇرۇلۇش باھالاش نىڭ نەتىجىلىرى"}


@pytest.fixture
def named_call(call):
    call.name, call.name_en, call.name_ug = NAMES["zh-hans"], NAMES["en"], NAMES["ug"]
    call.save(update_fields=["name", "name_en", "name_ug"])
    return call


def _publicise(call, secretary, **kwargs) -> PublicityPeriod:
    make_application(call, status="passed")
    return services.result_publicise(actor=secretary, call_id=call.pk, **kwargs)


def _meeting(call, **kwargs) -> Meeting:
    make_application(call, scored=True)
    return services.meeting_create(actor=secretary_of(call.committee), call_id=call.pk, scheduled_at=NOW, **kwargs)


@pytest.mark.parametrize("language", ["ug", "en"])
def test_a_publicity_title_written_from_the_call_s_name_is_shown_in_the_reader_s_language(
        client, officer, secretary, named_call, language):
    period = _publicise(named_call, secretary)
    assert period.title_generated and period.title == RESULTS["zh-hans"]  # the record stays Chinese
    wanted = RESULTS[language]
    for user, url in ((None, reverse("review-publicity")),
                      (secretary, reverse("review-publicity-manage", args=[period.pk])),
                      (secretary, reverse("review-call-dashboard", args=[named_call.pk])),
                      (officer, reverse("review-filing-queue")),
                      (officer, reverse("review-filing-detail", args=[period.pk]))):
        html = page(client, user, url, language)
        assert wanted in html, url
        assert RESULTS["zh-hans"] not in html, url
    entry = period.entries.first()
    report = page(client, None, reverse("integrity-report") + f"?entry={entry.pk}", language)
    assert wanted in report and RESULTS["zh-hans"] not in report


def test_a_publicity_title_written_by_an_english_speaking_secretary_is_still_recorded_in_chinese(
        secretary, named_call):
    from django.utils import translation

    with translation.override("en"):
        period = _publicise(named_call, secretary)
    assert period.title == RESULTS["zh-hans"]
    with translation.override("ug"):
        assert period.title_display == RESULTS["ug"]


@pytest.mark.parametrize("language", ["ug", "en", "zh-hans"])
def test_a_typed_publicity_title_is_shown_as_typed(client, secretary, named_call, language):
    period = _publicise(named_call, secretary, title="第一批评审结果公示")
    assert not period.title_generated
    html = page(client, None, reverse("review-publicity"), language)
    assert "第一批评审结果公示" in html and RESULTS[language] not in html


@pytest.mark.parametrize("language", ["ug", "en"])
def test_a_meeting_named_after_its_call_is_shown_in_the_reader_s_language(client, secretary, named_call,
                                                                          language):
    meeting = _meeting(named_call, title="")
    assert meeting.title_generated and meeting.title == NAMES["zh-hans"]
    for url in (reverse("review-meeting-console", args=[meeting.pk]), reverse("review-secretary-home"),
                reverse("review-call-dashboard", args=[named_call.pk])):
        html = page(client, secretary, url, language)
        # The meeting's own title (a link or the heading); the call dashboard also shows the call's
        # Chinese name in its rename form, on purpose.
        assert NAMES[language] in html, url
        assert f'>{NAMES["zh-hans"]}</a>' not in html and f'>{NAMES["zh-hans"]} <span' not in html, url


@pytest.mark.parametrize("language", ["ug", "en"])
def test_the_meeting_form_offers_the_call_s_name_in_the_reader_s_language_and_keeps_it_generated(
        client, secretary, named_call, language):
    html = page(client, secretary, reverse("review-meeting-new", args=[named_call.pk]), language)
    assert f'value="{NAMES[language]}"' in html
    # Sent back as offered: named after the call, stored in Chinese, shown to each reader in theirs.
    meeting = _meeting(named_call, title=NAMES[language])
    assert meeting.title_generated and meeting.title == NAMES["zh-hans"]


@pytest.mark.parametrize("language", ["ug", "en", "zh-hans"])
def test_a_typed_meeting_title_is_shown_as_typed(client, secretary, named_call, language):
    meeting = _meeting(named_call, title="第三次评审会议")
    assert not meeting.title_generated
    html = page(client, secretary, reverse("review-meeting-console", args=[meeting.pk]), language)
    assert "第三次评审会议" in html and NAMES[language] not in html.split("<h1", 1)[1].split("</h1>", 1)[0]


def test_the_meeting_notice_names_a_generated_meeting_in_each_member_s_language(named_call, committee):
    from portal.models import User

    meeting = _meeting(named_call, title="")
    members = list(User.objects.filter(pk__in=voting_member_ids(committee.pk)))
    User.objects.filter(pk=members[0].pk).update(language="ug")
    User.objects.filter(pk=members[1].pk).update(language="en")
    services.meeting_notice_send(actor=secretary_of(committee), meeting_id=meeting.pk)
    subjects = dict(Notification.objects.filter(recipient__in=members[:2]).values_list("recipient_id", "subject"))
    assert NAMES["ug"] in subjects[members[0].pk] and NAMES["en"] in subjects[members[1].pk]


def test_the_migration_marks_existing_titles_written_from_the_call_s_name_and_nothing_typed(
        secretary, named_call):
    migration = importlib.import_module("review.migrations.0008_meeting_publicity_title_generated")
    generated = _meeting(named_call, title="")
    typed = _meeting(named_call, title="第三次评审会议")
    english = _publicise(named_call, secretary, title="Results of " + NAMES["zh-hans"])  # the old English text
    chinese = _publicise(named_call, secretary, title=RESULTS["zh-hans"])
    own = _publicise(named_call, secretary, title="第一批评审结果公示")
    Meeting.objects.update(title_generated=False)
    PublicityPeriod.objects.update(title_generated=False)
    migration.mark_generated_titles(django_apps, None)
    assert set(Meeting.objects.filter(title_generated=True).values_list("pk", flat=True)) == {generated.pk}
    assert typed.pk not in set(Meeting.objects.filter(title_generated=True).values_list("pk", flat=True))
    assert set(PublicityPeriod.objects.filter(title_generated=True).values_list("pk", flat=True)) == {
        english.pk, chinese.pk}
    assert PublicityPeriod.objects.get(pk=own.pk).title == "第一批评审结果公示"
    assert PublicityPeriod.objects.get(pk=english.pk).title == "Results of " + NAMES["zh-hans"]  # not rewritten
