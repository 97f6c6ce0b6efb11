"""The app shell in a real browser: language, search, map and chart, phone width, tokens."""

from __future__ import annotations

import re

import pytest

from convivencia.core.models import DemoDataset
from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job
from tests.core.factories import make_job, make_places
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_visitor_switches_to_english_and_back(page, live_server) -> None:
    page.goto(live_server.url)
    assert page.locator("h1").inner_text() == "Diálogos de seguridad ciudadana"

    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("h1").inner_text() == "Citizen security dialogues"
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_navigation():
        page.select_option("#language-select", "es")
    assert page.locator("h1").inner_text() == "Diálogos de seguridad ciudadana"


def test_a_visitor_finds_popayan_and_sees_its_map_and_population(
    page, live_server, screenshot
) -> None:
    places = make_places(boundaries=True)
    DemoDataset.objects.create(version="test")
    page.goto(live_server.url)
    screenshot(page, "home-desktop")

    page.goto(f"{live_server.url}/territories/")
    page.locator("#territory-q").press_sequentially("popayan", delay=30)
    result = page.locator("#search-results a", has_text="Popayán")
    result.wait_for()
    assert "/territories/?q=" not in page.url  # live results, no page load
    with page.expect_navigation():
        result.click()

    assert page.url.endswith(f"/territories/{places.popayan.pk}/")
    assert page.locator("h1").inner_text() == "Popayán"
    page.wait_for_selector("#territory-map[data-state=ready]")
    assert page.locator("#territory-map path.leaflet-interactive:not(.map-land)").count() == 1
    canvas = page.locator("#population-chart")
    assert canvas.is_visible()
    assert canvas.bounding_box()["height"] > 100
    table = page.locator("table", has_text="DANE projections (CNPV 2018)")
    assert table.locator("tbody tr").count() == 3
    screenshot(page, "territory-desktop")


def test_a_child_territory_on_the_map_opens_its_page(page, live_server) -> None:
    places = make_places(boundaries=True)
    page.goto(f"{live_server.url}/territories/{places.cauca.pk}/")
    page.wait_for_selector("#territory-map[data-state=ready]")
    paths = page.locator("#territory-map path.leaflet-interactive:not(.map-land)")
    assert paths.count() == 2
    box = page.locator("#territory-map").bounding_box()
    assert box is not None
    # Popayán's square is drawn on top of Cauca's; click the middle of it.
    popayan = paths.nth(1) if paths.nth(0).get_attribute("stroke-width") == "3" else paths.nth(0)
    with page.expect_navigation():
        popayan.click()
    assert page.url.endswith(f"/territories/{places.popayan.pk}/")


def test_on_a_phone_the_menu_works_and_nothing_overflows(phone, live_server, screenshot) -> None:
    places = make_places(boundaries=True)
    DemoDataset.objects.create(version="test")
    phone.goto(live_server.url)
    assert page_width(phone) <= 390

    territories_link = phone.locator(".site-nav a", has_text="Territorios")
    assert not territories_link.is_visible()
    phone.click("label[for=nav-toggle]")
    assert territories_link.is_visible()
    with phone.expect_navigation():
        territories_link.click()
    assert re.search(r"/territories/$", phone.url)
    assert page_width(phone) <= 390

    phone.goto(f"{live_server.url}/territories/?q=cauca")
    assert page_width(phone) <= 390

    phone.goto(f"{live_server.url}/territories/{places.popayan.pk}/")
    phone.wait_for_selector("#territory-map[data-state=ready]")
    assert page_width(phone) <= 390
    screenshot(phone, "territory-phone")


def test_a_user_creates_an_api_token_and_sees_it_once(page, live_server) -> None:
    make_user("carla")
    log_in(page, live_server, "carla")
    page.goto(f"{live_server.url}/accounts/me/")
    page.fill("#token-name", "informe mensual")
    with page.expect_navigation():
        page.click("text=Crear token")

    box = page.locator("[data-testid=new-token]")
    assert "no se volverá a mostrar" in box.inner_text()
    token = page.input_value("#new-token-value")
    assert token.startswith("cv_")
    assert page.locator("button[data-copy]").is_visible()

    page.reload()
    assert page.locator("[data-testid=new-token]").count() == 0
    assert token not in page.content()
    assert page.locator("table", has_text="informe mensual").is_visible()


def test_the_job_page_follows_a_running_job_until_it_ends(
    page, phone, live_server, screenshot
) -> None:
    user = make_user("dora")
    job = make_job(
        user,
        status=JobStatus.RUNNING,
        progress_done=420,
        progress_total=1000,
        message="Leyendo filas del archivo",
    )
    log_in(page, live_server, "dora")
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    assert page.locator("progress").get_attribute("value") == "42"
    screenshot(page, "job-desktop")

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, progress_done=1000, result={"created": 1000}
    )
    page.locator("#job-status .badge", has_text="Terminada").wait_for(timeout=6_000)
    assert page.locator("#job-status").get_attribute("hx-trigger") is None

    log_in(phone, live_server, "dora")
    phone.goto(f"{live_server.url}/jobs/")
    assert page_width(phone) <= 390
