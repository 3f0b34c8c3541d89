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
