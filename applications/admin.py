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


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["name", "series", "level"]
    list_select_related = ["series"]
