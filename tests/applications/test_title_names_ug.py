"""Issue 13: every title name has a Uyghur name, written in the Arabic script, so Uyghur pages and
bilingual certificates never fall back to the Chinese title."""

from __future__ import annotations

import re

import pytest

from applications import catalogue_data, catalogue_ug
from applications.models import TitleName
from applications.services import catalogue_seed

ARABIC = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
CJK = re.compile(r"[\u3000-\u303F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]")
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")

TITLES = [(row["code"], level, name) for row in catalogue_data.SERIES for level, name in row["titles"].items()]


def test_the_catalogue_has_118_titles_in_27_series():
    assert len(catalogue_data.SERIES) == 27 and len(TITLES) == 118


@pytest.mark.parametrize(("series", "level", "name"), TITLES)
def test_every_title_name_has_a_uyghur_name(series, level, name):
    name_ug = catalogue_ug.TITLES_UG.get(series, {}).get(level, "")
    assert name_ug.strip(), f"{series}/{level} ({name}) has no Uyghur name"
    assert ARABIC.search(name_ug), name_ug
    assert not CJK.search(name_ug), name_ug
    assert not LATIN.search(name_ug), name_ug
    assert name_ug == " ".join(name_ug.split())


def test_every_title_name_has_a_uyghur_name_only_for_titles_the_catalogue_has():
    levels = {row["code"]: set(row["titles"]) for row in catalogue_data.SERIES}
    assert set(catalogue_ug.TITLES_UG) == set(levels)
    for series, names in catalogue_ug.TITLES_UG.items():
        assert set(names) == levels[series], series


@pytest.mark.django_db
def test_every_title_name_has_a_uyghur_name_after_the_catalogue_seed():
    TitleName.objects.update(name_ug="")
    catalogue_seed()
    assert TitleName.objects.count() == len(TITLES)
    assert not TitleName.objects.filter(name_ug="").exists()
    for title in TitleName.objects.select_related("series"):
        assert title.name_ug == catalogue_ug.TITLES_UG[title.series.code][title.level]


@pytest.mark.django_db
def test_every_title_name_has_a_uyghur_name_after_the_migration_and_an_entered_name_is_kept():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("applications.migrations.0018_title_names_in_uyghur")
    TitleName.objects.update(name_ug="")
    kept = TitleName.objects.select_related("series").get(series__code="lawyer", level="senior")
    kept.name_ug = "ئادۋوكات"
    kept.save(update_fields=["name_ug"])
    migration.fill_title_names_in_uyghur(apps, None)
    assert not TitleName.objects.filter(name_ug="").exists()
    kept.refresh_from_db()
    assert kept.name_ug == "ئادۋوكات"
    assert TitleName.objects.get(series__code="school_teachers", level="deputy_senior").name_ug == "ئالىي ئوقۇتقۇچى"
