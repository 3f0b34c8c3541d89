"""Back office: read-only views of reports and cases (writes go through the services)."""

from django.contrib import admin

from integrity.models import FraudCase, FraudReport
from portal.admin import ReadOnlyAdmin


@admin.register(FraudReport)
class FraudReportAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "target_kind", "status", "region", "created_at")
    list_filter = ("status", "target_kind")
    exclude = ("contact_encrypted", "reference_hash", "source")


@admin.register(FraudCase)
class FraudCaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "status", "region", "opened_at", "decided_at")
    list_filter = ("status",)
