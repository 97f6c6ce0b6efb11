"""KoBoToolbox and ODK Central exports of a mapped form: review statuses, duplicate
columns, labels that hold spaces, group prefixes with "/", "." or "-"."""

from __future__ import annotations

from pathlib import Path

import pytest

from convivencia.core.reading import BadFile
from convivencia.panels.choices import ReviewStatus, SubmissionSource
from convivencia.panels.importers import answers as file_import
from convivencia.panels.models import Answer, Submission
from tests.factories import make_colombia
from tests.panels.builders import make_panel, make_wave
from tests.panels.test_mapping import map_mini_form

pytestmark = pytest.mark.django_db

UUIDS = [f"6f1c2c1e-0000-4000-8000-00000000000{n}" for n in range(10)]


@pytest.fixture
def panel():
    panel = make_panel(make_colombia().popayan, size=5)
    map_mini_form(panel.questionnaire)
    return panel


def write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


KOBO_VALUES = (
    "datos/codigo_lider;confianza/policia;problemas;problemas/robos;problemas/extorsion;"
    "problemas/grupos_armados;fecha_visita;_uuid;_submission_time;_validation_status\n"
    f"R001;mucha;robos grupos_armados;1;0;1;2026-11-03;{UUIDS[1]};2026-11-04T10:00:00;Approved\n"
    f"R002;nada;extorsion;0;1;0;2026-11-03;{UUIDS[2]};2026-11-04T10:00:00;Not Approved\n"
    f"R003;ns;;0;0;0;;{UUIDS[3]};2026-11-04T10:00:00;On Hold\n"
    f"R004;mucha;robos;1;0;0;;{UUIDS[4]};2026-11-04T10:00:00;\n"
)


def test_rows_not_approved_in_kobo_are_skipped_and_counted_and_the_rest_keep_their_status(
    panel, tmp_path
):
    export = file_import.read_export(write(tmp_path, KOBO_VALUES), panel)
    assert export.skipped_rejected == [3]
    wave = make_wave(panel, "2026-11")
    report = file_import.import_rows(wave, export, source=SubmissionSource.FILE)
    assert (report.created, report.skipped_rejected, report.rejected) == (3, 1, [])
    assert report.as_dict()["skipped_rejected_in_source"] == 1
    statuses = dict(Submission.objects.values_list("respondent__code", "review_status"))
    assert statuses == {
        "R001": ReviewStatus.APPROVED,
        "R003": ReviewStatus.ON_HOLD,
        "R004": "",
    }
    # The per-option columns were read: robos (1) and grupos armados (3).
    assert sorted(
        Answer.objects.filter(
            submission__respondent__code="R001", item__code="PROBLEMS"
        ).values_list("number", flat=True)
    ) == [1.0, 3.0]
    assert Submission.objects.get(respondent__code="R001").raw_values == {
        "fecha_visita": "2026-11-03"
    }


def test_rejected_rows_are_imported_when_the_importer_asks_for_them(panel, tmp_path):
    export = file_import.read_export(write(tmp_path, KOBO_VALUES), panel, include_rejected=True)
    assert export.skipped_rejected == []
    report = file_import.import_rows(make_wave(panel, "2026-11"), export)
    assert report.created == 4
    assert Submission.objects.get(respondent__code="R002").review_status == ReviewStatus.REJECTED


def test_odk_centrals_rejected_review_state_is_skipped_and_has_issues_kept(panel, tmp_path):
    text = (
        "SubmissionDate,datos-codigo_lider,confianza-policia,problemas,KEY,ReviewState\n"
        f"2026-11-04T10:00:00.000Z,R001,mucha,robos,uuid:{UUIDS[5]},hasIssues\n"
        f"2026-11-04T10:00:00.000Z,R002,nada,robos,uuid:{UUIDS[6]},rejected\n"
        f"2026-11-04T10:00:00.000Z,R003,nada,robos,uuid:{UUIDS[7]},approved\n"
    )
    export = file_import.read_export(write(tmp_path, text), panel)
    report = file_import.import_rows(make_wave(panel, "2026-11"), export)
    assert (report.created, report.skipped_rejected) == (2, 1)
    assert dict(Submission.objects.values_list("respondent__code", "review_status")) == {
        "R001": ReviewStatus.HAS_ISSUES,
        "R003": ReviewStatus.APPROVED,
    }


