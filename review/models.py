"""How an application is judged and decided (issue 4).

The committee itself (``portal.Committee`` with its scope and members) lives
in the layer below; this app holds everything the committee and the bureau
do with it: sanctions on a committee (R6.8), the expert pool (R2.6), the
rubric and each call's review set-up, assignments with recusal (R6.6),
scores (R5.2), defences, meetings with secret ballots (R6.5), recognition by
a bureau (R4.4–R4.7), result publicity with objections (R5.6, R6.10),
filing with the bureau (R2.4) and reconsideration (复查).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applications.models import Level
from portal.personal_data import EncryptedContact

USER = settings.AUTH_USER_MODEL


# --- Titles written from a call's name ------------------------------------------------------------
# A meeting or a publicity period the secretary did not name is named after its call. The stored
# ``title`` keeps the Chinese text (the record: the audit trail, the admin, the API's ``title``);
# ``title_generated`` says so, and pages, notifications and the public publicity list derive the
# title in the reader's language from the call's ``display_name`` (``title_display``). A title an
# officer typed is shown as typed.

def generated_meeting_title(call_name: str) -> str:
    """A meeting named after its call: the call's name (in the language it is given)."""
    return call_name[:128]


def generated_publicity_title(call_name: str) -> str:
    """A publicity period named after its call, in the active language."""
    from django.utils.translation import gettext

    return (gettext("Results of %(call)s") % {"call": call_name})[:200]


# --- Committees: sanctions (R6.8) and fees (R6.9) ------------------------------

class CommitteeSanction(models.Model):
    """A sanction the bureau imposes on a committee, always with its reason.

    A suspension stops the committee (status ``suspended``) until lifted; a
    withdrawal of authority revokes it for good; the other kinds are
    recorded and shown in the registry without changing the status.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        INTERVIEW = "interview", _("Interview")
        SUSPENSION = "suspension", _("Suspension of reviews")
        RECTIFICATION = "rectification", _("Order to rectify")
        PUBLIC_CRITICISM = "public_criticism", _("Public criticism")
        WITHDRAWAL = "withdrawal", _("Withdrawal of review authority")

    committee = models.ForeignKey("portal.Committee", on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("committee sanction")
        verbose_name_plural = _("committee sanctions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["reminder", "interview", "suspension", "rectification",
                                                         "public_criticism", "withdrawal"]),
                                   name="review_sanction_kind_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="review_sanction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.get_kind_display()}"


class CommitteeFee(models.Model):
    """R6.9: any fee a committee charges is recorded, and the bureau sees it."""

    committee = models.ForeignKey("portal.Committee", on_delete=models.CASCADE, related_name="fees")
    call = models.ForeignKey("applications.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("what for"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    basis = models.CharField(_("approval of the fee (price authority document)"), max_length=200)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("committee fee")
        verbose_name_plural = _("committee fees")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="review_fee_not_negative")]

    def __str__(self) -> str:
        return f"{self.committee} · {self.amount}"


# --- Expert pool (R2.6) ----------------------------------------------------------

class ExpertProfile(models.Model):
    """An expert in a committee's pool: a title of the committee's series at
    a level, specialties, employer and a term of at most 3 years
    (configurable). Experts below the level reviewed or outside their term
    are never drawn."""

    committee = models.ForeignKey("portal.Committee", on_delete=models.CASCADE, related_name="experts",
                                  verbose_name=_("committee"))
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="expert_profiles")
    series = models.ForeignKey("applications.TitleSeries", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("series of the title held"))
    level = models.CharField(_("level of the title held"), max_length=20, choices=Level.choices)
    level_rank = models.PositiveSmallIntegerField(editable=False, default=0)
    title_name = models.CharField(_("title held"), max_length=64, blank=True)
    specialties = models.ManyToManyField("applications.Specialty", related_name="+", verbose_name=_("specialties"))
    employer = models.ForeignKey("portal.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("employer"))
    employer_name = models.CharField(_("employer (as declared)"), max_length=128, blank=True)
    field_of_work = models.CharField(_("field of work"), max_length=128, blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    is_active = models.BooleanField(_("active"), default=True)
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["committee", "id"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="review_expert_once_per_committee"),
            models.CheckConstraint(condition=Q(term_end__gt=F("term_start")), name="review_expert_term_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="review_expert_level_valid"),
        ]
        indexes = [models.Index(fields=["committee", "is_active", "term_end"], name="review_expert_pool_idx")]

    def __str__(self) -> str:
        return f"{self.user.real_name} · {self.committee}"

    def save(self, *args, **kwargs):
        self.level_rank = Level.rank(self.level)
        super().save(*args, **kwargs)

    @property
    def title_display(self) -> str:
        """The title held in the page's language when it is the catalogue's (a title typed otherwise,
        or none, stays as it is)."""
        from applications.title_names import title_in_language

        return title_in_language(series_id=self.series_id, level=self.level, stored=self.title_name,
                                 same_name_only=True)


# --- Rubric and the call's review set-up (R5.2) --------------------------------------

class Rubric(models.Model):
    """Weighted criteria. Each score freezes the criteria it was given
    under, so later edits never change past results."""

    name = models.CharField(_("name"), max_length=128)
    committee = models.ForeignKey("portal.Committee", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="rubrics", help_text=_("Empty: a template every committee may use."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return self.name


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("what to look for"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["rubric", "order", "id"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="review_criterion_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=100), name="review_criterion_weight"),
            models.CheckConstraint(condition=Q(max_score__gt=0) & Q(max_score__lte=1000),
                                   name="review_criterion_max_score"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class Verdict(models.TextChoices):
    RECOMMEND = "recommend", _("Recommend")
    RESERVATIONS = "reservations", _("Recommend with reservations")
    NOT_RECOMMEND = "not_recommend", _("Do not recommend")


class CommentTemplate(models.Model):
    """A comment an expert starts from for a verdict, then edits."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="comment_templates")
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rubric", "verdict", "order", "id"]
        verbose_name = _("comment template")
        verbose_name_plural = _("comment templates")

    def __str__(self) -> str:
        return f"{self.get_verdict_display()}: {self.text[:30]}"


