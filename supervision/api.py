"""The supervision API: one view per action (``<Entity><Action>Api``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import HasRole
from portal.errors import NotFound
from portal.models import Role
from supervision import selectors, services
from supervision.models import OversightAlert


class IsOverseer(HasRole):
    roles = (Role.SUPERVISOR, Role.BUREAU_OFFICER)


class AlertOutput(serializers.ModelSerializer):
    committee_name = serializers.CharField(source="committee.name", help_text="The filed (Chinese) name.")
    committee_name_en = serializers.CharField(source="committee.name_en", help_text="Empty when none was given.")
    committee_name_ug = serializers.CharField(source="committee.name_ug", help_text="Empty when none was given.")
    call_name = serializers.CharField(source="call.name", help_text="The official (Chinese) name.")
    call_name_en = serializers.CharField(source="call.name_en", help_text="Empty when none was given.")
    call_name_ug = serializers.CharField(source="call.name_ug", help_text="Empty when none was given.")

    class Meta:
        model = OversightAlert
        fields = ["id", "kind", "committee", "committee_name", "committee_name_en", "committee_name_ug", "call",
                  "call_name", "call_name_en", "call_name_ug", "details", "raised_at", "status", "acknowledged_at",
                  "note"]


class AcknowledgeInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class CheckOutput(serializers.Serializer):
    raised = AlertOutput(many=True)


class AlertListApi(APIView):
    permission_classes = [IsOverseer]
    pagination_class = PageNumberPagination  # the schema shows the page, as the answer is one

    @extend_schema(summary="Oversight alerts the caller may see (R6.7 pass rates, R2.4 late filings)",
                   parameters=[OpenApiParameter("status", str, enum=OversightAlert.Status.values, required=False)],
                   responses={200: AlertOutput(many=True)})
    def get(self, request):
        if not selectors.may_oversee(request.user):
            raise NotFound()
        qs = selectors.alerts_for_user(user=request.user, status=request.query_params.get("status", ""))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AlertOutput(page, many=True).data)


class AlertCheckApi(APIView):
    permission_classes = [IsOverseer]

    @extend_schema(summary="Run the oversight check now (a supervisor; idempotent)", request=None,
                   responses={200: CheckOutput})
    def post(self, request):
        raised = services.oversight_check_now(actor=request.user)
        return Response({"raised": AlertOutput(raised, many=True).data}, status=status.HTTP_200_OK)


class AlertAcknowledgeApi(APIView):
    permission_classes = [IsOverseer]

    @extend_schema(summary="Acknowledge an alert with a note on what is being done", request=AcknowledgeInput,
                   responses={200: AlertOutput})
    def post(self, request, pk: int):
        data = AcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_acknowledge(actor=request.user, alert_id=pk, note=data.validated_data["note"])
        return Response(AlertOutput(alert).data)
