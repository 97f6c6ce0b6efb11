"""An enumerator makes their ODK Collect password in a real browser, on a desktop and
on a phone; and the DHIS2 check page offers the three encodings (issue 14)."""

from __future__ import annotations

import pytest

from convivencia.accounts.choices import Role
from convivencia.panels.models import CollectCredential, Panel, Respondent
from convivencia.panels.questionnaire_default import ensure_default_questionnaire
from tests.browser.test_shell import log_in, page_width
from tests.factories import grant, make_colombia, make_organisation, make_user
from tests.indicators.test_explorer import make_figures

pytestmark = pytest.mark.browser


def make_panel() -> Panel:
    places = make_colombia()
    panel = Panel.objects.create(
        code="popayan", territory=places.popayan, questionnaire=ensure_default_questionnaire()
    )
    Respondent.objects.create(panel=panel, code="R001", role="jac")
    user = make_user("esteban")
    grant(user, make_organisation("Programa"), Role.ENUMERATOR, [places.popayan])
    return panel


@pytest.mark.parametrize("device", ["page", "phone"])
def test_an_enumerator_makes_their_collect_password(request, live_server, screenshot, device):
    browser_page = request.getfixturevalue(device)
    make_panel()
    log_in(browser_page, live_server, "esteban")
    browser_page.goto(f"{live_server.url}/panels/collect/popayan/")
    with browser_page.expect_navigation():
        browser_page.click("a[href$='/odk-password/']")
    with browser_page.expect_navigation():
        browser_page.click("main form button[type=submit]")
    password = browser_page.locator("[data-testid=collect-password]").inner_text()
    assert len(password) == 24
    assert CollectCredential.objects.get().username == "esteban"
    assert page_width(browser_page) <= browser_page.viewport_size["width"]
    screenshot(browser_page, f"collect-password-{device}")


def test_the_dhis2_check_page_offers_json_xml_and_csv(page, live_server, screenshot):
    figures = make_figures(municipalities=3)
    page.goto(
        f"{live_server.url}/indicators/dhis2/?indicator=homicide_rate&parent={figures.cauca.pk}"
        "&type=month&from=2023-01&to=2023-12&source=police&org_unit_scheme=divipola"
    )
    for testid in ("download", "download-xml", "download-csv"):
        assert page.locator(f"[data-testid={testid}]").count() == 1
    screenshot(page, "dhis2-check")
