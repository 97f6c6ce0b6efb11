"""REFI-QDA exchange: our .qdc and .qdpx validate against the standard's schemas
(tests/data/refi-qda/), read back to the same codebook, and a codebook exported by
ATLAS.ti imports. The commands of issue 16 write and read the same files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from lxml import etree

from convivencia.studies import exchange
from convivencia.studies.importers.codebook import import_codebook
from convivencia.studies.models import Code
from tests.studies.builders import make_study, make_world

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "refi-qda"
PROJECT_NS = "{urn:QDA-XML:project:1.0}"


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / name)))


def assert_valid(xml: bytes, xsd: str) -> etree._Element:
    document = etree.fromstring(xml)
    validator = schema(xsd)
    assert validator.validate(document), validator.error_log
    return document


def test_the_codebook_validates_and_reads_back_to_the_same_tree():
    world = make_world()
    source = world.study
    parent = source.codes.get(name="Abuso o mala conducta")
    qdc = exchange.codebook_qdc(source)
    root = assert_valid(qdc, "Codebook.xsd")
    top = root.findall("{urn:QDA-XML:codebook:1.0}Codes/{urn:QDA-XML:codebook:1.0}Code")
    assert len(top) == source.codes.filter(parent=None).count()

    target = make_study(world.personas.places.popayan, world.personas.coord_cauca, title="Otra")
    target.codes.all().delete()
    result = import_codebook(target, qdc)
    assert len(result.created) == source.codes.count()

    def shape(study):
        return sorted(
            (
                c.name,
                c.parent.name if c.parent else None,
                c.definition,
                c.include_rule,
                c.exclude_rule,
                c.colour.upper(),
                str(c.guid),
            )
            for c in study.codes.select_related("parent")
        )

    assert shape(target) == shape(source)
    assert target.codes.get(name="Uso excesivo de la fuerza").parent.name == parent.name
    again = import_codebook(target, qdc)  # matched by GUID: nothing duplicated
    assert again.created == [] and target.codes.count() == source.codes.count()


def test_a_codebook_exported_by_atlas_ti_imports_with_its_code_group_reported():
    world = make_world()
    result = import_codebook(world.study, (DATA / "atlasti-codebook.qdc").read_bytes())
    assert result.created == ["code1"] and result.skipped_sets == 1
    imported = world.study.codes.get(name="code1")
    assert (imported.definition, imported.colour) == ("description", "#46AA00")
    assert str(imported.guid).upper() == "1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not xml", "not a REFI-QDA codebook"),
        (b"<CodeBook xmlns='urn:other'/>", "root element"),
        (
            b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes><Code name='x' guid='nope' "
            b"isCodable='true'/></Codes></CodeBook>",
            "no valid guid",
        ),
        (
            b"<!DOCTYPE x [<!ENTITY a 'b'>]><CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>",
            "not a REFI-QDA codebook",
        ),
        (
            b"<?xml version='1.0' encoding='tf-8'?><CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>",
            "not a REFI-QDA codebook",
        ),
    ],
)
def test_a_bad_codebook_is_refused_by_name_and_changes_nothing(data, problem):
    world = make_world()
    before = world.study.codes.count()
    with pytest.raises(ValidationError, match=problem):
        import_codebook(world.study, data)
    assert world.study.codes.count() == before


def test_the_project_validates_and_carries_de_identified_text_and_every_segment():
    world = make_world()
    archive = zipfile.ZipFile(io.BytesIO(exchange.project_qdpx(world.study)))
    root = assert_valid(archive.read("project.qde"), "Project.xsd")
    sources = root.findall(f"{PROJECT_NS}Sources/{PROJECT_NS}TextSource")
    assert len(sources) == 1
    path = sources[0].get("plainTextPath").removeprefix("internal://")
    text = archive.read(f"sources/{path}").decode()
    assert text == world.document.text and "Rosalba" not in text
    selections = sources[0].findall(f"{PROJECT_NS}PlainTextSelection")
    assert [(int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections] == [
        (world.segment.start, world.segment.end)
    ]
    code_ref = selections[0].find(f"{PROJECT_NS}Coding/{PROJECT_NS}CodeRef").get("targetGUID")
    assert Code.objects.get(guid=code_ref).name == "Ausencia o respuesta lenta"
    assert b"Rosalba" not in archive.read("project.qde")
    # The codebook inside the project reads back like a .qdc.
    assert len(import_codebook(world.study, archive.read("project.qde")).created) == 0


def test_the_commands_write_and_read_the_files(tmp_path):
    world = make_world()
    qdc, qdpx = tmp_path / "libro.qdc", tmp_path / "estudio.qdpx"
    call_command("export_codebook", str(world.study.pk), "-o", str(qdc))
    call_command("export_project", str(world.study.pk), "-o", str(qdpx))
    assert_valid(qdc.read_bytes(), "Codebook.xsd")
    assert zipfile.is_zipfile(qdpx)
    call_command("import_codebook", str(qdc), "--study", str(world.pasto.pk))
    assert world.pasto.codes.count() >= world.study.codes.count()
    with pytest.raises(CommandError, match="No study has the id 999999"):
        call_command("export_codebook", "999999", "-o", str(qdc))
    (tmp_path / "bad.qdc").write_bytes(b"<nope/>")
    with pytest.raises(CommandError, match="not a REFI-QDA codebook"):
        call_command("import_codebook", str(tmp_path / "bad.qdc"), "--study", str(world.pasto.pk))
