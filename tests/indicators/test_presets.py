"""The standard data elements and indicators on a fresh installation (data migration
0007, restored after a flush) and in the admin."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from convivencia.indicators import caching, presets
from convivencia.indicators.models import DataElement, Indicator
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("convivencia.indicators.migrations.0007_standard_presets")


class _SchemaEditor:
    connection = connection


def test_a_database_built_by_migrate_has_every_standard_element_and_indicator():
    assert set(DataElement.objects.values_list("code", flat=True)) >= set(presets.ELEMENTS)
    assert set(Indicator.objects.values_list("code", flat=True)) >= set(presets.INDICATORS)
    rate = Indicator.objects.select_related("numerator").get(code="homicide_rate")
    assert (rate.numerator.code, rate.factor) == ("homicides", 100_000)


def test_running_the_migration_again_changes_nothing_and_restores_renamed_presets():
    Indicator.objects.filter(code="homicide_rate").update(name={"es": "otro"})
    counts = (DataElement.objects.count(), Indicator.objects.count())
    MIGRATION.forward(apps, _SchemaEditor())
    MIGRATION.forward(apps, _SchemaEditor())
    assert (DataElement.objects.count(), Indicator.objects.count()) == counts
    assert (
        Indicator.objects.get(code="homicide_rate").name == presets.INDICATORS["homicide_rate"][0]
    )


def test_the_presets_come_back_after_a_flush_but_an_installations_own_set_is_left_alone():
    Indicator.objects.all().delete()
    DataElement.objects.all().delete()
    assert presets.seed_if_empty() is True
    assert Indicator.objects.count() == len(presets.INDICATORS)

    Indicator.objects.all().delete()
    DataElement.objects.exclude(code="homicides").delete()
    assert presets.seed_if_empty() is False
    assert list(DataElement.objects.values_list("code", flat=True)) == ["homicides"]
    assert not Indicator.objects.exists()


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("ana", is_superuser=True, is_staff=True))
    return client


def test_an_administrator_lists_and_searches_the_indicators_in_the_admin(admin_client):
    html = admin_client.get("/admin/indicators/indicator/?q=homicide").content.decode()
    assert "homicide_rate" in html
    assert "robbery_rate" not in html
    html = admin_client.get("/admin/indicators/dataelement/?q=extors").content.decode()
    assert "extortion" in html and "kidnapping" not in html


def test_an_administrator_renames_an_indicator_and_the_explorer_cache_moves_on(admin_client):
    indicator = Indicator.objects.get(code="homicide_rate")
    before = caching.version()
    response = admin_client.post(
        f"/admin/indicators/indicator/{indicator.pk}/change/",
        {
            "code": "renamed",
            "name": '{"es": "Tasa de homicidios", "en": "Murder rate"}',
            "numerator": indicator.numerator_id,
            "denominator_kind": "population",
            "denominator": "",
            "factor": 100_000,
            "description": "",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.name["en"] == "Murder rate"
    assert indicator.code == "homicide_rate"  # the code stays: importers and the API use it
    assert caching.version() != before


def test_a_user_without_staff_status_does_not_reach_the_indicator_admin(client):
    client.force_login(make_user("bob"))
    response = client.get("/admin/indicators/indicator/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
