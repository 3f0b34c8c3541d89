"""Input and output serializers of the review API (masked personal data)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Level
from applications.serializers import translated_name_inputs
from portal.models import Committee, CommitteeMember
from portal.numbers import TypedDecimalApiField
from review.models import (
    Assignment,
    CommitteeSanction,
    DefenceSession,
    DefenceSlot,
    ExpertProfile,
    Meeting,
    MeetingCandidate,
    PublicityEntry,
    RecognitionAssessment,
    Verdict,
)

#: An id the client sends: a positive number a database key can hold (else a 400, not a 500).
PK = {"min_value": 1, "max_value": 2**63 - 1}


class ScopeInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    specialty_id = serializers.IntegerField(required=False, allow_null=True)
    region_id = serializers.IntegerField(required=False, allow_null=True)
    member_unit_id = serializers.IntegerField(required=False, allow_null=True)


class MemberInput(serializers.Serializer):
    user_id = serializers.IntegerField(**PK)
    role = serializers.ChoiceField(choices=CommitteeMember.Role.choices)


def _codes(choices) -> str:
    return "One of: " + ", ".join(value for value, _label in choices) + "."


class CommitteeFileInput(serializers.Serializer):
    name = serializers.CharField(max_length=128, help_text="The filed (Chinese) name.")
    name_en, name_ug = translated_name_inputs()
    kind = serializers.CharField(max_length=16, help_text=_codes(Committee.Kind.choices) + " (R2.2)")
    organizer_id = serializers.IntegerField(**PK)
    series_id = serializers.IntegerField(**PK)
    filing_number = serializers.CharField(max_length=64)
    filed_on = serializers.DateField()
    valid_until = serializers.DateField()
    bureau_id = serializers.IntegerField(required=False, allow_null=True)
    scopes = ScopeInput(many=True)
    members = MemberInput(many=True)


class ScopeOutput(serializers.Serializer):
    level = serializers.CharField()
    specialty_id = serializers.IntegerField(allow_null=True)
    region_id = serializers.IntegerField(allow_null=True)
    member_unit_id = serializers.IntegerField(allow_null=True)


class CommitteeOutput(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=_codes(Committee.Kind.choices))
    operational = serializers.SerializerMethodField()
    scopes = ScopeOutput(many=True, read_only=True)

    class Meta:
        model = Committee
        fields = ["id", "name", "name_en", "name_ug", "kind", "organizer", "filed_by", "series", "filing_number",
                  "filed_on",
                  "valid_until", "status", "operational", "scopes"]

    def get_operational(self, obj) -> bool:
        return obj.is_operational()


class SanctionInput(serializers.Serializer):
    kind = serializers.CharField(max_length=20, help_text=_codes(CommitteeSanction.Kind.choices) + " (R6.8)")
    reason = serializers.CharField(max_length=4000)


class SanctionOutput(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=_codes(CommitteeSanction.Kind.choices))

    class Meta:
        model = CommitteeSanction
        fields = ["id", "committee", "kind", "reason", "decided_at", "lifted_at"]


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ExpertInput(serializers.Serializer):
    user_id = serializers.IntegerField(**PK)
    level = serializers.ChoiceField(choices=Level.choices)
    specialty_ids = serializers.ListField(child=serializers.IntegerField(**PK),
                                          min_length=1, max_length=50)
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    employer_id = serializers.IntegerField(**PK, required=False, allow_null=True)
    employer_name = serializers.CharField(max_length=128, required=False, allow_blank=True)
    title_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    field_of_work = serializers.CharField(max_length=128, required=False, allow_blank=True)


class ExpertOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="user.real_name")
    mobile = serializers.CharField(source="user.mobile_masked")
    specialties = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ExpertProfile
        fields = ["id", "user", "name", "mobile", "level", "title_name", "specialties", "employer", "employer_name",
                  "term_start", "term_end", "is_active"]


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportErrorOutput(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportOutput(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    accounts_created = serializers.IntegerField()
    errors = ImportErrorOutput(many=True)


class ApplicationIdsInput(serializers.Serializer):
    application_ids = serializers.ListField(child=serializers.IntegerField(**PK), required=False, allow_null=True,
                                            max_length=10000)


class CountOutput(serializers.Serializer):
    count = serializers.IntegerField()


class ShortOutput(serializers.Serializer):
    application = serializers.IntegerField()
    missing = serializers.IntegerField()


class DrawOutput(serializers.Serializer):
    drawn = serializers.IntegerField()
    applications = serializers.IntegerField()
    short = ShortOutput(many=True)


class DashboardRowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    applicant = serializers.CharField(source="applicant.real_name")
    specialty = serializers.CharField(source="specialty.name")
    status = serializers.CharField()
    experts = serializers.IntegerField(source="n_experts")
    submitted = serializers.IntegerField(source="n_submitted")
    missing = serializers.SerializerMethodField()
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    spread = serializers.SerializerMethodField()

    def get_missing(self, obj) -> int:
        return obj.n_experts - obj.n_submitted

    def get_spread(self, obj) -> str | None:
        if obj.high is None:
            return None
        return str(obj.high - obj.low)


class AssignmentOutput(serializers.ModelSerializer):
    application = serializers.SerializerMethodField()
    score_status = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "application", "status", "drawn_at", "seen_at", "score_status"]

    def get_application(self, obj) -> dict:
        application = obj.application
        setup = getattr(application.call, "review_setup", None)
        blind = bool(setup and setup.blind)
        return {"id": application.pk, "title": application.title_name, "specialty": application.specialty.name,
                "applicant": None if blind else application.applicant.real_name,
                "employer": None if blind or not application.employer else application.employer.name}

    def get_score_status(self, obj) -> str | None:
        score = getattr(obj, "score", None)
        return score.status if score else None


class ConflictInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ScoreInput(serializers.Serializer):
    values = serializers.DictField(child=serializers.JSONField(), required=False)
    verdict = serializers.ChoiceField(choices=[("", "—"), *Verdict.choices], required=False, allow_blank=True)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ScoreOutput(serializers.Serializer):
    assignment = serializers.IntegerField(source="assignment_id")
    status = serializers.CharField()
    values = serializers.DictField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    verdict = serializers.CharField()
    comment = serializers.CharField()
    version = serializers.IntegerField()
    rubric = serializers.JSONField(source="rubric_frozen")


class DefenceSessionInput(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    mode = serializers.ChoiceField(choices=DefenceSession.Mode.choices)
    starts_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    meeting_link = serializers.URLField(max_length=300, required=False, allow_blank=True)


class DefenceSessionOutput(serializers.ModelSerializer):
    class Meta:
        model = DefenceSession
        fields = ["id", "call", "name", "mode", "location", "meeting_link", "starts_at"]


class DefenceSlotInput(serializers.Serializer):
    application_id = serializers.IntegerField(**PK)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class DefenceResultInput(serializers.Serializer):
    attendance = serializers.ChoiceField(choices=[("present", "present"), ("absent", "absent")])
    score = TypedDecimalApiField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class DefenceSlotOutput(serializers.ModelSerializer):
    class Meta:
        model = DefenceSlot
        fields = ["id", "session", "application", "starts_at", "ends_at", "attendance", "score"]


class MeetingCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=128)
    scheduled_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    application_ids = serializers.ListField(child=serializers.IntegerField(**PK), required=False, allow_null=True,
                                            max_length=5000)


class TallyOutput(serializers.Serializer):
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    abstain = serializers.IntegerField()


class CandidateOutput(serializers.ModelSerializer):
    """While the ballot is open only how many votes were cast; the tally once
    the ballot is closed (R6.5); never who voted how."""

    tally = serializers.SerializerMethodField()
    votes_cast = serializers.SerializerMethodField()

    class Meta:
        model = MeetingCandidate
        fields = ["id", "application", "outcome", "excluded_by_ceiling", "votes_cast", "tally"]

    def get_votes_cast(self, obj) -> int:
        return obj.votes_cast

    @extend_schema_field(TallyOutput(allow_null=True))
    def get_tally(self, obj) -> dict | None:
        if obj.meeting.status not in (Meeting.Status.COUNTED, Meeting.Status.CLOSED):
            return None
        return {"yes": obj.yes_votes, "no": obj.no_votes, "abstain": obj.abstentions}


class CeilingOutput(serializers.Serializer):
    """R6.7 over the call's meetings, shown before a vote."""

    ceiling = serializers.DecimalField(max_digits=4, decimal_places=3)
    call_candidates = serializers.IntegerField(help_text="Distinct applications put to the call's meetings.")
    allowed = serializers.IntegerField(help_text="ceiling × call_candidates, rounded half up.")
    passed_in_other_meetings = serializers.IntegerField()
    candidates_here = serializers.IntegerField()
    may_pass_here = serializers.IntegerField()


