"""The perception panels of load_demo: the story they tell, and that they tell it honestly.

load_demo takes a while (17 panels × 24 waves through the real validation path), so
the module loads it once, inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from convivencia import demo as site_demo
from convivencia.core import demo_clock
from convivencia.dialogues import demo as dialogues_demo
from convivencia.dialogues.models import AgendaItem
from convivencia.panels import aggregates, analysis, demo
from convivencia.panels.choices import MISSING_CODES, WaveStatus
from convivencia.panels.models import (
    Aggregate,
    Answer,
    Panel,
    Respondent,
    Submission,
    Wave,
)
from convivencia.territories import demo as territories_demo

# The mark makes pytest-django create the test database; each test then runs in a
# savepoint inside the module's transaction.
pytestmark = pytest.mark.django_db


# The demo is built as if today were this day: its open wave is 2026-12, and the story's
# months (written for an open wave in 2024-12) come two years later.
TODAY = datetime.date(2026, 12, 6)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic(), demo_clock.frozen(TODAY):
        site_demo.load()
        yield
        transaction.set_rollback(True)


def wave(code: str, period: str) -> Wave:
    year, month = period.split("-")
    return Wave.objects.select_related("panel__questionnaire").get(
        panel__code=code, period=datetime.date(int(year), int(month), 1)
    )


def flagged(code: str, period: str, previous: str) -> dict[str, analysis.Change]:
    changes = analysis.compare(wave(code, period), wave(code, previous))
    return {change.item: change for change in changes if change.flagged}


def test_the_panels_are_built_before_the_dialogues_that_read_them():
    builders = site_demo.DEMO_BUILDERS
    assert builders.index(demo.build) < builders.index(dialogues_demo.build)


def test_every_demo_municipality_has_a_panel_of_fifty_with_24_monthly_waves(loaded):
    panels = list(Panel.objects.filter(code__startswith="demo-").select_related("territory"))
    assert len(panels) == len(territories_demo.MUNICIPALITIES)
    for panel in panels:
        assert panel.code == f"demo-{panel.territory.code('divipola')}"
        assert panel.local_provider_name
        assert panel.respondents.filter(replaces__isnull=True).count() == 50
        statuses = list(panel.waves.order_by("period").values_list("status", flat=True))
        assert len(statuses) == 24
        assert statuses == [WaveStatus.CLOSED] * 23 + [WaveStatus.OPEN]
    labels = [w.label for w in Wave.objects.filter(panel=panels[0]).order_by("period")]
    assert (labels[0], labels[-1]) == ("2025-01", "2026-12")
    assert Panel.objects.get(code="demo-19821").local_provider_name == "Guardia Indígena"


def test_trust_in_the_police_falls_sharply_in_tumaco_in_july(loaded):
    drop = flagged("demo-52835", "2026-07", "2026-06")
    assert "B18" in drop
    assert drop["B18"].test == "wilcoxon"
    assert drop["B18"].p_adjusted < 0.001
    assert drop["B18"].mean_change_0_100 < -15
    assert drop["B18"].pct_trust_change < -20
    # Not before: the story starts after June.
    assert "B18" not in flagged("demo-52835", "2026-06", "2026-05")


def test_trust_in_the_police_recovers_in_popayan_after_the_dialogue(loaded):
    rise = flagged("demo-19001", "2026-10", "2026-09")
    assert "B18" in rise
    assert rise["B18"].mean_change_0_100 > 15
    assert "B18" not in flagged("demo-19001", "2026-09", "2026-08")


def test_the_story_is_all_the_change_tests_flag_in_both_panels(loaded):
    found = set()
    for code in ("demo-52835", "demo-19001"):
        waves = list(
            Wave.objects.filter(panel__code=code)
            .select_related("panel__questionnaire")
            .order_by("period")
        )
        for previous, current in itertools.pairwise(waves):
            for change in analysis.compare(current, previous):
                if change.flagged:
                    found.add((code, current.label, change.item))
    assert found == {("demo-52835", "2026-07", "B18"), ("demo-19001", "2026-10", "B18")}


def test_the_aggregates_match_the_raw_answers(loaded):
    waves = list(Wave.objects.select_related("panel").filter(panel__code__startswith="demo-"))
    assert len(waves) == 24 * len(territories_demo.MUNICIPALITIES)
    assert aggregates.mismatches(waves) == []
    call_command("check_aggregates", panel="demo-52835")


def test_two_or_three_leaders_per_panel_are_replaced_from_a_given_wave(loaded):
    for panel in Panel.objects.filter(code__startswith="demo-"):
        successors = list(
            panel.respondents.filter(replaces__isnull=False).select_related("replaces")
        )
        assert 2 <= len(successors) <= 3
        for new in successors:
            old = new.replaces
            assert not old.is_active
            assert old.until_period < new.from_period
            assert demo.month(old.until_period, 1) == new.from_period
            answered_old = old.submissions.values_list("wave__period", flat=True)
            answered_new = new.submissions.values_list("wave__period", flat=True)
            assert max(answered_old, default=old.until_period) <= old.until_period
            assert min(answered_new) >= new.from_period


def test_some_leaders_miss_waves(loaded):
    panel = Panel.objects.get(code="demo-19001")
    closed = panel.waves.filter(status=WaveStatus.CLOSED)
    rates = [row.response_rate for row in analysis.retention(list(closed))]
    assert all(70 <= rate <= 100 for rate in rates)
    assert any(rate < 100 for rate in rates)


def test_contact_data_is_encrypted_and_synthetic(loaded):
    respondents = list(Respondent.objects.filter(panel__code__startswith="demo-"))
    for respondent in respondents[:60]:
        assert "Persona" not in respondent.contact_encrypted
        assert "+57" not in respondent.contact_encrypted
        contact = respondent.contact
        assert contact["name"].startswith("Persona demo ")
        number = int(contact["name"].removeprefix("Persona demo "))
        assert contact["phone"] == f"+57 300 000 {number:04d}"
    names = [respondent.contact["name"] for respondent in respondents]
    assert len(set(names)) == len(names)


def test_respondents_are_a_plausible_mix(loaded):
    respondents = Respondent.objects.filter(panel__code__startswith="demo-")
    sexes = Counter(respondents.values_list("sex", flat=True))
    assert 0.35 < sexes["female"] / sum(sexes.values()) < 0.6
    toribio = Counter(respondents.filter(panel__code="demo-19821").values_list("role", flat=True))
    assert toribio.most_common(1)[0][0] == "indigenous"
    tumaco = Counter(respondents.filter(panel__code="demo-52835").values_list("role", flat=True))
    assert tumaco.most_common(1)[0][0] == "afro"
    areas = set(respondents.values_list("area", flat=True))
    assert areas == {"rural", "urban"}


def test_answers_have_a_few_dont_knows_and_a_dark_figure_of_crime(loaded):
    answers = Answer.objects.filter(submission__wave__panel__code__startswith="demo-")
    scale = answers.filter(item__code__in=["B18", "B12", "AOJ11", "POLRESPECT"])
    missing = scale.filter(missing__in=MISSING_CODES).count() / scale.count()
    assert 0.01 < missing < 0.08
    victims = answers.filter(item__code="VIC1", missing__isnull=True)
    share = victims.filter(number=1).count() / victims.count()
    assert 0.10 < share < 0.20
    reports = answers.filter(item__code="VIC1_REPORT", missing__isnull=True)
    assert reports.filter(number=0).count() / reports.count() > 0.6


def test_extortion_and_armed_groups_top_the_concerns_in_tumaco(loaded):
    row = Aggregate.objects.get(wave=wave("demo-52835", "2026-11"), item_code="PROBLEMS")
    top = [code for code, _count in Counter(row.counts).most_common(2)]
    assert set(top) == {str(demo.EXTORTION), str(demo.ARMED_GROUPS)}


def counts() -> tuple[int, ...]:
    models = [Panel, Respondent, Wave, Submission, Answer, Aggregate, AgendaItem]
    return tuple(model.objects.count() for model in models)


def test_loading_the_demo_again_changes_nothing(loaded):
    before = counts()
    site_demo.load()
    assert counts() == before


def test_postgresql_plans_with_the_demos_real_table_sizes(loaded):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are a PostgreSQL matter")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'panels_answer'")
        [(estimated,)] = cursor.fetchall()
    assert estimated > 100_000  # not the handful a never-analysed table is taken for
