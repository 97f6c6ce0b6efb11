"""The public dashboard /evidence/ and an intervention's page: filters, counts, charts, history."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from convivencia.accounts.choices import Role
from convivencia.evidence import reporting, services
from convivencia.evidence.choices import Design, ExternalSource, Rating, Status
from convivencia.evidence.models import ExternalRating, Intervention
from tests.evidence.builders import (
    BAD,
    EFFECTIVE,
    NULL,
    PROMISING,
    WEAK,
    add_evaluation,
    make_intervention,
)
from tests.factories import grant, make_colombia, make_organisation, make_user

pytestmark = pytest.mark.django_db
DASHBOARD = "/evidence/"


@pytest.fixture
def client() -> Client:
    """Pages in English, whatever the site's default language, so texts can be checked."""
    return Client(headers={"Accept-Language": "en"})


def listed(response) -> list[str]:
    """Names in the table, in order."""
    return [intervention.name for intervention in response.context["page"].object_list]


def names(client: Client, query: str = "") -> set[str]:
    """What the dashboard lists for a query (small sets: one page), checked against its count."""
    response = client.get(f"{DASHBOARD}?{query}" if query else DASHBOARD)
    assert response.status_code == 200, response.content[:500]
    found = listed(response)
    assert response.context["total"] == len(found)
    return set(found)


@pytest.fixture
def registry() -> dict[str, Intervention]:
    return {
        "cuadrantes": make_intervention(
            "Cuadrantes",
            "CO",
            focus=["policing"],
            problem=["homicide"],
            population=["general"],
            rating_findings={"homicide": EFFECTIVE},
            budget_usd=2_000_000,
            start_year=2010,
            end_year=2018,
            implementer_type="police",
        ),
        "jovenes": make_intervention(
            "Jóvenes sin violencia",
            "CO",
            focus=["youth", "social_prevention"],
            problem=["gang_violence"],
            population=["at_risk_youth"],
            rating_findings={"gang_violence": PROMISING},
            budget_usd=50_000,
            start_year=2019,
            status=Status.ONGOING,
        ),
        "escuelas": make_intervention(
            "Escuelas seguras",
            "MX",
            focus=["youth"],
            problem=["assault"],
            rating_findings={"assault": WEAK},
            start_year=2005,
            end_year=2007,
        ),
        "luz": make_intervention(
            "Calles con luz",
            "BR",
            focus=["situational"],
            problem=["robbery"],
            rating_findings={"robbery": [NULL, NULL]},
            budget_usd=700_000,
            start_year=2016,
            end_year=2016,
        ),
        "draft": make_intervention(
            "Borrador secreto",
            "CO",
            focus=["policing"],
            problem=["homicide"],
            rating_findings={"homicide": EFFECTIVE},
            budget_usd=1_000_000,
            published=False,
        ),
    }


def test_anyone_sees_the_published_interventions_without_logging_in(client, registry):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert set(listed(response)) == {
        "Cuadrantes",
        "Jóvenes sin violencia",
        "Escuelas seguras",
        "Calles con luz",
    }
    assert response.context["total"] == 4
    assert "4 interventions match" in response.content.decode()


def test_unpublished_interventions_appear_in_no_count_map_or_chart(client, registry):
    context = client.get(DASHBOARD).context
    assert "Borrador secreto" not in client.get(DASHBOARD).content.decode()
    points = {point["code"]: point["count"] for point in context["map"]["points"]}
    assert points == {"CO": 2, "MX": 1, "BR": 1}
    charts = context["charts"]
    focus = {row["code"]: row["count"] for row in charts["focus"]["rows"]}
    assert focus["policing"] == 1
    ratings = {row["code"]: row["count"] for row in charts["ratings"]["rows"]}
    assert ratings[Rating.EFFECTIVE] == 1
    assert sum(row["count"] for row in charts["budget"]["rows"]) == 3  # one has no budget
    assert sum(row["count"] for row in charts["years"]["rows"]) == 4


def test_filters_combine_with_and_across_fields_and_or_within_a_field(client, registry):
    assert names(client, "focus=youth") == {"Jóvenes sin violencia", "Escuelas seguras"}
    assert names(client, "focus=youth&focus=policing") == {
        "Jóvenes sin violencia",
        "Escuelas seguras",
        "Cuadrantes",
    }
    assert names(client, "focus=youth&country=CO") == {"Jóvenes sin violencia"}
    assert names(client, "focus=youth&country=CO&country=MX") == {
        "Jóvenes sin violencia",
        "Escuelas seguras",
    }
    assert names(client, "focus=youth&problem=homicide") == set()