class MeetingOutput(serializers.ModelSerializer):
    candidates = CandidateOutput(many=True, read_only=True)
    present = serializers.SerializerMethodField()
    quorum_needed = serializers.SerializerMethodField()
    ceiling = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "committee", "call", "title", "scheduled_at", "status", "members_total", "present_total",
                  "present", "quorum_needed", "ceiling", "opened_at", "ballot_closed_at", "closed_at",
                  "notice_sent_at", "candidates"]

    def get_present(self, obj) -> list[int]:
        return [a.member_id for a in obj.attendance.all()]

    def get_quorum_needed(self, obj) -> int:
        """R6.5: members who must be present (two thirds of the voting members, rounded up)."""
        from review.services import quorum_needed
        from review.services._common import voting_member_ids

        members = obj.members_total if obj.members_total is not None else len(voting_member_ids(obj.committee_id))
        return quorum_needed(members)

    @extend_schema_field(CeilingOutput)
    def get_ceiling(self, obj) -> dict:
        from review.services import call_ceiling

        return call_ceiling(call=obj.call, meeting=obj).as_dict()


class LackOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=["meeting", "experts", "scores", "defence", "defence_result",
                                            "defence_absent", "objection"])
    text = serializers.CharField()
    fix_at = serializers.CharField(source="url", help_text="The page where it is done.")
    rule = serializers.CharField(allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["rule"] = data["rule"] or None
        return data


class VoteReadinessOutput(serializers.Serializer):
    """An application of the call in evaluation: ready for a vote, or what it lacks."""

    application = serializers.IntegerField(source="application.pk")
    applicant = serializers.CharField(source="application.applicant.real_name")
    title_name = serializers.CharField(source="application.title_name")
    ready = serializers.BooleanField()
    lacks = LackOutput(many=True)


class NoticeOutput(serializers.Serializer):
    members_told = serializers.IntegerField()


class AttendanceInput(serializers.Serializer):
    member_ids = serializers.ListField(child=serializers.IntegerField(**PK), max_length=500)


class BallotInput(serializers.Serializer):
    candidate_id = serializers.IntegerField(**PK)
    choice = serializers.ChoiceField(choices=[("yes", "yes"), ("no", "no"), ("abstain", "abstain")])
    member_id = serializers.IntegerField(required=False, allow_null=True,
                                         help_text="Refused unless it is the caller: there are no proxy votes.")


class BallotOutput(serializers.Serializer):
    candidate = serializers.IntegerField()
    voted = serializers.BooleanField()


class ResolveInput(serializers.Serializer):
    candidate_ids = serializers.ListField(child=serializers.IntegerField(**PK), min_length=1, max_length=5000)
    reason = serializers.CharField(max_length=4000)


class RecognitionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=RecognitionAssessment.Decision.choices)
    assessment = serializers.CharField(max_length=20000)
    checks = serializers.ListField(child=serializers.JSONField(), required=False, allow_null=True, max_length=100)


