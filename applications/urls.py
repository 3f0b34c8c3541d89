"""URLs of the applications app: ``pages`` under /, ``api`` under /api/v1/."""

from django.urls import path

from applications import api, views

pages: list = [
    path("eligibility/", views.eligibility, name="eligibility"),
]

api_patterns = [
    path("catalogue/series/", api.SeriesListApi.as_view(), name="api-series"),
    path("eligibility/check/", api.EligibilityCheckApi.as_view(), name="api-eligibility-check"),
]
