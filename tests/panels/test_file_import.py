"""Importing KoBoToolbox and ODK Central exports: files built here as those tools write them.

Personas: Esteban is an enumerator in Popayán, Camila coordinates Cauca (and so
Popayán), Carlos coordinates Nariño.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import AuditEntry
from convivencia.core.reading import BadFile
from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job
from convivencia.panels import aggregates
from convivencia.panels.choices import SubmissionSource, WaveStatus
from convivencia.panels.importers import answers as file_import
from convivencia.panels.models import Aggregate, Answer, Choice, Item, Submission, Wave
from tests.factories import grant, make_colombia, make_organisation, make_user
from tests.panels.builders import make_panel, make_wave

UUID = "8f2d3c4e-5a6b-4c7d-8e9f-{:012d}"
MARCH = datetime.date(2024, 3, 1)


def uid(number: int) -> str:
    return UUID.format(number)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def places(db):
    return make_colombia()


@pytest.fixture
def panel(places):
    panel = make_panel(places.popayan)
    # As in the default questionnaire: "don't know" is an option with a label, so a
    # KoBoToolbox "labels" export writes "No sabe" where the code is 88.
    Choice.objects.create(
        item=Item.objects.get(code="B18"),
        value=88,
        label={"es": "No sabe", "en": "Don't know"},
        position=9,
    )
    return panel


@pytest.fixture
def wave(panel):
    return make_wave(panel, "2024-03")


@pytest.fixture
def esteban(places):
    user = make_user("esteban")
    grant(user, make_organisation("Programa"), Role.ENUMERATOR, [places.popayan])
    return user


@pytest.fixture
def camila(places):
    user = make_user("camila")
    grant(user, make_organisation("Programa Cauca"), Role.COORDINATOR, [places.cauca])
    return user


@pytest.fixture
def carlos(places):
    user = make_user("carlos")
    grant(user, make_organisation("Programa Nariño"), Role.COORDINATOR, [places.narino])
    return user


# --- exports as the tools write them ----------------------------------------------------------

KOBO_HEADER = (
    "start;end;Código del participante;Confianza en la Policía;Inseguridad del barrio;"
    "¿Fue víctima?;¿Denunció?;Problemas/Hurto;Problemas/Extorsión;Problemas/Grupos armados;"
    "_id;_uuid;_submission_time;_validation_status;_notes;_status;_submitted_by;__version__;"
    "_tags;_index"
)


def kobo_row(
    code: str,
    b18: str,
    aoj11: str,
    vic1: str,
    report: str,
    problems: str,
    number: int,
    kobo_id: int,
) -> str:
    chosen = ";".join(problems)
    return (
        f"2024-03-10T09:00:00.000-05:00;2024-03-10T09:20:00.000-05:00;{code};{b18};{aoj11};"
        f"{vic1};{report};{chosen};{kobo_id};{uid(number)};2024-03-10T14:21:03;;;"
        f"submitted_via_web;esteban;vQxKz7;;{kobo_id}"
    )


def kobo_labels_csv() -> bytes:
    """KoBoToolbox's "labels" CSV export: question texts as headers, labels as values."""
    rows = [
        KOBO_HEADER,
        kobo_row("R001", "6", "2", "Sí", "No", "101", 1, 501),
        kobo_row("R002", "No sabe", "3", "No", "", "000", 2, 502),
        kobo_row("R003", "9", "2", "No", "", "000", 3, 503),  # 9 is off the 1–7 scale
        kobo_row("R001", "6", "2", "Sí", "No", "101", 1, 501),  # exported twice
        kobo_row("R999", "5", "2", "Quizás", "", "010", 4, 504),  # unknown code, bad answer
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8-sig")


ODK_HEADER = [
    "SubmissionDate",
    "start",
    "end",
    "today",
    "deviceid",
    "respondent",
    "grupo-B18",
    "grupo-AOJ11",
    "VIC1",
    "VIC1_REPORT",
    "PROBLEMS",
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]


def odk_central_csv(rows: list[tuple[str, str, str, str, str, str, str]]) -> bytes:
    """ODK Central's CSV: groups joined with "-", ids as "uuid:…", times in UTC."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ODK_HEADER)
    for code, b18, aoj11, vic1, report, problems, instance in rows:
        writer.writerow(
            [
                "2024-03-15T14:03:22.123Z",
                "2024-03-15T08:50:00.000-05:00",
                "2024-03-15T09:01:00.000-05:00",
                "2024-03-15",
                "collect:Xy12",
                code,
                b18,
                aoj11,
                vic1,
                report,
                problems,
                instance,
                instance,
                "7",
                "esteban",
                "0",
                "0",
                "",
                "approved",
                "collect:Xy12",
                "0",
                "1.3f2a",
            ]
        )
    return buffer.getvalue().encode("utf-8")


ODK_ROWS = [
    ("R004", "5", "1", "1", "1", "1 3", f"uuid:{uid(11)}"),
    ("R005", "7", "4", "0", "", "2", f"uuid:{uid(12)}"),
    ("R006", "88", "98", "0", "", "98", f"uuid:{uid(13)}"),
]


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    target = tmp_path / name
    target.write_bytes(content)
    return target


def read(panel, file: Path) -> file_import.Export:
    return file_import.read_export(file, panel)


def counts() -> tuple[int, int]:
    return Submission.objects.count(), Answer.objects.count()


# --- reading ----------------------------------------------------------------------------------


def test_a_kobo_labels_export_is_read_by_question_text_with_its_metadata_ignored(panel, tmp_path):
    export = read(panel, write(tmp_path, "kobo.csv", kobo_labels_csv()))
    columns = export.columns
    assert columns.respondent == "Código del participante"
    assert (columns.instance_id, columns.submitted_at) == ("_uuid", "_submission_time")
    assert {item.code for item in columns.items.values()} == {"B18", "AOJ11", "VIC1", "VIC1_REPORT"}
    assert sorted(value for _item, value in columns.options.values()) == [1, 2, 3]
    assert set(columns.ignored) >= {
        "start",
        "end",
        "_id",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
    }
    assert columns.review == "_validation_status"
    assert columns.unknown == []
    assert export.delimiter == ";"
    first = export.raws[0]
    assert first.row == 2
    assert first.instance_id == f"uuid:{uid(1)}"
    assert first.values == {
        "B18": "6",
        "AOJ11": "2",
        "VIC1": "Sí",
        "VIC1_REPORT": "No",
        "PROBLEMS": ["1", "3"],
    }
    # KoBoToolbox writes _submission_time in UTC without saying so.
    assert first.submitted_at == datetime.datetime(2024, 3, 10, 14, 21, 3, tzinfo=datetime.UTC)


def test_the_dry_run_lists_every_problem_by_row_and_column_and_writes_nothing(
    panel, wave, tmp_path
):
    export = read(panel, write(tmp_path, "kobo.csv", kobo_labels_csv()))
    report = file_import.check(panel, MARCH, export)
    assert (report.rows, report.valid, report.duplicates) == (5, 2, 1)
    found = [(problem.row, problem.column) for problem in report.problems]
    assert found == [(4, "B18"), (6, "respondent"), (6, "VIC1")]
    messages = " ".join(problem.message for problem in report.problems)
    assert "outside the scale" in messages and "R999" in messages and "Quizás" in messages
    assert counts() == (0, 0)
    assert not Aggregate.objects.exists()


def test_a_file_with_problems_is_refused_whole_unless_the_valid_rows_are_accepted(
    panel, wave, tmp_path
):
    export = read(panel, write(tmp_path, "kobo.csv", kobo_labels_csv()))
    with pytest.raises(file_import.ImportRefused) as refused:
        file_import.import_rows(wave, export)
    assert [p.row for p in refused.value.report.problems] == [4, 6, 6]
    assert counts() == (0, 0)
    report = file_import.import_rows(wave, export, accept_valid=True)
    assert (report.created, report.duplicates, len(report.rejected)) == (2, 1, 2)
    dont_know = Answer.objects.get(submission__respondent__code="R002", item__code="B18")
    assert (dont_know.number, dont_know.missing) == (None, 88)
    assert Submission.objects.filter(source=SubmissionSource.FILE).count() == 2
    assert aggregates.mismatches([wave]) == []


def test_the_error_file_holds_the_rejected_rows_as_they_were_with_their_problems(
    panel, wave, tmp_path
):
    export = read(panel, write(tmp_path, "kobo.csv", kobo_labels_csv()))
    report = file_import.import_rows(wave, export, accept_valid=True)
    content = file_import.error_file_bytes(report, export)
    assert content.startswith(b"\xef\xbb\xbf")  # so that Excel shows the accents
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [*KOBO_HEADER.split(";"), "problems"]
    assert [row[2] for row in rows[1:]] == ["R003", "R999"]
    assert rows[1][:-1] == kobo_row("R003", "9", "2", "No", "", "000", 3, 503).split(";")
    assert "[B18]" in rows[1][-1] and "outside the scale" in rows[1][-1]
    assert "[respondent]" in rows[2][-1] and "[VIC1]" in rows[2][-1]


def test_an_odk_central_export_is_read_with_group_prefixes_and_its_key(panel, wave, tmp_path):
    export = read(panel, write(tmp_path, "odk.csv", odk_central_csv(ODK_ROWS)))
    assert {header: item.code for header, item in export.columns.items.items()} == {
        "grupo-B18": "B18",
        "grupo-AOJ11": "AOJ11",
        "VIC1": "VIC1",
        "VIC1_REPORT": "VIC1_REPORT",
        "PROBLEMS": "PROBLEMS",
    }
    assert export.columns.submitted_at == "SubmissionDate"
    assert export.delimiter == ","
    assert "SubmitterName" in export.columns.ignored and export.columns.review == "ReviewState"
    report = file_import.import_rows(wave, export)
    assert report.created == 3
    stored = Submission.objects.get(respondent__code="R004")
    assert stored.instance_id == f"uuid:{uid(11)}"
    assert stored.submitted_at == datetime.datetime(
        2024, 3, 15, 14, 3, 22, 123000, tzinfo=datetime.UTC
    )
    assert sorted(
        Answer.objects.filter(submission=stored, item__code="PROBLEMS").values_list(
            "number", flat=True
        )
    ) == [1.0, 3.0]


def test_importing_the_same_file_again_changes_nothing_and_counts_the_duplicates(
    panel, wave, tmp_path
):
    file = write(tmp_path, "odk.csv", odk_central_csv(ODK_ROWS))
    file_import.import_rows(wave, read(panel, file))
    before = (counts(), list(Aggregate.objects.order_by("pk").values_list("n", "total")))
    again = file_import.import_rows(wave, read(panel, file))
    assert (again.created, again.duplicates, again.rejected) == (0, 3, [])
    after = (counts(), list(Aggregate.objects.order_by("pk").values_list("n", "total")))
    assert after == before


def test_one_submission_exported_by_kobo_and_by_odk_is_stored_once(panel, wave, tmp_path):
    kobo = f"respondent;B18;_uuid;_submission_time\nR001;5;{uid(21)};2024-03-10T14:21:03\n"
    file_import.import_rows(wave, read(panel, write(tmp_path, "kobo.csv", kobo.encode())))
    odk = odk_central_csv([("R001", "5", "", "", "", "", f"uuid:{uid(21).upper()}")])
    report = file_import.import_rows(wave, read(panel, write(tmp_path, "odk.csv", odk)))
    assert (report.created, report.duplicates) == (0, 1)
    assert Submission.objects.count() == 1


def test_an_xlsx_export_is_read_with_spreadsheet_row_numbers(panel, wave, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["respondent", "B18", "AOJ11", "VIC1", "PROBLEMS", "_uuid", "_submission_time"])
    sheet.append(["R001", 6, 2, 1, "2", uid(31), datetime.datetime(2024, 3, 10, 14, 0)])
    sheet.append([])  # an empty row: skipped, but still counted
    sheet.append(["R002", 8, 2, 0, "1 2", uid(32), datetime.datetime(2024, 3, 11, 9, 30)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    export = read(panel, write(tmp_path, "kobo.xlsx", buffer.getvalue()))
    report = file_import.check(panel, MARCH, export)
    assert report.valid == 1
    assert [(p.row, p.column) for p in report.problems] == [(4, "B18")]
    assert export.raws[0].values["B18"] == "6"


def test_a_latin_1_csv_is_read_with_its_accents(panel, wave, tmp_path):
    text = f"respondent;¿Fue víctima?;¿Denunció?;_uuid\r\nR001;Sí;No;{uid(41)}\r\n"
    export = read(panel, write(tmp_path, "latin1.csv", text.encode("latin-1")))
    assert export.raws[0].values == {"VIC1": "Sí", "VIC1_REPORT": "No"}
    assert file_import.import_rows(wave, export).created == 1
    assert Answer.objects.get(item__code="VIC1").number == 1.0


@pytest.mark.parametrize(
    ("headers", "cells"),
    [
        (["PROBLEMS"], ["1 3"]),
        (["PROBLEMS/1", "PROBLEMS/2", "PROBLEMS/3"], ["1", "0", "1"]),
        (
            ["grupo/PROBLEMS/hurto", "grupo/PROBLEMS/extorsion", "grupo/PROBLEMS/grupos_armados"],
            ["True", "False", "True"],
        ),
        (
            ["Problemas-Hurto", "Problemas-Extorsión", "Problemas-Grupos armados"],
            ["1.0", "0.0", "1.0"],
        ),
    ],
)
def test_a_multiple_choice_is_read_from_one_column_or_one_0_1_column_per_option(
    panel, wave, tmp_path, headers, cells
):
    text = (
        ",".join(["respondent", *headers, "_uuid"])
        + "\n"
        + ",".join(["R001", *cells, uid(51)])
        + "\n"
    )
    file_import.import_rows(wave, read(panel, write(tmp_path, "multi.csv", text.encode())))
    assert sorted(
        Answer.objects.filter(item__code="PROBLEMS").values_list("number", flat=True)
    ) == [1.0, 3.0]


def test_with_both_forms_of_a_multiple_choice_the_per_option_columns_are_read(panel, tmp_path):
    # Unambiguous, where a labels export's single column joins labels holding spaces.
    text = f"respondent,PROBLEMS,PROBLEMS/1,PROBLEMS/2,_uuid\nR001,2,1,0,{uid(52)}\n"
    export = read(panel, write(tmp_path, "both.csv", text.encode()))
    assert export.raws[0].values["PROBLEMS"] == ["1"]
    assert "PROBLEMS" in export.columns.ignored


def test_an_option_column_holding_something_else_than_0_or_1_rejects_its_row(panel, wave, tmp_path):
    text = f"respondent,PROBLEMS/1,PROBLEMS/2,_uuid\nR001,1,maybe,{uid(53)}\nR002,1,0,{uid(54)}\n"
    export = read(panel, write(tmp_path, "bad.csv", text.encode()))
    report = file_import.check(panel, MARCH, export)
    assert [(p.row, p.column) for p in report.problems] == [(2, "PROBLEMS/2")]
    assert report.valid == 1
    with pytest.raises(file_import.ImportRefused):
        file_import.import_rows(wave, export)
    assert counts() == (0, 0)
    stored = file_import.import_rows(wave, export, accept_valid=True)
    assert (stored.created, [entry.row for entry in stored.rejected]) == (1, [2])


def test_an_unknown_column_is_a_warning_and_the_rest_is_read(panel, tmp_path):
    text = f"respondent,B18,comentario_libre,_uuid\nR001,5,hola,{uid(55)}\n"
    export = read(panel, write(tmp_path, "extra.csv", text.encode()))
    assert export.columns.unknown == ["comentario_libre"]
    assert [(w.row, w.column) for w in export.warnings] == [(1, "comentario_libre")]
    assert export.raws[0].values == {"B18": "5"}


def test_a_file_without_a_respondent_or_an_id_column_is_refused_before_any_row(panel, tmp_path):
    with pytest.raises(BadFile) as bad:
        read(panel, write(tmp_path, "no-ids.csv", b"name,B18\nAna,5\n"))
    assert {problem.column for problem in bad.value.problems} == {"respondent", "_uuid"}
    assert {problem.row for problem in bad.value.problems} == {1}


def test_ids_are_stored_in_one_spelling_whatever_the_tool():
    assert file_import.normalise_instance_id(uid(1)) == f"uuid:{uid(1)}"
    assert file_import.normalise_instance_id(f"uuid:{uid(1).upper()}") == f"uuid:{uid(1)}"
    assert file_import.normalise_instance_id(" UUID:" + uid(1)) == f"uuid:{uid(1)}"
    assert file_import.normalise_instance_id("enketo-7:abc") == "enketo-7:abc"


# --- the command --------------------------------------------------------------------------


def test_the_command_opens_a_missing_wave_as_the_system_and_prints_the_counts(
    panel, tmp_path, capsys
):
    file = write(tmp_path, "odk.csv", odk_central_csv(ODK_ROWS))
    call_command("import_responses", str(file), panel=panel.code, wave="2024-03")
    out = capsys.readouterr().out
    assert "3 created, 0 duplicates, 0 rejected" in out
    wave = Wave.objects.get(panel=panel, period=MARCH)
    [entry] = AuditEntry.objects.about(wave)
    assert (entry.action, entry.actor) == (AuditAction.CREATE, None)
    call_command("import_responses", str(file), panel=panel.code, wave="2024-03")
    assert "0 created, 3 duplicates, 0 rejected" in capsys.readouterr().out


def test_the_command_dry_run_prints_every_problem_and_writes_nothing(panel, tmp_path, capsys):
    file = write(tmp_path, "kobo.csv", kobo_labels_csv())
    errors = tmp_path / "rejected.csv"
    call_command(
        "import_responses",
        str(file),
        panel=panel.code,
        wave="2024-03",
        dry_run=True,
        errors_file=str(errors),
    )
    captured = capsys.readouterr()
    assert "2 valid, 1 duplicates, 2 rejected" in captured.out
    assert "row 4 [B18]" in captured.err and "row 6 [respondent]" in captured.err
    assert "row 6 [VIC1]" in captured.err
    assert not Wave.objects.exists() and counts() == (0, 0)  # not even the wave
    assert errors.read_bytes().decode("utf-8-sig").count("\r\n") == 3


def test_the_command_fails_on_a_refusal_and_stores_nothing(panel, tmp_path, capsys):
    file = write(tmp_path, "kobo.csv", kobo_labels_csv())
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_responses", str(file), panel=panel.code, wave="2024-03")
    assert "row 4 [B18]" in capsys.readouterr().err
    assert counts() == (0, 0)
    assert not Wave.objects.exists()  # the wave it would have opened is not left open
    call_command("import_responses", str(file), panel=panel.code, wave="2024-03", accept_valid=True)
    assert "2 created, 1 duplicates, 2 rejected" in capsys.readouterr().out


def test_the_command_refuses_a_closed_wave(panel, wave, tmp_path):
    Wave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED)
    file = write(tmp_path, "odk.csv", odk_central_csv(ODK_ROWS))
    with pytest.raises(CommandError, match="closed"):
        call_command("import_responses", str(file), panel=panel.code, wave="2024-03")


# --- the upload page and the job ----------------------------------------------------------


def upload_url(panel) -> str:
    return reverse("panels:collection:upload", args=[panel.code])


def upload(client, panel, content: bytes, name: str = "kobo.csv", **fields):
    data = {"wave": "2024-03", "file": SimpleUploadedFile(name, content), **fields}
    return client.post(upload_url(panel), data, headers={"accept-language": "en"})


def test_the_upload_page_is_for_collectors_of_the_territory_only(
    client, panel, wave, carlos, esteban
):
    assert client.get(upload_url(panel)).status_code == 302  # anonymous: log in
    client.force_login(carlos)
    assert client.get(upload_url(panel)).status_code == 404
    assert upload(client, panel, kobo_labels_csv()).status_code == 404
    client.force_login(esteban)
    page = client.get(upload_url(panel))
    assert page.status_code == 200 and b'value="2024-03"' in page.content
    assert b"new_month" not in page.content  # only coordinators open a month


def test_the_page_shows_the_dry_run_then_imports_the_valid_rows_in_a_job(
    client, panel, wave, esteban, camila, django_capture_on_commit_callbacks
):
    client.force_login(esteban)
    report = upload(client, panel, kobo_labels_csv())
    assert report.status_code == 200
    page = report.content.decode()
    for row, column in (("4", "B18"), ("6", "respondent"), ("6", "VIC1")):
        assert f'<td class="num">{row}</td><td>{column}</td>' in page
    assert "Import the valid rows" in page and 'value="all"' not in page
    assert "_submitted_by" in page  # ignored columns are listed
    assert counts() == (0, 0)
    token = report.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("panels:collection:confirm", args=[panel.code]),
            {"token": token, "mode": "valid"},
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.result["created"], job.result["duplicates"], job.result["rejected"]) == (2, 1, 2)
    assert Submission.objects.filter(enumerator=esteban).count() == 2
    download = client.get(job.result["error_file_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0].endswith(";problems") and "R003" in content
    client.force_login(camila)  # not her job
    assert client.get(job.result["error_file_url"]).status_code == 404


def test_a_checked_file_deleted_by_the_retention_must_be_chosen_again(client, panel, wave, esteban):
    from datetime import timedelta

    from convivencia.jobs import retention

    client.force_login(esteban)
    report = upload(client, panel, odk_central_csv(ODK_ROWS), name="odk.csv")
    retention.purge(staged_older_than=timedelta(0), jobs_older_than=timedelta(days=30))
    response = client.post(
        reverse("panels:collection:confirm", args=[panel.code]),
        {"token": report.context["token"], "mode": "all"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == upload_url(panel)
    assert "no longer available" in response.content.decode()
    assert not Job.objects.exists() and counts() == (0, 0)


def test_a_clean_file_is_imported_all_at_once(
    client, panel, wave, esteban, django_capture_on_commit_callbacks
):
    client.force_login(esteban)
    report = upload(client, panel, odk_central_csv(ODK_ROWS), name="odk.csv")
    assert 'value="all"' in report.content.decode()
    assert "Import the valid rows" not in report.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("panels:collection:confirm", args=[panel.code]),
            {"token": report.context["token"], "mode": "all"},
        )
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED and job.result["created"] == 3
    assert "error_file" not in job.result


def test_a_refused_import_job_fails_naming_every_problem(
    client, panel, wave, esteban, django_capture_on_commit_callbacks
):
    client.force_login(esteban)
    report = upload(client, panel, kobo_labels_csv())
    # "Import all" is not offered with problems; a crafted request is refused by the job.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("panels:collection:confirm", args=[panel.code]),
            {"token": report.context["token"], "mode": "all"},
        )
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert "row 4 [B18]" in job.error and "nothing was imported" in job.error
    assert counts() == (0, 0)


def test_a_coordinator_imports_into_a_new_month_which_is_opened_on_confirmation(
    client, panel, camila, django_capture_on_commit_callbacks
):
    client.force_login(camila)
    report = upload(
        client, panel, odk_central_csv(ODK_ROWS), name="odk.csv", wave="new", new_month="2024-03"
    )
    assert report.status_code == 200 and report.context["new_wave"]
    assert not Wave.objects.exists()  # the dry run opened nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("panels:collection:confirm", args=[panel.code]),
            {"token": report.context["token"], "mode": "all"},
        )
    wave = Wave.objects.get(panel=panel, period=MARCH)
    assert wave.opened_by == camila
    assert Job.objects.get().result["created"] == 3


def test_an_unreadable_file_is_reported_and_nothing_can_be_confirmed(client, panel, wave, esteban):
    client.force_login(esteban)
    report = upload(client, panel, b"name,B18\nAna,5\n", name="wrong.csv")
    assert report.status_code == 200
    assert [p.column for p in report.context["file_problems"]] == ["respondent", "_uuid"]
    assert "token" not in report.context


@pytest.mark.parametrize(
    "header",
    [
        "respondent",
        "RESPONDENT_CODE",
        "datos/respondent",
        "datos-respondent_code",
        "Datos/Código del participante",
    ],
)
def test_the_respondent_column_is_found_under_any_of_its_names_and_groups(panel, tmp_path, header):
    text = f"{header},B18,_uuid\nR001,5,{uid(61)}\n"
    export = read(panel, write(tmp_path, "names.csv", text.encode()))
    assert export.columns.respondent == header
    assert export.raws[0].respondent_code == "R001"


def test_a_labels_export_names_the_respondent_by_code_and_role_and_the_code_is_kept(
    panel, tmp_path
):
    text = f"Código del participante,B18,_uuid\nR001 · Junta de Acción Comunal,5,{uid(62)}\n"
    export = read(panel, write(tmp_path, "labels.csv", text.encode()))
    assert export.raws[0].respondent_code == "R001"
