"""URLs of the stats app: ``pages`` under /, ``api_patterns`` under /api/v1/."""

from django.urls import path

from stats import api, views

pages: list = [
    path("stats/", views.stats_index, name="stats-index"),
    path("stats/export/<slug:table>.xlsx", views.stats_export, name="stats-export"),
    path("stats/refresh/", views.stats_refresh, name="stats-refresh"),
]
api_patterns: list = [
    path("stats/", api.StatsOverviewApi.as_view(), name="api-stats"),
    path("stats/<slug:table>/", api.StatsTableApi.as_view(), name="api-stats-table"),
]
