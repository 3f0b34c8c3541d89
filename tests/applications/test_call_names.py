"""Calls named in the reader's language: a call keeps its official Chinese name (``name``: the audit
trail, publicity titles, exports) and shows its English or Uyghur name (``name_en``, ``name_ug``) on
pages and in notifications to people who read the portal in that language."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from applications.models import Call
from portal.models import Notification, User
from tests.applications.conftest import make_call
from tests.title_names_helpers import page

CHINESE = "2026年度乌鲁木齐市工程系列职称评审（民营企业专场）"
ENGLISH = "Urumqi engineering title evaluation 2026 (private enterprises)"
UYGHUR = "2026-يىللىق ئۈرۈمچى شەھەرلىك ئىنژېنېرلىق تېخنىكىسى كەسپىي ئۇنۋان باھالاش"


def _name(call: Call, *, name_en: str = ENGLISH, name_ug: str = UYGHUR) -> Call:
    Call.objects.filter(pk=call.pk).update(name=CHINESE, name_en=name_en, name_ug=name_ug)
    call.refresh_from_db()
    return call


@pytest.mark.parametrize(("language", "shown"), [("zh-hans", CHINESE), ("en", ENGLISH), ("ug", UYGHUR)])
def test_call_display_name_is_the_name_in_the_active_language(language, shown):
    call = Call(name=CHINESE, name_en=ENGLISH, name_ug=UYGHUR)
    with translation.override(language):
        assert call.display_name == shown
    assert str(call) == CHINESE  # the official name: audit labels, the admin


@pytest.mark.parametrize("language", ["zh-hans", "en", "ug"])
def test_call_display_name_falls_back_to_chinese_when_the_translation_is_blank(language):
    with translation.override(language):
        assert Call(name=CHINESE).display_name == CHINESE


def test_applicants_dashboard_names_the_call_in_uyghur_and_in_english(client, world):
    _name(world.call)
    world.create()
    uyghur = page(client, world.applicant, reverse("applications-dashboard"), "ug")
    assert UYGHUR in uyghur and CHINESE not in uyghur
    english = page(client, world.applicant, reverse("applications-dashboard"), "en")
    assert ENGLISH in english and CHINESE not in english
    chinese = page(client, world.applicant, reverse("applications-dashboard"), "zh-hans")
    assert CHINESE in chinese and UYGHUR not in chinese


def test_applicants_dashboard_names_the_call_in_chinese_where_it_has_no_uyghur_name(client, world):
    _name(world.call, name_ug="")
    world.create()
    uyghur = page(client, world.applicant, reverse("applications-dashboard"), "ug")
    assert CHINESE in uyghur


def test_applicants_dashboard_with_translated_calls_reads_as_many_queries_in_every_language(client, world):
    _name(world.call)
    _name(make_call(committee=world.committee))  # another open call, listed
    world.create()
    counts = []
    for language in ("zh-hans", "en", "ug"):
        page(client, world.applicant, reverse("applications-dashboard"), language)
        with CaptureQueriesContext(connection) as context:
            client.get(reverse("applications-dashboard"))
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_application_pages_name_the_call_in_the_readers_language(client, world):
    _name(world.call)
    application = world.create()
    detail = page(client, world.applicant, reverse("application-detail", args=[application.pk]), "ug")
    assert UYGHUR in detail
    start = page(client, world.applicant, reverse("application-new"), "en")
    assert ENGLISH in start


def test_notification_to_a_uyghur_reader_names_the_call_in_uyghur(world):
    _name(world.call)
    User.objects.filter(pk=world.hr.pk).update(language="ug")
    User.objects.filter(pk=world.applicant.pk).update(language="en")
    application = world.submitted()
    to_hr = Notification.objects.filter(recipient=world.hr).latest("pk")  # "an application awaits you"
    assert UYGHUR in to_hr.body and CHINESE not in to_hr.body
    receipt = Notification.objects.filter(recipient=world.applicant, topic="receipt").latest("pk")
    assert ENGLISH in receipt.body and CHINESE not in receipt.body
    assert application.receipts.get().contents["call"] == CHINESE  # the receipt keeps the official name


def test_call_open_form_saves_the_english_and_uyghur_names(client, world):
    from django.contrib.auth.models import Group

    from tests.applications.test_views import _call_form, login

    secretary = world.committee.members.get(role="secretary").user
    secretary.groups.add(Group.objects.get(name="committee_secretary"))
    login(client, secretary)
    form = client.get(reverse("call-open")).content.decode()
    assert 'name="name_ug"' in form and 'name="name_en"' in form
    response = client.post(reverse("call-open"), _call_form(
        f"committee:{world.committee.pk}", series=world.committee.series_id, name=CHINESE,
        name_en=f"  {ENGLISH} ", name_ug=UYGHUR))
    assert response.status_code == 302
    call = Call.objects.get(name=CHINESE, committee=world.committee)
    assert (call.name_en, call.name_ug) == (ENGLISH, UYGHUR)
    response = client.post(reverse("call-open"), _call_form(
        f"committee:{world.committee.pk}", series=world.committee.series_id, name="没有译名的批次"))
    assert response.status_code == 302
    assert Call.objects.filter(name="没有译名的批次", name_en="", name_ug="").exists()


def test_call_open_form_shows_the_three_names_as_one_group_each_in_its_own_script(client, world):
    """At 1280 px the English name wrapped alone to the next row: the three names are one fieldset
    ("Name of the call"), one row of three from md up, stacked on a phone; each input is typed in its
    own language and direction."""
    import re

    from django.contrib.auth.models import Group

    from tests.applications.test_views import login

    secretary = world.committee.members.get(role="secretary").user
    secretary.groups.add(Group.objects.get(name="committee_secretary"))
    login(client, secretary)
    html = client.get(reverse("call-open")).content.decode()
    group = re.search(r'<fieldset[^>]*data-testid="call-names".*?</fieldset>', html, re.S).group(0)
    assert "<legend" in group and "Name of the call" in group
    assert group.count('class="col-md-4"') == 3
    inputs = {n: re.search(rf'<input[^>]*name="{n}"[^>]*>', group).group(0) for n in ("name", "name_ug", "name_en")}
    assert 'lang="zh-Hans"' in inputs["name"]
    assert 'lang="ug"' in inputs["name_ug"] and 'dir="rtl"' in inputs["name_ug"]
    assert 'lang="en"' in inputs["name_en"] and 'dir="ltr"' in inputs["name_en"]
    assert html.count('name="name_en"') == 1  # not also in the rest of the form


def test_api_gives_the_calls_english_and_uyghur_names_beside_the_official_one(world):
    from rest_framework.test import APIClient

    _name(world.call)
    world.committee.name_ug = "ئۈرۈمچى كومىتېتى"
    world.committee.save(update_fields=["name_ug"])
    application = world.create()
    api = APIClient()
    api.force_authenticate(world.applicant)
    call = api.get("/api/v1/calls/").json()[0]
    assert (call["name"], call["name_en"], call["name_ug"]) == (CHINESE, ENGLISH, UYGHUR)
    assert (call["committee"]["name_en"], call["committee"]["name_ug"]) == ("", "ئۈرۈمچى كومىتېتى")
    shown = api.get(f"/api/v1/applications/{application.pk}/").json()["call"]
    assert shown == {"id": world.call.pk, "name": CHINESE, "name_en": ENGLISH, "name_ug": UYGHUR}
    saved = api.patch(f"/api/v1/applications/{application.pk}/", {"summary": "十年机械设计"}, format="json")
    assert saved.status_code == 200 and saved.json()["call"]["name_ug"] == UYGHUR  # the autosave's narrow read


def test_api_call_open_saves_the_english_and_uyghur_names(world):
    import datetime as dt

    from django.utils import timezone
    from rest_framework.test import APIClient

    secretary = world.committee.members.get(role="secretary").user
    now = timezone.now()
    api = APIClient()
    api.force_authenticate(secretary)
    body = {"committee": world.committee.pk, "name": CHINESE, "name_en": ENGLISH, "name_ug": UYGHUR,
            "series": "engineering", "levels": ["intermediate"], "year": 2027, "opens_at": now.isoformat(),
            "closes_at": (now + dt.timedelta(days=20)).isoformat(), "methods": ["review"]}
    response = api.post("/api/v1/calls/", body, format="json")
    assert response.status_code == 201
    assert (response.json()["name_en"], response.json()["name_ug"]) == (ENGLISH, UYGHUR)
    assert Call.objects.filter(pk=response.json()["id"], name_en=ENGLISH, name_ug=UYGHUR).exists()
