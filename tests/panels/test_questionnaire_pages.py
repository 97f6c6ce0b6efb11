"""Bringing in an XLSForm made elsewhere from the web, making a panel of it, mapping it and
collecting through the mapping (issue 14), with kpi's own KoBoToolbox form and export.

Camila coordinates Cauca (Popayán), Carlos Nariño (Pasto); Nadia has no role, Esteban
is an enumerator in Cauca (he collects, he does not set up panels).
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from convivencia.accounts.models import AuditEntry
from convivencia.panels import charts, collection
from convivencia.panels.choices import FieldUse, SubmissionSource
from convivencia.panels.importers import answers as file_import
from convivencia.panels.mapping import mapping_for, raw_submission
from convivencia.panels.models import Answer, FieldMapping, Panel, Questionnaire, Submission
from tests.panels import add_respondent, make_default_panel, use_contact_key
from tests.panels.builders import make_wave
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

KOBO = Path(__file__).parent.parent / "data" / "kobo-kpi"
IMPORT_URL = "/panels/questionnaires/import/"


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


@pytest.fixture
def world():
    return make_personas()


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def import_tutorial(client: Client) -> Questionnaire:
    response = client.post(IMPORT_URL, {"file": upload(KOBO / "tutorial_w_repeats.xls")})
    assert response.status_code == 302, response.content.decode()
    return Questionnaire.objects.get(code="tutorial_w_repeats")


def panel_data(world, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "tutorial",
        "territory": world.places.popayan.pk,
        "name": "Tutorial Popayán",
        "local_provider_name": "",
    }
    data.update(changes)
    return data


def mapping_post(panel: Panel, page_form, **uses: str) -> dict[str, object]:
    """The mapping page's form as shown, with the uses of some fields changed."""
    data = {name: page_form[name].value() for name in page_form.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    for name, use in uses.items():
        data[f"use_{panel.questionnaire.field_mappings.get(name=name).pk}"] = use
    return data


# --- who may bring a form in --------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("nobody", 403),
        ("enumerator", 403),
        ("analyst", 403),
        ("coord_cauca", 200),
        ("coord_narino", 200),
        ("admin", 200),
    ],
)
def test_the_upload_page_is_for_coordinators_and_administrators(world, persona, status):
    response = signed_in(world.people[persona]).get(IMPORT_URL)
    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


def test_someone_without_a_role_cannot_post_a_form_nor_see_an_imported_one(world):
    questionnaire = import_tutorial(signed_in(world.coord_cauca))
    nadia = signed_in(world.nobody)
    assert nadia.post(IMPORT_URL, {"file": upload(KOBO / "tutorial.xls")}).status_code == 403
    assert nadia.get(f"/panels/questionnaires/{questionnaire.pk}/").status_code == 403
    refused = nadia.post(f"/panels/questionnaires/{questionnaire.pk}/panel/", panel_data(world))
    assert refused.status_code == 403
    assert Questionnaire.objects.count() == 1
    assert not Panel.objects.exists()


def test_the_collection_list_links_the_upload_page_for_coordinators_only(world):
    assert IMPORT_URL in signed_in(world.coord_cauca).get("/panels/collect/").content.decode()
    assert IMPORT_URL not in signed_in(world.enumerator).get("/panels/collect/").content.decode()


# --- the upload ---------------------------------------------------------------------------


def test_a_real_kobo_form_is_imported_and_its_page_says_what_was_found(world):
    client = signed_in(world.coord_cauca)
    with translation.override("en"):
        response = client.post(
            IMPORT_URL, {"file": upload(KOBO / "tutorial_w_repeats.xls")}, follow=True
        )
        page = response.content.decode()
    questionnaire = Questionnaire.objects.get()
    assert response.redirect_chain[-1][0] == f"/panels/questionnaires/{questionnaire.pk}/"
    assert (questionnaire.code, questionnaire.version) == ("tutorial_w_repeats", 1)
    assert "<code>tutorial_w_repeats</code>" in page
    items = response.context["items"]
    assert [item.code for item in items] == ["name", "age", "has_children", "web_browsers"]
    assert [field.name for field in response.context["raw_fields"]] == [
        "picture",
        "children",
        "gps",
    ]
    assert response.context["respondent"] is None
    assert "None found: once a panel asks this questionnaire" in page
    entry = AuditEntry.objects.get(object_type="panels.questionnaire")
    assert (entry.actor, entry.changes["file"]) == (world.coord_cauca, "tutorial_w_repeats.xls")


