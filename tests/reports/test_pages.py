"""The reports' pages and API as each persona meets them; the monthly job; the data
exchange page's registry; the regional overview's figures and files."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from convivencia.accounts.models import AuditEntry
from convivencia.core import slots
from convivencia.core.exchange import Export, Filters
from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job
from convivencia.panels import services as panel_services
from convivencia.reports import jobs, services
from convivencia.reports.choices import Audience
from convivencia.reports.models import Brief
from tests.reports.builders import PHONE, make_world

FEBRUARY = datetime.date(2024, 2, 1)


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def client(client, settings):
    """Pages in English, so that assertions on text do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def as_(client, world, persona: str):
    person = world.people[persona]
    if person is not None:
        client.force_login(person)
    return client


def brief_url(world, name: str = "reports:brief", period: str = "2024-02") -> str:
    return reverse(name, args=[world.places.popayan.pk, period])


def test_anyone_reads_the_public_edition_and_coordinators_their_own(client, world):
    anonymous = client.get(brief_url(world) + "?lang=en")
    assert anonymous.status_code == 200
    assert "Public edition" in anonymous.content.decode()
    assert "Salón comunal Bolívar" not in anonymous.content.decode()
    coordinator = as_(client, world, "coord_cauca").get(brief_url(world) + "?lang=en")
    assert "Coordinators' edition" in coordinator.content.decode()
    assert "Salón comunal Bolívar" in coordinator.content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "analyst", "police", "coord_narino"])
def test_the_coordinators_edition_is_not_found_for_anyone_else(client, world, persona):
    response = as_(client, world, persona).get(brief_url(world) + "?edition=coordinator")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query", ["?lang=fr", "?version=abc", "?version=9", "?edition=everyone"], ids=str
)
def test_bad_parameters_are_refused(client, world, query):
    response = client.get(brief_url(world) + query)
    assert response.status_code in (400, 404)


def test_a_month_that_is_not_a_month_is_refused_by_name(client, world):
    response = client.get(brief_url(world, period="2024-13"))
    assert response.status_code == 400
    assert "2024-13" in response.content.decode()


def test_the_pdf_is_served_inline_with_its_name(client, world):
    response = client.get(brief_url(world, "reports:brief_pdf") + "?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "brief-popay" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_a_coordinator_stores_both_editions_and_is_shown_hers(client, world):
    as_(client, world, "coord_cauca")
    response = client.post(brief_url(world, "reports:generate"), {"language": "en"})
    assert response.status_code == 302
    assert "edition=coordinator&version=1" in response.url
    assert sorted(Brief.objects.values_list("audience", "version")) == [
        (Audience.COORDINATOR, 1),
        (Audience.PUBLIC, 1),
    ]
    assert AuditEntry.objects.filter(action="create").count() >= 2
    listing = client.get(reverse("reports:briefs", args=[world.places.popayan.pk]))
    assert listing.content.decode().count("version=1") >= 2
    # The stored version opens, also as PDF (made from the stored HTML once).
    stored = client.get(response.url)
    assert "Stored version 1" in stored.content.decode()
    pdf = client.get(brief_url(world, "reports:brief_pdf") + "?" + response.url.split("?")[1])
    assert pdf.content.startswith(b"%PDF-")
    assert Brief.objects.get(audience=Audience.COORDINATOR).pdf


def test_the_public_list_shows_public_versions_only(client, world):
    services.generate(world.places.popayan, FEBRUARY, "es", Audience.PUBLIC)
    services.generate(world.places.popayan, FEBRUARY, "es", Audience.COORDINATOR)
    response = client.get(reverse("reports:briefs", args=[world.places.popayan.pk]))
    page = response.content.decode()
    assert "edition=public" in page
    assert "edition=coordinator" not in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("police", 403), ("leader", 403), ("coord_narino", 404), ("nobody", 404)],
)
def test_only_coordinators_and_analysts_of_the_territory_store_briefs(
    client, world, persona, status
):
    response = as_(client, world, persona).post(
        brief_url(world, "reports:generate"), {"language": "es"}
    )
    assert response.status_code == status
    assert not Brief.objects.exists()


