"""GET /api/v1/territories/…: lookup by code, search, filters, detail, boundary."""

from urllib.parse import parse_qs, urlsplit

import pytest

from convivencia.territories.choices import Level
from convivencia.territories.models import Boundary, Population, TerritoryName
from tests.api.helpers import bearer, error_of
from tests.factories import make_territory

URL = "/api/v1/territories/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_a_territory_is_found_by_scheme_and_code(client, places):
    response = client.get(URL, {"scheme": "divipola", "code": "19001"})
    assert response.status_code == 200
    payload = response.json()
    assert payload["count"] == 1
    assert payload["results"] == [
        {
            "id": places.popayan.pk,
            "name": "Popayán",
            "level": "municipality",
            "kind": "",
            "parent": places.cauca.pk,
            "codes": {"divipola": "19001"},
            "ancestors": [
                {"id": places.colombia.pk, "name": places.colombia.name},
                {"id": places.cauca.pk, "name": "Cauca"},
            ],
        }
    ]


def test_an_iso_code_is_found_whatever_its_case(client, places):
    assert names(client.get(URL, {"scheme": "iso", "code": "co-cau"})) == ["Cauca"]


def test_a_code_from_another_scheme_does_not_match(client, places):
    assert names(client.get(URL, {"scheme": "iso", "code": "19001"})) == []


def test_an_unknown_scheme_is_refused_with_details(client, places):
    response = client.get(URL, {"scheme": "postcode", "code": "19001"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert [detail["loc"] for detail in error["details"]] == [["query", "scheme"]]
    assert "divipola" in error["details"][0]["message"]


def test_search_ignores_accents_and_case(client, places):
    assert names(client.get(URL, {"q": "popayan"})) == ["Popayán"]
    assert names(client.get(URL, {"q": "NARINO"})) == ["Nariño"]


def test_search_finds_a_code_by_its_prefix(client, places):
    assert names(client.get(URL, {"q": "5200"})) == ["Pasto"]


def test_search_finds_alternative_names(client, places):
    TerritoryName.objects.create(territory=places.pasto, name="San Juan de Pasto")
    assert names(client.get(URL, {"q": "san juan"})) == ["Pasto"]


def test_an_empty_search_lists_everything(client, places):
    assert len(names(client.get(URL, {"q": "  "}))) == 5


def test_territories_are_filtered_by_level_name(client, places):
    assert names(client.get(URL, {"level": "region"})) == ["Cauca", "Nariño"]


def test_an_unknown_level_is_refused(client, places):
    response = client.get(URL, {"level": "3"})
    assert response.status_code == 400
    assert error_of(response)["details"][0]["loc"] == ["query", "level"]


def test_parent_lists_the_children_only(client, places):
    assert names(client.get(URL, {"parent": places.cauca.pk})) == ["Popayán"]


def test_within_lists_the_territory_and_everything_below_it(client, places):
    assert names(client.get(URL, {"within": places.narino.pk})) == ["Nariño", "Pasto"]


def test_filters_combine(client, places):
    response = client.get(URL, {"within": places.colombia.pk, "level": "municipality"})
    assert names(response) == ["Pasto", "Popayán"]


@pytest.mark.parametrize("parameter", ["parent", "within"])
def test_an_unknown_territory_in_a_filter_is_a_validation_error(client, places, parameter):
    response = client.get(URL, {parameter: 999_999})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"] == ["query", parameter]


def test_the_list_shape_is_count_next_previous_results(client, places):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "count": 5,
        "next": None,
        "previous": None,
        "results": response.json()["results"],
    }
    assert len(response.json()["results"]) == 5


def test_pages_link_to_each_other_with_absolute_urls_keeping_the_filters(client, places):
    first = client.get(URL, {"within": places.colombia.pk, "page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/territories/?")
    assert parse_qs(urlsplit(first["next"]).query) == {
        "within": [str(places.colombia.pk)],
        "page_size": ["2"],
        "page": ["2"],
    }

    second = client.get(first["next"]).json()
    assert parse_qs(urlsplit(second["previous"]).query)["page"] == ["1"]
    last = client.get(second["next"]).json()
    assert len(last["results"]) == 1
    assert last["next"] is None

    seen = [row["name"] for page in (first, second, last) for row in page["results"]]
    assert sorted(seen) == sorted(["Colombia", "Cauca", "Nariño", "Popayán", "Pasto"])


@pytest.mark.parametrize(
    ("parameters", "loc"),
    [
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 501}, "page_size"),
        ({"page_size": "many"}, "page_size"),
    ],
)
def test_page_parameters_out_of_bounds_are_refused(client, places, parameters, loc):
    response = client.get(URL, parameters)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert [detail["loc"] for detail in error["details"]] == [["query", loc]]