class ReviewSetup(models.Model):
    """How a committee's call is reviewed: rubric, blind mode, experts per
    application. Its row is also the lock that serialises the call's draws."""

    call = models.OneToOneField("applications.Call", on_delete=models.CASCADE, related_name="review_setup")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+", verbose_name=_("rubric"))
    blind = models.BooleanField(_("blind mode: experts do not see the applicant's name and employer"),
                                default=False)
    experts_per_application = models.PositiveSmallIntegerField(
        _("experts per application"), null=True, blank=True,
        help_text=_("Empty: the bureau's policy setting (R6.6)."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review set-up")
        verbose_name_plural = _("review set-ups")

    def __str__(self) -> str:
        return f"{self.call}"


# --- Assignment with recusal (R6.6) ----------------------------------------------

class Assignment(models.Model):
    """An expert drawn for an application. A row is never deleted: a declared
    conflict (``recused``) or a secretary's redraw (``withdrawn``) ends it, so
    the same expert is never drawn for that application again."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Assigned")
        RECUSED = "recused", _("Recused (conflict declared)")
        WITHDRAWN = "withdrawn", _("Withdrawn by the secretary")

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="review_assignments")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="assignments")
    expert_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="review_assignments")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    drawn_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"))
    seen_at = models.DateTimeField(_("material first opened"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(_("reason"), blank=True)
    #: The expert's score is submitted: the stored sort key of the expert's dashboard (pending
    #: first, then by id), set by ``score_submit`` in the same transaction (issue 15).
    scored = models.BooleanField(_("score submitted"), default=False)

    class Meta:
        ordering = ["application_id", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "expert_user"], name="review_assignment_once"),
            models.CheckConstraint(condition=Q(status__in=["active", "recused", "withdrawn"]),
                                   name="review_assignment_status_valid"),
            models.CheckConstraint(condition=Q(status="active") | ~Q(end_reason=""),
                                   name="review_assignment_end_has_reason"),
        ]
        indexes = [
            models.Index(fields=["expert_user", "status"], name="review_assignment_expert_idx"),
            models.Index(fields=["application", "status"], name="review_assignment_app_idx"),
            # The expert's dashboard: one page of the expert's active assignments, pending first, by
            # keyset (scored, id) — read from the index whatever the number of assignments.
            models.Index(fields=["expert_user", "scored", "id"], condition=Q(status="active"),
                         name="review_assignment_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} ← {self.expert_user_id} ({self.status})"


class ExpertCallTally(models.Model):
    """One expert's reviews in one call: active assignments, of which
    submitted and draft scores, and recusals. The assignment and scoring
    services keep it in the same transaction (``review.services.tallies``);
    the call dashboard sums a call's rows (one per expert drawn) and the
    expert's dashboard sums the expert's (one per call), so neither recounts
    the call's assignments (issue 15)."""

    call = models.ForeignKey("applications.Call", on_delete=models.CASCADE, related_name="expert_tallies")
    expert_user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="review_tallies")
    assigned = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)
    drafts = models.IntegerField(default=0)
    recused = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("expert tally")
        verbose_name_plural = _("expert tallies")
        constraints = [models.UniqueConstraint(fields=["call", "expert_user"], name="review_expert_tally_once")]
        indexes = [models.Index(fields=["expert_user", "call"], name="review_tally_expert_idx")]

    def __str__(self) -> str:
        return f"{self.call_id} {self.expert_user_id}: {self.submitted}/{self.assigned}"