def test_the_api_gives_the_figures_and_hash_of_the_readers_edition(client, world):
    url = f"/api/v1/reports/briefs/{world.places.popayan.pk}/2024-02?lang=en"
    public = client.get(url).json()
    expected = services.build(world.places.popayan, FEBRUARY, "en", Audience.PUBLIC)
    assert public["audience"] == "public"
    assert public["content_hash"] == expected.content_hash
    assert public["data"]["dialogues"]["overdue_count"] == 2
    assert PHONE not in str(public)
    coordinator = as_(client, world, "coord_cauca").get(url).json()
    assert coordinator["audience"] == "coordinator"
    assert coordinator["data"]["panels"][0]["breakdowns"]


def test_the_api_stores_versions_and_lists_them(client, world):
    as_(client, world, "analyst")
    url = f"/api/v1/reports/briefs/{world.places.popayan.pk}/2024-02?lang=es"
    stored = client.post(url).json()
    assert [brief["version"] for brief in stored] == [1, 1]
    again = client.post(url).json()
    assert [brief["id"] for brief in again] == [brief["id"] for brief in stored]
    listed = client.get(f"/api/v1/reports/briefs/{world.places.popayan.pk}").json()
    # An analyst reads the public edition only.
    assert [brief["audience"] for brief in listed] == ["public"]


def test_the_api_refuses_a_bad_month_with_the_error_body(client, world):
    response = client.get(f"/api/v1/reports/briefs/{world.places.popayan.pk}/March")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_closing_a_wave_queues_its_territorys_briefs_and_the_job_writes_them(
    world, django_capture_on_commit_callbacks
):
    assert jobs.briefs_after_wave_closed in panel_services.WAVE_CLOSED_HOOKS
    with django_capture_on_commit_callbacks(execute=True):
        panel_services.close_wave(world.march, world.people["coord_cauca"])
    job = Job.objects.get(kind=jobs.MONTHLY_JOB)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.params == {"period": "2024-03", "territories": [world.places.popayan.pk]}
    assert job.progress_done == 1
    assert job.result == {"territories": 1, "created": 2, "unchanged": 0}
    assert Brief.objects.filter(period=datetime.date(2024, 3, 1)).count() == 2


def test_the_monthly_run_covers_every_territory_with_a_closed_wave_and_skips_unchanged(world):
    assert jobs.active_territories(FEBRUARY) == [world.places.popayan]
    first = jobs.generate_month(FEBRUARY, jobs.active_territories(FEBRUARY))
    second = jobs.generate_month(FEBRUARY, jobs.active_territories(FEBRUARY))
    assert (first["created"], second["created"], second["unchanged"]) == (2, 0, 2)
    assert Brief.objects.filter(pdf__isnull=False).count() == 0  # PDFs on first download


def test_the_territory_page_links_to_its_briefs(client, world):
    services.generate(world.places.popayan, FEBRUARY, "es", Audience.PUBLIC)
    page = client.get(reverse("territories:detail", args=[world.places.popayan.pk]))
    content = page.content.decode()
    assert reverse("reports:briefs", args=[world.places.popayan.pk]) in content
    assert brief_url(world) in content


# --- the data exchange page ------------------------------------------------------------------


def test_every_app_registers_its_exports_for_the_exchange_page(world):
    contributors = {function.__module__ for function in slots._listings[slots.DATA_EXCHANGE]}
    assert {
        "convivencia.evidence.exchange",
        "convivencia.panels.exchange",
        "convivencia.indicators.exchange",
        "convivencia.dialogues.exchange",
        "convivencia.reports.exchange",
        "convivencia.studies.exchange",
    } <= contributors
    assert all(
        isinstance(export, Export)
        for export in slots.listing(slots.DATA_EXCHANGE, world.people["admin"], Filters())
    )


def test_the_public_sees_public_exports_and_no_panel_files(client, world):
    page = client.get(reverse("reports:exchange")).content.decode()
    assert reverse("evidence:export", args=["csv"]) in page
    # DHIS2 through its check page, which says what a DHIS2 server would refuse.
    assert reverse("indicators:dhis2_check") in page
    assert reverse("indicators:export_dhis2_xml") in page
    assert reverse("reports:overview_export", args=["xlsx"]) in page
    assert "/panels/" not in page
    assert "Mesa reservada" not in page


