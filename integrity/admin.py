"""Back office: read-only views of reports and cases (writes go through the services)."""

from django.contrib import admin

from integrity.models import FraudCase, FraudReport


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FraudReport)
class FraudReportAdmin(ReadOnly):
    list_display = ("__str__", "target_kind", "status", "region", "created_at")
    list_filter = ("status", "target_kind")
    exclude = ("contact_encrypted", "reference_hash", "source")


@admin.register(FraudCase)
class FraudCaseAdmin(ReadOnly):
    list_display = ("reference", "status", "region", "opened_at", "decided_at")
    list_filter = ("status",)
