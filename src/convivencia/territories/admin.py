from django.contrib import admin

from convivencia.territories.models import (
    Boundary,
    Population,
    Territory,
    TerritoryCode,
    TerritoryName,
)


class CodeInline(admin.TabularInline):
    model = TerritoryCode
    extra = 0


class NameInline(admin.TabularInline):
    model = TerritoryName
    extra = 0


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "kind", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "search_name", "codes__code"]
    raw_id_fields = ["parent"]
    inlines = [CodeInline, NameInline]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["territory", "year", "value", "source"]
    list_filter = ["source", "year"]
    raw_id_fields = ["territory"]


admin.site.register(Boundary)