def test_several_values_may_also_be_separated_by_commas(client, registry):
    assert names(client, "focus=youth,policing") == names(client, "focus=youth&focus=policing")
    assert names(client, "country=co,mx") == {
        "Cuadrantes",
        "Jóvenes sin violencia",
        "Escuelas seguras",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("problem=robbery", {"Calles con luz"}),
        ("population=at_risk_youth", {"Jóvenes sin violencia"}),
        ("rating=effective", {"Cuadrantes"}),
        ("rating=effective&rating=no_effect", {"Cuadrantes", "Calles con luz"}),
        ("rating=insufficient", {"Escuelas seguras"}),
        ("outcome=robbery", {"Calles con luz"}),
        ("outcome=homicide&rating=promising", set()),
        ("outcome=homicide,gang_violence&rating=promising", {"Jóvenes sin violencia"}),
        ("implementer_type=police", {"Cuadrantes"}),
        ("q=LUZ", {"Calles con luz"}),
        ("budget_min=100000", {"Cuadrantes", "Calles con luz"}),
        ("budget_min=100000&budget_max=1000000", {"Calles con luz"}),
        ("budget_max=50000", {"Jóvenes sin violencia"}),
        # Years: the span [start, end] overlaps [year_from, year_to]; ongoing runs until now.
        ("year_from=2017", {"Cuadrantes", "Jóvenes sin violencia"}),
        ("year_to=2006", {"Escuelas seguras"}),
        ("year_from=2006&year_to=2010", {"Escuelas seguras", "Cuadrantes"}),
        ("year_from=2016&year_to=2016", {"Cuadrantes", "Calles con luz"}),
    ],
)
def test_each_filter_selects_what_it_says(client, registry, query, expected):
    assert names(client, query) == expected


def test_the_design_filter_looks_at_the_evaluations(client, registry):
    add_evaluation(registry["luz"], "robbery", NULL, design=Design.QUALITATIVE, sms=1)
    assert names(client, "design=qualitative") == {"Calles con luz"}
    assert names(client, "design=rct") == {
        "Cuadrantes",
        "Jóvenes sin violencia",
        "Escuelas seguras",
        "Calles con luz",
    }


def test_a_territory_includes_interventions_anywhere_within_it(client):
    places = make_colombia()
    make_intervention("En Popayán", "CO", territories=[places.popayan])
    make_intervention("En Pasto", "CO", territories=[places.pasto])
    make_intervention("Nacional", "CO")
    make_intervention("En México", "MX")
    assert names(client, f"territory={places.cauca.pk}") == {"En Popayán"}
    assert names(client, f"territory={places.popayan.pk}") == {"En Popayán"}
    assert names(client, f"territory={places.colombia.pk}") == {
        "En Popayán",
        "En Pasto",
        "Nacional",
    }
    response = client.get(f"{DASHBOARD}?territory={places.cauca.pk}")
    assert "Cauca" in response.content.decode()  # the filter is named, and removable


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("focus=flying", "focus"),
        ("country=ZZ", "country"),
        ("country=Colombia", "country"),
        ("rating=great", "rating"),
        ("year_from=soon", "year_from"),
        ("year_from=1800", "year_from"),
        ("year_from=2020&year_to=2010", "year_to"),
        ("budget_min=-5", "budget_min"),
        ("budget_min=lots", "budget_min"),
        ("budget_min=NaN", "budget_min"),
        ("budget_min=9&budget_max=1", "budget_max"),
        ("territory=999999", "territory"),
        ("territory=abc", "territory"),
        ("territory=99999999999999999999999", "territory"),
        ("q=%00", "q"),
        ("sort=price", "sort"),
        (f"q={'x' * 201}", "q"),
    ],
)
def test_a_bad_filter_is_shown_as_an_error_never_a_crash(client, registry, query, field):
    response = client.get(f"{DASHBOARD}?{query}")
    assert response.status_code == 400
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html
    assert "Cuadrantes" not in html  # nothing is listed under filters that are not in force


def test_the_url_is_tidied_and_round_trips(client, registry):
    submitted = client.get(f"{DASHBOARD}?q=&country=CO&focus=youth&year_from=&sort=-start_year")
    assert submitted.status_code == 302
    assert submitted["Location"] == f"{DASHBOARD}?country=CO&focus=youth"

    response = client.get(submitted["Location"])
    assert listed(response) == ["Jóvenes sin violencia"]
    html = response.content.decode()
    assert re.search(r'<option value="CO" selected>', html)
    assert re.search(r'name="focus" value="youth" id="[^"]+" checked', html)
    assert 'href="/evidence/export.csv?country=CO&amp;focus=youth"' in html


