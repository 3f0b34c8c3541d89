from django.contrib import admin

from supervision.models import OversightAlert


@admin.register(OversightAlert)
class OversightAlertAdmin(admin.ModelAdmin):
    """Read-only: alerts are raised by the check and acknowledged on the site."""

    list_display = ("kind", "committee", "call", "raised_at", "status", "acknowledged_by")
    list_filter = ("kind", "status")
    list_select_related = ("committee", "call", "acknowledged_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