def test_the_largest_page_size_is_accepted(client, places):
    assert client.get(URL, {"page_size": 500}).status_code == 200


def test_a_page_past_the_last_one_is_not_found(client, places):
    response = client.get(URL, {"page_size": 2, "page": 4})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_first_page_of_nothing_is_an_empty_page(client, places):
    response = client.get(URL, {"q": "atlantis"})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_the_list_costs_the_same_queries_however_many_territories(
    client, places, django_assert_max_num_queries
):
    for number in range(40):
        make_territory(
            places.cauca, Level.MUNICIPALITY, f"Municipio {number}", divipola=f"19{number:03d}9"
        )
    # count, page, codes (prefetched), ancestor names (one query for the page)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 500})
    assert response.json()["count"] == 45
    assert all(row["codes"] for row in response.json()["results"])


def test_the_detail_has_names_codes_population_and_links(client, places):
    TerritoryName.objects.create(territory=places.popayan, name="Ciudad Blanca", language="es")
    Population.objects.create(territory=places.popayan, year=2024, value=330_000, source="DANE")
    Population.objects.create(territory=places.popayan, year=2018, value=318_059, source="DANE")

    response = client.get(f"{URL}{places.popayan.pk}/")

    assert response.status_code == 200
    detail = response.json()
    assert detail["name"] == "Popayán"
    assert detail["level"] == "municipality"
    assert detail["parent"] == places.cauca.pk
    assert detail["codes"] == {"divipola": "19001"}
    assert detail["alternative_names"] == [
        {"name": "Ciudad Blanca", "language": "es", "source": ""}
    ]
    assert detail["population"] == [
        {"year": 2018, "value": 318_059, "source": "DANE"},
        {"year": 2024, "value": 330_000, "source": "DANE"},
    ]
    assert detail["children_count"] == 0
    assert detail["has_boundary"] is False
    assert detail["boundary_url"] is None
    assert detail["url"] == f"http://testserver/territories/{places.popayan.pk}/"
    assert detail["your_roles"] == []


def test_the_detail_counts_children(client, places):
    response = client.get(f"{URL}{places.colombia.pk}/")
    assert response.json()["children_count"] == 2
    assert response.json()["ancestors"] == []


def test_the_detail_tells_a_coordinator_her_roles_there(client, places, camila_token):
    response = client.get(f"{URL}{places.popayan.pk}/", **bearer(camila_token))
    assert response.json()["your_roles"] == ["coordinator"]
    response = client.get(f"{URL}{places.pasto.pk}/", **bearer(camila_token))
    assert response.json()["your_roles"] == []


def test_an_unknown_territory_is_a_not_found_error_body(client, places):
    response = client.get(f"{URL}999999/")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_boundary_is_a_geojson_feature(client, places):
    square = {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]}
    Boundary.objects.create(territory=places.cauca, geometry=square, source="IGAC")

    detail = client.get(f"{URL}{places.cauca.pk}/").json()
    assert detail["has_boundary"] is True
    response = client.get(detail["boundary_url"])

    assert response.status_code == 200
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"] == square
    assert feature["properties"]["name"] == "Cauca"
    assert feature["properties"]["level"] == "region"
    assert feature["properties"]["source"] == "IGAC"


def test_a_territory_without_boundary_answers_not_found(client, places):
    response = client.get(f"{URL}{places.pasto.pk}/boundary")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_boundary_of_an_unknown_territory_answers_not_found(client, places):
    response = client.get(f"{URL}999999/boundary")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