def test_a_coordinator_sees_her_panels_files_and_an_analyst_not_the_respondents(client, world):
    export = reverse("panels:export", args=[world.panel.code, "aggregates.csv"])
    respondents = reverse("panels:export", args=[world.panel.code, "wide.xlsx"])
    coordinator = as_(client, world, "coord_cauca").get(reverse("reports:exchange")).content
    assert export in coordinator.decode()
    assert respondents in coordinator.decode()
    assert reverse("panels:collection:xlsform", args=[world.panel.code]) in coordinator.decode()
    assert "Mesa reservada" in coordinator.decode()
    client.logout()
    analyst = as_(client, world, "analyst").get(reverse("reports:exchange")).content.decode()
    assert export in analyst
    assert respondents not in analyst
    narino = as_(client, world, "coord_narino").get(reverse("reports:exchange")).content.decode()
    assert export not in narino


def test_the_filters_narrow_the_links(client, world):
    popayan = world.places.popayan.pk
    page = client.get(reverse("reports:exchange"), {"territory": popayan, "year": 2023})
    content = page.content.decode()
    assert f"territory={popayan}" in content
    assert "year_from=2023" in content
    assert reverse("reports:briefs", args=[popayan]) in content
    assert client.get(reverse("reports:exchange"), {"territory": 99999}).status_code == 400


# --- the regional overview -------------------------------------------------------------------


def test_the_overview_of_cauca_counts_popayans_commitments_and_rate(client, world):
    query = {"territory": world.places.cauca.pk, "year": 2023}
    response = client.get(reverse("reports:overview_export", args=["csv"]), query)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, lines = rows[0], {line[0]: line for line in rows[1:]}
    popayan = dict(zip(header, lines["Popayán"], strict=True))
    # Public: the published process's four commitments, the cancelled one left out.
    assert (popayan["commitments"], popayan["completed"]) == ("3", "1")
    assert popayan["completion rate %"] == "33.3"
    rate_column = next(name for name in header if name.endswith("2023"))
    assert float(popayan[rate_column]) == round(36 / 330_000 * 100_000, 1)
    coordinator = as_(client, world, "coord_cauca").get(
        reverse("reports:overview_export", args=["csv"]), query
    )
    lines = {line[0]: line for line in csv.reader(io.StringIO(coordinator.content.decode()))}
    assert dict(zip(header, lines["Popayán"], strict=True))["commitments"] == "4"


def test_the_overview_page_workbook_and_pdf(client, world):
    query = {"territory": world.places.cauca.pk, "year": 2023}
    page = client.get(reverse("reports:overview"), query)
    assert page.status_code == 200
    assert 'data-testid="overview-table"' in page.content.decode()
    workbook = client.get(reverse("reports:overview_export", args=["xlsx"]), query)
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames[:2] == ["Territories", "Evidence"]
    pdf = client.get(reverse("reports:overview_export", args=["pdf"]), query)
    assert pdf.content.startswith(b"%PDF-")
    assert client.get(reverse("reports:overview_export", args=["doc"]), query).status_code == 404
    assert client.get(reverse("reports:overview"), {"year": "soon"}).status_code == 400


def test_the_overview_of_a_year_shows_the_trust_of_that_years_waves_only(client, world):
    def popayan(year: int) -> dict[str, str]:
        query = {"territory": world.places.cauca.pk, "year": year}
        response = client.get(reverse("reports:overview_export", args=["csv"]), query)
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        return dict(zip(rows[0], {line[0]: line for line in rows[1:]}["Popayán"], strict=True))

    # The panel's waves are of 2024: 2023 had none to show, 2024 has its last closed one.
    assert popayan(2023)["panels"] == "0"
    assert not [name for name in popayan(2023) if name.startswith("trust index")]
    in_2024 = popayan(2024)
    assert in_2024["panels"] == "1"
    assert any(name.startswith("trust index") and value for name, value in in_2024.items())
