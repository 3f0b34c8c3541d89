from django.contrib import admin

from applications.models import Qualification, Specialty, TitleName, TitleSeries


class TitleNameInline(admin.TabularInline):
    model = TitleName
    extra = 0


@admin.register(TitleSeries)
class TitleSeriesAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name", "name_en", "is_active"]
    list_display_links = ["code", "name"]
    inlines = [TitleNameInline]


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    """R3.4: the regional bureau adds specialties here."""

    list_display = ["name", "code", "series", "added_by_region", "is_active"]
    list_filter = ["series", "is_active"]
    list_select_related = ["series", "added_by_region"]
    search_fields = ["name", "code"]
    readonly_fields = ["added_by_region"]

    def save_model(self, request, obj, form, change):
        """A specialty a bureau adds carries the bureau's region, and is audited."""
        from portal.audit import audit_record, snapshot
        from portal.selectors import bureau_regions_for_user

        if not change and obj.added_by_region_id is None:
            obj.added_by_region = bureau_regions_for_user(user=request.user).order_by("code").first()
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="specialty.change" if change else "specialty.add", obj=obj,
                     after=snapshot(obj, ["series", "code", "name", "is_active", "added_by_region"]))


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["name", "series", "level"]
    list_select_related = ["series"]


# --- Eligibility conditions as data (R3.4, R3.5): edited here by the bureau ---

from applications.eligibility_models import EligibilityRequirement, EligibilityRoute  # noqa: E402


class AuditedConditionAdmin(admin.ModelAdmin):
    """Every change to a condition row is written to the audit trail (R6.2)."""

    audit_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        from portal.audit import audit_record, snapshot

        before = snapshot(type(obj).objects.get(pk=obj.pk), self.audit_fields) if change else {}
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="eligibility.condition_changed" if change
                     else "eligibility.condition_added", obj=obj, before=before,
                     after=snapshot(obj, self.audit_fields))

    def delete_model(self, request, obj):
        from portal.audit import audit_record, snapshot

        before = snapshot(obj, self.audit_fields)
        audit_record(actor=request.user, action="eligibility.condition_deleted", obj=obj, before=before)
        super().delete_model(request, obj)


@admin.register(EligibilityRoute)
class EligibilityRouteAdmin(AuditedConditionAdmin):
    """Routes to a level: alternatives; meeting one of them is enough."""

    audit_fields = ("series", "level", "pathway", "education", "years_since_graduation", "required_level",
                    "years_at_level", "skill_level", "skill_years", "qualification_match", "rule", "is_active")
    list_display = ["code", "series", "level", "pathway", "education", "years_since_graduation", "required_level",
                    "years_at_level", "skill_level", "skill_years", "rule", "is_active"]
    list_editable = ["years_since_graduation", "years_at_level", "skill_years", "is_active"]
    list_filter = ["pathway", "level", "series", "is_active"]
    list_select_related = ["series"]
    search_fields = ["code", "rule"]


@admin.register(EligibilityRequirement)
class EligibilityRequirementAdmin(AuditedConditionAdmin):
    """Conditions every applicant on a pathway must meet as well."""

    audit_fields = ("series", "level", "pathway", "kind", "value", "rule", "is_active")
    list_display = ["code", "kind", "value", "pathway", "level", "series", "rule", "is_active"]
    list_editable = ["value", "is_active"]
    list_filter = ["pathway", "kind", "is_active"]
    list_select_related = ["series"]
    search_fields = ["code", "rule"]


# --- Calls and applications: the back office reads; changes go through the services ---

from applications.models import (  # noqa: E402
    Achievement,
    Application,
    Attachment,
    Call,
    Correction,
    CorrectionRound,
    IntegrityPledge,
    Reminder,
    UnitObjection,
)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Calls are opened by a committee's secretary or a bureau officer through
    ``call_open`` (scope and validity checked, R2.1/R2.3); here they are read
    and their dates corrected."""

    list_display = ["name", "series", "year", "committee", "bureau", "opens_at", "closes_at",
                    "private_enterprise_group"]
    list_filter = ["series", "year", "private_enterprise_group"]
    list_select_related = ["series", "committee", "bureau"]
    search_fields = ["name", "name_en", "name_ug"]
    filter_horizontal = ["specialties"]
    readonly_fields = ["committee", "bureau", "series", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AchievementInline(_ReadOnlyInline):
    model = Achievement
    fields = ["kind", "title", "role", "number", "achieved_on", "economic_benefit"]


class AttachmentInline(_ReadOnlyInline):
    model = Attachment
    fields = ["material", "achievement", "original_name", "content_type", "size", "uploaded_at"]


class CorrectionRoundInline(_ReadOnlyInline):
    model = CorrectionRound
    fields = ["stage", "returned_by", "returned_at", "reason", "due_on", "resubmitted_at"]


class CorrectionInline(_ReadOnlyInline):
    model = Correction
    fields = ["round", "stage", "target", "item_title", "message", "requested_by", "requested_at", "answer",
              "answered_at", "resolved_at"]


class ObjectionInline(_ReadOnlyInline):
    model = UnitObjection
    fields = ["reason", "created_at", "answer", "upheld", "answered_at"]


class PledgeInline(_ReadOnlyInline):
    model = IntegrityPledge
    fields = ["text", "signed_at", "ip_address"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: every change of an application is a service with its audit
    event (R6.2); the admin never assigns a status."""

    list_display = ["id", "applicant", "title_name", "series", "pathway", "channel", "region", "status",
                    "submitted_at"]
    list_filter = ["status", "pathway", "channel", "level", "series", "region"]
    list_select_related = ["applicant", "series", "region"]
    search_fields = ["applicant__real_name", "title_name", "id"]
    raw_id_fields = ["applicant", "call", "employer", "sponsor", "acceptance_body"]
    inlines = [PledgeInline, AchievementInline, AttachmentInline, CorrectionRoundInline, CorrectionInline,
               ObjectionInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Application._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "due_on", "days_before", "sent_at"]
    list_filter = ["kind", "days_before"]
    raw_id_fields = ["application"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
