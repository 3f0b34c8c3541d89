"""A title's name in the page's language (``applications.title_names``): a Uyghur page names an
application's title in Uyghur and an English page in English, from the catalogue's ``TitleName`` of
the same series and level, without a query per row; a Chinese page, the stored snapshot
(``Application.title_name``) and everything legal keep the Chinese name; a title the catalogue does
not translate falls back to the stored name."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import application_services as svc
from applications import title_names
from applications.models import Application, TitleHeld, TitleName
from portal.models import Notification, User
from tests.title_names_helpers import CHINESE, ENGLISH, UYGHUR, page


@pytest.fixture(autouse=True)
def _own_version(monkeypatch):
    """The versions these tests set are their own: the processes of a parallel run share Redis."""
    monkeypatch.setattr(title_names, "VERSION_KEY", f"{title_names.VERSION_KEY}:{uuid.uuid4().hex}")


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def untranslated(level: str = "intermediate", series: str = "engineering") -> None:
    """The catalogue loses the title's English and Uyghur names (a committed save: every process
    reads the names again)."""
    title = TitleName.objects.get(series__code=series, level=level)
    title.name_en, title.name_ug = "", ""
    title.save()
    title_names.changed()  # as the commit would (the test's transaction never commits)


# --- Pages ---------------------------------------------------------------------------------------

def test_applicants_dashboard_names_the_title_in_the_page_s_language(client, world):
    application = world.create()
    url = reverse("applications-dashboard")
    uyghur = page(client, world.applicant, url, "ug")
    assert f">{UYGHUR}</a>" in uyghur and CHINESE not in uyghur
    english = page(client, world.applicant, url, "en")
    assert f">{ENGLISH}</a>" in english and CHINESE not in english
    chinese = page(client, world.applicant, url, "zh-hans")
    assert f">{CHINESE}</a>" in chinese and UYGHUR not in chinese
    untranslated()
    assert f">{CHINESE}</a>" in page(client, world.applicant, url, "ug")
    assert Application.objects.get(pk=application.pk).title_name == CHINESE  # the snapshot is unchanged


def test_applicants_dashboard_queries_stay_flat_in_uyghur(client, world):
    """As many queries in Uyghur as in Chinese, with one card or four (each page once before, for
    what each process keeps: the frame, the open calls)."""
    from tests.applications.conftest import make_call, make_committee

    url = reverse("applications-dashboard")
    one = world.another_applicant()
    world.create(applicant=one)
    world.create()
    for year in (2031, 2032, 2033):
        world.create(call=make_call(committee=make_committee(region_code=None), year=year))
    counts = {}
    for language in ("zh-hans", "ug"):
        for who in (one, world.applicant):
            page(client, who, url, language)
            counts[language, who.pk] = queries(client, url)
    assert len(set(counts.values())) == 1, counts


def test_application_detail_and_edit_pages_name_the_title_in_the_page_s_language(client, world):
    application = world.create()
    for url in (reverse("application-detail", args=[application.pk]),
                reverse("application-edit", args=[application.pk, "basics"])):
        uyghur = page(client, world.applicant, url, "ug")
        assert UYGHUR in uyghur and CHINESE not in uyghur, url
        english = page(client, world.applicant, url, "en")
        assert ENGLISH in english and CHINESE not in english, url
        assert CHINESE in page(client, world.applicant, url, "zh-hans")


def test_hr_list_and_review_page_name_the_title_in_the_page_s_language(client, world):
    application = world.submitted()
    listing = reverse("hr-applications", args=[world.enterprise.pk])
    review = reverse("application-review", args=[application.pk])
    for url in (listing, review):
        uyghur = page(client, world.hr, url, "ug")
        assert UYGHUR in uyghur and CHINESE not in uyghur, url
        assert ENGLISH in page(client, world.hr, url, "en"), url
        assert CHINESE in page(client, world.hr, url, "zh-hans"), url
    page(client, world.hr, listing, "zh-hans")
    chinese = queries(client, listing)
    page(client, world.hr, listing, "ug")
    assert queries(client, listing) == chinese
    untranslated()
    assert CHINESE in page(client, world.hr, listing, "ug")


def test_titles_held_on_the_profile_page_in_the_page_s_language(client, world):
    """The catalogue's title held is translated; a title someone typed otherwise stays as typed."""
    held = TitleHeld.objects.filter(user=world.applicant).first()
    assert held is not None
    TitleHeld.objects.filter(pk=held.pk).update(level="intermediate",
                                                title_name=TitleName.objects.get(series=held.series_id,
                                                                                 level="intermediate").name)
    title = TitleName.objects.get(series=held.series_id, level="intermediate")
    url = reverse("applicant-profile")
    assert title.name_ug in page(client, world.applicant, url, "ug")
    TitleHeld.objects.filter(pk=held.pk).update(title_name="自定职称")
    assert "自定职称" in page(client, world.applicant, url, "ug")


def test_notifications_name_the_title_in_the_recipient_s_language(world, deliver):
    """The applicant reads Uyghur, the HR officer English: each notification of a submission names
    the title in its recipient's language."""
    User.objects.filter(pk=world.applicant.pk).update(language="ug")
    User.objects.filter(pk=world.hr.pk).update(language="en")
    world.applicant.refresh_from_db()
    world.hr.refresh_from_db()
    application = world.complete(world.create())
    deliver(world.submit, application)
    to_hr = Notification.objects.filter(recipient=world.hr).order_by("-pk").first()
    assert to_hr is not None and ENGLISH in to_hr.subject + to_hr.body and CHINESE not in to_hr.subject + to_hr.body
    deliver(svc.application_decide, actor=world.hr, application_id=application.pk, action="employer_return",
            reason="请补充", corrections=[{"target": "summary", "message": "补充"}])
    to_applicant = Notification.objects.filter(recipient=world.applicant).order_by("-pk").first()
    text = to_applicant.subject + to_applicant.body
    assert UYGHUR in text and CHINESE not in text
