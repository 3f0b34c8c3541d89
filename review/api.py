"""The review API: one view per action (``<Entity><Action>Api``).

Each view checks the caller's role with a permission class, then calls a
service, which scopes the object to the caller (another committee's
secretary, an expert not assigned or recused: 404). Errors of the service
become a 4xx with the rule id (``portal.api.exception_handler``).
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from applications.models import ApplicationStatus
from applications.serializers import TranslatedNamesInput
from portal.api import HasRole
from portal.errors import NotFound
from portal.models import Role
from review import selectors, services
from review import serializers as s
from review.models import Meeting, MeetingAttendance, MeetingCandidate


class IsBureauOfficer(HasRole):
    roles = (Role.BUREAU_OFFICER,)


class IsSecretary(HasRole):
    roles = (Role.COMMITTEE_SECRETARY, Role.BUREAU_OFFICER)


class IsExpert(HasRole):
    roles = (Role.EXPERT,)


# --- Bureau -------------------------------------------------------------------------------

class CommitteeListFileApi(APIView):
    permission_classes = [IsBureauOfficer]
    pagination_class = PageNumberPagination  # the schema shows the page, as the answer is one

    @extend_schema(summary="Committees filed with the caller's bureau", responses={200: s.CommitteeOutput(many=True)})
    def get(self, request):
        qs = selectors.committees_for_bureau(user=request.user).prefetch_related("scopes")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.CommitteeOutput(page, many=True).data)

    @extend_schema(summary="File a committee with its scope and members (R2.1–R2.5)", request=s.CommitteeFileInput,
                   responses={201: s.CommitteeOutput})
    def post(self, request):
        data = s.CommitteeFileInput(data=request.data)
        data.is_valid(raise_exception=True)
        committee = services.committee_file(actor=request.user, **data.validated_data)
        return Response(s.CommitteeOutput(committee).data, status=status.HTTP_201_CREATED)


class CommitteeDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="A committee: status and scope (the bureau that filed it, or its secretary)",
                   responses={200: s.CommitteeOutput})
    def get(self, request, pk: int):
        committee = (selectors.committees_for_bureau(user=request.user).filter(pk=pk).first()
                     or selectors.committees_for_secretary(user=request.user).filter(pk=pk).first())
        if committee is None:
            raise NotFound()
        return Response(s.CommitteeOutput(committee).data)

    @extend_schema(summary="Give a committee its English and Uyghur names (the bureau that filed it); "
                           "the filed Chinese name stays",
                   request=TranslatedNamesInput, responses={200: s.CommitteeOutput})
    def patch(self, request, pk: int):
        data = TranslatedNamesInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.committee_rename_translations(actor=request.user, committee_id=pk, **data.validated_data)
        return Response(s.CommitteeOutput(selectors.committee_for_bureau(user=request.user, pk=pk)).data)


class CommitteeSanctionApi(APIView):
    permission_classes = [IsBureauOfficer]

    @extend_schema(summary="Sanction a committee with a reason; a suspension stops it (R6.8)",
                   request=s.SanctionInput, responses={201: s.SanctionOutput})
    def post(self, request, pk: int):
        data = s.SanctionInput(data=request.data)
        data.is_valid(raise_exception=True)
        sanction = services.committee_sanction(actor=request.user, committee_id=pk, **data.validated_data)
        return Response(s.SanctionOutput(sanction).data, status=status.HTTP_201_CREATED)


class CommitteeReinstateApi(APIView):
    permission_classes = [IsBureauOfficer]

    @extend_schema(summary="Lift a committee's suspension (R6.8)", request=s.ReasonInput,
                   responses={200: s.CommitteeOutput})
    def post(self, request, pk: int):
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        committee = services.committee_reinstate(actor=request.user, committee_id=pk, **data.validated_data)
        return Response(s.CommitteeOutput(committee).data)


class RecognitionDecideApi(APIView):
    permission_classes = [IsBureauOfficer]

    @extend_schema(summary="Recognise (考核认定) an application with an assessment record (R4.4–R4.7)",
                   request=s.RecognitionInput, responses={200: s.RecognitionOutput})
    def post(self, request, pk: int):
        data = s.RecognitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.recognition_decide(actor=request.user, application_id=pk, **data.validated_data)
        return Response(s.RecognitionOutput(record).data)


class ResultFileApi(APIView):
    permission_classes = [IsBureauOfficer]

    @extend_schema(summary="File the results of a closed publicity period; grants titles and issues certificates",
                   request=s.FilingInput, responses={201: s.FilingOutput})
    def post(self, request, pk: int):
        data = s.FilingInput(data=request.data)
        data.is_valid(raise_exception=True)
        filing = services.result_file(actor=request.user, period_id=pk, **data.validated_data)
        return Response(s.FilingOutput(filing).data, status=status.HTTP_201_CREATED)


# --- Secretary --------------------------------------------------------------------------------

class ExpertListAddApi(APIView):
    permission_classes = [IsSecretary]
    pagination_class = PageNumberPagination  # the schema shows the page, as the answer is one

    def _committee(self, request, pk):
        committee = (selectors.committees_for_secretary(user=request.user).filter(pk=pk).first()
                     or selectors.committees_for_bureau(user=request.user).filter(pk=pk).first())
        if committee is None:
            raise NotFound()
        return committee

    @extend_schema(summary="The committee's expert pool", responses={200: s.ExpertOutput(many=True)})
    def get(self, request, pk: int):
        from review.models import ExpertProfile

        committee = self._committee(request, pk)
        qs = (ExpertProfile.objects.filter(committee=committee).select_related("user")
              .prefetch_related("specialties").order_by("pk"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.ExpertOutput(page, many=True).data)

    @extend_schema(summary="Add an expert to the pool by hand (R2.6)", request=s.ExpertInput,
                   responses={201: s.ExpertOutput})
    def post(self, request, pk: int):
        data = s.ExpertInput(data=request.data)
        data.is_valid(raise_exception=True)
        expert = services.expert_add(actor=request.user, committee_id=pk, **data.validated_data)
        return Response(s.ExpertOutput(expert).data, status=status.HTTP_201_CREATED)


class ExpertImportApi(APIView):
    permission_classes = [IsSecretary]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Import the expert pool from an .xlsx sheet, with a row-level error report (R2.6)",
                   request=s.ImportInput, responses={200: s.ImportOutput})
    def post(self, request, pk: int):
        data = s.ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.expert_import_excel(actor=request.user, committee_id=pk, upload=data.validated_data["file"],
                                              dry_run=data.validated_data["dry_run"])
        return Response(report.as_dict())


class CallDashboardApi(ListAPIView):
    """Per application: experts, submitted reviews, missing, mean and spread."""

    permission_classes = [IsSecretary]
    serializer_class = s.DashboardRowOutput

    def get_queryset(self):
        call = selectors.call_for_secretary(user=self.request.user, pk=self.kwargs["pk"])
        if call is None:
            raise NotFound()
        status = self.request.query_params.get("status", "")
        # The page count comes from the call's counters: no request counts the call (issue 15).
        summary = selectors.call_summary(call=call)
        known = summary["statuses"][status] if status in ApplicationStatus.values else summary["statuses"]["total"]
        return selectors.KnownCount(selectors.call_applications(call=call, status=status), known)

    @extend_schema(summary="The secretary's call dashboard (paginated)",
                   parameters=[OpenApiParameter("status", str)])
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(selectors.with_reviews(page), many=True).data)


class EvaluationStartApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Take the call's ready applications into evaluation (受理; R2.3)",
                   request=s.ApplicationIdsInput, responses={200: s.CountOutput})
    def post(self, request, pk: int):
        data = s.ApplicationIdsInput(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.evaluation_start(actor=request.user, call_id=pk,
                                          application_ids=data.validated_data.get("application_ids"))
        return Response({"count": count})


class AssignmentDrawApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Draw experts for the call's applications in evaluation (R6.6)",
                   request=s.ApplicationIdsInput, responses={200: s.DrawOutput})
    def post(self, request, pk: int):
        data = s.ApplicationIdsInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.assignment_draw(actor=request.user, call_id=pk,
                                          application_ids=data.validated_data.get("application_ids"))
        return Response(report.as_dict())


class AssignmentRedrawApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Withdraw an expert with a reason and draw another (R6.6)", request=s.ReasonInput,
                   responses={200: s.DrawOutput})
    def post(self, request, pk: int):
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.assignment_redraw(actor=request.user, assignment_id=pk, **data.validated_data)
        return Response(report.as_dict())


class DefenceSessionCreateApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Create a defence session, on site or remote", request=s.DefenceSessionInput,
                   responses={201: s.DefenceSessionOutput})
    def post(self, request, pk: int):
        data = s.DefenceSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.defence_session_create(actor=request.user, call_id=pk, **data.validated_data)
        return Response(s.DefenceSessionOutput(session).data, status=status.HTTP_201_CREATED)


class DefenceSlotAddApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Give an applicant a defence slot", request=s.DefenceSlotInput,
                   responses={201: s.DefenceSlotOutput})
    def post(self, request, pk: int):
        data = s.DefenceSlotInput(data=request.data)
        data.is_valid(raise_exception=True)
        slot = services.defence_slot_add(actor=request.user, session_id=pk, **data.validated_data)
        return Response(s.DefenceSlotOutput(slot).data, status=status.HTTP_201_CREATED)


class DefenceResultApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Record attendance and the defence score (0–100)", request=s.DefenceResultInput,
                   responses={200: s.DefenceSlotOutput})
    def post(self, request, pk: int):
        data = s.DefenceResultInput(data=request.data)
        data.is_valid(raise_exception=True)
        slot = services.defence_result_record(actor=request.user, slot_id=pk, **data.validated_data)
        return Response(s.DefenceSlotOutput(slot).data)


def _meeting_output(pk: int) -> dict:
    meeting = (Meeting.objects.filter(pk=pk).select_related("call")
               .prefetch_related(Prefetch("candidates", queryset=MeetingCandidate.objects.order_by("pk")),
                                 Prefetch("attendance", queryset=MeetingAttendance.objects.order_by("member_id")))
               .get())
    return s.MeetingOutput(meeting).data


class MeetingCreateApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Plan a review meeting with its candidates", request=s.MeetingCreateInput,
                   responses={201: s.MeetingOutput})
    def post(self, request, pk: int):
        data = s.MeetingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.meeting_create(actor=request.user, call_id=pk, **data.validated_data)
        return Response(_meeting_output(meeting.pk), status=status.HTTP_201_CREATED)


class MeetingDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="A meeting (its secretary or a member present): tallies only once the ballot is closed",
                   responses={200: s.MeetingOutput})
    def get(self, request, pk: int):
        if not (selectors.meeting_for_secretary(user=request.user, pk=pk)
                or selectors.meeting_for_member(user=request.user, pk=pk)):
            raise NotFound()
        return Response(_meeting_output(pk))


class MeetingAttendanceApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Record the members present (R6.5)", request=s.AttendanceInput,
                   responses={200: s.MeetingOutput})
    def post(self, request, pk: int):
        data = s.AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_attendance_record(actor=request.user, meeting_id=pk, **data.validated_data)
        return Response(_meeting_output(pk))


class MeetingOpenApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Open the meeting: at least 2/3 of the members present (R6.5)", request=None,
                   responses={200: s.MeetingOutput})
    def post(self, request, pk: int):
        services.meeting_open(actor=request.user, meeting_id=pk)
        return Response(_meeting_output(pk))


class BallotCastApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Cast one secret vote on a candidate, for yourself only (R6.5)", request=s.BallotInput,
                   responses={201: s.BallotOutput})
    def post(self, request, pk: int):
        data = s.BallotInput(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = services.ballot_cast(actor=request.user, meeting_id=pk, **data.validated_data)
        return Response({"candidate": candidate.pk, "voted": True}, status=status.HTTP_201_CREATED)


class VoteReadinessApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="The call's applications in evaluation: ready for a vote, or what each lacks "
                           "(experts, scores, defence, objection) and where that is done",
                   responses={200: s.VoteReadinessOutput(many=True)})
    def get(self, request, pk: int):
        call = selectors.call_for_secretary(user=request.user, pk=pk)
        if call is None:
            raise NotFound()
        return Response(s.VoteReadinessOutput(services.vote_readiness(call=call), many=True).data)


class MeetingNoticeApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Send the meeting notice (time, place, quorum) to every voting member (R6.5)",
                   request=None, responses={200: s.NoticeOutput})
    def post(self, request, pk: int):
        return Response({"members_told": services.meeting_notice_send(actor=request.user, meeting_id=pk)})


class MeetingBallotCloseApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Close the secret ballot: no more votes; tallies and any excess over the call's "
                           "ceiling are shown from now on (R6.5, R6.7)",
                   request=None, responses={200: s.MeetingOutput})
    def post(self, request, pk: int):
        services.meeting_ballot_close(actor=request.user, meeting_id=pk)
        return Response(_meeting_output(pk))


class MeetingResolveExcessApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="After the ballot is closed, record the decision naming who is not passed, when the "
                           "call's passes exceed its pass-rate ceiling (R6.7); refused alike for any candidate "
                           "while the ballot is open (R6.5)",
                   request=s.ResolveInput, responses={200: s.MeetingOutput})
    def post(self, request, pk: int):
        data = s.ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.meeting_resolve_excess(actor=request.user, meeting_id=pk, **data.validated_data)
        return Response(_meeting_output(pk))


class MeetingCloseApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Record the results and close the meeting: each candidate passes or fails (R6.5, "
                           "R6.7); on a meeting still open it first closes the ballot", request=None,
                   responses={200: s.MeetingOutput})
    def post(self, request, pk: int):
        services.meeting_close(actor=request.user, meeting_id=pk)
        return Response(_meeting_output(pk))


class ResultPubliciseApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Publicise the call's passed results for the configured working days (R5.6)",
                   request=s.PubliciseInput, responses={201: s.PeriodOutput})
    def post(self, request, pk: int):
        data = s.PubliciseInput(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.result_publicise(actor=request.user, call_id=pk, **data.validated_data)
        return Response(s.PeriodOutput(period).data, status=status.HTTP_201_CREATED)


class ObjectionAnswerApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Answer an objection; upheld withdraws the result (R6.10)",
                   request=s.ResultObjectionAnswerInput, responses={200: s.ResultObjectionAnswerOutput})
    def post(self, request, pk: int):
        data = s.ResultObjectionAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        objection = services.objection_answer(actor=request.user, objection_id=pk, **data.validated_data)
        return Response(s.ResultObjectionAnswerOutput(objection).data)


class ReconsiderationDecideApi(APIView):
    permission_classes = [IsSecretary]

    @extend_schema(summary="Record the outcome of a reconsideration", request=s.ReconsiderationDecideInput,
                   responses={200: s.ReconsiderationOutput})
    def post(self, request, pk: int):
        data = s.ReconsiderationDecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        request_ = services.reconsideration_decide(actor=request.user, reconsideration_id=pk, **data.validated_data)
        return Response(s.ReconsiderationOutput(request_).data)


# --- Experts ----------------------------------------------------------------------------------

class MyAssignmentListApi(ListAPIView):
    """Only active assignments: recused or withdrawn ones vanish (R6.6)."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.AssignmentOutput

    def get_queryset(self):
        return selectors.assignments_for_expert(user=self.request.user)

    @extend_schema(summary="The caller's assignments (blind mode hides name and employer)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ConflictDeclareApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Declare a conflict of interest: recused and replaced (R6.6)", request=s.ConflictInput,
                   responses={200: s.AssignmentOutput})
    def post(self, request, pk: int):
        data = s.ConflictInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.conflict_declare(actor=request.user, assignment_id=pk, **data.validated_data)
        return Response({"id": assignment.pk, "status": assignment.status})