def test_a_labels_export_keeps_multiple_answers_whose_labels_hold_spaces(panel, tmp_path):
    fields = panel.questionnaire.field_mappings
    fields.filter(name="datos/codigo_lider").update(label={"es": "Código del líder"})
    fields.filter(name="problemas").update(label={"es": "Problemas"})
    text = (
        "Código del líder,Confianza en la Policía,Problemas,_uuid\n"
        f"R001,Mucho,Hurto Grupos armados,{UUIDS[8]}\n"
    )
    export = file_import.read_export(write(tmp_path, text), panel)
    [raw] = export.raws
    assert raw.values["PROBLEMS"] == [1, 3]


def test_a_kobo_export_with_dots_between_groups_is_read(panel, tmp_path):
    text = f"datos.codigo_lider,confianza.policia,_uuid\nR001,nada,{UUIDS[9]}\n"
    export = file_import.read_export(write(tmp_path, text), panel)
    [raw] = export.raws
    assert (raw.respondent_code, raw.values) == ("R001", {"B18": 1})


def test_two_columns_with_the_same_name_refuse_the_file_naming_the_column(panel, tmp_path):
    text = f"respondent,B18,respondent,_uuid\nR001,5,R002,{UUIDS[0]}\n"
    panel.questionnaire.field_mappings.all().delete()
    with pytest.raises(BadFile) as refused:
        file_import.read_export(write(tmp_path, text), panel)
    assert "the column “respondent” appears 2 times" in str(refused.value)
    assert not Submission.objects.exists()


def test_an_unknown_review_status_is_a_warning_and_not_kept(panel, tmp_path):
    text = (
        "datos/codigo_lider,confianza/policia,_uuid,_validation_status\n"
        f"R001,nada,{UUIDS[0]},Maybe\n"
    )
    export = file_import.read_export(write(tmp_path, text), panel)
    assert export.raws[0].review_status == ""
    assert any("'Maybe' is not a review status" in str(w) for w in export.warnings)


def test_the_command_skips_rejected_rows_and_says_so_unless_asked(panel, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = write(tmp_path, KOBO_VALUES)
    out = StringIO()
    call_command("import_responses", str(path), panel=panel.code, wave="2026-11", stdout=out)
    assert "1 row(s) rejected in KoBoToolbox or ODK Central were skipped" in out.getvalue()
    assert Submission.objects.count() == 3
    call_command(
        "import_responses",
        str(path),
        panel=panel.code,
        wave="2026-11",
        include_rejected=True,
        stdout=StringIO(),
    )
    assert Submission.objects.get(respondent__code="R002").review_status == ReviewStatus.REJECTED


@pytest.mark.parametrize(("include", "valid", "skipped"), [(False, 3, 1), (True, 4, 0)])
def test_the_upload_page_skips_rejected_rows_unless_the_box_is_ticked(
    panel, tmp_path, include, valid, skipped
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from convivencia.accounts.choices import Role
    from convivencia.panels.forms import NEW_MONTH
    from tests.factories import grant, make_organisation, make_user

    coordinator = make_user("camila")
    grant(coordinator, make_organisation("Programa"), Role.COORDINATOR, [panel.territory])
    client = Client()
    client.force_login(coordinator)
    data = {
        "wave": NEW_MONTH,
        "new_month": "2026-11",
        "file": SimpleUploadedFile("kobo.csv", KOBO_VALUES.encode(), content_type="text/csv"),
    }
    if include:
        data["include_rejected"] = "on"
    response = client.post(reverse("panels:collection:upload", args=[panel.code]), data)
    report = response.context["report"]
    assert (report.valid, report.skipped_rejected) == (valid, skipped)
    assert ('data-testid="skipped-rejected"' in response.content.decode()) == bool(skipped)
