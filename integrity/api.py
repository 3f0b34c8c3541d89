"""The integrity API (R6.3): the public reports and follows a report by its
tracking reference; supervisors (and bureau officers of the region, read
only) list and read cases; supervisors decide."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from integrity import selectors, services
from integrity import serializers as s
from portal import ratelimit
from portal.api import HasRole
from portal.models import Role
from portal.security import keep_private


class IntegrityRateThrottle(SimpleRateThrottle):
    """Per client address; rates from ``INTEGRITY_REPORT_API_RATE`` / ``INTEGRITY_STATUS_API_RATE``."""

    scope = "integrity_report"
    default_rate = "5/hour"

    def get_rate(self):
        return getattr(settings, f"{self.scope.upper()}_API_RATE", self.default_rate)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class StatusRateThrottle(IntegrityRateThrottle):
    scope = "integrity_status"
    default_rate = "30/minute"


class FraudReportCreateApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [IntegrityRateThrottle]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(summary="Report suspected fraud on a certificate or a publicised result (public, "
                           "rate-limited; R6.3)", request=s.FraudReportInput,
                   responses={201: s.FraudReportCreatedOutput})
    def post(self, request):
        data = s.FraudReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        _report, reference = services.fraud_report_create(
            description=d["description"], certificate_number=d["certificate_number"],
            holder_name=d["holder_name"], entry_id=d["entry_id"],
            contact=d["contact"], files=d["evidence"], source=ratelimit.address_key(request))
        return keep_private(Response({"reference": reference, "status": services.PUBLIC_RECEIVED},
                                 status=status.HTTP_201_CREATED))


class FraudReportStatusApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [StatusRateThrottle]

    @extend_schema(summary="Status of a fraud report by its tracking reference (public): received, under "
                           "investigation or closed", responses={200: s.FraudReportStatusOutput})
    def get(self, request, reference: str):
        return keep_private(Response(s.FraudReportStatusOutput(services.fraud_report_public_status(reference=reference))
                                 .data))


class IsCaseReader(HasRole):
    roles = (Role.SUPERVISOR, Role.BUREAU_OFFICER)


class IsSupervisor(HasRole):
    roles = (Role.SUPERVISOR,)


class FraudCaseListApi(ListAPIView):
    permission_classes = [IsCaseReader]
    serializer_class = s.FraudCaseOutput

    def get_queryset(self):
        return selectors.cases_for_user(user=self.request.user, status=self.request.query_params.get("status", ""))

    @extend_schema(summary="Fraud cases (supervisors: all; bureau officers: their regions)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FraudCaseDetailApi(APIView):
    permission_classes = [IsCaseReader]

    @extend_schema(summary="One fraud case with its reports, notes and decision",
                   responses={200: s.FraudCaseDetailOutput})
    def get(self, request, pk: int):
        case = selectors.case_for_user(user=request.user, pk=pk)
        if case is None:
            raise Http404
        return Response(s.FraudCaseDetailOutput(case).data)


class FraudCaseDecideApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(summary="Decide a fraud case with recorded reasons; upheld revokes the title (R6.3)",
                   request=s.FraudCaseDecideInput, responses={200: s.FraudCaseDetailOutput})
    def post(self, request, pk: int):
        if selectors.case_for_user(user=request.user, pk=pk) is None:
            raise Http404
        data = s.FraudCaseDecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.fraud_case_decide(actor=request.user, case_id=pk, **data.validated_data)
        return Response(s.FraudCaseDetailOutput(selectors.case_for_user(user=request.user, pk=pk)).data)
