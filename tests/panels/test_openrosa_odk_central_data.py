"""Real ODK Central submissions (``tests/data/odk-central``, from getodk/central-backend's
own tests, unchanged) through our OpenRosa submission endpoint.

Each is accepted with the right stored result when the panel's form is that form, and
refused with a precise 400 when the form id or version differs. ``simple`` comes with its
XLSForm (``simple.xlsx``), imported as it is; ``withrepeat`` is in the repository as an
XForm only, and our importer reads XLSForms, so the test writes the XLSForm whose XForm
has the repository form's very instance (checked below, path by path). ``binaryType``
asks two files and nothing that names a respondent: a panel cannot be made of it (the
mapping needs a respondent field), so its instances are tried on the ``simple`` panel and
refused there by their form id, as are ``simple2``'s. Last, an instance ODK Collect saved
(``tests/data/odk-collect``, from getodk/collect's test assets), whose version is written
``orx:version``, as Collect keeps the form's attributes.
"""

from __future__ import annotations

import datetime
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from defusedxml.ElementTree import fromstring
from django.utils import timezone
from pyxform.xls2xform import convert

from convivencia.panels import aggregates, edits, mapping, openrosa
from convivencia.panels.choices import FieldUse
from convivencia.panels.importers.xlsform import import_xlsform
from convivencia.panels.models import FieldMapping, Panel, Respondent, Submission, Wave
from tests.panels import test_openrosa as base
from tests.panels.test_openrosa import message, submit

DATA = Path(__file__).parent.parent / "data" / "odk-central"
XFORMS = "{http://www.w3.org/2002/xforms}"

places, esteban, fresh_cache = base.places, base.esteban, base.fresh_cache

# The people central-backend's submissions name, as the panel's roster codes.
ROSTER = ("Alice", "Bob", "Chelsea")


def artefact(name: str) -> bytes:
    return (DATA / name).read_bytes()


def this_month() -> datetime.date:
    # These instances carry no start, end or today: they belong to the month they arrive.
    return timezone.localdate().replace(day=1)


def panel_of(questionnaire, places, code: str) -> Panel:
    """A panel of the imported form in Popayán, the name field as the respondent code,
    Alice, Bob and Chelsea on its roster, this month's wave open."""
    name = FieldMapping.objects.get(questionnaire=questionnaire, name="name")
    mapping.save_mapping(questionnaire, {name.pk: mapping.FieldChoice(FieldUse.RESPONDENT)}, None)
    panel = Panel.objects.create(code=code, territory=places.popayan, questionnaire=questionnaire)
    for code_ in ROSTER:
        Respondent.objects.create(panel=panel, code=code_, sex="female", area="urban")
    Wave.objects.create(panel=panel, period=this_month())
    return panel


@pytest.fixture
def simple(places):
    return panel_of(import_xlsform(DATA / "simple.xlsx"), places, "central-simple")


def withrepeat_xlsform(version: str = "1.0") -> bytes:
    """The XLSForm of central-backend's ``withrepeat`` XForm (which it has as XML only)."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in (
        ("type", "name", "label"),
        ("text", "name", "What is your name?"),
        ("integer", "age", "What is your age?"),
        ("begin group", "children", ""),
        ("begin repeat", "child", "Child"),
        ("text", "name", "What is the child's name?"),
        ("integer", "age", "What is the child's age?"),
        ("end repeat", "", ""),
        ("end group", "", ""),
    ):
        survey.append(row)
    settings = book.create_sheet("settings")
    settings.append(("form_id", "version"))
    settings.append(("withrepeat", version))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def instance_paths(xform: bytes | str) -> set[str]:
    """Every element path of an XForm's primary instance, namespaces left out."""
    root = fromstring(xform.encode() if isinstance(xform, str) else xform)
    data = next(iter(root.find(f".//{XFORMS}instance")))
    paths: set[str] = set()

    def walk(element, prefix: str) -> None:
        for child in element:
            path = f"{prefix}/{child.tag.rsplit('}', 1)[-1]}"
            paths.add(path)
            walk(child, path)

    walk(data, "")
    return paths


@pytest.fixture
def withrepeat(places):
    questionnaire = import_xlsform(withrepeat_xlsform(), name="withrepeat.xlsx")
    return panel_of(questionnaire, places, "central-repeat")


def form_of(xml: bytes) -> tuple[str, str]:
    """(id, version) of an instance's root, or of an XForm's primary instance."""
    root = fromstring(xml)
    instance = root.find(f".//{XFORMS}instance")
    data = next(iter(instance)) if instance is not None else root
    version = data.get("version") or data.get("{http://openrosa.org/xforms}version") or ""
    return data.get("id"), version


