"""``applications.title_names``: a title's name in the active language from the catalogue, read
once per process and kept under a version in the shared cache (no query per row); a committed change
of the catalogue shows at once in this process and, once the version is read, in the others."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from applications import title_names
from applications.models import Application, TitleName

CHINESE, ENGLISH, UYGHUR = "工程师", "Engineer", "ئىنژېنېر"


@pytest.fixture(autouse=True)
def _own_version(monkeypatch):
    """The versions these tests set are their own."""
    monkeypatch.setattr(title_names, "VERSION_KEY", f"{title_names.VERSION_KEY}:{uuid.uuid4().hex}")


def engineer() -> Application:
    """An application for 工程师 (not saved: its title is all that is read)."""
    series_id = TitleName.objects.get(series__code="engineering", level="intermediate").series_id
    return Application(series_id=series_id, level="intermediate", title_name=CHINESE)


def untranslated() -> None:
    """The catalogue loses the title's English and Uyghur names."""
    title = TitleName.objects.get(series__code="engineering", level="intermediate")
    title.name_en, title.name_ug = "", ""
    title.save()
    title_names.changed()  # as the commit would (the test's transaction never commits)


def test_the_catalogue_names_engineers_in_three_languages():
    title = TitleName.objects.get(series__code="engineering", level="intermediate")
    assert (title.name, title.name_en, title.name_ug) == (CHINESE, ENGLISH, UYGHUR)


def test_title_in_language_follows_the_active_language_and_falls_back_to_the_stored_name():
    series_id = TitleName.objects.get(series__code="engineering", level="intermediate").series_id

    def shown(language, **kwargs):
        with translation.override(language):
            return title_names.title_in_language(series_id=series_id, level="intermediate", stored="工程师(旧)",
                                                 **kwargs)

    assert (shown("zh-hans"), shown("en"), shown("ug")) == ("工程师(旧)", ENGLISH, UYGHUR)
    with translation.override("ug"):
        assert title_names.title_in_language(series_id=None, level="intermediate", stored="某职称") == "某职称"
        assert title_names.title_in_language(series_id=series_id, level="nonsense", stored="某职称") == "某职称"
    # A name someone typed that is not the catalogue's stays as typed; the catalogue's is translated.
    assert shown("ug", same_name_only=True) == "工程师(旧)"
    with translation.override("ug"):
        assert title_names.title_in_language(series_id=series_id, level="intermediate", stored=CHINESE,
                                             same_name_only=True) == UYGHUR
    untranslated()
    assert (shown("en"), shown("ug")) == ("工程师(旧)", "工程师(旧)")


def test_the_names_are_read_once_per_process_then_kept():
    application = engineer()
    title_names.changed()
    with translation.override("ug"), CaptureQueriesContext(connection) as first:
        assert application.title_display == UYGHUR
    with translation.override("ug"), CaptureQueriesContext(connection) as then:
        for _ in range(50):
            assert application.title_display == UYGHUR
    assert len(first.captured_queries) == 1 and len(then.captured_queries) == 0
    with translation.override("zh-hans"), CaptureQueriesContext(connection) as chinese:
        title_names.changed()
        assert application.title_display == CHINESE  # a Chinese page needs no catalogue at all
    assert len(chinese.captured_queries) == 0


def test_a_committed_change_of_the_catalogue_shows_at_once(django_capture_on_commit_callbacks):
    application = engineer()
    with translation.override("ug"):
        assert application.title_display == UYGHUR
        title = TitleName.objects.get(series__code="engineering", level="intermediate")
        title.name_ug = "ئىنژېنېر (يېڭى)"
        with django_capture_on_commit_callbacks(execute=True):
            title.save()
        assert application.title_display == "ئىنژېنېر (يېڭى)"


def test_another_process_s_change_shows_after_its_version_is_read(monkeypatch):
    """Another process's commit sets a new version in the shared cache: this process reads the names
    again the next time it compares the version (at most ``CHECK_SECONDS`` later)."""
    application = engineer()
    with translation.override("ug"):
        assert application.title_display == UYGHUR
        TitleName.objects.filter(series__code="engineering", level="intermediate").update(name_ug="باشقا")
        assert application.title_display == UYGHUR  # kept: no signal, the version has not moved
        from django.core.cache import cache

        cache.set(title_names.version_key(), "set by another process", None)
        monkeypatch.setattr(title_names, "CHECK_SECONDS", 0.0)
        assert application.title_display == "باشقا"