def test_a_form_with_problems_shows_them_and_nothing_is_stored(world):
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["select_one missing_list", "trust", "How much?"])
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("en"):
        response = signed_in(world.coord_cauca).post(
            IMPORT_URL, {"file": SimpleUploadedFile("broken.xlsx", buffer.getvalue())}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“broken.xlsx” cannot be imported. Nothing was stored." in page
    assert "There should be a choices sheet in this xlsform" in page  # pyxform's own words
    assert not Questionnaire.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(world):
    with translation.override("en"):
        response = signed_in(world.coord_cauca).post(
            IMPORT_URL, {"file": SimpleUploadedFile("answers.csv", b"name,age\nBob,25\n")}
        )
    assert response.status_code == 400
    assert "is not an .xlsx or .xls workbook" in response.content.decode()
    assert not Questionnaire.objects.exists()


def translated_titles_form() -> bytes:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::Español (es)"])
    survey.append(["text", "respondent", "Participant code", "Código del participante"])
    survey.append(["select_multiple problems", "problems", "Problems", "Problemas"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Español (es)"])
    choices.append(["problems", "theft", "Theft", "Robos"])
    choices.append(["problems", "extortion", "Extortion", "Extorsión"])
    settings = book.create_sheet("settings")
    settings.append(["form_title::English (en)", "form_title::Español (es)", "form_id"])
    settings.append(["Security survey", "Encuesta de seguridad", "seguridad"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_title_in_every_language_is_kept_and_shown(world):
    client = signed_in(world.coord_cauca)
    with translation.override("en"):
        response = client.post(
            IMPORT_URL,
            {"file": SimpleUploadedFile("seguridad.xlsx", translated_titles_form())},
            follow=True,
        )
    assert response.status_code == 200
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.title == {"en": "Security survey", "es": "Encuesta de seguridad"}
    assert response.context["titles"] == [
        ("English (en)", "Security survey"),
        ("Spanish (es)", "Encuesta de seguridad"),
    ]
    assert response.context["languages"] == ["English (en)", "Spanish (es)"]
    assert response.context["respondent"].name == "respondent"
    page = response.content.decode()
    assert "Security survey" in page and "Encuesta de seguridad" in page


# --- a panel asking it ----------------------------------------------------------------------


def test_the_coordinator_creates_a_panel_and_is_sent_to_its_mapping(world):
    client = signed_in(world.coord_cauca)
    questionnaire = import_tutorial(client)
    response = client.post(f"/panels/questionnaires/{questionnaire.pk}/panel/", panel_data(world))
    assert response.status_code == 302
    assert response["Location"] == "/panels/collect/tutorial/mapping/"
    panel = Panel.objects.get()
    assert (panel.territory, panel.questionnaire, panel.name) == (
        world.places.popayan,
        questionnaire,
        "Tutorial Popayán",
    )
    assert AuditEntry.objects.filter(object_type="panels.panel", actor=world.coord_cauca).exists()


def test_a_coordinator_cannot_create_a_panel_in_another_territory(world):
    questionnaire = import_tutorial(signed_in(world.coord_cauca))
    url = f"/panels/questionnaires/{questionnaire.pk}/panel/"
    carlos = signed_in(world.coord_narino)
    refused = carlos.post(url, panel_data(world, territory=world.places.popayan.pk))
    assert refused.status_code == 400
    assert "territory" in refused.context["form"].errors
    assert not Panel.objects.exists()
    # His own territory is his to use; Cauca's is not among his choices.
    choices = list(refused.context["form"].fields["territory"].queryset)
    assert world.places.pasto in choices and world.places.popayan not in choices
    assert carlos.post(url, panel_data(world, territory=world.places.pasto.pk)).status_code == 302
    assert Panel.objects.get().territory == world.places.pasto


def test_an_enumerator_cannot_create_a_panel(world):
    questionnaire = import_tutorial(signed_in(world.coord_cauca))
    response = signed_in(world.enumerator).post(
        f"/panels/questionnaires/{questionnaire.pk}/panel/", panel_data(world)
    )
    assert response.status_code == 403
    assert not Panel.objects.exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("questionnaires", "is a page of the site (/panels/questionnaires/)"),
        ("Map", "is a page of the site (/panels/Map/)"),
        ("con espacios", "cannot be a panel code: use letters, digits"),
    ],
)
def test_a_reserved_or_malformed_code_is_refused_clearly(world, code, message):
    client = signed_in(world.coord_cauca)
    questionnaire = import_tutorial(client)
    with translation.override("en"):
        response = client.post(
            f"/panels/questionnaires/{questionnaire.pk}/panel/", panel_data(world, code=code)
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Panel.objects.exists()


def test_a_code_another_panel_has_is_refused_without_naming_its_territory(world):
    questionnaire = import_tutorial(signed_in(world.coord_cauca))
    Panel.objects.create(code="tutorial", territory=world.places.pasto, questionnaire=questionnaire)
    with translation.override("en"):
        response = signed_in(world.coord_cauca).post(
            f"/panels/questionnaires/{questionnaire.pk}/panel/", panel_data(world)
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A panel with the code “tutorial” already exists" in page
    assert "Pasto" not in page
    assert Panel.objects.count() == 1


# --- end to end: upload → panel → mapping → collection → dashboard -------------------------


def test_upload_panel_mapping_import_and_the_concerns_chart_end_to_end(world):
    client = signed_in(world.coord_cauca)
    questionnaire = import_tutorial(client)
    mapping_page = client.post(
        f"/panels/questionnaires/{questionnaire.pk}/panel/", panel_data(world), follow=True
    )
    panel = Panel.objects.get(code="tutorial")
    # The coordinator says "name" holds the respondent code and the browsers are a concern.
    data = mapping_post(
        panel, mapping_page.context["form"], name=FieldUse.RESPONDENT, web_browsers="concern"
    )
    saved = client.post("/panels/collect/tutorial/mapping/", data)
    assert saved.status_code == 302
    uses = dict(questionnaire.field_mappings.values_list("name", "use"))
    assert (uses["name"], uses["web_browsers"]) == (FieldUse.RESPONDENT, FieldUse.CONCERN)

    # kpi's own export goes in through the mapping.
    for code in ("Bob", "Ana", "Eva"):
        add_respondent(panel, code)
    wave = make_wave(panel, "2026-11")
    export = file_import.read_export(KOBO / "tutorial_w_repeats.csv", panel)
    report = file_import.import_rows(wave, export, source=SubmissionSource.FILE)
    assert (report.created, report.rejected) == (1, [])
    assert Submission.objects.get().respondent.code == "Bob"
    assert sorted(Answer.objects.values_list("item__code", "number")) == [
        ("age", 25.0),
        ("has_children", 1.0),
    ]

    # Two more submissions as ODK Collect sends them (option names, space-separated).
    mapping = mapping_for(questionnaire)
    collection.accept(
        wave,
        [
            raw_submission(
                mapping,
                {"name": code, "web_browsers": browsers},
                instance_id=f"uuid:tutorial-{code}",
            )
            for code, browsers in (("Ana", "firefox chrome"), ("Eva", "firefox"))
        ],
        SubmissionSource.OPENROSA,
    )
    with translation.override("en"):
        dashboard = client.get("/panels/tutorial/")
    [chart] = dashboard.context["concern_charts"]
    assert chart.item.code == "web_browsers"
    assert [(c.label, c.count, round(c.share)) for c in chart.concerns] == [
        ("Mozilla Firefox", 2, 100),
        ("Google Chrome", 1, 50),
    ]
    assert 'data-testid="concerns"' in dashboard.content.decode()


def test_the_concerns_are_the_mapped_questions_else_our_own_problems_item(world):
    questionnaire = import_tutorial(signed_in(world.coord_cauca))
    panel = Panel.objects.create(
        code="tutorial", territory=world.places.popayan, questionnaire=questionnaire
    )
    items = charts.items_by_code(panel)
    assert charts.concern_items(panel, items) == []  # nothing marked, no PROBLEMS item
    FieldMapping.objects.filter(name="web_browsers").update(use=FieldUse.CONCERN)
    assert [item.code for item in charts.concern_items(panel, items)] == ["web_browsers"]
    ours = make_default_panel(world.places.pasto, code="pasto")
    ours_items = charts.items_by_code(ours)
    assert [item.code for item in charts.concern_items(ours, ours_items)] == ["PROBLEMS"]


def test_the_command_and_the_page_share_the_reserved_codes(world):
    from django.core.management import CommandError, call_command

    with translation.override("en"), pytest.raises(CommandError, match="is a page of the site"):
        call_command("create_panel", "questionnaires", "--territory", "divipola:19001")
    assert not Panel.objects.exists()
