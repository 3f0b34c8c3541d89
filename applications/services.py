"""Writes of the applications app."""

from __future__ import annotations

from django.db import transaction

from applications import catalogue_data, catalogue_ug
from applications.models import Qualification, Specialty, TitleName, TitleSeries


@transaction.atomic
def catalogue_seed() -> dict[str, int]:
    """Load the 27 national series, their titles and specialties, and the
    qualification table; idempotent (update or create by code)."""
    counts = {"series": 0, "titles": 0, "specialties": 0, "qualifications": 0}
    by_code = {}
    for order, row in enumerate(catalogue_data.SERIES, start=1):
        series, _ = TitleSeries.objects.update_or_create(
            code=row["code"], defaults={"name": row["name_zh"], "name_en": row["name_en"],
                                        "name_ug": catalogue_ug.SERIES_UG.get(row["code"], ""), "order": order})
        by_code[series.code] = series
        counts["series"] += 1
        titles_en = row.get("titles_en", {})
        titles_ug = catalogue_ug.TITLES_UG.get(row["code"], {})
        for level, name in row["titles"].items():
            defaults = {"name": name, "name_en": titles_en.get(level, "")}
            if titles_ug.get(level):
                defaults["name_ug"] = titles_ug[level]
            TitleName.objects.update_or_create(series=series, level=level, defaults=defaults)
            counts["titles"] += 1
        specialties_ug = catalogue_ug.SPECIALTIES_UG.get(row["code"], {})
        for code, name, name_en in row["specialties"]:
            Specialty.objects.update_or_create(series=series, code=code, defaults={
                "name": name, "name_en": name_en, "name_ug": specialties_ug.get(code, "")})
            counts["specialties"] += 1
    for row in catalogue_data.QUALIFICATION_CORRESPONDENCE:
        Qualification.objects.update_or_create(code=row["code"], defaults={
            "name": row["name_zh"], "name_en": row["name_en"],
            "name_ug": catalogue_ug.QUALIFICATIONS_UG.get(row["code"], ""), "series": by_code[row["series"]],
            "level": row["level"]})
        counts["qualifications"] += 1
    return counts
