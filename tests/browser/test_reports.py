"""The municipal brief, the overview and the data exchange page in a real browser, at a
desktop's and a phone's width: nothing wider than the screen, charts drawn, the
coordinator stores a version and lands on it."""

from __future__ import annotations

import pytest

from convivencia.reports.models import Brief
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_dialogues import signed_in
from tests.reports.builders import make_world

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])
def test_the_public_brief_overview_and_exchange_page_fit_the_screen(
    browser, live_server, _audit_log_flushable, screenshot, viewport
):
    world = make_world()
    context = browser.new_context(viewport=viewport, locale="es-CO")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        popayan = world.places.popayan.pk
        page.goto(f"{live_server.url}/reports/briefs/{popayan}/2024-02/")
        assert page.locator("svg.chart").count() >= 2
        assert page.locator("[data-testid=headline]").is_visible()
        assert no_horizontal_scroll(page)
        screenshot(page, f"reports-brief-{viewport['width']}")
        page.goto(f"{live_server.url}/reports/overview/?territory={world.places.cauca.pk}")
        assert page.locator("[data-testid=overview-table]").is_visible()
        assert no_horizontal_scroll(page)
        screenshot(page, f"reports-overview-{viewport['width']}")
        page.goto(f"{live_server.url}/reports/exchange/")
        assert page.locator("[data-testid=export]").count() >= 3
        assert no_horizontal_scroll(page)
        screenshot(page, f"reports-exchange-{viewport['width']}")
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_a_coordinator_stores_a_brief_and_lands_on_the_stored_version(
    browser, live_server, _audit_log_flushable, screenshot
):
    world = make_world()
    username = world.people["coord_cauca"].username
    with signed_in(browser, live_server, username, viewport=DESKTOP) as page:
        page.goto(f"{live_server.url}/reports/briefs/{world.places.popayan.pk}/2024-02/")
        assert page.locator("[data-testid=breakdown]").count() >= 1
        with page.expect_navigation():
            page.click("[data-testid=store-brief]")
        assert "version=1" in page.url
        assert Brief.objects.count() == 2
        page.goto(f"{live_server.url}/reports/briefs/{world.places.popayan.pk}/")
        assert page.locator("[data-testid=stored-briefs] tbody tr").count() == 2
        screenshot(page, "reports-brief-list")
