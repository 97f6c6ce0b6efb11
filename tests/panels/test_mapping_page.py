"""The mapping page and its service, with a real KoBoToolbox form and export (kpi's tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from convivencia.accounts.models import AuditEntry
from convivencia.core.reading import BadFile
from convivencia.panels.choices import DONT_KNOW, FieldUse, ItemType, Provider, SubmissionSource
from convivencia.panels.importers import answers as file_import
from convivencia.panels.importers.xlsform import import_xlsform
from convivencia.panels.mapping import FieldChoice, mapping_for, save_mapping, translate
from convivencia.panels.models import Answer, FieldMapping, Panel, Submission
from tests.panels import add_respondent, use_contact_key
from tests.panels.builders import make_wave
from tests.personas import make_personas

pytestmark = pytest.mark.django_db

KOBO = Path(__file__).parent.parent / "data" / "kobo-kpi"


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


@pytest.fixture
def world():
    personas = make_personas()
    questionnaire = import_xlsform(KOBO / "tutorial_w_repeats.xls")
    panel = Panel.objects.create(
        code="tutorial", territory=personas.places.popayan, questionnaire=questionnaire
    )
    add_respondent(panel, "Bob")
    personas.panel = panel
    return personas


def field(panel: Panel, name: str) -> FieldMapping:
    return panel.questionnaire.field_mappings.get(name=name)


def said_as_is(panel: Panel, **changes: FieldChoice) -> dict[int, FieldChoice]:
    said = {row.pk: FieldChoice(row.use) for row in panel.questionnaire.field_mappings.all()}
    for name, choice in changes.items():
        said[field(panel, name).pk] = choice
    return said


def test_the_real_kobo_form_keeps_its_repeat_photo_and_place_raw(world):
    uses = dict(world.panel.questionnaire.field_mappings.values_list("name", "use"))
    assert uses["children"] == FieldUse.RAW
    assert uses["picture"] == FieldUse.RAW
    assert uses["gps"] == FieldUse.RAW
    assert uses["web_browsers"] == FieldUse.ITEM
    assert uses["age"] == FieldUse.ITEM


def test_without_a_respondent_field_the_mapping_is_refused_clearly(world):
    with pytest.raises(ValidationError) as refused:
        save_mapping(world.panel.questionnaire, said_as_is(world.panel), world.coord_cauca)
    assert "exactly one field must hold the respondent code (now: 0)" in refused.value.messages


def test_a_photo_cannot_be_made_an_analysed_item(world):
    said = said_as_is(
        world.panel,
        name=FieldChoice(FieldUse.RESPONDENT),
        picture=FieldChoice(FieldUse.ITEM),
    )
    with pytest.raises(ValidationError, match="picture: a question of type “photo” cannot"):
        save_mapping(world.panel.questionnaire, said, world.coord_cauca)


def test_the_coordinator_says_which_option_means_what_and_the_item_becomes_a_trust_scale(world):
    panel = world.panel
    has_children = field(panel, "has_children").item
    choices = {c.name: c for c in has_children.choices.all()}
    said = said_as_is(
        panel,
        name=FieldChoice(FieldUse.RESPONDENT),
        has_children=FieldChoice(
            FieldUse.TRUST,
            provider=Provider.POLICE,
            top_min=7,
            values={c.pk: 7 if c.name == "1" else 1 for c in choices.values()},
        ),
    )
    save_mapping(panel.questionnaire, said, world.coord_cauca)
    has_children.refresh_from_db()
    assert (has_children.type, has_children.provider) == (ItemType.SCALE, Provider.POLICE)
    assert (has_children.scale_min, has_children.scale_max, has_children.top_min) == (1, 7, 7)
    assert AuditEntry.objects.filter(action="panels.mapping_saved").exists()
    mapped = translate(mapping_for(panel.questionnaire), {"name": "Bob", "has_children": "1"})
    assert (mapped.respondent_code, mapped.values) == ("Bob", {"has_children": 7})


def test_two_options_meaning_the_same_answer_are_refused_naming_them(world):
    panel = world.panel
    has_children = field(panel, "has_children").item
    said = said_as_is(
        panel,
        name=FieldChoice(FieldUse.RESPONDENT),
        has_children=FieldChoice(
            FieldUse.ITEM, values={c.pk: DONT_KNOW for c in has_children.choices.all()}
        ),
    )
    with pytest.raises(ValidationError, match="would mean the same answer"):
        save_mapping(panel.questionnaire, said, world.coord_cauca)


def map_respondent(world) -> None:
    save_mapping(
        world.panel.questionnaire,
        said_as_is(world.panel, name=FieldChoice(FieldUse.RESPONDENT)),
        world.coord_cauca,
    )


def test_the_real_kobo_export_is_imported_through_the_mapping(world):
    map_respondent(world)
    export = file_import.read_export(KOBO / "tutorial_w_repeats.csv", world.panel)
    assert export.columns.respondent == "name"
    assert export.columns.review == "_validation_status"
    [raw] = export.raws
    assert raw.respondent_code == "Bob"
    assert raw.values == {"age": "25", "has_children": 1}
    # The repeat (one {question: answer} per instance) and the place are kept raw;
    # "n/a" is no answer.
    assert raw.raw_values == {
        "children": [
            {"childs_name": "Tom", "childs_age": "12"},
            {"childs_name": "Dick", "childs_age": "5"},
        ],
        "gps": "-1.2625621 36.7921711 0.0 20.0",
    }
    wave = make_wave(world.panel, "2026-11")
    report = file_import.import_rows(wave, export, source=SubmissionSource.FILE)
    assert (report.created, report.rejected) == (1, [])
    submission = Submission.objects.get()
    assert submission.instance_id == "uuid:b31c6ac2-b8ca-4180-914f-c844fa10ed3b"
    assert submission.raw_values["children"][1]["childs_name"] == "Dick"
    assert sorted(Answer.objects.values_list("item__code", "number")) == [
        ("age", 25.0),
        ("has_children", 1.0),
    ]


def test_an_export_where_nothing_was_asked_is_refused_for_its_missing_respondent(world):
    map_respondent(world)
    export = file_import.read_export(KOBO / "tutorial.csv", world.panel)
    report = file_import.check(world.panel, make_wave(world.panel, "2026-11").period, export)
    assert [str(p) for p in report.problems] == ["row 2 [respondent]: no respondent code"]


def test_the_page_is_for_the_territorys_coordinators(world):
    url = reverse("panels:collection:mapping", args=["tutorial"])
    for persona, status in (
        ("coord_cauca", 200),
        ("coord_narino", 404),
        ("enumerator", 404),
        ("analyst", 404),
    ):
        client = Client()
        client.force_login(getattr(world, persona))
        assert client.get(url).status_code == status, persona


def test_the_page_saves_what_the_coordinator_chose(world):
    client = Client()
    client.force_login(world.coord_cauca)
    url = reverse("panels:collection:mapping", args=["tutorial"])
    page = client.get(url)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    data[f"use_{field(world.panel, 'name').pk}"] = FieldUse.RESPONDENT
    data[f"use_{field(world.panel, 'age').pk}"] = FieldUse.RAW
    response = client.post(url, data)
    assert response.status_code == 302
    assert field(world.panel, "name").use == FieldUse.RESPONDENT
    assert field(world.panel, "age").use == FieldUse.RAW


def test_the_page_shows_a_refusal_on_the_form_and_saves_nothing(world):
    client = Client()
    client.force_login(world.coord_cauca)
    url = reverse("panels:collection:mapping", args=["tutorial"])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "exactly one field must hold the respondent code" in response.content.decode()
    assert not FieldMapping.objects.filter(use=FieldUse.RESPONDENT).exists()


def test_raw_values_and_the_review_status_are_in_the_wide_export_not_in_the_charts(world):
    from convivencia.panels import charts
    from convivencia.panels.exports import wide_header, wide_rows

    map_respondent(world)
    export = file_import.read_export(KOBO / "tutorial_w_repeats.csv", world.panel)
    file_import.import_rows(make_wave(world.panel, "2026-11"), export)
    items = charts.items_by_code(world.panel)
    assert "children" not in items and "gps" not in items
    header = wide_header(items, raw=True)
    [row] = list(wide_rows(world.panel, items, raw=True))
    cells = dict(zip(header, row, strict=True))
    assert '"children": [{"childs_age": "12", "childs_name": "Tom"}' in cells["raw_values"]
    assert '"gps": "-1.2625621 36.7921711 0.0 20.0"' in cells["raw_values"]
    assert cells["review_status"] == ""


def test_kpis_transportation_form_and_export_are_understood_and_refused_for_lack_of_a_respondent(
    world,
):
    questionnaire = import_xlsform(KOBO / "transportation.xls")
    uses = dict(questionnaire.field_mappings.values_list("name", "use"))
    assert uses == {
        "transport/available_transportation_types_to_referral_facility": FieldUse.ITEM,
        "transport/available_transportation_types_to_referral_facility_other": FieldUse.ITEM,
        "transport/loop_over_transport_types_frequency": FieldUse.RAW,
    }
    types = questionnaire.field_mappings.get(
        name="transport/available_transportation_types_to_referral_facility"
    ).item
    # The name is longer than an item code: the item's code is cut, the field keeps it.
    assert types.code == "available_transportation_types_to_referr"
    assert types.type == ItemType.MULTIPLE
    assert "ambulance" in set(types.choices.values_list("name", flat=True))
    panel = Panel.objects.create(
        code="transport", territory=world.places.popayan, questionnaire=questionnaire
    )
    # Every column is understood (per-option True/False columns, the loop's, KoBo's own):
    # the one problem is that no field holds a respondent code, which the mapping page fixes.
    with pytest.raises(BadFile) as refused:
        file_import.read_export(KOBO / "transportation.csv", panel)
    [problem] = refused.value.problems
    assert problem.column == "respondent"
    assert "no respondent column" in problem.message
