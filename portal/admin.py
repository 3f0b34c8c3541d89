"""Back office. Personal data appears masked; the audit trail is read-only
for everyone and visible only to auditors and supervisors."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from portal.models import (
    SEPARATED_ADMIN_ROLES,
    AcceptanceScope,
    AuditEvent,
    CalendarDay,
    Employment,
    IntegrityRecord,
    Invitation,
    Membership,
    MessageDelivery,
    Notification,
    Organization,
    PolicyArticle,
    PolicySettings,
    Region,
    Role,
    User,
)


class IdNumberAdminMixin(forms.Form):
    """The back office types an ID number like everyone else: through ``normalize_id_number``
    (trailing x, full-width, spaces; any GB/T 2260 district code). Stored encrypted; never shown."""

    new_id_number = forms.CharField(label=_("ID number (to set or correct)"), required=False, max_length=40,
                                    help_text=_("Leave empty to keep the current one. It is stored encrypted and "
                                                "shown masked."))

    def clean_new_id_number(self):
        from portal.personal_data import normalize_id_number

        raw = self.cleaned_data.get("new_id_number", "")
        if not raw.strip():
            return ""
        try:
            number = normalize_id_number(raw)
        except ValidationError as error:
            raise forms.ValidationError(error.messages)
        from portal.personal_data import lookup_hash

        taken = User.objects.filter(id_number_hash=lookup_hash(number))
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another account has this ID number."))
        return number

    def clean_mobile(self):
        from portal.personal_data import normalize_mobile

        try:
            return normalize_mobile(self.cleaned_data.get("mobile", ""))
        except ValidationError as error:
            raise forms.ValidationError(error.messages)

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("new_id_number"):
            user.set_id_number(self.cleaned_data["new_id_number"])
        if commit:
            user.save()
            self.save_m2m()
        return user


class UserChangeForm(IdNumberAdminMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["mobile", "password", "real_name", "name_ug", "email", "language", "is_active", "is_staff",
                  "is_superuser", "groups", "last_login", "date_joined"]

    def clean_groups(self):
        groups = self.cleaned_data.get("groups")
        names = {g.name for g in groups or []}
        if len(names & SEPARATED_ADMIN_ROLES) > 1:
            raise ValidationError(_("System administrator, security administrator and auditor are separate roles; "
                                    "choose only one of them."))
        return groups


class UserAddForm(IdNumberAdminMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["mobile", "real_name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    ordering = ["-date_joined"]
    list_display = ["real_name", "mobile_masked", "id_number_masked", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["real_name"]
    readonly_fields = ["id_number_masked", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("mobile", "password")}),
        (_("Person"), {"fields": ("real_name", "name_ug", "id_number_masked", "new_id_number", "email", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_form = UserAddForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("mobile", "real_name", "new_id_number", "password1",
                                                              "password2")}),)
    filter_horizontal = ("groups",)

    @admin.display(description=_("mobile number"))
    def mobile_masked(self, obj):
        return obj.mobile_masked


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_select_related = ["parent"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(GuardedModelAdmin):
    list_display = ["name", "kind", "uscc", "region", "status", "created_at"]
    list_filter = ["kind", "status", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "uscc"]
    readonly_fields = ["status", "decided_by", "decided_at", "rejection_reason"]
    inlines = [MembershipInline]


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ["user", "employer", "status", "start_date", "end_date", "dispatch_region"]
    list_filter = ["status"]
    list_select_related = ["user", "employer", "dispatch_region"]
    raw_id_fields = ["user", "employer", "original_unit", "confirmed_by"]
    readonly_fields = ["status"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "real_name", "mobile_masked", "status", "expires_at"]
    list_select_related = ["organization"]
    exclude = ["mobile", "email"]
    readonly_fields = ["mobile_masked", "email_masked", "id_number_masked", "status", "invited_by", "accepted_by",
                       "decided_at"]

    @admin.display(description=_("email"))
    def email_masked(self, obj):
        from portal.personal_data import mask_email

        return mask_email(obj.email)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by services (with their audit events) are read in the
    back office, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_label", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "action"]
    ordering = [models.F("seq").desc(nulls_first=True), "-id"]  # those not yet chained first
    show_full_result_count = False

    def _may_see(self, request) -> bool:
        # The admin's login page and index ask every model admin with whoever is there, an
        # anonymous visitor included (who has no roles).
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return False
        return user.has_role(Role.AUDITOR) or user.has_role(Role.SUPERVISOR)

    def has_module_permission(self, request):
        return self._may_see(request)

    def has_view_permission(self, request, obj=None):
        return self._may_see(request)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "topic", "created_at", "read_at", "emailed_at"]
    list_filter = ["topic"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


@admin.register(MessageDelivery)
class MessageDeliveryAdmin(ReadOnlyAdmin):
    """Every SMS and email that left (or tried to): queued, sent, retried, failed. Addresses masked;
    the text of a one-time code is never shown."""

    list_display = ["created_at", "channel", "topic", "address_masked", "status", "attempts", "sent_at",
                    "last_error"]
    list_filter = ["channel", "status", "topic"]
    date_hierarchy = "created_at"
    fields = ["channel", "topic", "recipient", "address_masked", "subject", "text", "status", "attempts",
              "last_error", "provider_ref", "created_at", "sent_at", "notification"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("address"))
    def address_masked(self, obj):
        return obj.address_masked

    @admin.display(description=_("text"))
    def text(self, obj):
        if obj.topic == "code":
            return _("(a one-time code: not shown)")
        return obj.body


@admin.register(PolicySettings)
class PolicySettingsAdmin(admin.ModelAdmin):
    """The configurable numbers of domain.md (one row)."""

    def has_add_permission(self, request):
        return not PolicySettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from portal.audit import audit_record

        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="policy.change", obj=obj,
                     after={name: form.cleaned_data[name] for name in form.changed_data})


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and adjusted working days from the State Council's notice."""

    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


@admin.register(AcceptanceScope)
class AcceptanceScopeAdmin(admin.ModelAdmin):
    list_display = ["organization", "region", "series"]
    list_select_related = ["organization", "region", "series"]


@admin.register(IntegrityRecord)
class IntegrityRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "starts_on", "ends_on", "recorded_by"]
    list_select_related = ["user", "recorded_by"]
    raw_id_fields = ["user", "recorded_by"]


class PolicyArticleForm(forms.ModelForm):
    class Meta:
        model = PolicyArticle
        fields = ["kind", "title", "body", "attachment", "publisher", "published_on", "calls"]

    def clean_attachment(self):
        from portal.uploads import validate_document

        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "content_type"):
            if validate_document(upload) != "application/pdf":
                raise ValidationError(_("Attach a PDF."))
        return upload


@admin.register(PolicyArticle)
class PolicyArticleAdmin(admin.ModelAdmin):
    """Bureaus publish announcements, interpretations and FAQs (N §5)."""

    form = PolicyArticleForm
    list_display = ["title", "kind", "publisher", "published_on"]
    list_filter = ["kind"]
    list_select_related = ["publisher"]
    search_fields = ["title"]
    filter_horizontal = ["calls"]