def test_every_stored_submission_is_of_one_of_the_stored_forms_and_version():
    forms = {form_of(path.read_bytes()) for path in DATA.glob("form-*.xml")}
    assert forms == {("simple", ""), ("withrepeat", "1.0"), ("binaryType", ""), ("simple2", "2.1")}
    submissions = list(DATA.glob("submission-*.xml"))
    assert len(submissions) == 13
    for path in submissions:
        assert form_of(path.read_bytes()) in forms, path.name


# --- simple ------------------------------------------------------------------------------------


def test_the_simple_xlsform_is_the_form_its_submissions_name(db):
    questionnaire = import_xlsform(DATA / "simple.xlsx")
    assert (questionnaire.form_id, questionnaire.form_version) == ("simple", "")
    assert instance_paths(artefact("form-simple.xml")) >= {"/name", "/age", "/meta/instanceID"}


@pytest.mark.parametrize(
    ("name", "respondent", "age", "instance_id"),
    [
        ("submission-simple-one.xml", "Alice", 30, "one"),
        ("submission-simple-two.xml", "Bob", 34, "two"),
        ("submission-simple-three.xml", "Chelsea", 38, "three"),
    ],
)
def test_each_simple_submission_is_stored_for_its_respondent_with_its_age(
    client, simple, esteban, name, respondent, age, instance_id
):
    response = submit(client, simple, artefact(name))
    assert response.status_code == 201, message(response)
    assert message(response) == (
        "submit_success",
        f"Received: respondent {respondent}, wave {simple.waves.get().label}.",
    )
    stored = Submission.objects.get()
    assert (stored.respondent.code, stored.instance_id, stored.wave.period) == (
        respondent,
        instance_id,
        this_month(),
    )
    assert dict(stored.answers.values_list("item__code", "number")) == {"age": age}
    assert aggregates.mismatches([stored.wave]) == []
    # ODK Collect resends what it did not see acknowledged: stored once.
    assert submit(client, simple, artefact(name)).status_code == 202
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "form_id"),
    [
        *((f"submission-simple2-{name}.xml", "simple2") for name in ("one", "two", "three")),
        ("submission-withrepeat-two.xml", "withrepeat"),
        *(
            (f"submission-binaryType-{name}.xml", "binaryType")
            for name in ("one", "two", "both", "unicode")
        ),
    ],
)
def test_a_submission_of_another_form_is_refused_naming_both_forms(
    client, simple, esteban, name, form_id
):
    response = submit(client, simple, artefact(name))
    assert response.status_code == 400
    assert message(response)[1] == (
        f"This submission is for form “{form_id}”, but panel central-simple collects form "
        "“central-simple” or “simple”, the form its questionnaire was imported from: get "
        "the panel's blank form in ODK Collect."
    )
    assert not Submission.objects.exists()


def test_edits_built_as_central_backends_tests_build_them_replace_the_submission(
    client, simple, esteban
):
    """central-backend's test/integration/api/submissions.js edits ``simple.one`` with
    ``.replace('<instanceID>one', '<deprecatedID>one</deprecatedID><instanceID>one_v2')``
    and (``withSimpleIds``) ``.replace('one</instance', `${instanceId}</instanceID>
    <deprecatedID>${deprecatedId}</deprecated`)``: the same replacements here."""
    original = artefact("submission-simple-one.xml").decode()
    assert submit(client, simple, original.encode()).status_code == 201
    first = original.replace(
        "<instanceID>one", "<deprecatedID>one</deprecatedID><instanceID>one_v2"
    )
    response = submit(client, simple, first.encode())
    assert response.status_code == 201, message(response)
    assert message(response)[1].endswith("it replaces one.")
    second = original.replace(
        "one</instance", "one_v3</instanceID><deprecatedID>one_v2</deprecated"
    )
    assert submit(client, simple, second.encode()).status_code == 201
    stored = Submission.objects.get()
    assert (stored.instance_id, stored.respondent.code) == ("one_v3", "Alice")
    assert [edit.instance_id for edit in edits.history(stored)] == ["one", "one_v2"]
    assert aggregates.mismatches([stored.wave]) == []
    # The original, sent again, is known: 202 and nothing changes.
    assert submit(client, simple, original.encode()).status_code == 202
    assert Submission.objects.get().instance_id == "one_v3"


# --- withrepeat ----------------------------------------------------------------------------------


def test_the_xlsform_written_for_withrepeat_has_the_repository_forms_instance():
    ours = convert(xlsform=withrepeat_xlsform(), file_type=".xlsx").xform
    theirs = artefact("form-withrepeat.xml")
    assert instance_paths(ours) == instance_paths(theirs)