class Score(models.Model):
    """One expert's score of one application under the frozen rubric."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (autosaved)")
        SUBMITTED = "submitted", _("Submitted")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="score")
    rubric_frozen = models.JSONField(default=list, editable=False)
    values = models.JSONField(default=dict, blank=True)
    total = models.DecimalField(_("weighted total"), max_digits=6, decimal_places=2, null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    saved_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "submitted"]), name="review_score_status_valid"),
            models.CheckConstraint(condition=Q(total__isnull=True) | (Q(total__gte=0) & Q(total__lte=100)),
                                   name="review_score_total_range"),
            models.CheckConstraint(condition=Q(status="draft") | (Q(total__isnull=False) & ~Q(verdict="")),
                                   name="review_score_submitted_complete"),
        ]

    def __str__(self) -> str:
        return f"score {self.assignment_id}: {self.total}"


# --- Defences (答辩) -------------------------------------------------------------

class DefenceSession(models.Model):
    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        REMOTE = "remote", _("Remote (online meeting)")

    call = models.ForeignKey("applications.Call", on_delete=models.CASCADE, related_name="defence_sessions")
    name = models.CharField(_("name of the session"), max_length=128)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    location = models.CharField(_("place"), max_length=200, blank=True)
    meeting_link = models.URLField(_("meeting link"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("defence session")
        verbose_name_plural = _("defence sessions")
        constraints = [
            models.CheckConstraint(condition=Q(mode__in=["on_site", "remote"]), name="review_defence_mode_valid"),
            models.CheckConstraint(condition=Q(mode="on_site", location__gt="") | Q(mode="remote", meeting_link__gt=""),
                                   name="review_defence_has_place_or_link"),
        ]

    def __str__(self) -> str:
        return self.name


class DefenceSlot(models.Model):
    class Attendance(models.TextChoices):
        PENDING = "pending", _("Scheduled")
        PRESENT = "present", _("Attended")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(DefenceSession, on_delete=models.CASCADE, related_name="slots")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="defence_slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices,
                                  default=Attendance.PENDING)
    score = models.DecimalField(_("defence score"), max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("panel's comment"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("defence slot")
        verbose_name_plural = _("defence slots")
        constraints = [
            models.UniqueConstraint(fields=["session", "application"], name="review_slot_once_per_session"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="review_slot_ends_after_start"),
            models.CheckConstraint(condition=Q(attendance__in=["pending", "present", "absent"]),
                                   name="review_slot_attendance_valid"),
            models.CheckConstraint(condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)
                                                                      & Q(attendance="present")),
                                   name="review_slot_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.application_id}"


# --- Meetings and secret ballots (R6.5, R6.7) ------------------------------------------

class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("In session, ballot open")
        COUNTED = "counted", _("Ballot closed, results not yet recorded")
        CLOSED = "closed", _("Closed")

    committee = models.ForeignKey("portal.Committee", on_delete=models.PROTECT, related_name="meetings")
    call = models.ForeignKey("applications.Call", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("name of the meeting"), max_length=128)
    title_generated = models.BooleanField(
        _("named after the call"), default=False, editable=False,
        help_text=_("The title was written from the call's name: pages show it in the reader's language."))
    scheduled_at = models.DateTimeField(_("scheduled for"))
    location = models.CharField(_("place or link"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    members_total = models.PositiveSmallIntegerField(_("committee members"), null=True, blank=True)
    present_total = models.PositiveSmallIntegerField(_("members present"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    ballot_closed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    notice_sent_at = models.DateTimeField(_("notice sent to the members"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["planned", "open", "counted", "closed"]),
                                   name="review_meeting_status_valid"),
            # R6.5 in the database too: an open or closed meeting had 2/3 of the members present.
            models.CheckConstraint(
                condition=Q(status="planned") | (Q(present_total__gte=1) & Q(present_total__lte=F("members_total"))
                                                 & GreaterThanOrEqual(F("present_total") * 3, F("members_total") * 2)),
                name="review_meeting_quorum"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title_display(self) -> str:
        """The title in the reader's language when it was written from the call's name (the call
        is read: select it with the meeting in lists); a typed title as typed."""
        return generated_meeting_title(self.call.display_name) if self.title_generated else self.title


class MeetingAttendance(models.Model):
    """A committee member recorded present (R6.5). Only they may vote."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member present")
        verbose_name_plural = _("members present")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="review_attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.member_id}"


