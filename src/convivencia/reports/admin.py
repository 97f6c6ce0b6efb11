from django.contrib import admin

from convivencia.reports.models import Brief


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ("territory", "period", "language", "audience", "version", "generated_at")
    list_filter = ("audience", "language", "period")
    search_fields = ("territory__name", "content_hash")
    readonly_fields = [field.name for field in Brief._meta.fields]

    def has_add_permission(self, request) -> bool:
        # Briefs are generated from the data, never typed in.
        return False
