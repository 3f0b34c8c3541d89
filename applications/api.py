from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from applications.selectors import catalogue_series
from applications.serializers import SeriesOutput


class SeriesListApi(ListAPIView):
    """The title catalogue: series with their titles per level and specialties."""

    permission_classes = [AllowAny]
    serializer_class = SeriesOutput
    pagination_class = None

    def get_queryset(self):
        return catalogue_series()

    @extend_schema(summary="List title series with titles and specialties")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
