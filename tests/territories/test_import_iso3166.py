"""import_territories iso3166: countries and first-level subdivisions from pycountry."""

from __future__ import annotations

import pycountry
import pytest
from django.core.management.base import CommandError

from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Territory
from tests.territories.conftest import run


@pytest.mark.django_db
def test_naming_countries_imports_them_with_their_first_level_subdivisions():
    output = run("import_territories", "iso3166", "--country", "CO", "--country", "mx")
    assert "Total: created 67, updated 0, unchanged 0" in output
    colombia = Territory.objects.with_code(Scheme.ISO, "CO").get()
    assert colombia.kind == "country"
    regions = Territory.objects.within(colombia).regions()
    assert regions.count() == 33
    cauca = regions.with_code(Scheme.ISO, "CO-CAU").get()
    assert (cauca.name, cauca.kind) == ("Cauca", "departamento")
    assert regions.with_code(Scheme.ISO, "CO-DC").get().kind == "distrito capital"
    assert Territory.objects.with_code(Scheme.ISO, "MX-JAL").get().kind == "estado"


@pytest.mark.django_db
def test_without_countries_all_countries_are_imported_without_subdivisions():
    run("import_territories", "iso3166")
    assert Territory.objects.countries().count() == len(pycountry.countries)
    assert not Territory.objects.regions().exists()


@pytest.mark.django_db
def test_an_unknown_country_code_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="“XX” is not an ISO 3166-1 alpha-2 country code"):
        run("import_territories", "iso3166", "--country", "CO", "--country", "XX")
    assert not Territory.objects.exists()


@pytest.mark.django_db
def test_iso_keeps_a_national_office_name_and_adds_its_own_as_an_alternative(write_file):
    run("import_territories", "inegi", write_file("e.csv", "nombre_estado,cve_ent\nCoahuila,05\n"))
    run("import_territories", "iso3166", "--country", "MX")
    coahuila = Territory.objects.with_code(Scheme.ISO, "MX-COA").get()
    assert (coahuila.name, coahuila.kind, coahuila.level) == ("Coahuila", "estado", Level.REGION)
    assert "Coahuila de Zaragoza" in coahuila.names.values_list("name", flat=True)
    output = run("import_territories", "iso3166", "--country", "MX")
    assert "Total: created 0, updated 0, unchanged 33" in output
