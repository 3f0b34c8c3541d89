"""The certificates API: public verification (rate-limited per address),
the holder's list and the bureau's batch progress."""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import numbering, public_records, selectors, services
from certificates.models import VerificationEvent
from certificates.ratelimit import VerifyRateThrottle
from certificates.serializers import (
    BatchProgressOutput,
    FileVerificationOutput,
    FileVerifyInput,
    MyCertificateOutput,
    VerificationOutput,
    VerifyInput,
)
from portal.api import IsBureauOfficer
from portal.errors import InvalidInput
from portal.parsers import JSONParser
from portal.security import keep_private

logger = logging.getLogger(__name__)


class CertificateVerifyApi(APIView):
    """Anyone may verify; a wrong name and an unknown number answer the same.

    ``POST`` with a JSON body ``{"number": …, "name": …}`` is the way to call
    it: the holder's name stays out of URLs, so out of every access log and
    proxy (issue 14.8). ``GET`` with the same query parameters still works
    for older clients; its query string is never logged."""

    permission_classes = [AllowAny]
    throttle_classes = [VerifyRateThrottle]
    parser_classes = [JSONParser]

    def dispatch(self, request, *args, **kwargs):
        # Issue 15: an anonymous, well-formed check is answered from Redis in one round trip
        # (certificates.public_records); everything else, and a record not yet in Redis, takes
        # DRF's path below, which answers exactly as before (the request counted once).
        answer = _answer_from_redis(request, self)
        if answer is not None:
            return answer
        return super().dispatch(request, *args, **kwargs)

    def _verify(self, request, params):
        data = VerifyInput(data=params)
        data.is_valid(raise_exception=True)
        result = services.certificate_verify_number(
            number=data.validated_data["number"], name=data.validated_data["name"],
            channel=VerificationEvent.Channel.API, verifier=request.user)
        return keep_private(Response(result.public()))

    @extend_schema(summary="Verify a certificate by number and holder name (the way to call it)",
                   request=VerifyInput, responses={200: VerificationOutput})
    def post(self, request):
        # Said here, not left to the parser: a middleware that has read a form body already
        # (portal.middleware.NulCharacterRefusalMiddleware) leaves DRF an empty form instead.
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise UnsupportedMediaType(media_type)
        if not isinstance(request.data, dict):
            raise InvalidInput(_("Send a JSON object with the number and the name."))
        return self._verify(request, request.data)

    @extend_schema(summary="Verify a certificate by number and holder name (query string; kept for older "
                           "clients, prefer POST)",
                   parameters=[OpenApiParameter("number", str, required=True),
                               OpenApiParameter("name", str, required=True)],
                   responses={200: VerificationOutput}, deprecated=True)
    def get(self, request):
        return self._verify(request, request.query_params)


#: What ``VerifyInput``'s CharFields refuse in a value: NUL and lone surrogates.
_REFUSED_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def _fast_text(value) -> str | None:
    """A field as ``VerifyInput`` would take it without complaint (else None: DRF's path says why)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not 0 < len(value) <= 64 or _REFUSED_CHARACTERS.search(value):
        return None
    return value


#: The ``Allow`` header DRF gives (``allowed_methods`` of the view as set up: HEAD with GET), by class.
_ALLOW: dict[type, str] = {}


def _allow(view) -> str:
    allow = _ALLOW.get(type(view))
    if allow is None:
        allow = _ALLOW[type(view)] = ", ".join(view.allowed_methods)
    return allow


def _answer_from_redis(request, view):
    """The answer of an anonymous check from its public record in Redis, or None."""
    if not public_records.enabled() or request.method not in ("GET", "POST"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return None  # a verifier who may be an enterprise's HR: recorded as such by DRF's path
    accept = request.META.get("HTTP_ACCEPT", "")
    if (accept and accept != "*/*" and not accept.startswith("application/json")) or "format" in request.GET:
        return None  # another renderer may be asked for (DRF negotiates it)
    if request.method == "POST":
        if (request.content_type or "").lower() != "application/json":
            return None
        try:
            params = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(params, dict):
            return None
    else:
        params = request.GET
    number, name = _fast_text(params.get("number")), _fast_text(params.get("name"))
    if number is None or name is None:
        return None
    try:
        name = services.clean_query_name(name)
        number = numbering.canonical_number(number)
    except (InvalidInput, numbering.NumberError):
        return None
    throttle = VerifyRateThrottle()
    if throttle.rate is None:
        return None
    try:
        answer = public_records.check(
            limit_key=throttle.get_cache_key(request, None), duration=throttle.duration,
            num_requests=throttle.num_requests, number=number, name=name,
            channel=VerificationEvent.Channel.API, organization_id=None)
    except Exception:  # noqa: BLE001 - Redis refused: DRF's path counts and answers
        logger.warning("verify: the public record check failed", exc_info=True)
        return None
    if not answer.allowed or not answer.hit:
        # Counted already: DRF's path must not count the request again.
        request.verify_counted = (answer.allowed, answer.estimate, answer.wait)
        return None
    response = HttpResponse(answer.body, content_type="application/json")
    response["Vary"] = "Accept"
    response["Allow"] = _allow(view)
    return keep_private(response)


class CertificateFileVerifyApi(APIView):
    """Anyone may check a certificate PDF: genuine, unaltered, still valid."""

    permission_classes = [AllowAny]
    throttle_classes = [VerifyRateThrottle]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Verify a certificate PDF", request=FileVerifyInput,
                   responses={200: FileVerificationOutput})
    def post(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > services.file_upload_limit() + 64 * 1024:
            return keep_private(Response({"outcome": "unreadable", "valid": False, "genuine": False,
                                      "unaltered": False, "status": None, "certificate": None,
                                      "detail": _("The file is too large.")}))
        data = FileVerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > services.file_upload_limit():
            raise InvalidInput(_("The file is too large."), field="file")
        result = services.certificate_verify_file(data=upload.read(), verifier=request.user)
        return keep_private(Response(result.public()))


class MyCertificateListApi(ListAPIView):
    """The caller's own certificates."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyCertificateOutput

    def get_queryset(self):
        return selectors.certificates_for_holder(user=self.request.user)

    @extend_schema(summary="My certificates")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class IssueBatchProgressApi(APIView):
    """Issued, failed and remaining certificates of a batch (polled by the page)."""

    permission_classes = [IsBureauOfficer]

    @extend_schema(summary="Progress of an issuing batch", responses={200: BatchProgressOutput})
    def get(self, request, pk: int):
        batch = selectors.batch_for_bureau(user=request.user, pk=pk)
        if batch is None:
            raise Http404
        response = Response(BatchProgressOutput(selectors.batch_progress(batch=batch)).data)
        response["Cache-Control"] = "no-store"
        return response
