"""A coordinator maps a form made in KoBoToolbox (kpi's own tutorial form) on the mapping
page, and an upload of its export then uses that mapping (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from convivencia.accounts.choices import Role
from convivencia.panels.choices import FieldUse
from convivencia.panels.forms import NEW_MONTH
from convivencia.panels.importers.xlsform import import_xlsform
from convivencia.panels.models import FieldMapping, Panel, Respondent
from tests.browser.test_shell import log_in, page_width
from tests.factories import grant, make_colombia, make_organisation, make_user

pytestmark = pytest.mark.browser

KOBO = Path(__file__).resolve().parents[1] / "data" / "kobo-kpi"


def make_world() -> Panel:
    places = make_colombia()
    questionnaire = import_xlsform(KOBO / "tutorial_w_repeats.xls")
    panel = Panel.objects.create(
        code="tutorial", territory=places.popayan, questionnaire=questionnaire
    )
    Respondent.objects.create(panel=panel, code="Bob")
    camila = make_user("camila")
    grant(camila, make_organisation("Programa"), Role.COORDINATOR, [places.cauca])
    return panel


@pytest.mark.parametrize("device", ["page", "phone"])
def test_a_coordinator_maps_a_kobo_form_and_the_upload_uses_the_mapping(
    request, live_server, screenshot, device
):
    page = request.getfixturevalue(device)
    panel = make_world()
    name = FieldMapping.objects.get(questionnaire=panel.questionnaire, name="name")
    log_in(page, live_server, "camila")
    page.goto(f"{live_server.url}/panels/collect/tutorial/")
    with page.expect_navigation():
        page.click("a[href$='/mapping/']")
    assert page_width(page) <= page.viewport_size["width"]
    screenshot(page, f"form-mapping-{device}")
    page.select_option(f"#id_use_{name.pk}", FieldUse.RESPONDENT)
    with page.expect_navigation():
        page.click("main form.mapping-form button[type=submit]")
    name.refresh_from_db()
    assert name.use == FieldUse.RESPONDENT

    page.goto(f"{live_server.url}/panels/collect/tutorial/upload/")
    page.select_option("#id_wave", NEW_MONTH)
    page.fill("#id_new_month", "2026-11")
    page.set_input_files("#id_file", str(KOBO / "tutorial_w_repeats.csv"))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    counts = page.locator("[data-testid=report-counts]").inner_text()
    # One row read, one valid: the respondent came from the field the coordinator chose.
    assert [line.split()[0] for line in counts.splitlines() if line.strip()][:4] == [
        "1",
        "1",
        "0",
        "0",
    ]
    screenshot(page, f"form-mapping-upload-{device}")
