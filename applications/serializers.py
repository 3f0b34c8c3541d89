from __future__ import annotations

from rest_framework import serializers

from applications.models import Specialty, TitleName, TitleSeries


class TitleNameOutput(serializers.ModelSerializer):
    class Meta:
        model = TitleName
        fields = ["level", "name", "name_en"]


class SpecialtyOutput(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["code", "name", "name_en"]


class SeriesOutput(serializers.ModelSerializer):
    titles = TitleNameOutput(many=True, read_only=True)
    specialties = SpecialtyOutput(many=True, read_only=True)

    class Meta:
        model = TitleSeries
        fields = ["code", "name", "name_en", "titles", "specialties"]
