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


# --- Eligibility self-check (R3.1–R3.6, R4.3–R4.7) ---------------------------

import math  # noqa: E402

from django.utils.translation import gettext_lazy as _  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.throttling import ScopedRateThrottle  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from applications.eligibility import EligibilityInput, eligibility_check  # noqa: E402
from applications.eligibility_models import Education, Pathway, SkillLevel  # noqa: E402
from applications.models import Level, Qualification, TitleSeries  # noqa: E402


class _FiniteFloatField(serializers.FloatField):
    default_error_messages = {"invalid": _("A valid number is required.")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


def _years_field(**kwargs):
    return _FiniteFloatField(required=False, allow_null=True, min_value=0, max_value=100, **kwargs)


def _code_field(choices, unknown):
    return serializers.ChoiceField(choices=choices, required=False, allow_null=True, allow_blank=True,
                                   error_messages={"invalid_choice": unknown})


class EligibilityCheckInput(serializers.Serializer):
    """The applicant's facts with the codes of domain.md; absent fields mean none/zero/false."""

    series = serializers.CharField(max_length=40, help_text="Series code, e.g. engineering.")
    level = serializers.ChoiceField(choices=Level.choices, help_text="Target level code.",
                                    error_messages={"invalid_choice": _("Unknown level code “{input}”.")})
    pathway = _code_field(Pathway.choices, _("Unknown pathway code “{input}”."))
    education = _code_field(Education.choices, _("Unknown education code “{input}”."))
    years_since_graduation = _years_field()
    current_level = _code_field(Level.choices, _("Unknown level code “{input}”."))
    years_at_current_level = _years_field()
    skill_level = _code_field(SkillLevel.choices, _("Unknown skill level code “{input}”."))
    skill_years = _years_field()
    qualification = serializers.CharField(max_length=60, required=False, allow_null=True, allow_blank=True,
                                          help_text="Qualification code from the catalogue (R4.7).")
    continuing_education_hours = _FiniteFloatField(required=False, allow_null=True, min_value=0, max_value=100000)
    private_enterprise = serializers.BooleanField(required=False, allow_null=True, default=False)
    first_time = serializers.BooleanField(required=False, allow_null=True, default=False)
    recommendations = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100,
                                               help_text="Full-senior recommendations (R3.6 exceptional).")

    def validate_series(self, value):
        if not TitleSeries.objects.filter(code=value, is_active=True).exists():
            raise serializers.ValidationError(_("Unknown series code “%(code)s”.") % {"code": value})
        return value

    def validate_qualification(self, value):
        if value and not Qualification.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("Unknown qualification code “%(code)s”.") % {"code": value})
        return value


class EligibilityConditionOutput(serializers.Serializer):
    rule = serializers.CharField()
    met = serializers.BooleanField()
    message = serializers.CharField()


class EligibilityCheckOutput(serializers.Serializer):
    eligible = serializers.BooleanField()
    conditions = EligibilityConditionOutput(many=True)


class EligibilityCheckApi(APIView):
    """Public self-check: may these facts apply for this title on this pathway?"""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "eligibility_check"

    @extend_schema(summary="Check eligibility for a title (no login)", request=EligibilityCheckInput,
                   responses={200: EligibilityCheckOutput})
    def post(self, request):
        data = EligibilityCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = eligibility_check(facts=EligibilityInput.from_data(data.validated_data))
        return Response(EligibilityCheckOutput(result.as_dict()).data)
