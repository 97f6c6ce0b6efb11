"""Municipal briefs: what the public edition holds back, what the coordinators' shows, the
figures against the dashboards' own functions, versions, the PDF and the command."""

from __future__ import annotations

import datetime
import io

import pypdf
import pytest
from django.core.management import CommandError, call_command

from convivencia.accounts.models import AuditEntry
from convivencia.panels import charts
from convivencia.reports import services
from convivencia.reports.choices import Audience
from convivencia.reports.models import Brief
from tests.panels.test_dashboard import answer_wave, close, open_wave
from tests.reports.builders import PHONE, SIZE, make_world

FEBRUARY = datetime.date(2024, 2, 1)
MARCH = datetime.date(2024, 3, 1)


@pytest.fixture
def world(db):
    return make_world()


def html_of(world, period=FEBRUARY, audience=Audience.PUBLIC, language="en") -> str:
    rendered = services.build(world.places.popayan, period, language, audience)
    return services.render_html(rendered)


def test_a_public_brief_holds_no_respondent_code_name_phone_or_venue(world):
    html = html_of(world)
    for number in range(1, SIZE + 1):
        assert f"R{number:03d}" not in html
        assert f"Lideresa {number}" not in html
    assert PHONE not in html
    for person in world.people.values():
        if person is not None:
            assert person.get_full_name() not in html
            assert person.username not in html
    # Where threatened leaders will meet is not published; the session itself is.
    assert "Segundo diálogo" in html
    assert "Salón comunal Bolívar" not in html
    # Neither is anything of an unpublished process.
    assert "Mesa reservada" not in html
    assert "Ruta de protección a lideresas" not in html


def test_the_coordinators_brief_shows_venues_breakdowns_and_unpublished_processes(world):
    html = html_of(world, audience=Audience.COORDINATOR)
    assert "Salón comunal Bolívar" in html
    assert "Ruta de protección a lideresas" in html
    assert 'data-testid="breakdown"' in html
    assert 'data-testid="breakdown"' not in html_of(world)


def test_every_public_cell_is_the_one_the_public_dashboard_functions_give(world):
    data = services.build(world.places.popayan, FEBRUARY, "en", Audience.PUBLIC).data
    expected = charts.results_by_wave([world.february], reveal_small=False)[world.february.pk]
    items = charts.items_by_code(world.panel)
    primary = charts.trust_items(items, primary_only=True)
    headline = data["panels"][0]["headline"]
    assert [row["label"] for row in headline] == [
        charts.item_label(item, world.panel) for item in primary
    ]
    for row, item in zip(headline, primary, strict=True):
        result = expected[item.code]
        assert row["now"]["n"] == result.n
        assert row["now"]["pct"] == round(result.pct_trust, 1)
        assert row["now"]["pct_low"] == round(result.pct_trust_ci_low, 1)
        assert row["now"]["pct_high"] == round(result.pct_trust_ci_high, 1)


def test_an_open_wave_is_withheld_from_the_public_and_shown_to_coordinators(world):
    public = services.build(world.places.popayan, MARCH, "en", Audience.PUBLIC).data
    coordinators = services.build(world.places.popayan, MARCH, "en", Audience.COORDINATOR).data
    assert public["panels"][0]["wave"]["closed"] is False
    assert all(row["now"]["suppressed"] for row in public["panels"][0]["headline"])
    assert all(row["now"]["n"] is None for row in public["panels"][0]["headline"])
    assert all(row["change"] is None for row in public["panels"][0]["headline"])
    assert coordinators["panels"][0]["headline"][0]["now"]["n"] == 8