class RecognitionOutput(serializers.ModelSerializer):
    class Meta:
        model = RecognitionAssessment
        fields = ["id", "application", "decision", "assessment", "decided_at"]


class PubliciseInput(serializers.Serializer):
    starts_on = serializers.DateField(required=False, allow_null=True)
    application_ids = serializers.ListField(child=serializers.IntegerField(**PK), required=False, allow_null=True,
                                            max_length=10000)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PeriodOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    working_days = serializers.IntegerField()
    status = serializers.CharField()


class PublicEntryOutput(serializers.ModelSerializer):
    """Masked name, employer and title: never an ID number or a mobile."""

    period = PeriodOutput()

    class Meta:
        model = PublicityEntry
        fields = ["id", "masked_name", "employer_name", "title_name", "specialty_name", "period"]


class ResultObjectionInput(serializers.Serializer):
    reason = serializers.CharField(min_length=5, max_length=4000)
    contact = serializers.CharField(max_length=64)


class ResultObjectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    received = serializers.BooleanField(default=True)


class ResultObjectionAnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)
    upheld = serializers.BooleanField()


class ResultObjectionAnswerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    upheld = serializers.BooleanField()
    answered_at = serializers.DateTimeField()


class FilingInput(serializers.Serializer):
    approval_number = serializers.CharField(max_length=64)
    granted_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class FilingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.IntegerField(source="period_id")
    approval_number = serializers.CharField()
    after_the_fact = serializers.BooleanField()
    granted_on = serializers.DateField()
    granted = serializers.SerializerMethodField()
    certificate_batch = serializers.IntegerField(source="certificate_batch_id", allow_null=True)

    def get_granted(self, obj) -> list[int]:
        return list(obj.items.values_list("application_id", flat=True))


class ReconsiderationInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ReconsiderationDecideInput(serializers.Serializer):
    upheld = serializers.BooleanField()
    outcome = serializers.CharField(max_length=4000)


class ReconsiderationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    status = serializers.CharField()
    outcome = serializers.CharField()


class MyReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(source="title_name")
    status = serializers.CharField()
    defence_slots = serializers.SerializerMethodField()

    def get_defence_slots(self, obj) -> list[dict]:
        return [{"starts_at": s.starts_at, "ends_at": s.ends_at, "mode": s.session.mode,
                 "location": s.session.location, "meeting_link": s.session.meeting_link,
                 "attendance": s.attendance} for s in obj.defence_slots.all()]
