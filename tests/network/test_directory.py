"""The specialists directory: filters, profile pages and the CSV of its public part."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from convivencia.network.choices import Expertise, Language
from tests.network.builders import PUBLIC_NAME, make_network, make_specialist

pytestmark = pytest.mark.django_db


def names(query: str) -> list[str]:
    response = Client().get(reverse("network:specialists") + query)
    assert response.status_code == 200
    return [specialist.name for specialist in response.context["specialists"]]


@pytest.fixture
def directory():
    world = make_network()
    make_specialist(
        "Mónica Datos",
        public=True,
        expertise=[Expertise.DATA],
        countries=["MX"],
        languages=[Language.EN],
        position='=HYPERLINK("http://evil")',
    )
    return world


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Mónica Datos", PUBLIC_NAME]),
        ("?expertise=youth", [PUBLIC_NAME]),
        ("?expertise=data", ["Mónica Datos", PUBLIC_NAME]),
        ("?country=MX", ["Mónica Datos"]),
        ("?language=pt", [PUBLIC_NAME]),
        ("?expertise=data&country=BR", [PUBLIC_NAME]),
        ("?q=igarap", [PUBLIC_NAME]),
        ("?expertise=firearms", []),
    ],
)
def test_the_directory_filters_by_expertise_country_and_language(directory, query, expected):
    assert names(query) == expected


def test_a_public_profile_shows_events_spoken_at_practices_and_publications(directory):
    text = Client().get(reverse("network:specialist", args=[directory.public.pk])).content.decode()
    for expected in (
        "Diálogo de Bogotá",
        "Escuelas seguras",
        "Territorio y datos",
        "Investigadora",
    ):
        assert expected in text
    assert "valeria.vidal@example.org" not in text


def test_the_csv_has_the_public_part_only_and_takes_the_filters(directory):
    response = Client().get(reverse("network:specialists_csv") + "?expertise=youth")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    assert rows[1][0] == PUBLIC_NAME
    assert rows[1][3] == "data;youth" and rows[1][4] == "BR;CO" and rows[1][5] == "es;pt"
    assert rows[1][6] == "Diálogo de Bogotá"
    assert "@" not in response.content.decode()


def test_a_cell_that_starts_like_a_formula_is_neutralised_in_the_csv(directory):
    response = Client().get(reverse("network:specialists_csv") + "?country=MX")
    [_header, row] = list(csv.reader(io.StringIO(response.content.decode())))
    assert row[2].startswith("'=")


def test_unknown_codes_are_refused_by_name():
    from django.core.exceptions import ValidationError

    from convivencia.network import services
    from convivencia.network.choices import TagKind

    specialist = make_specialist("Alguien", public=False)
    with pytest.raises(ValidationError, match="XX"):
        services.set_tags(specialist, TagKind.COUNTRY, ["CO", "XX"])
    with pytest.raises(ValidationError, match="astrology"):
        services.set_tags(specialist, TagKind.EXPERTISE, ["astrology"])
    assert specialist.codes(TagKind.COUNTRY) == []
