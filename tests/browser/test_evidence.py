"""The public evidence dashboard in a real browser: filters, shareable URLs, map, charts."""

from __future__ import annotations

import pytest

from tests.evidence.builders import EFFECTIVE, PROMISING, make_intervention

pytestmark = pytest.mark.browser


def build_registry() -> None:
    make_intervention(
        "Cuadrantes",
        "CO",
        focus=["policing"],
        problem=["homicide"],
        rating_findings={"homicide": EFFECTIVE},
        budget_usd=2_000_000,
    )
    make_intervention(
        "Jóvenes", "CO", focus=["youth"], rating_findings={"theft": PROMISING}, budget_usd=40_000
    )
    make_intervention("Escuelas", "MX", focus=["youth"], start_year=2008)
    make_intervention("Calles", "BR", focus=["situational"], budget_usd=900_000)
    make_intervention("Borrador", "CO", focus=["youth"], published=False)


def count(page) -> str | None:
    return page.locator("[data-testid=count]").get_attribute("data-count")


def test_a_visitor_filters_by_focus_and_the_url_can_be_shared(page, live_server, screenshot):
    build_registry()
    page.goto(f"{live_server.url}/evidence/")
    page.wait_for_selector("#evidence-map[data-state=ready]")
    assert count(page) == "4"
    assert page.locator("canvas[data-evidence-chart][data-state=ready]").count() == 4
    screenshot(page, "evidence-dashboard-browser")

    page.locator("details:has(input[name=focus]) > summary").click()
    page.check("input[name=focus][value=youth]")
    page.wait_for_selector('[data-testid=count][data-count="2"]')  # swapped in by htmx
    assert page.url == f"{live_server.url}/evidence/?focus=youth"
    page.wait_for_selector("#evidence-map[data-state=ready]")  # redrawn after the swap
    csv_link = page.locator("[data-testid=export-csv]").get_attribute("href")
    assert csv_link == "/evidence/export.csv?focus=youth"

    page.reload()
    assert count(page) == "2"
    assert page.locator("input[name=focus][value=youth]").is_checked()
    names = page.locator("[data-testid=results-table] tbody td.name").all_inner_texts()
    assert sorted(names) == ["Escuelas", "Jóvenes"]


def test_sorting_and_removing_a_filter_keep_the_others(page, live_server):
    build_registry()
    page.goto(f"{live_server.url}/evidence/?country=CO,MX")
    assert count(page) == "3"
    with page.expect_response(lambda response: "sort=name" in response.url):
        page.locator("[data-testid=results-table] thead a").first.click()
    page.wait_for_url("**sort=name**")
    names = page.locator("[data-testid=results-table] tbody td.name").all_inner_texts()
    assert names == ["Cuadrantes", "Escuelas", "Jóvenes"]
    assert "country=CO" in page.url

    page.locator(".chips a", has_text="México").click()
    page.wait_for_selector('[data-testid=count][data-count="2"]')
    assert "sort=name" in page.url
    assert "MX" not in page.url


def test_the_dashboard_and_gap_map_fit_a_phone(phone, live_server, screenshot):
    build_registry()
    for path, name in (("/evidence/", "evidence-phone"), ("/evidence/gap-map/", "gap-map-phone")):
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
        screenshot(phone, name)


def test_long_category_names_wrap_on_a_phone_instead_of_being_cut(phone, live_server):
    build_registry()
    phone.goto(f"{live_server.url}/evidence/")
    phone.wait_for_function("window.Chart && document.querySelector('canvas[data-state=ready]')")
    labels = phone.evaluate(
        """() => [...document.querySelectorAll('canvas[data-evidence-chart]')]
              .map((canvas) => Chart.getChart(canvas))
              .filter((chart) => chart && chart.options.indexAxis === 'y')
              .flatMap((chart) => chart.data.labels)"""
    )
    assert labels, "no horizontal chart drawn"
    assert any(isinstance(label, list) for label in labels)  # "Insufficient evidence", at least
    # Each line of a name fits the phone's axis (16 characters, or one long word).
    for label in labels:
        for line in label if isinstance(label, list) else [label]:
            assert len(line) <= 16 or " " not in line, label
