from django.contrib import admin

from stats.models import StatsRefresh


@admin.register(StatsRefresh)
class StatsRefreshAdmin(admin.ModelAdmin):
    list_display = ["finished_at", "duration_ms", "source_applications", "source_certificates", "cells",
                    "requested_by"]
    readonly_fields = [f.name for f in StatsRefresh._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