def test_sort_and_page_links_keep_the_filters(client):
    for number in range(30):
        make_intervention(
            f"Programa {number:02d}", "CO", focus=["policing"], start_year=2000 + number % 20
        )
    make_intervention("Otro país", "MX", focus=["policing"])
    response = client.get(f"{DASHBOARD}?country=CO&sort=name")
    assert response.context["total"] == 30
    assert listed(response)[:2] == ["Programa 00", "Programa 01"]
    html = response.content.decode()
    assert 'href="?country=CO&amp;sort=name&amp;page=2"' in html
    assert 'href="?country=CO&amp;sort=-name"' in html  # the active column sorts the other way

    second = client.get(f"{DASHBOARD}?country=CO&sort=name&page=2")
    assert listed(second) == [f"Programa {number:02d}" for number in range(25, 30)]
    assert client.get(f"{DASHBOARD}?country=CO&sort=-name").context["page"][0].name == (
        "Programa 29"
    )


def test_every_sort_link_sorts_both_ways(client, registry):
    for sort in (
        "",
        "name",
        "-name",
        "country_code",
        "-country_code",
        "start_year",
        "-start_year",
        "budget_usd",
        "-budget_usd",
    ):
        response = client.get(f"{DASHBOARD}?sort={sort}", follow=True)
        for link in response.context["sort_links"].values():
            assert client.get(f"{DASHBOARD}{link['url']}", follow=True).status_code == 200


def test_sorting_by_budget_puts_unknown_budgets_last_both_ways(client):
    make_intervention("Barato", budget_usd=10)
    make_intervention("Sin dato")
    make_intervention("Caro", budget_usd=10_000_000)
    make_intervention("Medio", budget_usd=5_000)
    assert listed(client.get(f"{DASHBOARD}?sort=budget_usd")) == [
        "Barato",
        "Medio",
        "Caro",
        "Sin dato",
    ]
    assert listed(client.get(f"{DASHBOARD}?sort=-budget_usd")) == [
        "Caro",
        "Medio",
        "Barato",
        "Sin dato",
    ]


def test_the_default_order_is_newest_first_with_unknown_years_last(client):
    make_intervention("Viejo", start_year=1999)
    make_intervention("Sin año", start_year=None)
    make_intervention("Nuevo", start_year=2022)
    assert listed(client.get(DASHBOARD)) == ["Nuevo", "Viejo", "Sin año"]


def test_the_caveat_states_the_share_with_a_robust_evaluation(client, registry):
    response = client.get(DASHBOARD)
    # Cuadrantes, Jóvenes and Calles con luz have studies at SMS 4; Escuelas only at SMS 2.
    assert response.context["robust"] == 3
    assert "3 (75%) have at least one robust evaluation" in response.content.decode()
    assert client.get(f"{DASHBOARD}?country=MX").context["robust"] == 0


def test_the_map_links_to_the_dashboard_narrowed_to_each_country(client, registry):
    data = client.get(f"{DASHBOARD}?focus=youth").context["map"]
    links = {point["code"]: point["url"] for point in data["points"]}
    assert links == {"CO": "?focus=youth&country=CO", "MX": "?focus=youth&country=MX"}


def test_multi_country_interventions_are_counted_but_not_placed_on_the_map(client):
    make_intervention("Regional", None)
    make_intervention("Mónaco", "MC")  # no centroid in geo.py: listed under the map
    data = client.get(DASHBOARD).context["map"]
    assert data["multi_country"] == 1
    assert data["points"] == []
    assert [entry["code"] for entry in data["elsewhere"]] == ["MC"]


