"""Output shapes of the statistics API (aggregates only, no personal data)."""

from __future__ import annotations

from rest_framework import serializers


class StatsRowOutput(serializers.Serializer):
    key = serializers.CharField(help_text="Code of the row (region code, series code, level, pathway, "
                                          "ownership or year); empty for the total.")
    label = serializers.CharField()
    applications = serializers.IntegerField(help_text="Submitted applications.")
    passed = serializers.IntegerField(help_text="Titles granted.")
    failed = serializers.IntegerField(help_text="Not passed.")
    pass_rate = serializers.FloatField(allow_null=True, help_text="Passes ÷ (passes + not passed), in percent.")
    certificates = serializers.IntegerField(help_text="Valid certificates.")
    private_applications = serializers.IntegerField(help_text="Submitted applications of private-enterprise "
                                                              "professionals.")
    reached = serializers.IntegerField(help_text="Distinct private-enterprise professionals; not additive "
                                                 "across rows.")


class StatsScopeOutput(serializers.Serializer):
    whole_region = serializers.BooleanField()
    prefecture = serializers.CharField(help_text="Region code shown; empty for the whole autonomous region.")
    name = serializers.CharField()


class StatsFiltersOutput(serializers.Serializer):
    year = serializers.IntegerField(help_text="0 for all years.")
    series = serializers.CharField()
    level = serializers.CharField()
    pathway = serializers.CharField()
    ownership = serializers.CharField()


class StatsOverviewOutput(serializers.Serializer):
    as_of = serializers.DateTimeField(allow_null=True, help_text="When the aggregate tables were last refreshed.")
    updating = serializers.BooleanField(help_text="The data changed since; new figures are being computed.")
    scope = StatsScopeOutput()
    filters = StatsFiltersOutput()
    headline = StatsRowOutput()
    tables = serializers.DictField(child=StatsRowOutput(many=True),
                                   help_text="prefecture, series, level, pathway, ownership, year.")


class StatsTableOutput(serializers.Serializer):
    as_of = serializers.DateTimeField(allow_null=True)
    updating = serializers.BooleanField()
    scope = StatsScopeOutput()
    filters = StatsFiltersOutput()
    table = serializers.CharField()
    rows = StatsRowOutput(many=True)
    total = StatsRowOutput()
