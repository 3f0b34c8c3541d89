"""Reads of the applications app."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from applications.models import Specialty, TitleName, TitleSeries


def catalogue_series() -> QuerySet[TitleSeries]:
    """Active series with their titles and active specialties (3 queries)."""
    return TitleSeries.objects.filter(is_active=True).prefetch_related(
        Prefetch("titles", queryset=TitleName.objects.order_by("rank")),
        Prefetch("specialties", queryset=Specialty.objects.filter(is_active=True).order_by("name")),
    )