def test_an_htmx_request_gets_only_the_results_and_pushes_the_tidy_url(client, registry):
    response = client.get(f"{DASHBOARD}?focus=youth&q=", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert response["HX-Push-Url"] == f"{DASHBOARD}?focus=youth"


def test_the_number_of_queries_does_not_grow_with_the_interventions(
    client, django_assert_max_num_queries
):
    def build(count: int) -> None:
        for number in range(count):
            make_intervention(
                f"P{number}",
                ["CO", "MX", "BR"][number % 3],
                focus=["policing", "youth"][: 1 + number % 2],
                rating_findings={"homicide": PROMISING} if number % 4 == 0 else None,
                budget_usd=1000 * (number + 1),
            )

    build(5)
    with django_assert_max_num_queries(10) as small:
        client.get(f"{DASHBOARD}?focus=policing,youth")
    build(45)
    with django_assert_max_num_queries(10) as large:
        client.get(f"{DASHBOARD}?focus=policing,youth")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_large_set_is_tallied_in_the_database_with_the_same_result(client, registry, monkeypatch):
    # A filter that every published row passes, so that nothing comes from the cache.
    everything = f"{DASHBOARD}?year_to=2100"
    in_python = client.get(everything).context
    monkeypatch.setattr(reporting, "SMALL_SET", 2)
    in_sql = client.get(everything).context
    for key in ("total", "robust", "map", "charts"):
        assert in_sql[key] == in_python[key], key
    assert listed_names(in_sql) == listed_names(in_python)


def listed_names(context) -> list[str]:
    return [intervention.name for intervention in context["page"].object_list]


# The intervention's page


@pytest.fixture
def cuadrantes(registry) -> Intervention:
    return registry["cuadrantes"]


def test_an_unpublished_intervention_has_no_public_page(client, registry):
    assert client.get(reverse("evidence:detail", args=[registry["draft"].pk])).status_code == 404
    assert client.get(reverse("evidence:detail", args=[999_999])).status_code == 404


def test_the_page_shows_the_evidence_per_outcome_and_its_strength(client, cuadrantes):
    add_evaluation(cuadrantes, "robbery", BAD, citation="A robbery study")
    services.recompute_ratings(cuadrantes)
    response = client.get(reverse("evidence:detail", args=[cuadrantes.pk]))
    assert response.status_code == 200
    ratings = {rating.outcome: rating for rating in response.context["ratings"]}
    assert ratings["homicide"].value == Rating.EFFECTIVE
    assert ratings["robbery"].value == Rating.HARMFUL
    html = response.content.decode()
    assert "best study at SMS level 4" in html
    assert "2 studies" in html
    assert "A robbery study" in html


def test_the_page_shows_a_reviewers_override_with_its_reason(client, cuadrantes):
    reviewer = make_user("rita")
    grant(reviewer, make_organisation("Programa Convivencia"), Role.COORDINATOR, [])
    services.override_rating(
        cuadrantes.ratings.get(outcome="homicide"),
        Rating.PROMISING,
        "Both studies come from one city.",
        reviewer,
    )
    html = client.get(reverse("evidence:detail", args=[cuadrantes.pk])).content.decode()
    assert "Both studies come from one city." in html
    assert "A reviewer changed the rating" in html


def test_external_ratings_keep_their_own_label_next_to_ours(client, cuadrantes):
    ExternalRating.objects.create(
        intervention=cuadrantes,
        source=ExternalSource.CRIMESOLUTIONS,
        label="Promising",
        url="https://crimesolutions.ojp.gov/x",
        outcome="homicide",
    )
    ExternalRating.objects.create(
        intervention=cuadrantes, source=ExternalSource.OTHER, label="Recommended"
    )
    html = client.get(reverse("evidence:detail", args=[cuadrantes.pk])).content.decode()
    assert "“Promising”" in html
    assert 'href="https://crimesolutions.ojp.gov/x"' in html
    assert "no equivalent on our scale" in html


def test_the_history_names_organisations_and_never_usernames(client):
    analyst = make_user("analista.secreta")
    grant(analyst, make_organisation("Observatorio del Cauca"), Role.ANALYST, [])
    intervention = make_intervention("Cuadrantes", focus=["policing"], published=False)
    intervention.budget_amount = Decimal(3_000_000)
    intervention.budget_currency = "USD"
    intervention.budget_year = 2015
    services.save_intervention(intervention, tags={"focus": ["policing", "youth"]}, actor=analyst)
    Intervention.objects.filter(pk=intervention.pk).update(curation="published")

    response = client.get(reverse("evidence:detail", args=[intervention.pk]))
    html = response.content.decode()
    assert "analista.secreta" not in html
    history = response.context["history"]
    update = history[0]
    assert update["by"] == "Observatorio del Cauca"
    changed = {change["field"]: change for change in update["changes"]}
    assert changed["Focus"]["old"] == "Policing and law enforcement"
    assert changed["Focus"]["new"] == "Policing and law enforcement, Youth at risk"
    assert changed["budget"]["new"] == "3000000.00"
    assert history[-1]["by"] == "curator"  # created by no one in particular (an import)
