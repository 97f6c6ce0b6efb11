"""The Content-Security-Policy in a real browser: every main page runs with no inline
script, no eval and no violation, the small behaviours that used to be inline handlers
still work, and a territory's name on a map is text, never markup."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command

from convivencia import demo
from convivencia.dialogues.models import Process
from convivencia.panels.models import Panel
from convivencia.territories.models import Territory
from tests.core.factories import make_coordinator, make_places
from tests.dialogues.builders import make_world
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

EVIL = "<img src=x onerror=alert(1)>"

# Reports a violation even where Chrome would not print it to the console.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(page) -> Iterator:
    """The page, failing the test on any console error or policy violation."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on(
        "dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.add_init_script(WATCH_VIOLATIONS)
    page.problems = problems
    yield page
    assert not problems, f"console errors or dialogs: {problems}"


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert "/accounts/login/" not in page.url, url
    policy = response.headers.get("content-security-policy", "")
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    ), policy
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")
    assert not violations, f"{url}: {violations}"
    assert not page.problems, f"{url}: {page.problems}"


def drawn(page, selector: str) -> None:
    """The map or chart finished drawing (its script sets data-state)."""
    element = page.locator(f"{selector}[data-state]")
    element.wait_for(timeout=60_000, state="attached")
    assert element.get_attribute("data-state") == "ready", selector


def log_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_the_main_pages_run_under_the_policy_without_an_error(watched, live_server) -> None:
    call_command("load_demo", verbosity=0)
    popayan = Territory.objects.with_code("divipola", "19001").get()
    panel = Panel.objects.filter(territory=popayan).first()
    process = Process.objects.filter(territory__in=[popayan, popayan.parent]).first()
    assert panel is not None and process is not None
    url = live_server.url

    for public in (
        "/",
        "/evidence/",
        "/evidence/gap-map/",
        "/indicators/",
        f"/territories/{popayan.pk}/",
        f"/dialogues/process/{process.pk}/",
    ):
        visit(watched, url + public)
    visit(watched, f"{url}/evidence/")
    drawn(watched, "[data-evidence-map]")
    visit(watched, f"{url}/territories/{popayan.parent.pk}/")
    drawn(watched, "#territory-map")

    log_in(watched, live_server, "coordinadora.cauca", demo.DEMO_PASSWORD)
    for private in (
        f"/panels/{panel.code}/",
        "/panels/map/",
        "/evidence/manage/",
        "/evidence/manage/new/",
        f"/dialogues/process/{process.pk}/print/",
    ):
        visit(watched, url + private)
    visit(watched, f"{url}/panels/map/")
    drawn(watched, "[data-panel-map]")
    visit(watched, f"{url}/indicators/?parent={popayan.parent.pk}")
    drawn(watched, "[data-indicator-map]")
    assert not watched.evaluate("window.__violations")


def test_the_language_selector_works_without_an_inline_handler(watched, live_server) -> None:
    visit(watched, live_server.url)
    with watched.expect_navigation():
        watched.select_option("#language-select", "en")
    assert watched.locator("html").get_attribute("lang") == "en"
    assert watched.locator("#language-select[onchange]").count() == 0


def test_the_print_button_prints_without_an_inline_handler(watched, live_server) -> None:
    world = make_world()
    visit(watched, f"{live_server.url}/dialogues/process/{world.process.pk}/print/")
    watched.evaluate("window.print = function () { window.__printed = true; }")
    button = watched.locator("button[data-print]")
    assert button.is_visible()
    button.click()
    assert watched.evaluate("window.__printed") is True


def test_the_curation_add_button_copies_the_territory_code(watched, live_server) -> None:
    places = make_places()
    make_coordinator("curadora", places.cauca)
    log_in(watched, live_server, "curadora")
    visit(watched, f"{live_server.url}/evidence/manage/new/")
    watched.locator("#territory-q").press_sequentially("popay", delay=30)
    add = watched.locator("#territory-results button[data-append-to]").first
    add.wait_for()
    token = add.get_attribute("data-token")
    add.click()
    assert watched.locator("#id_territories").input_value() == token
    add.click()
    assert watched.locator("#id_territories").input_value() == f"{token}; {token}"
    assert not watched.evaluate("window.__violations")


def test_a_territory_named_like_markup_shows_as_text_on_the_map(watched, live_server) -> None:
    places = make_places(boundaries=True)
    places.popayan.name = EVIL
    places.popayan.save()
    visit(watched, f"{live_server.url}/territories/{places.cauca.pk}/")
    watched.wait_for_selector("#territory-map[data-state=ready]")
    box = watched.locator("#territory-map").bounding_box()
    assert box is not None
    # Popayán's square sits inside Cauca's; hover the child's path to open its tooltip.
    child = watched.locator("#territory-map path.leaflet-interactive:not(.map-land)").last
    child.hover(force=True)
    tooltip = watched.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text() == EVIL
    assert tooltip.locator("img").count() == 0
    assert watched.locator("img[src=x]").count() == 0


def test_the_api_docs_and_the_admin_run_under_the_policy(watched, live_server) -> None:
    visit(watched, f"{live_server.url}/api/v1/docs")
    watched.locator(".swagger-ui .opblock").first.wait_for()
    # Django's admin: no violation (its pages have no icon, so the browser's request for
    # /favicon.ico answers 404 and the console notes it).
    watched.goto(f"{live_server.url}/admin/login/")
    watched.wait_for_load_state("networkidle")
    assert watched.locator("#id_username").is_visible()
    assert not watched.evaluate("window.__violations")
    watched.problems.clear()


OPEN_EVERY_TOOLTIP = """
(selector) => Array.from(document.querySelectorAll(selector + " path.leaflet-interactive"))
  .map((path) => {
    path.dispatchEvent(new MouseEvent("mouseover", {bubbles: true, clientX: 5, clientY: 5}));
    const tooltips = Array.from(document.querySelectorAll(".leaflet-tooltip"));
    const seen = tooltips.length && {
      text: tooltips.map((tooltip) => tooltip.textContent).join(" | "),
      images: tooltips.reduce((sum, tooltip) => sum + tooltip.querySelectorAll("img").length, 0)
    };
    path.dispatchEvent(new MouseEvent("mouseout", {bubbles: true, clientX: 5, clientY: 5}));
    return seen;
  }).filter(Boolean)
"""


def test_a_municipality_named_like_markup_is_text_on_the_indicator_and_panel_maps(
    watched, live_server
) -> None:
    call_command("load_demo", verbosity=0)
    popayan = Territory.objects.with_code("divipola", "19001").get()
    popayan.name = EVIL
    popayan.save()
    log_in(watched, live_server, "coordinadora.cauca", demo.DEMO_PASSWORD)
    for url, selector in (
        (f"/indicators/?parent={popayan.parent.pk}", "[data-indicator-map]"),
        ("/panels/map/", "[data-panel-map]"),
    ):
        visit(watched, live_server.url + url)
        drawn(watched, selector)
        tooltips = watched.evaluate(OPEN_EVERY_TOOLTIP, selector)
        named = [tooltip for tooltip in tooltips if EVIL in tooltip["text"]]
        assert named, (url, tooltips[:3])
        assert all(tooltip["images"] == 0 for tooltip in tooltips), url
    assert watched.locator("img[src=x]").count() == 0
    assert not watched.evaluate("window.__violations")
