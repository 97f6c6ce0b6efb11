"""The statistics, checked against values computed independently (by hand or textbook)."""

import math
import statistics

import pytest

from convivencia.panels import analysis, collection
from convivencia.panels.choices import SubmissionSource, WaveStatus
from tests.factories import make_colombia
from tests.panels.builders import make_panel, make_wave, raw

WEB = SubmissionSource.WEB


def test_wilson_interval_matches_the_textbook_formula():
    successes, n, z = 7, 20, 1.959963984540054
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = analysis.wilson(successes, n)
    assert low == pytest.approx((centre - half) * 100)
    assert high == pytest.approx((centre + half) * 100)


@pytest.mark.parametrize(
    "successes, n",
    [
        (0, 1),
        (1, 1),
        (0, 50),
        (50, 50),
        (1, 2),
        (3, 7),
        (7, 20),
        (23, 48),
        (49, 50),
        (611, 1122),
    ],
)
def test_wilson_interval_is_the_one_statsmodels_computes(successes, n):
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(successes, n, alpha=analysis.ALPHA, method="wilson")
    ours = analysis.wilson(successes, n)
    assert ours[0] == pytest.approx(float(low) * 100, rel=0, abs=1e-12)
    assert ours[1] == pytest.approx(float(high) * 100, rel=0, abs=1e-12)


@pytest.mark.parametrize("n", [2, 3, 10, 49, 50, 1122])
def test_mean_interval_uses_the_t_quantile_scipy_gives(n):
    from scipy import stats

    values = [(index * 7) % 5 + 1 for index in range(n)]
    total, total_sq = float(sum(values)), float(sum(v * v for v in values))
    mean, low, high = analysis.mean_interval(total, total_sq, n)
    variance = max(0.0, (total_sq - total * total / n) / (n - 1))
    half = stats.t.ppf(1 - analysis.ALPHA / 2, n - 1) * math.sqrt(variance / n)
    assert (low, high) == (mean - half, mean + half)


def test_mean_interval_from_sums_matches_the_raw_computation():
    values = [1, 3, 4, 4, 5, 6, 7, 7, 2, 5]
    mean, low, high = analysis.mean_interval(sum(values), sum(v * v for v in values), len(values))
    sd = statistics.stdev(values)
    half = 2.2621571628 * sd / math.sqrt(len(values))  # t(0.975, 9)
    assert mean == pytest.approx(statistics.mean(values))
    assert (low, high) == pytest.approx((mean - half, mean + half), rel=1e-8)


@pytest.fixture
def panel(db):
    return make_panel(make_colombia().popayan, size=12)


def close(wave):
    wave.status = WaveStatus.CLOSED
    wave.save()


def answer_all(wave, trust_by_respondent, **extra):
    batch = [
        raw(f"R{number:03d}", B18=value, **extra) for number, value in trust_by_respondent.items()
    ]
    collection.accept(wave, batch, WEB)


def test_wave_results_give_share_trusting_and_the_0_100_mean(panel):
    wave = make_wave(panel, "2024-01")
    values = {1: 7, 2: 6, 3: 5, 4: 1, 5: 2, 6: 3, 7: 4, 8: 88}
    answer_all(wave, values)
    close(wave)  # an open wave's figures are for coordinators only
    result = next(r for r in analysis.wave_results(wave) if r.item == "B18")
    scores = [v for v in values.values() if v != 88]
    assert result.n == 7 and result.n_missing == 1
    assert result.pct_trust == pytest.approx(3 / 7 * 100)
    assert result.mean_0_100 == pytest.approx((statistics.mean(scores) - 1) / 6 * 100)
    low, high = analysis.wilson(3, 7)
    assert (result.pct_trust_ci_low, result.pct_trust_ci_high) == pytest.approx((low, high))


def test_reverse_coded_items_are_scored_so_that_high_means_safe(panel):
    wave = make_wave(panel, "2024-01")
    collection.accept(wave, [raw("R001", AOJ11=1), raw("R002", AOJ11=4)], WEB)
    result = next(r for r in analysis.wave_results(wave, reveal_small=True) if r.item == "AOJ11")
    assert result.pct_trust == pytest.approx(50)  # "very safe" only
    assert result.mean_0_100 == pytest.approx(50)


