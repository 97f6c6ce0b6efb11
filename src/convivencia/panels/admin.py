"""The admin shows panels and questionnaires but changes little.

Questionnaire versions are frozen once answered (a new wording is a new version,
imported as an XLSForm); rosters change through ``import_roster``, which checks
the file and writes the audit log. Contact data never appears here: reading it
is logged, and only the contact page does that.
"""

from django.contrib import admin
from django.http import HttpRequest

from convivencia.panels.models import (
    Choice,
    CollectCredential,
    Item,
    Panel,
    Questionnaire,
    Respondent,
    SubmissionEdit,
    Wave,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = ["position", "value", "label"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "__str__", "territory", "created_at"]
    list_filter = ["code"]
    search_fields = ["code"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "questionnaire",
        "position",
        "type",
        "provider",
        "scale_min",
        "scale_max",
        "top_min",
        "reverse_coded",
    ]
    list_filter = ["questionnaire", "type", "provider"]
    search_fields = ["code"]
    inlines = [ChoiceInline]


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "territory", "questionnaire", "local_provider_name"]
    search_fields = ["code", "name"]
    # Moving a panel to another territory or questionnaire would re-file its answers.
    readonly_fields = ["code", "territory", "questionnaire", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # convivencia create_panel checks the territory and questionnaire


@admin.register(Respondent)
class RespondentAdmin(ReadOnlyAdmin):
    list_display = ["code", "panel", "sex", "age_band", "role", "area", "is_active"]
    list_filter = ["panel", "is_active", "role", "area"]
    search_fields = ["code"]
    exclude = ["contact_encrypted"]


@admin.register(Wave)
class WaveAdmin(ReadOnlyAdmin):
    list_display = ["panel", "period", "status", "opened_at", "closed_at"]
    list_filter = ["status", "panel"]


@admin.register(SubmissionEdit)
class SubmissionEditAdmin(ReadOnlyAdmin):
    """The versions ODK edits replaced (``panels.edits``), each naming its successor."""

    list_display = ["instance_id", "replaced_by", "wave", "respondent", "edited_at", "edited_by"]
    list_filter = ["wave__panel"]
    search_fields = ["instance_id", "replaced_by", "respondent__code"]


@admin.register(CollectCredential)
class CollectCredentialAdmin(ReadOnlyAdmin):
    """Who has an ODK Collect password; an administrator can delete one (the collector makes
    a new one on the panel's collection page). The hashes are never shown."""

    list_display = ["username", "created_at"]
    search_fields = ["username"]
    exclude = ["ha1_md5", "ha1_sha256"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return bool(request.user.is_superuser)