def test_withrepeat_submissions_are_stored_with_their_repeats_kept_raw(client, withrepeat, esteban):
    for name in ("one", "two", "three"):
        response = submit(client, withrepeat, artefact(f"submission-withrepeat-{name}.xml"))
        assert response.status_code == 201, message(response)
    stored = {
        submission.respondent.code: submission
        for submission in Submission.objects.select_related("respondent")
    }
    assert set(stored) == set(ROSTER)
    assert {code: s.instance_id for code, s in stored.items()} == {
        "Alice": "rone",
        "Bob": "rtwo",
        "Chelsea": "rthree",
    }
    ages = {code: s.answers.get(item__code="age").number for code, s in stored.items()}
    assert ages == {"Alice": 30, "Bob": 34, "Chelsea": 38}
    assert stored["Alice"].raw_values == {}
    assert stored["Bob"].raw_values == {
        "children/child": [{"name": "Billy", "age": "4"}, {"name": "Blaine", "age": "6"}]
    }
    assert stored["Chelsea"].raw_values == {"children/child": [{"name": "Candace", "age": "2"}]}


def test_a_withrepeat_submission_of_a_version_the_server_no_longer_has_is_refused(
    client, places, esteban
):
    questionnaire = import_xlsform(withrepeat_xlsform(version="2.0"), name="withrepeat.xlsx")
    panel = panel_of(questionnaire, places, "central-repeat")
    response = submit(client, panel, artefact("submission-withrepeat-one.xml"))
    assert response.status_code == 400
    assert message(response)[1] == (
        "Version 1.0 of this form no longer exists on the server; get the blank form "
        "again in ODK Collect (current version 2.0)."
    )
    assert not Submission.objects.exists()


# --- an instance ODK Collect saved (getodk/collect's test assets) ---------------------------------

COLLECT = Path(__file__).parent.parent / "data" / "odk-collect"
COLLECT_INSTANCE = "One Question_2021-06-22_15-55-50.xml"


def one_question_xlsform(version: str) -> bytes:
    """A later ``one_question`` form, which asks its respondent's name besides the age
    (Collect's own form names nobody, so no panel can be made of it as it is)."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in (
        ("type", "name", "label"),
        ("text", "name", "What is your name?"),
        ("integer", "age", "what is your age"),
    ):
        survey.append(row)
    settings = book.create_sheet("settings")
    settings.append(("form_id", "version"))
    settings.append(("one_question", version))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_collects_instance_names_its_form_and_the_version_it_writes_as_orx_version():
    xml = (COLLECT / COLLECT_INSTANCE).read_bytes()
    parsed = openrosa.parse_instance(xml, set())
    assert (parsed.form_id, parsed.form_version) == ("one_question", "1")
    assert form_of((COLLECT / "one-question.xml").read_bytes()) == ("one_question", "1")


def test_collects_instance_on_another_panel_is_refused_naming_both_forms(client, simple, esteban):
    response = submit(client, simple, (COLLECT / COLLECT_INSTANCE).read_bytes())
    assert response.status_code == 400
    assert message(response)[1].startswith(
        "This submission is for form “one_question”, but panel central-simple collects form "
    )
    assert not Submission.objects.exists()


def test_collects_instance_of_an_earlier_version_is_refused_naming_both_versions(
    client, places, esteban
):
    questionnaire = import_xlsform(one_question_xlsform("2"), name="one_question.xlsx")
    panel = panel_of(questionnaire, places, "collect-one")
    response = submit(client, panel, (COLLECT / COLLECT_INSTANCE).read_bytes())
    assert response.status_code == 400
    assert message(response)[1] == (
        "Version 1 of this form no longer exists on the server; get the blank form "
        "again in ODK Collect (current version 2)."
    )
    assert not Submission.objects.exists()


def test_collects_instance_of_the_same_version_is_refused_for_naming_no_respondent(
    client, places, esteban
):
    questionnaire = import_xlsform(one_question_xlsform("1"), name="one_question.xlsx")
    panel = panel_of(questionnaire, places, "collect-one")
    response = submit(client, panel, (COLLECT / COLLECT_INSTANCE).read_bytes())
    assert response.status_code == 400
    # Collect's blank form gave it no instanceID (it has no meta) and it names no one.
    assert message(response)[1] == (
        f"Not accepted (wave {panel.waves.get().label}): [instanceID]: the submission has no "
        "id; [respondent]: no respondent code"
    )
    assert not Submission.objects.exists()
