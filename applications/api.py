"""The applications API: one view per action, object permissions through the
selectors (an applicant sees only their own applications, a unit only its
employees', an acceptance body only its region and series) and again in
every service."""

from __future__ import annotations

import functools
import math

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from applications import application_services as svc
from applications import selectors, workflow
from applications.choices import Pathway
from applications.eligibility import EligibilityInput, eligibility_check
from applications.eligibility_models import Education, SkillLevel
from applications.models import ApplicationStatus, Level, Qualification, TitleSeries
from applications.selectors import catalogue_series
from applications.serializers import (
    AchievementInput,
    AchievementOutput,
    ApplicationCreateInput,
    ApplicationListOutput,
    ApplicationOutput,
    ApplicationUpdateInput,
    AttachmentInput,
    AttachmentOutput,
    BulkApproveInput,
    BulkApproveOutput,
    CallOpenInput,
    CallOutput,
    CorrectionAnswerInput,
    CorrectionOutput,
    CorrectionRoundOutput,
    CorrectionTargetOutput,
    DecideInput,
    ObjectionAnswerInput,
    ObjectionInput,
    PublicityOutput,
    SeriesOutput,
    SubmitInput,
    TimelineOutput,
    TranslatedNamesInput,
    WithdrawInput,
    application_output,
)
from portal.api import HasRole
from portal.models import Role
from portal.numbers import normalise_api_number
from portal.parsers import JSONParser


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





class _FiniteFloatField(serializers.FloatField):
    default_error_messages = {"invalid": _("A valid number is required.")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(normalise_api_number(data))
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


# --- Applications ---------------------------------------------------------------------




class KeysetPagination(CursorPagination):
    """Keyset pagination on the id, newest first: the same cost on any page."""

    ordering = "-id"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _visible(request, pk: int, *, page: bool = True):
    application = selectors.application_get_for_user(user=request.user, pk=pk, page=page)
    if application is None:
        raise Http404
    return application


def _detail(request, pk: int) -> Response:
    return Response(application_output(_visible(request, pk, page=False)))


class CallListApi(ListAPIView):
    """Calls open now, with their series, levels, pathways and methods; a
    committee's secretary or a bureau officer opens one."""

    serializer_class = CallOutput
    pagination_class = None

    def get_queryset(self):
        return selectors.open_calls()

    @extend_schema(summary="List open calls")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Open a call (committee secretary or bureau officer; R2.1, R2.3, R4.1)",
                   request=CallOpenInput, responses={201: CallOutput})
    def post(self, request):
        from portal.models import Region

        data = CallOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        region = Region.objects.filter(code=d["entrusted_by"]).first() if d["entrusted_by"] else None
        if d["entrusted_by"] and region is None:
            raise Http404
        call = svc.call_open(actor=request.user, name=d["name"], name_en=d["name_en"], name_ug=d["name_ug"],
                             series_id=d["series"].pk, levels=d["levels"],
                             year=d["year"], opens_at=d["opens_at"], closes_at=d["closes_at"], methods=d["methods"],
                             pathways=d["pathways"], committee_id=d["committee"], bureau_id=d["bureau"],
                             specialty_ids=d["specialties"], private_enterprise_group=d["private_enterprise_group"],
                             entrusted_by_id=region.pk if region else None, entrustment_note=d["entrustment_note"],
                             pass_rate_ceiling=d["pass_rate_ceiling"])
        return Response(CallOutput(call).data, status=status.HTTP_201_CREATED)