class MeetingCandidate(models.Model):
    """An application put to the vote, with its tally.

    The tally (counts only) lives here; who has voted lives in
    :class:`VoteMarker`, with no choice and no time, so nobody can link a
    member to a choice (secret ballot, R6.5). Nothing derived from the tally
    is shown or answered until the meeting's ballot is closed (``counted``).
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="candidates")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                    related_name="meeting_candidacies")
    yes_votes = models.PositiveSmallIntegerField(default=0)
    no_votes = models.PositiveSmallIntegerField(default=0)
    abstentions = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    excluded_by_ceiling = models.BooleanField(_("not passed by the pass-rate decision (R6.7)"), default=False)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="review_candidate_once"),
            models.CheckConstraint(condition=Q(outcome__in=["pending", "passed", "failed"]),
                                   name="review_candidate_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.application_id}"

    @property
    def votes_cast(self) -> int:
        return self.yes_votes + self.no_votes + self.abstentions


class VoteMarker(models.Model):
    """That a member has voted on a candidate, never how (R6.5)."""

    candidate = models.ForeignKey(MeetingCandidate, on_delete=models.CASCADE, related_name="markers")
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("vote cast")
        verbose_name_plural = _("votes cast")
        constraints = [models.UniqueConstraint(fields=["candidate", "member"], name="review_one_vote_per_member")]

    def __str__(self) -> str:
        return f"{self.candidate_id} · {self.member_id}"


class CeilingDecision(models.Model):
    """R6.7: the recorded decision that brings the call's passes within its
    pass-rate ceiling (over every meeting of the call), naming the candidates
    of this meeting not passed and why."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="ceiling_decisions")
    excluded = models.ManyToManyField(MeetingCandidate, related_name="+")
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pass-rate decision")
        verbose_name_plural = _("pass-rate decisions")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="review_ceiling_decision_reason")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.reason[:30]}"


