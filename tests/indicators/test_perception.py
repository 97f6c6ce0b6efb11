"""Official records beside what the panel's leaders say about being victims and reporting."""

from __future__ import annotations

import pytest
from django.test import override_settings

from convivencia.indicators import perception
from convivencia.panels import collection
from convivencia.panels.analysis import wilson
from convivencia.panels.choices import SubmissionSource, WaveStatus
from convivencia.panels.models import Item
from tests.indicators.test_explorer import make_figures
from tests.panels.builders import make_panel, make_wave, raw

CAVEAT = "key-informant panel"
# The words are checked in English, whatever LANGUAGE_CODE says.
ENGLISH = {"Accept-Language": "en"}


def answer(wave, victims: dict[int, int | None], size: int = 12, *, close: bool = True):
    """Respondents 1…size answer VIC1; ``victims`` maps a victim to VIC1_REPORT (1, 0, None)."""
    batch = []
    for number in range(1, size + 1):
        code = f"R{number:03d}"
        if number in victims:
            reported = victims[number]
            extra = {} if reported is None else {"VIC1_REPORT": reported}
            batch.append(raw(code, VIC1=1, **extra))
        else:
            batch.append(raw(code, VIC1=0))
    collection.accept(wave, batch, SubmissionSource.WEB)
    if close:
        wave.status = WaveStatus.CLOSED
        wave.save()


@pytest.fixture
def panel_figures(db):
    figures = make_figures(municipalities=2)
    panel = make_panel(figures.popayan, size=12)
    # As in the default questionnaire: being a victim is not "favourable" (no n_top).
    Item.objects.filter(code="VIC1").update(top_min=None)
    january, february = make_wave(panel, "2023-01"), make_wave(panel, "2023-02")
    answer(january, {1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0})
    answer(february, {7: 1, 8: 0})
    # An open wave is still moving: it is left out, as on the panel pages.
    answer(make_wave(panel, "2023-03"), dict.fromkeys(range(1, 13), 0), close=False)
    figures.panel = panel
    return figures


def test_shares_and_the_multiplier_add_up_the_closed_waves_of_the_year(panel_figures):
    found = perception.for_territory(panel_figures.popayan, 2023)
    assert found is not None and found.waves == 2
    assert (found.victims.count, found.victims.n) == (8, 24)
    assert found.victims.percent == pytest.approx(8 / 24 * 100)
    assert (found.victims.ci_low, found.victims.ci_high) == pytest.approx(wilson(8, 24))
    # February's two victims are withheld on the panel's pages (2 < 5 answers); the
    # year's 8 minus January's published 6 would be their answers, so the year's
    # reporting figures are withheld too.
    assert found.not_reporting.suppressed and found.not_reporting.count is None
    assert found.multiplier.suppressed and found.multiplier.value is None
    assert perception.for_territory(panel_figures.popayan, 2022) is None
    assert perception.for_territory(panel_figures.pasto, 2023) is None


def test_the_years_reporting_figures_add_up_months_that_are_each_large_enough(db):
    figures = make_figures(municipalities=1)
    panel = make_panel(figures.popayan, size=12)
    Item.objects.filter(code="VIC1").update(top_min=None)
    answer(make_wave(panel, "2023-01"), {1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0})
    answer(make_wave(panel, "2023-02"), {7: 1, 8: 0, 9: 0, 10: 0, 11: 0})
    found = perception.for_territory(figures.popayan, 2023)
    assert (found.not_reporting.count, found.not_reporting.n) == (8, 11)
    assert (found.not_reporting.ci_low, found.not_reporting.ci_high) == pytest.approx(wilson(8, 11))
    low, high = wilson(3, 11)
    assert found.multiplier.value == pytest.approx(11 / 3)
    assert (found.multiplier.low, found.multiplier.high) == pytest.approx((100 / high, 100 / low))


def test_when_no_victim_reported_the_multiplier_has_no_value_and_no_upper_bound(db):
    multiplier = perception.multiplier(0, 6)
    assert multiplier.value is None and multiplier.high is None
    assert multiplier.low == pytest.approx(100 / wilson(0, 6)[1])


@override_settings(MIN_CELL_SIZE=10)
def test_cells_below_the_minimum_are_withheld_for_everyone(client, panel_figures):
    found = perception.for_territory(panel_figures.popayan, 2023)
    assert not found.victims.suppressed  # 24 answers
    assert found.not_reporting.suppressed and found.not_reporting.count is None
    assert found.multiplier.suppressed and found.multiplier.value is None
    html = client.get(
        f"/indicators/?indicator=homicide_rate&parent={panel_figures.cauca.pk}"
        "&type=year&from=2023&to=2023",
        headers=ENGLISH,
    ).content.decode()
    section = html[html.index('data-testid="perception-table"') :]
    section = section[: section.index('data-testid="perception-caveat"')]
    assert "withheld" in section
    assert "63 %" not in section and "62 %" not in section  # 5 of 8 did not report
    assert "33 %" in section  # the share of victims rests on enough answers


def test_the_explorer_shows_the_comparison_with_the_caveat_in_plain_words(client, panel_figures):
    response = client.get(
        f"/indicators/?indicator=homicide_rate"
        f"&parent={panel_figures.cauca.pk}&type=year&from=2023&to=2023",
        headers=ENGLISH,
    )
    html = response.content.decode()
    assert 'data-testid="perception"' in html
    assert html.count('data-testid="perception-row"') == 1
    assert CAVEAT in html and "not a sample of the population" in html
    assert "33 %" in html  # the victims' share; the reporting figures are withheld
    section = html[html.index('data-testid="perception-table"') :]
    assert "withheld" in section[: section.index('data-testid="perception-caveat"')]


def test_the_territory_page_shows_it_too_and_anonymous_visitors_see_no_small_cell(
    client, panel_figures
):
    with override_settings(MIN_CELL_SIZE=30):
        html = client.get(
            f"/territories/{panel_figures.popayan.pk}/", headers=ENGLISH
        ).content.decode()
    slot = html[html.index('data-testid="indicator-slot"') :]
    assert CAVEAT in slot
    assert slot.count("withheld") >= 2
    assert "33 %" not in slot