class CallDetailApi(APIView):
    """A call's English and Uyghur names, given later by who opens its calls (its committee's
    secretary; the bureau's officer for a bureau's call)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Give a call its English and Uyghur names (its secretary or bureau officer); "
                           "the official Chinese name stays",
                   request=TranslatedNamesInput, responses={200: CallOutput})
    def patch(self, request, pk: int):
        data = TranslatedNamesInput(data=request.data)
        data.is_valid(raise_exception=True)
        call = svc.call_rename_translations(actor=request.user, call_id=pk, **data.validated_data)
        return Response(CallOutput(selectors.call_with_names(pk=call.pk)).data)


class ApplicationListCreateApi(ListAPIView):
    """Applications the caller may see (their own; as reviewer, those submitted to them)."""

    serializer_class = ApplicationListOutput
    pagination_class = KeysetPagination

    def get_queryset(self):
        qs = selectors.application_list_for_user(user=self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted in ApplicationStatus.values:
            qs = qs.filter(status=wanted)
        if self.request.query_params.get("mine") in ("1", "true"):
            qs = qs.filter(applicant=self.request.user)
        return qs

    @extend_schema(summary="List applications visible to the caller",
                   parameters=[OpenApiParameter("status", enum=ApplicationStatus.values),
                               OpenApiParameter("mine", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(summary="Create a draft application in an open call (R1.1, R2.1, R2.3, R6.4)",
                   request=ApplicationCreateInput, responses={201: ApplicationOutput})
    def post(self, request):
        data = ApplicationCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        application = svc.application_create(applicant=request.user, call_id=d["call"], specialty_id=d["specialty"],
                                             level=d["level"], pathway=d["pathway"], channel=d["channel"],
                                             sponsor_id=d.get("sponsor"))
        return Response(application_output(_visible(request, application.pk, page=False)),
                        status=status.HTTP_201_CREATED)


@functools.cache
def _update_input() -> ApplicationUpdateInput:
    """One ``ApplicationUpdateInput`` per process, its fields bound once (issue 15: an autosave
    built and deep-copied them on every save). Only ``run_validation`` is called on it, which is
    what ``is_valid`` runs and keeps no state; an invalid save is answered by ``is_valid`` itself."""
    return ApplicationUpdateInput(partial=True)


def prefers_minimal(request) -> bool:
    """Whether the request's ``Prefer`` header asks for ``return=minimal`` (RFC 7240: preferences
    separated by commas, each with optional ``;`` parameters; names case-insensitive, a value
    possibly quoted; of a preference given twice, the first counts)."""
    header = request.META.get("HTTP_PREFER")
    if not header:
        return False
    for preference in header.split(","):
        name, _sep, value = preference.split(";", 1)[0].partition("=")
        if name.strip().lower() == "return":
            return value.strip().strip('"').lower() == "minimal"
    return False


#: ``Prefer`` as the autosave's schema documents it.
PREFER_PARAMETER = OpenApiParameter(
    "Prefer", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False, enum=["return=minimal"],
    description="RFC 7240. `return=minimal`: on success, answer 204 No Content with "
                "`Preference-Applied: return=minimal` instead of the application (the browser's autosave "
                "sends it). Errors answer as without it.")


class ApplicationDetailApi(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(summary="One application (object permissions: applicant or its reviewers)",
                   responses={200: ApplicationOutput})
    def get(self, request, pk: int):
        return _detail(request, pk)

    @extend_schema(summary="Autosave the draft (only the parts a return unlocked, once returned)",
                   request=ApplicationUpdateInput,
                   parameters=[PREFER_PARAMETER, OpenApiParameter(
                       "Preference-Applied", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[204],
                       enum=["return=minimal"], description="The preference the 204 honoured (RFC 7240).")],
                   responses={200: ApplicationOutput,
                              204: OpenApiResponse(description="Saved; with `Prefer: return=minimal` (no body, "
                                                               "`Preference-Applied: return=minimal`).")})
    def patch(self, request, pk: int):
        try:
            validated = _update_input().run_validation(request.data)
        except serializers.ValidationError:  # the answer exactly as is_valid gives it
            data = ApplicationUpdateInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            validated = data.validated_data
        minimal = prefers_minimal(request)
        application = svc.application_update_draft(actor=request.user, application_id=pk, data=dict(validated),
                                                   for_answer=not minimal)
        if minimal:  # RFC 7240: saved, nothing to render (issue 15: the peak's autosaves)
            response = HttpResponse(status=status.HTTP_204_NO_CONTENT)
            del response["Content-Type"]  # no body (as DRF leaves an empty Response)
            response["Preference-Applied"] = "return=minimal"
            return response
        # The saved row, read under its lock with what the answer names (only its applicant may save
        # it): the answer needs only its lists, not a second read of the application (issue 15).
        return Response(application_output(selectors.application_with_api_lists(application)))


class AchievementAddApi(APIView):
    @extend_schema(summary="Add an achievement (R3.2)", request=AchievementInput, responses={201: AchievementOutput})
    def post(self, request, pk: int):
        data = AchievementInput(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = svc.achievement_add(actor=request.user, application_id=pk, **data.validated_data)
        return Response(AchievementOutput(achievement).data, status=status.HTTP_201_CREATED)


class AchievementDetailApi(APIView):
    @extend_schema(summary="Change an achievement", request=AchievementInput, responses={200: AchievementOutput})
    def put(self, request, pk: int, achievement_id: int):
        data = AchievementInput(data=request.data)
        data.is_valid(raise_exception=True)
        achievement = svc.achievement_update(actor=request.user, application_id=pk, achievement_id=achievement_id,
                                             **data.validated_data)
        return Response(AchievementOutput(achievement).data)

    @extend_schema(summary="Remove an achievement and its evidence", responses={204: None})
    def delete(self, request, pk: int, achievement_id: int):
        svc.achievement_remove(actor=request.user, application_id=pk, achievement_id=achievement_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentAddApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Upload a material or evidence file (PDF, JPEG, PNG by content; size and count limits)",
                   request={"multipart/form-data": AttachmentInput}, responses={201: AttachmentOutput})
    def post(self, request, pk: int):
        data = AttachmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        attachment = svc.attachment_add(actor=request.user, application_id=pk, material=d["material"],
                                        upload=d["file"], achievement_id=d["achievement"])
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDeleteApi(APIView):
    @extend_schema(summary="Remove a file", responses={204: None})
    def delete(self, request, pk: int, attachment_id: int):
        svc.attachment_remove(actor=request.user, application_id=pk, attachment_id=attachment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApplicationSubmitApi(APIView):
    @extend_schema(summary="Submit with the integrity pledge (R6.3, R6.4, eligibility)", request=SubmitInput,
                   responses={200: ApplicationOutput})
    def post(self, request, pk: int):
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        svc.application_submit(actor=request.user, application_id=pk, pledge_text=str(svc.PLEDGE_TEXT),
                               pledge_accepted=data.validated_data["pledge_accepted"],
                               ip_address=request.META.get("REMOTE_ADDR") or None)
        return _detail(request, pk)


class ApplicationResubmitApi(APIView):
    @extend_schema(summary="Resubmit a corrected application (back to the stage that returned it)", request=None,
                   responses={200: ApplicationOutput})
    def post(self, request, pk: int):
        svc.application_resubmit(actor=request.user, application_id=pk)
        return _detail(request, pk)


class CorrectionRoundListApi(APIView):
    @extend_schema(summary="Returns for correction, newest first: each correction with the changes that answer "
                           "it (fields before and after, achievements by title, files by name)",
                   responses={200: CorrectionRoundOutput(many=True)})
    def get(self, request, pk: int):
        application = _visible(request, pk)
        rounds = selectors.application_correction_rounds(application=application)
        return Response(CorrectionRoundOutput(rounds, many=True).data)


class CorrectionTargetListApi(APIView):
    @extend_schema(summary="What a return may name: fields, achievements by title, materials and files by name",
                   responses={200: CorrectionTargetOutput(many=True)})
    def get(self, request, pk: int):
        application = _visible(request, pk)
        reviewing = {workflow.SPONSOR_HR, workflow.ACCEPTANCE, workflow.BUREAU}
        if not svc.application_roles(user=request.user, application=application) & reviewing:
            raise Http404
        rows = [{"target": code, "label": label, "group": str(group)}
                for group, options in svc.correction_targets(application) for code, label in options]
        return Response(CorrectionTargetOutput(rows, many=True).data)


class CorrectionAnswerApi(APIView):
    @extend_schema(summary="The applicant answers one correction in words", request=CorrectionAnswerInput,
                   responses={200: CorrectionOutput})
    def post(self, request, pk: int, correction_id: int):
        data = CorrectionAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        correction = svc.correction_answer(actor=request.user, application_id=pk, correction_id=correction_id,
                                           answer=data.validated_data["answer"])
        return Response(CorrectionOutput(correction).data)


class ApplicationWithdrawApi(APIView):
    @extend_schema(summary="Withdraw before evaluation", request=WithdrawInput, responses={200: ApplicationOutput})
    def post(self, request, pk: int):
        data = WithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        svc.application_withdraw(actor=request.user, application_id=pk, reason=data.validated_data["reason"])
        return _detail(request, pk)


class ApplicationDecideApi(APIView):
    @extend_schema(summary="Employer, acceptance body or bureau decides: approve, accept, audit, return with "
                           "corrections (一次性告知), reject", request=DecideInput,
                   responses={200: ApplicationOutput})
    def post(self, request, pk: int):
        data = DecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        svc.application_decide(actor=request.user, application_id=pk, action=d["action"], reason=d["reason"],
                               corrections=[dict(c) for c in d["corrections"]], due_on=d["due_on"])
        return _detail(request, pk)


class ApplicationTimelineApi(APIView):
    @extend_schema(summary="The application's audit trail (R6.2)", responses={200: TimelineOutput(many=True)})
    def get(self, request, pk: int):
        application = _visible(request, pk)
        return Response(TimelineOutput(selectors.application_timeline(application=application), many=True).data)


class ApplicationEligibilityApi(APIView):
    @extend_schema(summary="Eligibility of the applicant's profile for this application",
                   responses={200: EligibilityCheckOutput})
    def get(self, request, pk: int):
        application = _visible(request, pk)
        return Response(EligibilityCheckOutput(svc.application_eligibility(application).as_dict()).data)


class ApplicationPdfApi(APIView):
    @extend_schema(summary="The application form (申报表) as a PDF",
                   responses={(200, "application/pdf"): OpenApiResponse(description="PDF")})
    def get(self, request, pk: int):
        application = _visible(request, pk)
        return HttpResponse(selectors.application_form_pdf(application=application), content_type="application/pdf")


class ObjectionAnswerApi(APIView):
    @extend_schema(summary="The reviewing unit answers an objection (R5.5)", request=ObjectionAnswerInput,
                   responses={200: ApplicationOutput})
    def post(self, request, pk: int, objection_id: int):
        data = ObjectionAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        objection = svc.unit_objection_answer(actor=request.user, objection_id=objection_id,
                                              **data.validated_data)
        if objection.application_id != pk:
            raise Http404
        return _detail(request, pk)


# --- Reviewers' lists -------------------------------------------------------------------

class IsAcceptanceOrBureau(HasRole):
    roles = (Role.ACCEPTANCE_OFFICER, Role.BUREAU_OFFICER)


class IsBureau(HasRole):
    roles = (Role.BUREAU_OFFICER,)


class AcceptanceQueueApi(ListAPIView):
    """Waiting at the caller's acceptance bodies (their region and series)."""

    permission_classes = [IsAcceptanceOrBureau]
    serializer_class = ApplicationListOutput
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.acceptance_queue(user=self.request.user)

    @extend_schema(summary="Acceptance queue")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AuditQueueApi(ListAPIView):
    """Waiting for the qualification audit of the caller's bureau (R6.1)."""

    permission_classes = [IsBureau]
    serializer_class = ApplicationListOutput
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.audit_queue(user=self.request.user)

    @extend_schema(summary="Qualification audit queue")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EnterpriseApplicationListApi(ListAPIView):
    """The employees' applications of an enterprise the caller does title work for."""

    serializer_class = ApplicationListOutput
    pagination_class = KeysetPagination

    def get_queryset(self):
        organization = selectors.sponsor_organization_for_user(user=self.request.user, pk=self.kwargs["pk"])
        if organization is None:
            raise Http404
        params = self.request.query_params
        wanted = params.get("status", "")
        return selectors.hr_applications(
            organization=organization, status=wanted if wanted in ApplicationStatus.values else "",
            level=params.get("level", "") if params.get("level") in Level.values else "",
            pathway=params.get("pathway", "") if params.get("pathway") in Pathway.values else "",
            name=(params.get("name") or "")[:64])

    @extend_schema(summary="Employees' applications of an enterprise",
                   parameters=[OpenApiParameter("status", enum=ApplicationStatus.values),
                               OpenApiParameter("level", enum=Level.values),
                               OpenApiParameter("pathway", enum=Pathway.values), OpenApiParameter("name", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EnterpriseBulkApproveApi(APIView):
    @extend_schema(summary="Approve several employees' applications (each on its own)", request=BulkApproveInput,
                   responses={200: BulkApproveOutput})
    def post(self, request, pk: int):
        if selectors.sponsor_organization_for_user(user=request.user, pk=pk) is None:
            raise Http404
        data = BulkApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(svc.application_bulk_approve(actor=request.user, application_ids=data.validated_data["ids"]))


# --- Public unit publicity (R5.5) ----------------------------------------------------------

class UnitPublicityListApi(ListAPIView):
    """Applications in unit publicity, names masked (no login)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = PublicityOutput
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.unit_publicity_list()

    @extend_schema(summary="Unit publicity list (public)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class UnitObjectionCreateApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_form"

    @extend_schema(summary="Raise an objection during unit publicity (public, rate-limited)", request=ObjectionInput,
                   responses={201: OpenApiResponse(description="Received")})
    def post(self, request, pk: int):
        data = ObjectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        svc.unit_objection_create(application_id=pk, **data.validated_data)
        return Response({"detail": str(_("Your objection was received."))}, status=status.HTTP_201_CREATED)


# --- The profile (R5.1) --------------------------------------------------------------------

class ProfileApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The caller's profile: every section", responses={200: OpenApiResponse(
        description="Sections education, work, titles, skills, qualifications, continuing-education")})
    def get(self, request):
        from django.forms.models import model_to_dict

        from applications.profile import profile_records

        return Response({kind: [{"id": row.pk, **{k: v for k, v in model_to_dict(row).items() if k != "user"}}
                                for row in rows]
                         for kind, rows in profile_records(user=request.user).items()})


class ProfileRecordAddApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Add a row to a section of the profile (education, work, titles, skills, "
                           "qualifications, continuing-education)", request={"application/json": OpenApiTypes.OBJECT},
                   responses={201: OpenApiResponse(description="Created")})
    def post(self, request, kind: str):
        from applications.forms import PROFILE_FORMS
        from applications.profile import profile_record_add

        if kind not in PROFILE_FORMS:
            raise Http404
        form = PROFILE_FORMS[kind][0](data=request.data)
        if not form.is_valid():
            return Response({"detail": str(_("Check the fields.")), "errors": form.errors},
                            status=status.HTTP_400_BAD_REQUEST)
        record = profile_record_add(user=request.user, kind=kind, data=form.cleaned_data)
        return Response({"id": record.pk}, status=status.HTTP_201_CREATED)


class ProfileRecordRemoveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Remove a row of the profile", responses={204: None})
    def delete(self, request, kind: str, record_id: int):
        from applications.profile import profile_record_remove

        profile_record_remove(user=request.user, kind=kind, record_id=record_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


