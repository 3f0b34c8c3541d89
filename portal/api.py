"""The portal API: one view per action (``<Entity><Action>Api``), and the
exception handler that turns ``PortalError`` into a 4xx."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from portal import account_services, selectors, services
from portal.errors import PortalError, request_refusal
from portal.models import Organization, Region, Role
from portal.serializers import (
    ApiTokenObtainInput,
    ApiTokenOutput,
    CodeInput,
    CodeSentOutput,
    EnterpriseInput,
    EnterpriseOutput,
    PasswordResetConfirmInput,
    PasswordResetInput,
    RegionOutput,
    RejectInput,
    SignUpInput,
    UserOutput,
)

#: Bodies Django refuses to read (``DATA_UPLOAD_MAX_NUMBER_FIELDS`` and its kin): the caller's mistake.
_REQUEST_TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def exception_handler(exc, context):
    if isinstance(exc, PortalError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, ParseError) and isinstance(exc.__context__, MultiPartParserError):
        # DRF's own text is English and quotes what was sent ("Multipart form parse error - Invalid
        # boundary in multipart: ..."); the caller gets the refusal a page gets, in its language.
        request = context.get("request")
        logging.getLogger("django.request").warning("Bad request (%s): %s", type(exc.__context__).__name__,
                                                    request.path if request is not None else "")
        response = Response(request_refusal(exc.__context__).as_dict(), status=status.HTTP_400_BAD_REQUEST)
        response._has_been_logged = True  # Django's "Bad Request" line would say the same again
        return response
    if isinstance(exc, _REQUEST_TOO_LARGE):
        # Django would answer its own plain 400 page and log the traceback; an API caller gets the
        # API's error, in its language, and the security log keeps one line (the same logger).
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        return Response(request_refusal(exc).as_dict(), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class HasRole(IsAuthenticated):
    roles: tuple[str, ...] = ()

    def has_permission(self, request, view):
        return super().has_permission(request, view) and any(request.user.has_role(r) for r in self.roles)


class IsBureauOfficer(HasRole):
    roles = (Role.BUREAU_OFFICER,)


class RegionListApi(ListAPIView):
    """The autonomous region and its prefecture-level divisions."""

    permission_classes = [AllowAny]
    serializer_class = RegionOutput
    pagination_class = None
    queryset = Region.objects.select_related("parent").order_by("code")

    @extend_schema(summary="List regions")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicFormApi(APIView):
    """A form anyone may send, throttled per address (``public_form``) as the web forms are."""

    permission_classes = [AllowAny]
    throttle_scope = "public_form"


def code_sent(detail: str, token: str) -> Response:
    """The answer of a step that sent a code (or would have): the same whoever asked."""
    return Response({"detail": detail, "token": token, "expires_in": settings.ONE_TIME_CODE_MINUTES * 60},
                    status=status.HTTP_202_ACCEPTED)


class AccountRegisterApi(PublicFormApi):
    """Step 1 of a signup: the details. A 6-digit code goes to the mobile by SMS; the answer never says
    whether the mobile or ID number is registered (their owners are told instead)."""

    @extend_schema(summary="Start a signup: a code is sent to the mobile", request=SignUpInput,
                   responses={202: CodeSentOutput})
    def post(self, request):
        data = SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        token = account_services.signup_request(**data.validated_data)
        return code_sent(_("If this mobile number is yours, we have sent a message to it. Send the code it carries "
                           "with this token to accounts/register/confirm/."), token)


class AccountRegisterConfirmApi(PublicFormApi):
    """Step 2 of a signup: the code from the SMS opens the account."""

    @extend_schema(summary="Confirm a signup with the code from the SMS", request=CodeInput,
                   responses={201: UserOutput})
    def post(self, request):
        data = CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user, _extra = account_services.signup_confirm(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class PasswordResetApi(PublicFormApi):
    """A one-time code to the registered mobile (SMS) or email; the same answer whether or not an
    account matches."""

    @extend_schema(summary="Ask for a password-reset code", request=PasswordResetInput,
                   responses={202: CodeSentOutput})
    def post(self, request):
        data = PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        token = account_services.password_reset_request(**data.validated_data)
        return code_sent(_("If an account matches, we have sent a code to its registered mobile or email. Send it "
                           "with this token to accounts/password/reset/confirm/."), token)


class PasswordResetConfirmApi(PublicFormApi):
    """The code and the new password; ends every session and API token of the account."""

    @extend_schema(summary="Set a new password with the code", request=PasswordResetConfirmInput,
                   responses={200: inline_serializer("PasswordResetDone", {"detail": serializers.CharField()})})
    def post(self, request):
        data = PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        account_services.password_reset_confirm(**data.validated_data)
        return Response({"detail": _("Your password is changed. Every session and API token of the account has "
                                     "ended.")})


class EnterpriseListCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Enterprises the caller does title work for", responses={200: EnterpriseOutput(many=True)})
    def get(self, request):
        qs = selectors.organizations_for_hr(user=request.user).order_by("name")
        return Response(EnterpriseOutput(qs, many=True).data)

    @extend_schema(summary="Register an enterprise title-work account (R1.3)", request=EnterpriseInput,
                   responses={201: EnterpriseOutput})
    def post(self, request):
        data = EnterpriseInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.enterprise_register(registrant=request.user, **data.validated_data)
        return Response(EnterpriseOutput(organization).data, status=status.HTTP_201_CREATED)


class BureauEnterpriseListApi(ListAPIView):
    """The bureau's approval queue (its own regions only)."""

    permission_classes = [IsBureauOfficer]
    serializer_class = EnterpriseOutput

    def get_queryset(self):
        wanted = self.request.query_params.get("status", Organization.Status.PENDING)
        if wanted not in Organization.Status.values:
            wanted = Organization.Status.PENDING
        return selectors.enterprise_queue_for_bureau(user=self.request.user, status=wanted)

    @extend_schema(summary="Enterprises in the bureau's regions, by status",
                   parameters=[OpenApiParameter("status", enum=Organization.Status.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EnterpriseApproveApi(APIView):
    permission_classes = [IsBureauOfficer]

    @extend_schema(summary="Approve an enterprise (bureau of its region)", request=None,
                   responses={200: EnterpriseOutput})
    def post(self, request, pk: int):
        organization = services.enterprise_approve(actor=request.user, organization_id=pk)
        return Response(EnterpriseOutput(organization).data)


class EnterpriseRejectApi(APIView):
    permission_classes = [IsBureauOfficer]

    @extend_schema(summary="Reject an enterprise with a reason", request=RejectInput,
                   responses={200: EnterpriseOutput})
    def post(self, request, pk: int):
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.enterprise_reject(actor=request.user, organization_id=pk,
                                                  reason=data.validated_data["reason"])
        return Response(EnterpriseOutput(organization).data)


class ApiTokenObtainApi(PublicFormApi):
    """A new API token for a mobile (or ID number) and password; failed tries count towards the
    account's lock as the login page's do. The token ends after ``API_TOKEN_IDLE_SECONDS`` without
    use and at the latest ``API_TOKEN_MAX_AGE_SECONDS`` after it was issued, and on logout, a
    password change or reset and an account lock. Only its hash is stored."""

    throttle_scope = None

    @extend_schema(summary="Obtain an API token", request=ApiTokenObtainInput, responses={200: ApiTokenOutput})
    def post(self, request):
        data = ApiTokenObtainInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        agent = request.META.get("HTTP_USER_AGENT", "")
        _token, key = account_services.api_token_issue(user=data.validated_data["user"], name=agent)
        return Response({"token": key, "expires_in": settings.API_TOKEN_IDLE_SECONDS,
                         "max_age": settings.API_TOKEN_MAX_AGE_SECONDS})


class ApiTokenRevokeApi(APIView):
    """End the token this request is made with (an API client's logout). With a session, ends every
    API token of the account."""

    @extend_schema(summary="Revoke the API token in use", request=None, responses={204: None})
    def post(self, request):
        from portal.models import ApiToken

        if isinstance(request.auth, ApiToken):
            account_services.api_tokens_revoke(user=request.user, token_id=request.auth.pk, reason="API logout")
        else:
            account_services.api_tokens_revoke(user=request.user, reason="API logout (session)")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(summary="The caller's account (masked)", responses={200: inline_serializer(
        "Me", {"user": UserOutput(), "roles": serializers.ListField(child=serializers.CharField())})})
    def get(self, request):
        if not request.user.is_authenticated:
            raise PermissionDenied
        return Response({"user": UserOutput(request.user).data,
                         "roles": sorted(request.user.groups.values_list("name", flat=True))})


