"""Data elements and indicators in the admin, for administrators: the standard ones come
from ``presets`` on ``migrate``; an installation adds its own or renames them here. Values
arrive only through the importers, which check whole files and keep revisions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from convivencia.indicators import caching
from convivencia.indicators.models import DataElement, Dhis2Mapping, Indicator


class RefreshesExplorer(admin.ModelAdmin):
    """Names, formulas and factors appear in cached tables and maps: a change replaces the
    explorer's data version in the same transaction, so no page shows the old one."""

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # The code is what importers, exports and the API know a row by: fixed once created.
        return ["code"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Model, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        caching.bump()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        caching.bump()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        caching.bump()


@admin.register(DataElement)
class DataElementAdmin(RefreshesExplorer):
    list_display = ["code", "__str__", "value_type", "aggregation_type", "dhis2_uid"]
    list_filter = ["value_type", "aggregation_type"]
    search_fields = ["code", "name", "dhis2_uid", "description"]


@admin.register(Indicator)
class IndicatorAdmin(RefreshesExplorer):
    list_display = ["code", "__str__", "numerator", "denominator_kind", "denominator", "factor"]
    list_filter = ["denominator_kind"]
    search_fields = ["code", "name", "description", "numerator__code"]
    list_select_related = ["numerator", "denominator"]


@admin.register(Dhis2Mapping)
class Dhis2MappingAdmin(admin.ModelAdmin):
    """What another DHIS2 instance's uids, codes and names mean here; the DHIS2 importer
    reads this table first (see ``importers.dhis2``)."""

    list_display = ["kind", "scheme", "identifier", "element", "territory", "sex", "age_group"]
    list_filter = ["kind", "scheme"]
    search_fields = ["identifier", "element__code", "territory__name"]
    autocomplete_fields = ["territory"]