def test_no_public_figure_counts_between_one_and_k_minus_one(world, settings):
    """Every n, count and share's count the public edition prints is 0 or at least k."""
    k = settings.MIN_CELL_SIZE
    for period in (FEBRUARY, MARCH):
        data = services.build(world.places.popayan, period, "en", Audience.PUBLIC).data

        def counts(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("n", "count", "members", "responded") and isinstance(value, int):
                        yield key, value
                    else:
                        yield from counts(value)
            elif isinstance(node, list):
                for value in node:
                    yield from counts(value)

        small = [(key, value) for key, value in counts(data["panels"]) if 0 < value < k]
        assert small == []


def test_the_public_brief_lists_only_problems_named_by_at_least_k_leaders(world):
    public = services.build(world.places.popayan, FEBRUARY, "en", Audience.PUBLIC).data
    coordinators = services.build(world.places.popayan, FEBRUARY, "en", Audience.COORDINATOR).data
    assert [c["count"] for c in public["panels"][0]["concerns"]] == [SIZE, SIZE]
    assert [c["count"] for c in coordinators["panels"][0]["concerns"]] == [SIZE, SIZE, 3]


def test_commitments_are_counted_by_status_as_of_the_end_of_the_month(world):
    dialogues = services.build(world.places.popayan, FEBRUARY, "en", Audience.PUBLIC).data[
        "dialogues"
    ]
    assert dialogues["as_of"] == "2024-02-29"
    assert dialogues["total"] == 4
    assert dialogues["completed_confirmed"] == 1
    assert [row["reference"] for row in dialogues["overdue"]] == ["C-2", "C-3"]
    assert [row["reference"] for row in dialogues["disputed"]] == ["C-3"]
    # One done of the three not cancelled.
    assert dialogues["completion_rate"] == 33.3
    assert [session["title"] for session in dialogues["sessions"]] == ["Segundo diálogo"]


def test_official_rates_come_with_their_population_and_the_under_reporting_caveat(world):
    data = services.build(world.places.popayan, FEBRUARY, "en", Audience.PUBLIC).data
    [row] = data["indicators"]["rows"][:1]
    assert data["indicators"]["year"] == 2023
    assert row["count"] == 36
    assert row["value"] == round(36 / 330_000 * 100_000, 1)
    assert (row["population_source"], row["population_year"]) == ("DANE", 2023)
    assert data["methods"]["population_sources"] == [{"source": "DANE", "year": 2023}]
    html = html_of(world)
    assert 'data-testid="underreporting"' in html
    assert "key-informant panel" in html


def test_a_brief_without_study_findings_says_so(world):
    html = html_of(world)
    assert 'data-testid="no-findings"' in html


def test_the_same_data_give_the_same_hash_and_no_new_version(world):
    first, created = services.generate(world.places.popayan, FEBRUARY, "es", Audience.PUBLIC)
    again, created_again = services.generate(world.places.popayan, FEBRUARY, "es", Audience.PUBLIC)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert (
        first.content_hash
        == services.build(world.places.popayan, FEBRUARY, "es", Audience.PUBLIC).content_hash
    )


def test_changed_data_store_a_new_version_and_keep_the_old_one(world):
    first, _created = services.generate(world.places.popayan, FEBRUARY, "es", Audience.PUBLIC)
    world.late.title = "Patrullajes nocturnos y diurnos"
    world.late.save()
    second, created = services.generate(world.places.popayan, FEBRUARY, "es", Audience.PUBLIC)
    assert created
    assert (first.version, second.version) == (1, 2)
    assert second.content_hash != first.content_hash
    assert Brief.objects.count() == 2
    assert "Patrullajes nocturnos y diurnos" not in Brief.objects.get(version=1).html


def test_the_languages_change_the_words_not_the_figures(world):
    briefs = {
        language: services.build(world.places.popayan, FEBRUARY, language, Audience.PUBLIC)
        for language in ("es", "pt", "en")
    }
    figures = {
        language: [row["now"]["pct"] for row in rendered.data["panels"][0]["headline"]]
        for language, rendered in briefs.items()
    }
    assert figures["es"] == figures["pt"] == figures["en"]
    assert '<html lang="pt">' in services.render_html(briefs["pt"])


def test_the_pdf_is_a4_tagged_and_paginated(world):
    pdf = services.render_pdf(html_of(world))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged, for screen readers
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            595,
            842,
        )  # A4 in points
    text = reader.pages[0].extract_text()
    assert "Popayán" in text
    assert f"1 / {len(reader.pages)}" in text  # page numbers


def test_the_command_writes_html_and_pdf(world, tmp_path):
    html_file, pdf_file = tmp_path / "brief.html", tmp_path / "brief.pdf"
    call_command(
        "brief", "divipola:19001", "2024-02", "--lang", "en", "--format", "html", "-o", html_file
    )
    call_command("brief", "divipola:19001", "2024-02", "--format", "pdf", "-o", pdf_file, "--store")
    assert "Popayán" in html_file.read_text()
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    assert Brief.objects.get().pdf is not None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["divipola:99999", "2024-02"], "No territory has the code"),
        (["19001", "2024-02"], "is not SCHEME:CODE"),
        (["divipola:19001", "2024-13"], "is not a month"),
    ],
)
def test_the_command_refuses_bad_input_by_name(world, tmp_path, arguments, message, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(CommandError, match=message):
        call_command("brief", *arguments, "-o", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_how_many_answered_a_small_wave_is_withheld_from_the_public(world):
    april = open_wave(world.panel, "2024-04")
    answer_wave(april, {n: {"B18": 5} for n in range(1, 4)})
    close(april)
    april_first = datetime.date(2024, 4, 1)
    public = services.build(world.places.popayan, april_first, "en", Audience.PUBLIC).data
    coordinators = services.build(
        world.places.popayan, april_first, "en", Audience.COORDINATOR
    ).data
    assert public["panels"][0]["retention"] is None
    assert coordinators["panels"][0]["retention"]["responded"] == 3
    assert all(row["now"]["suppressed"] for row in public["panels"][0]["headline"])


def test_storing_a_version_is_audited_with_who_asked(world):
    coordinator = world.people["coord_cauca"]
    brief, _created = services.generate(
        world.places.popayan, FEBRUARY, "es", Audience.PUBLIC, user=coordinator
    )
    entry = AuditEntry.objects.about(brief).get(action="create")
    assert entry.actor == coordinator
    assert entry.changes["hash"] == brief.content_hash