def test_cells_under_the_minimum_size_are_suppressed_unless_revealed(panel, settings):
    settings.MIN_CELL_SIZE = 5
    wave = make_wave(panel, "2024-01")
    answer_all(wave, {1: 7, 2: 6, 3: 5, 4: 1})
    hidden = next(r for r in analysis.wave_results(wave) if r.item == "B18")
    assert hidden.suppressed and hidden.pct_trust is None and hidden.counts is None
    shown = next(r for r in analysis.wave_results(wave, reveal_small=True) if r.item == "B18")
    assert not shown.suppressed and shown.n == 4


def test_a_consistent_drop_in_trust_is_flagged_by_wilcoxon_on_the_same_respondents(panel):
    january, february = make_wave(panel, "2024-01"), make_wave(panel, "2024-02")
    answer_all(january, dict.fromkeys(range(1, 11), 7), VIC1=0)
    answer_all(february, {n: 7 - (n % 5) - 1 for n in range(1, 11)}, VIC1=0)
    change = next(c for c in analysis.compare(february, january) if c.item == "B18")
    assert change.test == "wilcoxon" and change.n_pairs == 10
    differences = [(7 - (n % 5) - 1) - 7 for n in range(1, 11)]
    from scipy.stats import wilcoxon

    assert change.p_value == pytest.approx(wilcoxon(differences).pvalue)
    assert change.flagged
    assert change.mean_change_0_100 < 0


def test_wilcoxon_on_ten_positive_differences_has_the_exact_textbook_p_value(panel):
    january, february = make_wave(panel, "2024-01"), make_wave(panel, "2024-02")
    # Differences 1..6 plus four of 6 would tie; use distinct ranks 1..6 and reach 7 max.
    answer_all(january, dict.fromkeys(range(1, 7), 1))
    answer_all(february, {n: 1 + n for n in range(1, 7)})
    change = next(c for c in analysis.compare(february, january) if c.item == "B18")
    assert change.p_value == pytest.approx(2 / 2**6)  # exact: all six signs positive


def test_mcnemar_exact_on_yes_no_items_matches_the_binomial_computation(panel):
    january, february = make_wave(panel, "2024-01"), make_wave(panel, "2024-02")
    collection.accept(
        january, [raw(f"R{n:03d}", VIC1=1 if n <= 10 else 0) for n in range(1, 13)], WEB
    )
    # 8 leave "yes", 2 join it: b = 8, c = 2
    after = {n: (0 if n <= 8 else 1) for n in range(1, 11)}
    after.update({11: 1, 12: 1})
    collection.accept(february, [raw(f"R{n:03d}", VIC1=v) for n, v in after.items()], WEB)
    change = next(c for c in analysis.compare(february, january) if c.item == "VIC1")
    assert change.test == "mcnemar"
    assert change.p_value == pytest.approx(2 * (1 + 10 + 45) / 1024)


def test_respondents_present_in_only_one_wave_are_left_out_of_the_paired_test(panel):
    january, february = make_wave(panel, "2024-01"), make_wave(panel, "2024-02")
    answer_all(january, {1: 5, 2: 5, 3: 5})
    answer_all(february, {2: 6, 3: 6, 4: 1})
    change = next(c for c in analysis.compare(february, january) if c.item == "B18")
    assert change.n_pairs == 2


def test_benjamini_hochberg_is_applied_across_the_items_compared(panel):
    january, february = make_wave(panel, "2024-01"), make_wave(panel, "2024-02")
    answer_all(january, dict.fromkeys(range(1, 11), 7), AOJ11=2)
    answer_all(february, dict.fromkeys(range(1, 11), 2), AOJ11=2)
    changes = {c.item: c for c in analysis.compare(february, january)}
    tested = [c for c in changes.values() if c.p_value is not None]
    from statsmodels.stats.multitest import multipletests

    expected = multipletests([c.p_value for c in tested], method="fdr_bh")[1]
    assert [c.p_adjusted for c in tested] == pytest.approx(list(expected))
    assert changes["B18"].flagged and not changes["AOJ11"].flagged