class ScoreApi(APIView):
    permission_classes = [IsAuthenticated]

    def _assignment(self, request, pk):
        assignment = selectors.assignment_for_expert(user=request.user, pk=pk)
        if assignment is None:
            raise NotFound(rule="R6.6")
        return assignment

    @extend_schema(summary="The caller's score of an assignment, with the frozen rubric",
                   responses={200: s.ScoreOutput})
    def get(self, request, pk: int):
        assignment = self._assignment(request, pk)
        services.assignment_mark_seen(assignment=assignment)
        score = getattr(assignment, "score", None)
        if score is None:
            rubric = services.freeze_rubric(services.review_setup_for(assignment.application.call).rubric)
            return Response({"assignment": assignment.pk, "status": "draft", "values": {}, "total": None,
                             "verdict": "", "comment": "", "version": 0, "rubric": rubric})
        return Response(s.ScoreOutput(score).data)

    @extend_schema(summary="Autosave a draft score (range-checked, R5.2)", request=s.ScoreInput,
                   responses={200: s.ScoreOutput})
    def patch(self, request, pk: int):
        data = s.ScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        score = services.score_save(actor=request.user, assignment_id=pk, values=d.get("values"),
                                    verdict=d.get("verdict"), comment=d.get("comment"), version=d.get("version"))
        return Response(s.ScoreOutput(score).data)

    put = patch


class ScoreSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Submit the score; it is then locked (R5.2)", request=s.ScoreInput,
                   responses={200: s.ScoreOutput})
    def post(self, request, pk: int):
        data = s.ScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        score = services.score_submit(actor=request.user, assignment_id=pk, values=d.get("values"),
                                      verdict=d.get("verdict"), comment=d.get("comment"), version=d.get("version"))
        return Response(s.ScoreOutput(score).data)


# --- Applicant --------------------------------------------------------------------------------

class MyReviewApi(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.MyReviewOutput

    def get_queryset(self):
        return selectors.reviews_for_applicant(user=self.request.user)

    @extend_schema(summary="The caller's applications in evaluation, with defence slots")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReconsiderationRequestApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Request reconsideration (复查) of a failed result within the configured days",
                   request=s.ReconsiderationInput, responses={201: s.ReconsiderationOutput})
    def post(self, request, pk: int):
        data = s.ReconsiderationInput(data=request.data)
        data.is_valid(raise_exception=True)
        request_ = services.reconsideration_request(actor=request.user, application_id=pk, **data.validated_data)
        return Response(s.ReconsiderationOutput(request_).data, status=status.HTTP_201_CREATED)


# --- Public -------------------------------------------------------------------------------------

class PublicityListApi(ListAPIView):
    """Results in publicity: masked names, employer and title only."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.PublicEntryOutput

    def get_queryset(self):
        return selectors.publicity_public(query=self.request.query_params.get("q", ""))

    @extend_schema(summary="Results in publicity (public)", parameters=[OpenApiParameter("q", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ObjectionCreateApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_form"

    @extend_schema(summary="Object to a publicised result (public, rate-limited; R6.10)",
                   request=s.ResultObjectionInput, responses={201: s.ResultObjectionOutput})
    def post(self, request, pk: int):
        import hashlib

        data = s.ResultObjectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        source = hashlib.sha256((request.META.get("REMOTE_ADDR") or "").encode()).hexdigest()[:32]
        objection = services.objection_create(entry_id=pk, source=source, **data.validated_data)
        return Response({"id": objection.pk, "received": True}, status=status.HTTP_201_CREATED)
