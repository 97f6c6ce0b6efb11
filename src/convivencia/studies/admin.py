from django.contrib import admin

from convivencia.studies.models import Code, Document, Finding, Study, StudyMember


class StudyMemberInline(admin.TabularInline):
    model = StudyMember
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["title", "territory", "process", "created_at"]
    search_fields = ["title"]
    inlines = [StudyMemberInline]


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["name", "study", "parent", "colour"]
    list_filter = ["study"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Metadata only: the text is read on the study's pages, where reads are audited."""

    list_display = ["title", "study", "kind", "status", "uploaded_at"]
    list_filter = ["status", "kind"]
    exclude = ["original_encrypted", "text"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "study", "is_root_cause", "is_publishable"]
    list_filter = ["is_root_cause", "is_publishable"]
