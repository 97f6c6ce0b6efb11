"""Spreadsheet import of interventions: dry run, messy input, re-import, the job path."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import AuditEntry
from convivencia.core.reading import BadFile
from convivencia.evidence.choices import Curation
from convivencia.evidence.importers import interventions as importer
from convivencia.evidence.models import Intervention
from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job
from convivencia.territories.models import Territory
from tests.factories import grant, make_colombia, make_organisation, make_user

SPANISH_HEADERS = [
    "ID",
    "Nombre ",
    "País",
    "Territorios",
    "Escala",
    "Enfoque",
    "Problema",
    "Población",
    "Estado",
    "Año inicio",
    "Año fin",
    "Presupuesto",
    "Moneda",
    "Año del presupuesto",
    "Fuentes",
    "Notas internas",
]


def write_xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(
    path: Path, rows: list[list], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def problems_of(path: Path, **kwargs) -> set[tuple[int | None, str | None]]:
    with pytest.raises(BadFile) as caught:
        importer.check(path, **kwargs)
    return {(problem.row, problem.column) for problem in caught.value.problems}


@pytest.fixture
def places(db):
    # Commands speak the site's default language; messages are compared in English.
    with translation.override("en"):
        yield make_colombia()


GOOD_ROW = [
    "CO-001",
    "Cuadrantes  ",
    "Colombia",
    "divipola:19001; Pasto",
    "Municipal",
    "Policía",
    "Homicidio; hurto",
    "Jóvenes en riesgo",
    "Finalizado",
    2015.0,
    2018,
    1200000.0,
    "COP",
    2015.0,
    "https://example.org/cuadrantes; Informe de la Policía (2019)",
    "revisar",
]


def test_a_dry_run_on_a_messy_spreadsheet_lists_every_problem_by_row_and_column(places, tmp_path):
    path = write_xlsx(
        tmp_path / "intervenciones.xlsx",
        [
            SPANISH_HEADERS,
            GOOD_ROW,
            [None] * len(SPANISH_HEADERS),  # an empty row: skipped, still counted
            [
                "CO-002",
                "",
                "Narnia",
                "Atlantis",
                "galáctica",
                "",
                "",
                "",
                "algún día",
                "2020",
                "2019.0",
                "-5",
                "XYZ",
                "",
                "https://-bad-.example",
                "",
            ],
            [
                "CO-003",
                "Ambigua",
                "",
                "",
                "Nacional",
                "",
                "Robo, secuestro, magia",
                "",
                "En curso",
                "",
                "",
                "1.200",
                "",
                "",
                "",
                "",
            ],
            [
                "CO-001",
                "Repetida",
                "CO",
                "",
                "Nacional",
                "",
                "",
                "",
                "En curso",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ],
    )
    before = (Territory.objects.count(), AuditEntry.objects.count())
    problems = problems_of(path)
    assert problems == {
        (4, "Nombre"),
        (4, "País"),
        (4, "Escala"),
        (4, "Estado"),
        (4, "Año fin"),
        (4, "Moneda"),
        (4, "Fuentes"),
        (5, "Problema"),
        (5, "Presupuesto"),
        (6, "ID"),
    }
    assert not Intervention.objects.exists()
    assert (Territory.objects.count(), AuditEntry.objects.count()) == before


def test_the_good_row_of_a_spreadsheet_is_read_as_a_curator_meant_it(places, tmp_path):
    path = write_xlsx(tmp_path / "intervenciones.xlsx", [SPANISH_HEADERS, GOOD_ROW])
    plan = importer.check(path)
    assert plan.outcomes() == {"created": 1, "updated": 0, "unchanged": 0}
    assert plan.ignored_columns == ["Notas internas"]
    importer.write(plan)
    intervention = Intervention.objects.get(external_id="CO-001")
    assert intervention.name == "Cuadrantes"
    assert intervention.curation == Curation.DRAFT
    assert intervention.country == places.colombia
    assert set(intervention.territories.all()) == {places.popayan, places.pasto}
    assert (intervention.scale, intervention.status) == ("municipal", "completed")
    assert intervention.codes("problem") == ["homicide", "theft"]
    assert intervention.codes("population") == ["at_risk_youth"]
    assert (intervention.start_year, intervention.end_year) == (2015, 2018)
    assert (intervention.budget_amount, intervention.budget_currency) == (
        Decimal("1200000.00"),
        "COP",
    )
    assert sorted((s.citation, s.url) for s in intervention.sources.all()) == [
        ("", "https://example.org/cuadrantes"),
        ("Informe de la Policía (2019)", ""),
    ]
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.changes["created"] == 1


def test_a_latin1_semicolon_csv_with_thousands_separators_and_excel_years(places, tmp_path):
    rows = [
        [
            "id",
            "nombre",
            "name_en",
            "país",
            "escala",
            "estado",
            "presupuesto",
            "moneda",
            "año del presupuesto",
            "año inicio",
            "población",
            "fuentes",
        ],
        [
            "MX-1",
            "Prevención en Ciudad Juárez",
            "Prevention in Ciudad Juárez",
            "MEX",
            "Municipal",
            "en ejecución",
            "1.200.000",
            "MXN",
            "2015.0",
            "2015.0",
            "Mujeres|Niñas y niños",
            "Informe anual (2016)",
        ],
        [
            "CO-9",
            "Escuelas de paz ",
            "",
            "col",
            "municipal",
            "planeado",
            "1,200,000.50",
            "usd",
            "2019",
            "",
            "",
            "Evaluación (2020)",
        ],
        ["", "", "", "", "", "", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "latin1.csv", rows, encoding="latin-1", delimiter=";")
    plan = importer.check(path)
    importer.write(plan)
    mexico = Intervention.objects.get(external_id="MX-1")
    assert mexico.name == "Prevención en Ciudad Juárez"
    assert mexico.name_translations == {"en": "Prevention in Ciudad Juárez"}
    assert mexico.country_code == "MX"  # added to the territory tree from ISO 3166
    assert mexico.budget_amount == Decimal("1200000")
    assert (mexico.budget_year, mexico.start_year) == (2015, 2015)
    assert mexico.codes("population") == ["age_0_11", "women"]
    colombia = Intervention.objects.get(external_id="CO-9")
    assert colombia.budget_amount == Decimal("1200000.50")
    assert colombia.budget_usd == Decimal("1200000.50")  # USD needs no rate


def test_a_latin1_csv_dry_run_names_the_rows_and_columns_in_the_files_own_words(places, tmp_path):
    rows = [
        ["Id", "Nombre", "País", "Escala", "Estado", "Presupuesto", "Moneda", "Año presupuesto"],
        ["A-1", "Uno", "Perú", "Nacional", "Activo", "1.200", "PEN", "2020"],  # PEN: 2 decimals
        ["A-2", "Dos", "Bolivia", "Provincial", "Vigente", "1.000.000", "", "2020"],
        ["A-3", "Tres", "Chile", "Nacional", "Vigente", "5.000", "CLP", ""],
    ]
    path = write_csv(tmp_path / "datos.csv", rows, encoding="cp1252", delimiter=";")
    assert problems_of(path) == {(3, "Moneda"), (4, "Año presupuesto")}
    assert not Intervention.objects.exists()


def test_a_file_without_the_required_columns_says_which(places, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["nombre", "país"], ["Uno", "CO"]])
    assert problems_of(path) == {(1, "external_id"), (1, "scale"), (1, "status")}


def test_importing_the_same_file_again_updates_by_external_id_instead_of_duplicating(
    places, tmp_path
):
    rows = [
        ["external_id", "name", "country", "scale", "status", "focus", "sources"],
        ["R-1", "Uno", "CO", "national", "ongoing", "policing", "Fuente 1"],
        ["R-2", "Dos", "CO", "national", "ongoing", "youth; data", "Fuente 2"],
        ["R-3", "Tres", "", "multi_country", "planned", "", "https://example.org/3"],
    ]
    path = write_csv(tmp_path / "r.csv", rows)
    importer.write(importer.check(path))
    again = importer.check(path)
    assert again.outcomes() == {"created": 0, "updated": 0, "unchanged": 3}
    importer.write(again)
    assert Intervention.objects.count() == 3

    published = Intervention.objects.get(external_id="R-2")
    Intervention.objects.filter(pk=published.pk).update(curation=Curation.PUBLISHED)
    rows[2][5] = "youth"
    changed = importer.check(write_csv(tmp_path / "r.csv", rows))
    assert changed.outcomes() == {"created": 0, "updated": 1, "unchanged": 2}
    importer.write(changed)
    published.refresh_from_db()
    assert published.codes("focus") == ["youth"]
    assert published.curation == Curation.DRAFT  # the change has not been reviewed


def test_the_command_dry_run_writes_nothing_and_the_real_run_reports_counts(places, tmp_path):
    path = write_xlsx(tmp_path / "i.xlsx", [SPANISH_HEADERS, GOOD_ROW])
    out = io.StringIO()
    call_command("import_interventions", str(path), "--dry-run", stdout=out)
    assert "created 1, updated 0, unchanged 0" in out.getvalue()
    assert not Intervention.objects.exists()
    out = io.StringIO()
    call_command("import_interventions", str(path), stdout=out)
    assert "created 1, updated 0, unchanged 0" in out.getvalue()
    out = io.StringIO()
    call_command("import_interventions", str(path), stdout=out)
    assert "created 0, updated 0, unchanged 1" in out.getvalue()


def test_the_command_lists_every_problem_and_refuses(places, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["id", "name", "scale", "status", "start_year"],
            ["1", "Uno", "national", "ongoing", "1492"],
            ["2", "", "nowhere", "ongoing", ""],
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("import_interventions", str(path), stderr=err)
    assert "bad.csv, row 2, column “start_year”" in err.getvalue()
    assert "row 3, column “scale”" in err.getvalue()
    assert not Intervention.objects.exists()


def test_publish_is_for_an_administrator_who_becomes_the_reviewer(places, tmp_path):
    ana = make_user("ana")
    grant(ana, make_organisation("Programa"), Role.ADMINISTRATOR, [])
    alba = make_user("alba")
    grant(alba, make_organisation("Observatorio"), Role.ANALYST, [places.cauca])
    path = write_xlsx(tmp_path / "i.xlsx", [SPANISH_HEADERS, GOOD_ROW])
    with pytest.raises(CommandError, match="administrator"):
        call_command("import_interventions", str(path), "--publish", "--user", "alba")
    with pytest.raises(CommandError, match="--user"):
        call_command("import_interventions", str(path), "--publish")
    call_command(
        "import_interventions", str(path), "--publish", "--user", "ana", stdout=io.StringIO()
    )
    intervention = Intervention.objects.get()
    assert intervention.curation == Curation.PUBLISHED
    assert (intervention.reviewed_by, intervention.published_by) == (ana, ana)
    steps = [
        entry.changes.get("curation")
        for entry in AuditEntry.objects.about(intervention).order_by("at", "id")
    ]
    assert steps == [[None, "submitted"], ["submitted", "reviewed"], ["reviewed", "published"]]


def test_rows_to_publish_need_a_source(places, tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["id", "name", "scale", "status"],
            ["1", "Uno", "national", "ongoing"],
        ],
    )
    assert problems_of(path, publish=True) == {(2, "name")}


CELL = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "CO",
            "1.200",
            "1,200,000",
            "2015.0",
            "-3",
            "divipola:19001",
            "Popayán",
            "municipal",
            "Homicidio; hurto",
            "XYZ",
            "1e9",
            "NaN",
            "9" * 30,
            "https://",
            "www.",
            ";;",
            "|",
            ":",
        ]
    ),
)
HEADERS = [
    "external_id",
    "name",
    "country",
    "territories",
    "scale",
    "focus",
    "problem",
    "population",
    "status",
    "start_year",
    "end_year",
    "budget",
    "currency",
    "budget_year",
    "sources",
    "name_en",
    "name_language",
    "implementer_type",
]


# Plausible values per column, so that many random rows pass the check and get written.
PLAUSIBLE = {
    "external_id": ["X-1", "X-2", " X-3 "],
    "name": ["Uno", "Cuadrantes  de paz"],
    "country": ["CO", "", "Colombia", "COL"],
    "territories": ["", "divipola:19001", "Pasto"],
    "scale": ["municipal", "Nacional"],
    "focus": ["", "policing; youth", "Policía"],
    "problem": ["", "homicidio", "Robo, hurto"],
    "population": ["", "mujeres|niños"],
    "status": ["ongoing", "En curso"],
    "start_year": ["", "2015.0", "2015"],
    "end_year": ["", "2018", "2019.0"],
    "budget": ["", "1.200.000", "1200.5", "1,200,000"],
    "currency": ["COP", "usd"],
    "budget_year": ["2015", "2016.0"],
    "sources": ["", "https://example.org; Informe", "www.example.org"],
    "name_en": ["", "One"],
    "name_language": ["", "es", "inglés"],
    "implementer_type": ["", "ong", "police"],
}


@st.composite
def spreadsheet_row(draw) -> list[str]:
    row = [draw(st.sampled_from(PLAUSIBLE[header])) for header in HEADERS]
    for column in draw(st.lists(st.integers(0, len(HEADERS) - 1), max_size=3)):
        row[column] = draw(CELL)
    return row


class RolledBack(Exception):
    """Undoes one example's writes, so that examples do not see each other's rows."""


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(spreadsheet_row(), min_size=1, max_size=4))
def test_random_cells_never_cause_anything_but_a_listed_problem(places, tmp_path, rows):
    path = write_csv(tmp_path / "random.csv", [HEADERS, *rows])
    try:
        plan = importer.check(path)
    except BadFile as exc:
        assert exc.problems
        assert all(problem.message for problem in exc.problems)
        return
    # What the check lets through, the write must take.
    with pytest.raises(RolledBack), transaction.atomic():
        importer.write(plan)
        raise RolledBack


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_random_bytes_are_refused_with_a_problem_or_read(places, tmp_path, data):
    path = tmp_path / "bytes.csv"
    path.write_bytes(data)
    try:
        importer.check(path)
    except BadFile as exc:
        assert exc.problems


@pytest.fixture
def curator(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    places = make_colombia()
    alba = make_user("alba")
    grant(alba, make_organisation("Observatorio"), Role.ANALYST, [places.cauca])
    client.force_login(alba)
    return client


def test_the_upload_page_checks_then_imports_in_a_background_job(
    curator, tmp_path, django_capture_on_commit_callbacks
):
    path = write_xlsx(tmp_path / "intervenciones.xlsx", [SPANISH_HEADERS, GOOD_ROW])
    page = curator.get(reverse("evidence:curation:import")).content.decode()
    assert "Publish the rows" not in page  # an analyst cannot import as published
    with path.open("rb") as handle:
        report = curator.post(reverse("evidence:curation:import"), {"file": handle})
    assert report.status_code == 200
    assert report.context["counts"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert not Intervention.objects.exists()  # the check wrote nothing

    # The job is handed to the (immediate) task backend when the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = curator.post(
            reverse("evidence:curation:import_confirm"), {"token": report.context["token"]}
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["created"] == 1
    assert Intervention.objects.get().curation == Curation.DRAFT
    assert not list((tmp_path / "media" / "evidence" / "staged").iterdir())
    again = curator.post(
        reverse("evidence:curation:import_confirm"), {"token": report.context["token"]}
    )
    assert again.status_code == 302  # the token was used: back to the upload page
    assert Job.objects.count() == 1


def test_a_checked_file_deleted_by_the_retention_must_be_chosen_again(curator, tmp_path):
    from datetime import timedelta

    from convivencia.jobs import retention

    path = write_xlsx(tmp_path / "intervenciones.xlsx", [SPANISH_HEADERS, GOOD_ROW])
    with path.open("rb") as handle:
        report = curator.post(reverse("evidence:curation:import"), {"file": handle})
    retention.purge(staged_older_than=timedelta(0), jobs_older_than=timedelta(days=30))
    response = curator.post(
        reverse("evidence:curation:import_confirm"), {"token": report.context["token"]}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("evidence:curation:import")
    assert "no longer available" in response.content.decode()
    assert not Job.objects.exists()


def test_the_upload_page_lists_the_problems_and_offers_no_confirmation(curator, tmp_path):
    path = write_csv(
        tmp_path / "malo.csv",
        [
            ["id", "nombre", "escala", "estado"],
            ["1", "Uno", "galáctica", "en curso"],
        ],
        encoding="latin-1",
        delimiter=";",
    )
    with path.open("rb") as handle:
        report = curator.post(reverse("evidence:curation:import"), {"file": handle})
    page = report.content.decode()
    assert "1 problem found. Nothing was imported." in page
    assert "<td>escala</td>" in page and "galáctica" in page
    assert "Confirm and import" not in page
    assert not Intervention.objects.exists()


def test_a_job_with_a_bad_file_fails_with_the_problems_and_writes_nothing(
    curator, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from convivencia.accounts.models import User
    from convivencia.jobs import services as jobs

    upload = SimpleUploadedFile("malo.csv", b"id,name,scale,status\n1,Uno,galactic,ongoing\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(
            "evidence.import",
            "Import",
            {"file_name": "malo.csv"},
            user=User.objects.get(username="alba"),
            upload=upload,
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "malo.csv, row 2, column “scale”" in job.error
    assert not Intervention.objects.exists()
