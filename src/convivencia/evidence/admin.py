"""The admin shows the registry but does not change it: changes go through the
curation pages, which validate them and write the history. Exchange rates,
which have no history of their own, may be corrected here."""

from django.contrib import admin
from django.http import HttpRequest

from convivencia.evidence.models import ExchangeRate, Intervention


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "country_code", "curation", "best_rating", "updated_at"]
    list_filter = ["curation", "best_rating", "scale", "status"]
    search_fields = ["name", "external_id", "implementer_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "year", "per_usd", "source"]
    list_filter = ["currency"]
    search_fields = ["currency"]
    ordering = ["currency", "-year"]
