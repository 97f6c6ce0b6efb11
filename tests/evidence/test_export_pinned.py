"""The CSV export of a small registry, byte for byte.

The export is written for speed (one streamed query per related table); this
file pins what it writes, so that no rewrite changes a byte: column order,
list order (tags by code, territories by level then name, sources as entered),
empty cells, dates, decimals, quoting of text a spreadsheet would run, the
country's name in the reader's language and the absolute URL.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client

from convivencia.evidence.choices import Scale
from convivencia.evidence.models import Intervention
from convivencia.territories.choices import Level
from convivencia.territories.models import Territory
from tests.evidence.builders import EFFECTIVE, MIXED, PROMISING, make_intervention
from tests.factories import make_colombia

pytestmark = pytest.mark.django_db

PUBLISHED_AT = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)

HEADER = (
    "id,external_id,name,name_language,name_es,name_en,name_pt,summary,country,country_name,"
    "territories,territory_names,scale,focus,problem,population,prevention_level,"
    "implementer_name,implementer_type,funder_name,funder_type,start_year,end_year,status,"
    "budget_amount,budget_currency,budget_year,budget_usd,best_rating,rating_homicide,"
    "rating_robbery,rating_theft,rating_sexual_violence,rating_domestic_violence,"
    "rating_extortion,rating_gang_violence,rating_kidnapping,rating_drug_trafficking,"
    "rating_assault,rating_recidivism,rating_fear_of_crime,rating_trust,"
    "rating_violence_general,evaluations_count,sources,curation,published_at,url\r\n"
)


@pytest.fixture
def registry() -> SimpleNamespace:
    """Five published interventions that between them use every kind of cell, and a draft."""
    places = make_colombia()
    # A territory with no code at all is exported by its id.
    unnamed = Territory.objects.create(
        parent=places.cauca, level=Level.MUNICIPALITY, name="Sin código"
    )
    cuadrantes = make_intervention(
        "Cuadrantes",
        "CO",
        focus=["youth", "policing"],
        problem=["robbery", "homicide"],
        population=["general"],
        rating_findings={"homicide": EFFECTIVE, "theft": [MIXED]},
        budget_usd=2_000_000,
        start_year=2012,
        end_year=2016,
        territories=[places.popayan, unnamed, places.cauca],
        sources=[
            {"citation": "Igarapé, 2016", "url": "https://igarape.org.br"},
            {"citation": "", "url": "https://example.org/cuadrantes"},
            {"citation": "Informe, con coma", "url": ""},
        ],
        external_id="IGA-1",
        name_translations={"en": "Quadrants", "pt": "Quadrantes"},
        summary='Policía por cuadrantes, "plan" nacional;\nsegunda línea.',
        prevention_level="secondary",
        implementer_name="Policía Nacional",
        implementer_type="police",
        funder_name='=HYPERLINK("http://evil","x")',
        funder_type="national_government",
    )
    jovenes = make_intervention(
        "Jóvenes",
        "CO",
        focus=["youth"],
        rating_findings={"theft": PROMISING},
        start_year=2012,
        status="ongoing",
    )
    escuelas = make_intervention(
        "Escuelas seguras",
        "MX",
        focus=["youth"],
        budget_usd=Decimal("80000.50"),
        start_year=2018,
        territories=[],
        sources=[],
    )
    regional = make_intervention(
        "Regional exchange",
        None,
        focus=["data"],
        start_year=None,
        name_language="en",
        name_translations={"es": "Intercambio regional"},
    )
    assert regional.scale == Scale.MULTI_COUNTRY
    draft = make_intervention("Borrador", "CO", focus=["youth"], published=False)
    Intervention.objects.filter(curation="published").update(published_at=PUBLISHED_AT)
    return SimpleNamespace(
        places=places,
        unnamed=unnamed,
        cuadrantes=cuadrantes,
        jovenes=jovenes,
        escuelas=escuelas,
        regional=regional,
        draft=draft,
    )


def export(query: str = "", language: str = "es") -> str:
    response = Client(headers={"Accept-Language": language}).get(f"/evidence/export.csv?{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def expected_rows(registry: SimpleNamespace, colombia: str, mexico: str) -> dict[str, str]:
    r = registry
    published = "2024-05-06T07:08:09+00:00"
    no_ratings = "," * 15  # fourteen empty rating cells, then the evaluations count
    return {
        "escuelas": (
            f"{r.escuelas.pk},,Escuelas seguras,es,Escuelas seguras,,,,MX,{mexico},,,national,"
            "youth,,,,,,,,2018,,completed,80000.50,USD,2018,80000.50,"
            f"not_evaluated{no_ratings}0,,published,{published},"
            f"http://testserver/evidence/{r.escuelas.pk}/\r\n"
        ),
        "cuadrantes": (
            f"{r.cuadrantes.pk},IGA-1,Cuadrantes,es,Cuadrantes,Quadrants,Quadrantes,"
            '"Policía por cuadrantes, ""plan"" nacional;\nsegunda línea.",'
            f"CO,{colombia},CO-CAU|19001|{r.unnamed.pk},Cauca|Popayán|Sin código,national,"
            "policing|youth,homicide|robbery,general,secondary,Policía Nacional,police,"
            '"\'=HYPERLINK(""http://evil"",""x"")",national_government,'
            "2012,2016,completed,2000000.00,USD,2012,2000000.00,effective,"
            "effective,,mixed,,,,,,,,,,,,3,"
            '"Igarapé, 2016 https://igarape.org.br|https://example.org/cuadrantes|'
            'Informe, con coma",'
            f"published,{published},http://testserver/evidence/{r.cuadrantes.pk}/\r\n"
        ),
        "jovenes": (
            f"{r.jovenes.pk},,Jóvenes,es,Jóvenes,,,,CO,{colombia},,,national,youth,,,,,,,,"
            "2012,,ongoing,,,,,promising,,,promising,,,,,,,,,,,,1,Registry test source,"
            f"published,{published},http://testserver/evidence/{r.jovenes.pk}/\r\n"
        ),
        "regional": (
            f"{r.regional.pk},,Regional exchange,en,Intercambio regional,Regional exchange,,,"
            ",,,,multi_country,data,,,,,,,,,,completed,,,,,"
            f"not_evaluated{no_ratings}0,Registry test source,published,{published},"
            f"http://testserver/evidence/{r.regional.pk}/\r\n"
        ),
    }


def test_the_csv_of_a_small_registry_is_exactly_this(registry):
    rows = expected_rows(registry, colombia="Colombia", mexico="México")
    # Newest first, then by name; no start year last; the draft never.
    order = ["escuelas", "cuadrantes", "jovenes", "regional"]
    assert export() == HEADER + "".join(rows[name] for name in order)


def test_country_names_follow_the_readers_language(registry):
    rows = expected_rows(registry, colombia="Colombia", mexico="Mexico")
    assert export("country=MX", language="en") == HEADER + rows["escuelas"]


def test_a_filtered_and_sorted_export_keeps_each_rows_related_cells(registry):
    rows = expected_rows(registry, colombia="Colombia", mexico="México")
    order = ["regional", "jovenes", "escuelas", "cuadrantes"]
    assert export("sort=-name") == HEADER + "".join(rows[name] for name in order)
    assert export("focus=policing") == HEADER + rows["cuadrantes"]
    assert export("q=zzz") == HEADER
