"""An enumerator finds the collection pages, downloads the form and sets up ODK Collect.

Personas: Esteban is an enumerator in Cauca, Camila coordinates Cauca, Luz is a community
leader in Popayán, Carlos coordinates Nariño (a stranger to Popayán's panel).
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from convivencia.panels import collect_setup
from tests.panels import add_respondent, make_default_panel
from tests.panels.builders import make_panel
from tests.personas import make_personas

SERVER = "https://convivencia.example.org/panels/collect/popayan/openrosa"


@pytest.fixture
def world(db):
    personas = make_personas()
    personas.panel = make_panel(personas.places.popayan, size=4)
    return personas


def test_the_payload_decompresses_to_collects_settings_without_credentials():
    payload = collect_setup.collect_payload(SERVER, "Panel Popayán")
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*", payload)  # base64, as Collect expects
    assert collect_setup.read_payload(payload) == {
        "general": {"server_url": SERVER, "form_update_mode": "match_exactly"},
        "admin": {},
        "project": {"name": "Panel Popayán"},
    }
    text = str(collect_setup.read_payload(payload)).lower()
    assert "password" not in text and "username" not in text and "token" not in text


def test_the_qr_code_is_an_inline_svg_with_its_title():
    svg = collect_setup.collect_qr_svg(SERVER, "Panel Popayán", "ODK Collect settings")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<title>ODK Collect settings</title>" in svg
    assert 'viewBox="0 0 ' in svg and "<path" in svg


def test_the_collection_page_shows_the_qr_code_for_this_panels_server(client, world):
    client.force_login(world.people["enumerator"])
    page = client.get(reverse("panels:collection:panel", args=[world.panel.code]))
    assert page.status_code == 200
    assert 'class="collect-qr"' in page.text
    assert page.context["server_url"].endswith("/panels/collect/popayan/openrosa")
    project = f"{world.panel} · {world.panel.territory.name}"
    assert page.context["collect_qr"].startswith(
        collect_setup.collect_qr_svg(page.context["server_url"], project, "")[:20]
    )
    # The page draws exactly the code of this server and project.
    drawn = re.search(r'<path[^>]* d="([^"]+)"', page.context["collect_qr"])
    wanted = re.search(
        r'<path[^>]* d="([^"]+)"',
        collect_setup.collect_qr_svg(page.context["server_url"], project, "x"),
    )
    assert drawn and wanted and drawn.group(1) == wanted.group(1)
    assert reverse("panels:collection:xlsform", args=[world.panel.code]) in page.text


def test_an_enumerator_downloads_the_panels_xlsform(client, world):
    panel = make_default_panel(world.places.popayan, code="popayan-default")
    add_respondent(panel, "POP-001")
    client.force_login(world.people["enumerator"])
    response = client.get(reverse("panels:collection:xlsform", args=[panel.code]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="popayan-default.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["survey", "choices", "settings"]


def test_a_form_that_cannot_be_written_comes_back_to_the_panel_saying_why(client, world):
    client.force_login(world.people["enumerator"])
    response = client.get(
        reverse("panels:collection:xlsform", args=[world.panel.code]),
        headers={"accept-language": "en"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "panels:collection:panel", args=[world.panel.code]
    )
    assert "without choices" in response.text


@pytest.mark.parametrize("persona", ["coord_narino", "leader", "nobody"])
def test_the_xlsform_is_a_404_for_anyone_who_does_not_collect_there(client, world, persona):
    client.force_login(world.people[persona])
    response = client.get(reverse("panels:collection:xlsform", args=[world.panel.code]))
    assert response.status_code == 404


def test_the_panels_page_leads_an_enumerator_to_collection_and_to_no_404(client, world):
    client.force_login(world.people["enumerator"])
    page = client.get(reverse("panels:index"), headers={"accept-language": "en"})
    assert page.status_code == 200
    assert reverse("panels:collection:panel", args=[world.panel.code]) in page.text
    assert reverse("panels:collection:list") in page.text
    assert "You do not see any panel yet" not in page.text
    # The map answers 404 to someone who sees no results: no link to it then.
    assert reverse("panels:map") not in page.text


def test_the_menu_offers_collection_to_an_enumerator_only(client, world):
    collect = f'href="{reverse("panels:collection:list")}"'
    for persona, shown in [("enumerator", True), ("leader", False), ("analyst", False)]:
        client.force_login(world.people[persona])
        page = client.get(reverse("core:home"))
        assert (collect in page.text) is shown, persona


def test_leaders_and_enumerators_see_no_jobs_or_organisations_in_the_menu(client, world):
    jobs = f'href="{reverse("jobs:list")}"'
    organisations = f'href="{reverse("accounts:organisation_list")}"'
    for persona, shown in [
        ("enumerator", False),
        ("leader", False),
        ("coord_cauca", True),
        ("police", True),
    ]:
        client.force_login(world.people[persona])
        page = client.get(reverse("core:home"))
        assert (jobs in page.text) is shown, persona
        assert (organisations in page.text) is shown, persona


def test_a_coordinator_sees_results_and_collection_on_the_panels_page(client, world):
    client.force_login(world.people["coord_cauca"])
    page = client.get(reverse("panels:index"))
    assert reverse("panels:map") in page.text
    assert reverse("panels:dashboard", args=[world.panel.code]) in page.text
    assert reverse("panels:collection:panel", args=[world.panel.code]) in page.text
