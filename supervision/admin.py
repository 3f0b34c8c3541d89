from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from supervision.models import OversightAlert


@admin.register(OversightAlert)
class OversightAlertAdmin(ReadOnlyAdmin):
    """Read-only: alerts are raised by the check and acknowledged on the site."""

    list_display = ("kind", "committee", "call", "raised_at", "status", "acknowledged_by")
    list_filter = ("kind", "status")
    list_select_related = ("committee", "call", "acknowledged_by")
