"""import_territories inegi / ibge: states files, municipalities files, the real data."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Territory
from tests.datafiles import shared_data
from tests.territories.conftest import database_counts, run


def within(alpha2: str) -> Territory:
    return Territory.objects.with_code(Scheme.ISO, alpha2).get()


@pytest.mark.django_db
def test_the_inegi_files_give_32_states_and_2475_municipalities():
    states = run("import_territories", "inegi", shared_data("mx/inegi_estados.csv"))
    assert "Skipped 1: national total rows" in states
    run("import_territories", "inegi", shared_data("mx/inegi_municipios.csv"))
    mexico = within("MX")
    assert Territory.objects.within(mexico).regions().count() == 32
    assert Territory.objects.within(mexico).municipalities().count() == 2475
    coahuila = Territory.objects.with_code(Scheme.INEGI, "05").get()
    assert (coahuila.name, coahuila.code(Scheme.ISO), coahuila.kind) == (
        "Coahuila",
        "MX-COA",
        "estado",
    )
    assert "Coahuila de Zaragoza" in coahuila.names.values_list("name", flat=True)
    assert Territory.objects.with_code(Scheme.INEGI, "01001").get().parent == (
        Territory.objects.with_code(Scheme.ISO, "MX-AGU").get()
    )


@pytest.mark.django_db
def test_an_inegi_municipalities_file_alone_creates_its_states():
    run("import_territories", "inegi", shared_data("mx/inegi_municipios.csv"))
    assert Territory.objects.regions().count() == 32
    assert Territory.objects.with_code(Scheme.INEGI, "09").get().name == "Ciudad de México"


@pytest.mark.django_db
def test_inegi_codes_in_two_parts_are_joined(write_file):
    path = write_file("mun.csv", "CVE_ENT,CVE_MUN,NOM_MUN\n1,1,Aguascalientes\n")
    run("import_territories", "inegi", path)
    municipality = Territory.objects.with_code(Scheme.INEGI, "01001").get()
    assert municipality.parent.code(Scheme.ISO) == "MX-AGU"
    # No state name in the file: the state is named after ISO 3166-2.
    assert municipality.parent.name == "Aguascalientes"


@pytest.mark.django_db
def test_the_ibge_files_give_27_states_and_every_municipality():
    states = shared_data("br/ibge_estados.csv")  # UTF-8 with a byte order mark
    municipalities = shared_data("br/ibge_municipios.csv")
    run("import_territories", "ibge", states)
    run("import_territories", "ibge", municipalities)
    brazil = within("BR")
    assert Territory.objects.within(brazil).regions().count() == 27
    # IBGE counts 5,571 since Boa Esperança do Norte (MT) was installed; the file has it.
    assert Territory.objects.within(brazil).municipalities().count() == 5571
    assert Territory.objects.with_code(Scheme.IBGE, "5101837").get().parent.name == "Mato Grosso"
    rondonia = Territory.objects.with_code(Scheme.IBGE, "11").get()
    assert (rondonia.name, rondonia.code(Scheme.ISO)) == ("Rondônia", "BR-RO")


@pytest.mark.django_db
def test_reimporting_ibge_municipalities_changes_nothing():
    path = shared_data("br/ibge_municipios.csv")
    run("import_territories", "ibge", path)
    before = database_counts()
    output = run("import_territories", "ibge", path)
    assert "Total: created 0, updated 0, unchanged 5599" in output
    assert database_counts() == before


@pytest.mark.django_db
def test_a_municipalities_file_does_not_rename_a_state_it_only_knows_by_code(write_file):
    states = write_file("uf.csv", "codigo_uf,nome\n35,Estado de São Paulo\n")
    municipalities = write_file("mun.csv", "codigo_ibge,nome,codigo_uf\n3550308,São Paulo,35\n")
    run("import_territories", "ibge", states)
    run("import_territories", "ibge", municipalities)
    assert Territory.objects.with_code(Scheme.IBGE, "35").get().name == "Estado de São Paulo"


@pytest.mark.django_db
def test_an_unknown_state_code_is_named_with_its_row_and_column(write_file):
    path = write_file("uf.csv", "codigo_uf,nome\n11,Rondônia\n10,Nowhere\n")
    with pytest.raises(CommandError) as caught:
        run("import_territories", "ibge", path)
    assert "uf.csv, row 3, column “codigo_uf”: unknown state code 10" in str(caught.value)
    assert not Territory.objects.exists()


@pytest.mark.django_db
def test_a_state_named_differently_on_two_rows_is_a_problem(write_file):
    path = write_file(
        "mun.csv",
        (
            "cve_geo,nombre_estado,cve_ent,nombre_municipio\n"
            "01001,Aguascalientes,01,Aguascalientes\n"
            "01002,Aguas Calientes del Norte,01,Asientos\n"
        ),
    )
    with pytest.raises(CommandError, match="row 3, column “nombre_estado”"):
        run("import_territories", "inegi", path)
    assert Territory.objects.filter(level=Level.MUNICIPALITY).count() == 0