def test_retention_counts_who_answered_again(panel):
    january, february = make_wave(panel, "2024-01"), make_wave(panel, "2024-02")
    answer_all(january, dict.fromkeys(range(1, 11), 5))
    answer_all(february, dict.fromkeys(range(1, 9), 5))
    rows = analysis.retention([january, february])
    assert (rows[0].members, rows[0].responded) == (12, 10)
    assert (rows[1].retained, rows[1].retention_rate) == (8, 80)


def test_results_of_earlier_waves_survive_a_new_questionnaire_version(panel):
    from convivencia.panels.models import Item, Questionnaire

    wave = make_wave(panel, "2024-01")
    answer_all(wave, dict.fromkeys(range(1, 8), 6))
    newer = Questionnaire.objects.create(
        code="mini", version=2, title={"es": "Mini 2"}, based_on=panel.questionnaire
    )
    for item in panel.questionnaire.items.all():
        Item.objects.create(
            questionnaire=newer,
            code=item.code,
            position=item.position,
            type=item.type,
            wording=item.wording,
            scale_min=item.scale_min,
            scale_max=item.scale_max,
            top_min=item.top_min,
            reverse_coded=item.reverse_coded,
            provider=item.provider,
        )
    panel.questionnaire = newer
    panel.save()
    wave.refresh_from_db()
    close(wave)
    result = next(r for r in analysis.wave_results(wave) if r.item == "B18")
    assert result.n == 7


def test_results_for_some_items_are_those_computed_for_every_item(panel):
    from convivencia.panels import charts

    wave = make_wave(panel, "2024-01")
    answer_all(wave, {1: 7, 2: 3, 3: 5, 4: 88}, AOJ11=2)
    everything = charts.results_by_wave([wave], reveal_small=True)
    some = charts.results_by_wave([wave], reveal_small=True, codes=["B18"])
    assert set(everything[wave.pk]) >= {"B18", "AOJ11"}
    assert some == {wave.pk: {"B18": everything[wave.pk]["B18"]}}


def test_results_without_counts_are_the_same_figures(panel):
    import dataclasses

    from convivencia.panels import charts

    january, february = make_wave(panel, "2024-01"), make_wave(panel, "2024-02")
    answer_all(january, {1: 7, 2: 3, 3: 5, 4: 88}, AOJ11=2)
    answer_all(february, {1: 6, 2: 2, 3: 5, 4: 1}, AOJ11=1)
    full = charts.results_by_wave([january, february], reveal_small=True)
    light = charts.results_by_wave([january, february], reveal_small=True, with_counts=False)
    assert set(full) == set(light)
    for wave_id, results in full.items():
        assert set(results) == set(light[wave_id])
        for code, result in results.items():
            assert light[wave_id][code] == dataclasses.replace(result, counts=None)


def test_the_paired_scores_of_all_items_are_those_of_each_item_alone(panel):
    january, february = make_wave(panel, "2024-01"), make_wave(panel, "2024-02")
    answer_all(january, {1: 7, 2: 3, 3: 5, 4: 88, 5: 2}, AOJ11=2, VIC1=1)
    answer_all(february, {2: 6, 3: 2, 4: 5, 5: 2, 6: 1}, AOJ11=1, VIC1=0)
    codes = ["B18", "AOJ11", "VIC1"]
    together = analysis._paired_scores(codes, february, january)
    for code in codes:
        alone = analysis._paired_scores([code], february, january)[code]
        assert sorted(together[code]) == sorted(alone)
    # Respondents 2, 3 and 5 answered both waves; 4 said "don't know" in January.
    assert sorted(together["B18"]) == [(2.0, 2.0), (3.0, 6.0), (5.0, 2.0)]
    assert len(together["VIC1"]) == 4
