"""Back office of the review app. Ballots are not shown here: the vote
markers and tallies are read only through the meeting pages (R6.5)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from review.models import (
    CommentTemplate,
    CommitteeFee,
    CommitteeSanction,
    ExpertProfile,
    Meeting,
    PublicityPeriod,
    RecognitionAssessment,
    Reconsideration,
    ResultFiling,
    Rubric,
    RubricCriterion,
)


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


class CommentTemplateInline(admin.TabularInline):
    model = CommentTemplate
    extra = 0


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    """Scores freeze the criteria they were given under: editing a rubric never changes past results."""

    list_display = ["name", "committee"]
    inlines = [RubricCriterionInline, CommentTemplateInline]


@admin.register(ExpertProfile)
class ExpertProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "committee", "level", "employer_name", "term_start", "term_end", "is_active"]
    list_filter = ["level", "is_active"]
    list_select_related = ["user", "committee"]
    search_fields = ["user__real_name", "employer_name"]


@admin.register(CommitteeSanction)
class CommitteeSanctionAdmin(ReadOnlyAdmin):
    list_display = ["committee", "kind", "decided_at", "lifted_at"]
    list_filter = ["kind"]
    list_select_related = ["committee"]


@admin.register(CommitteeFee)
class CommitteeFeeAdmin(ReadOnlyAdmin):
    list_display = ["committee", "description", "amount", "recorded_at"]
    list_select_related = ["committee"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "committee", "status", "members_total", "present_total", "scheduled_at"]
    list_filter = ["status"]
    list_select_related = ["committee"]


@admin.register(RecognitionAssessment)
class RecognitionAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["application", "decision", "decided_by", "decided_at"]
    list_select_related = ["application", "decided_by"]


@admin.register(PublicityPeriod)
class PublicityPeriodAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_on", "ends_on", "working_days", "status"]
    list_filter = ["status"]


@admin.register(ResultFiling)
class ResultFilingAdmin(ReadOnlyAdmin):
    list_display = ["approval_number", "bureau", "after_the_fact", "filed_at"]
    list_select_related = ["bureau"]


@admin.register(Reconsideration)
class ReconsiderationAdmin(ReadOnlyAdmin):
    list_display = ["application", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