# --- Recognition by a bureau (R4.4–R4.7) -------------------------------------------

class RecognitionAssessment(models.Model):
    class Decision(models.TextChoices):
        GRANTED = "granted", _("Recognised")
        REFUSED = "refused", _("Not recognised")

    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="recognition")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    assessment = models.TextField(_("assessment record"))
    checks = models.JSONField(_("conditions checked"), default=list, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("recognition assessment")
        verbose_name_plural = _("recognition assessments")
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=["granted", "refused"]),
                                   name="review_recognition_decision_valid"),
            models.CheckConstraint(condition=~Q(assessment=""), name="review_recognition_has_assessment"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.decision}"


class ResultRecord(models.Model):
    """Each decided result of an application, in order: passed or failed by
    a meeting or a recognition, withdrawn after an upheld objection."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")
        WITHDRAWN = "withdrawn", _("Withdrawn after an objection")
        GRANTED = "granted", _("Granted on filing")

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="review_results")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    source = models.CharField(max_length=20)
    decided_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "id"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome}"


# --- Result publicity and objections (R5.6, R6.10) ----------------------------------

class PublicityPeriod(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("In publicity")
        CLOSED = "closed", _("Publicity over")

    title = models.CharField(pgettext_lazy("publicity", "title"), max_length=200)
    title_generated = models.BooleanField(
        _("named after the call"), default=False, editable=False,
        help_text=_("The title was written from the call's name: pages show it in the reader's language."))
    call = models.ForeignKey("applications.Call", on_delete=models.PROTECT, related_name="publicity_periods")
    committee = models.ForeignKey("portal.Committee", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="publicity_periods")
    bureau = models.ForeignKey("portal.Organization", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text=_("For recognition results."))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (inclusive)"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("result publicity")
        verbose_name_plural = _("result publicity periods")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "closed"]), name="review_publicity_status_valid"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="review_publicity_ends_after"),
            models.CheckConstraint(condition=Q(committee__isnull=False) | Q(bureau__isnull=False),
                                   name="review_publicity_has_owner"),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="review_publicity_due_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title_display(self) -> str:
        """As ``Meeting.title_display``: "Results of <call>" in the reader's language when written
        from the call's name; a typed title as typed."""
        return generated_publicity_title(self.call.display_name) if self.title_generated else self.title


