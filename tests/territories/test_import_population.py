"""import_population: DANE municipal projections (with sums) and World Bank country totals."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from convivencia.territories.choices import Scheme
from convivencia.territories.importers.population import DANE_SOURCE, WORLD_BANK_SOURCE
from convivencia.territories.models import Population, Territory
from tests.datafiles import shared_data
from tests.territories.conftest import database_counts, run

XLSX = "co/dane_poblacion_municipal_2018_2024.xlsx"
CSV = "co/dane_poblacion_municipal_2018_2024.csv"


def population(scheme: str, code: str, year: int, source: str = DANE_SOURCE) -> int:
    territory = Territory.objects.with_code(scheme, code).get()
    return Population.objects.get(territory=territory, year=year, source=source).value


def all_rows() -> list[tuple[int, int, int, str]]:
    return sorted(Population.objects.values_list("territory_id", "year", "value", "source"))


@pytest.mark.django_db
def test_the_dane_workbook_gives_municipal_department_and_national_figures(colombia):
    output = run("import_population", "dane", shared_data(XLSX))
    assert "Municipality: created 7854" in output
    assert "Department and national totals are sums of the municipal figures" in output
    assert population(Scheme.ISO, "CO", 2024) == 52_695_952
    assert population(Scheme.DIVIPOLA, "05001", 2018) == 2_427_129
    cauca_2024 = sum(
        Population.objects.filter(territory__parent__codes__code="19", year=2024).values_list(
            "value", flat=True
        )
    )
    assert population(Scheme.DIVIPOLA, "19", 2024) == cauca_2024


@pytest.mark.django_db
def test_the_dane_workbook_and_csv_give_identical_rows(colombia):
    run("import_population", "dane", shared_data(XLSX), "--sheet", "Hoja2")
    from_workbook = all_rows()
    Population.objects.all().delete()
    run("import_population", "dane", shared_data(CSV))
    assert all_rows() == from_workbook
    output = run("import_population", "dane", shared_data(XLSX))
    assert "Total: created 0, updated 0, unchanged 8092" in output


@pytest.mark.django_db
def test_no_total_is_stored_for_a_department_missing_municipalities(colombia, write_file):
    path = write_file("p.csv", "cod_mpio,anio,poblacion\n19001,2024,100\n91001,2024,5\n")
    output = run("import_population", "dane", path)
    assert "No total for Amazonas (2024); Cauca (2024)" in output
    assert "No national total for 2024" in output
    assert not Population.objects.filter(territory__level__lt=2).exists()


@pytest.mark.django_db
def test_names_are_matched_only_when_there_is_no_code(colombia, write_file):
    path = write_file(
        "p.csv",
        (
            "cod_mpio;nom_dpto;nom_mpio;anio;poblacion\n"
            ";Cauca;POPAYAN;2024;1\n"
            ";NORTE DE SANTANDER;San José de Cúcuta;2024;2\n"
            "19130;Antioquia;Medellín;2024;3\n"
        ),
    )
    run("import_population", "dane", path)
    assert population(Scheme.DIVIPOLA, "19001", 2024) == 1
    assert population(Scheme.DIVIPOLA, "54001", 2024) == 2
    assert population(Scheme.DIVIPOLA, "19130", 2024) == 3  # the code wins over the names


@pytest.mark.django_db
def test_an_ambiguous_name_without_department_is_a_problem(colombia, write_file):
    path = write_file("p.csv", "nom_mpio,anio,poblacion\nAlbania,2024,1\n")
    with pytest.raises(CommandError, match="3 municipalities are called “Albania”"):
        run("import_population", "dane", path)


@pytest.mark.django_db
def test_bad_population_rows_are_all_named_and_nothing_is_written(colombia, write_file):
    path = write_file(
        "p.csv",
        ("cod_mpio,anio,poblacion\n19001,2024,mucha\n99999,2024,1\n19,2024,1\n19001,dos mil,1\n"),
    )
    before = database_counts()
    with pytest.raises(CommandError) as caught:
        run("import_population", "dane", path)
    message = str(caught.value)
    assert "p.csv, row 2, column “poblacion”: “mucha” is not a whole number" in message
    assert "p.csv, row 3, column “cod_mpio”: no municipality has the DIVIPOLA code 99999" in message
    assert "p.csv, row 4, column “cod_mpio”: 19 is a department code" in message
    assert "p.csv, row 5, column “anio”" in message
    assert database_counts() == before


@pytest.mark.django_db
def test_dane_population_needs_the_municipalities_first(write_file):
    path = write_file("p.csv", "cod_mpio,anio,poblacion\n19001,2024,1\n")
    with pytest.raises(CommandError, match="import_territories divipola"):
        run("import_population", "dane", path)


@pytest.mark.django_db
def test_world_bank_totals_are_stored_for_countries_in_the_database(colombia):
    run("import_territories", "iso3166", "--country", "MX")
    output = run("import_population", "worldbank", shared_data("world/worldbank_population.csv"))
    assert population(Scheme.ISO, "CO", 2024, WORLD_BANK_SOURCE) == 52_886_363
    assert Population.objects.filter(source=WORLD_BANK_SOURCE).count() == 2 * 65
    assert "countries not in the database" in output
    assert "aggregates and codes that are not ISO countries" in output
    assert (
        not Population.objects.exclude(territory__level=0).filter(source=WORLD_BANK_SOURCE).exists()
    )


@pytest.mark.django_db
def test_world_bank_reimport_changes_nothing_and_a_revision_reports_updated(write_file):
    run("import_territories", "iso3166", "--country", "CO")
    header = "Country Name,Country Code,Year,Value\n"
    run("import_population", "worldbank", write_file("a.csv", header + "Colombia,COL,2024,1\n"))
    assert "updated 0, unchanged 1" in run(
        "import_population", "worldbank", write_file("b.csv", header + "Colombia,COL,2024,1\n")
    )
    revised = run(
        "import_population",
        "worldbank",
        write_file("c.csv", header + "Colombia,COL,2024,2\nWorld,WLD,2024,8\nChile,CHL,2024,3\n"),
    )
    assert "Country: created 0, updated 1, unchanged 0" in revised
    assert "Skipped 1: countries not in the database" in revised