class PublicityEntry(models.Model):
    """One published result, with masked name only (never ID or mobile)."""

    class Status(models.TextChoices):
        LISTED = "listed", _("Listed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    period = models.ForeignKey(PublicityPeriod, on_delete=models.CASCADE, related_name="entries")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="publicity_entry")
    masked_name = models.CharField(_("name"), max_length=64)
    employer_name = models.CharField(_("employer"), max_length=128, blank=True)
    title_name = models.CharField(_("title"), max_length=64)
    specialty_name = models.CharField(_("specialty"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.LISTED)

    class Meta:
        ordering = ["period", "id"]
        verbose_name = _("publicity entry")
        verbose_name_plural = _("publicity entries")
        constraints = [models.CheckConstraint(condition=Q(status__in=["listed", "withdrawn"]),
                                              name="review_entry_status_valid")]

    def __str__(self) -> str:
        return f"{self.masked_name} · {self.title_name}"

    @property
    def title_display(self) -> str:
        """The title in the page's language (``applications.title_names``), from the application's
        series and level: annotated by the list's query (``title_series_id``, ``title_level``) or read
        from the application when it was selected with the entry; else the published name."""
        from applications.title_names import title_in_language

        series_id, level = getattr(self, "title_series_id", None), getattr(self, "title_level", "")
        if series_id is None and PublicityEntry.application.is_cached(self):
            series_id, level = self.application.series_id, self.application.level
        return title_in_language(series_id=series_id, level=level or "", stored=self.title_name)

    @property
    def specialty_display(self) -> str:
        """The specialty in the page's language: the English or Uyghur name of the application's
        specialty in the catalogue, annotated by the list's query (``specialty_name_en``,
        ``specialty_name_ug``, see ``review.selectors.ENTRY_NAMES``) or read from the application's
        specialty when it was selected with the entry; on Chinese pages, or when the catalogue has no
        such name, the published name (``specialty_name``, the Chinese official record)."""
        from portal.models import name_in_language

        name_en, name_ug = getattr(self, "specialty_name_en", None), getattr(self, "specialty_name_ug", None)
        if name_en is None and name_ug is None and PublicityEntry.application.is_cached(self):
            application = self.application
            if type(application).specialty.is_cached(application):
                name_en, name_ug = application.specialty.name_en, application.specialty.name_ug
        return name_in_language(self.specialty_name, name_en or "", name_ug or "")


class Objection(EncryptedContact, models.Model):
    """异议: anyone may object during publicity; the secretary (or the
    bureau, for recognition) answers each; an upheld one withdraws the result."""

    entry = models.ForeignKey(PublicityEntry, on_delete=models.CASCADE, related_name="objections")
    reason = models.TextField(_("reason"))
    #: The objector's contact, encrypted (``contact`` reads and writes it), with a masked copy.
    contact_encrypted = models.TextField(blank=True, editable=False)
    contact_masked = models.CharField(_("contact"), max_length=64, blank=True, editable=False)
    source_hash = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    upheld = models.BooleanField(_("upheld"), null=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(condition=Q(answered_at__isnull=True) | (Q(upheld__isnull=False) & ~Q(answer="")),
                                   name="review_objection_answer_complete"),
        ]

    def __str__(self) -> str:
        return f"objection {self.pk}"


# --- Filing (备案) and reconsideration (复查) -----------------------------------------

class ResultFiling(models.Model):
    """The bureau files the results of a closed publicity period; filing
    grants the titles and asks ``certificates`` to issue. One filing per
    period (the database refuses a second)."""

    period = models.OneToOneField(PublicityPeriod, on_delete=models.PROTECT, related_name="filing")
    bureau = models.ForeignKey("portal.Organization", on_delete=models.PROTECT, related_name="+")
    approval_number = models.CharField(_("approval number"), max_length=64)
    after_the_fact = models.BooleanField(_("filed after the fact (R2.4)"), default=False)
    filed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    granted_on = models.DateField(_("date granted"))
    certificate_batch = models.ForeignKey("certificates.IssueBatch", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("result filing")
        verbose_name_plural = _("result filings")

    def __str__(self) -> str:
        return self.approval_number


class FilingItem(models.Model):
    filing = models.ForeignKey(ResultFiling, on_delete=models.CASCADE, related_name="items")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT,
                                       related_name="filing_item")
    title_name = models.CharField(max_length=64)
    grant_key = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("filed result")
        verbose_name_plural = _("filed results")

    def __str__(self) -> str:
        return self.grant_key


class Reconsideration(models.Model):
    """复查: the applicant disputes a failed result within the configured
    period; the secretary (or bureau) records the outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld: to be reviewed again")
        DISMISSED = "dismissed", _("Dismissed: result stands")

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                    related_name="reconsiderations")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = models.TextField(_("outcome"), blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("reconsideration")
        verbose_name_plural = _("reconsiderations")
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(status="pending"),
                                    name="review_one_pending_reconsideration"),
            models.CheckConstraint(condition=Q(status__in=["pending", "upheld", "dismissed"]),
                                   name="review_reconsideration_status_valid"),
            models.CheckConstraint(condition=Q(status="pending") | ~Q(outcome=""),
                                   name="review_reconsideration_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"
