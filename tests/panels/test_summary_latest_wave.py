"""The territory page's panel section shows each panel's latest closed wave with answers.

Found per panel by one query (a subquery per panel), whatever the waves and submissions:
a country lists every municipality's panel.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from convivencia.panels.choices import SubmissionSource, WaveStatus
from convivencia.panels.models import Submission, Wave
from convivencia.panels.summary import _latest_closed_waves, panel_summary
from tests.factories import make_colombia
from tests.panels import add_respondent, make_default_panel

pytestmark = pytest.mark.django_db


def wave(panel, month: int, status: str, answered: bool) -> Wave:
    made = Wave.objects.create(panel=panel, period=datetime.date(2026, month, 1), status=status)
    if answered:
        respondent = panel.respondents.first()
        Submission.objects.create(
            wave=made,
            respondent=respondent,
            instance_id=f"uuid:{panel.code}-{month}",
            source=SubmissionSource.WEB,
        )
    return made


def test_the_latest_closed_wave_with_answers_is_chosen_not_an_empty_or_open_one():
    places = make_colombia()
    panel = make_default_panel(places.popayan, code="popayan")
    add_respondent(panel, "R001")
    wave(panel, 1, WaveStatus.CLOSED, answered=True)
    chosen = wave(panel, 2, WaveStatus.CLOSED, answered=True)
    wave(panel, 3, WaveStatus.CLOSED, answered=False)  # closed without answers
    wave(panel, 4, WaveStatus.OPEN, answered=True)  # figures still moving
    assert _latest_closed_waves([panel]) == {panel.pk: chosen}


def test_a_panel_without_a_closed_answered_wave_has_no_latest_wave():
    places = make_colombia()
    panel = make_default_panel(places.pasto, code="pasto")
    add_respondent(panel, "R001")
    wave(panel, 1, WaveStatus.OPEN, answered=True)
    wave(panel, 2, WaveStatus.CLOSED, answered=False)
    assert _latest_closed_waves([panel]) == {}
    entry = panel_summary(places.colombia)["panel_summary"]["panels"][0]
    assert entry["wave"] is None


def test_many_panels_cost_the_same_queries_as_one():
    places = make_colombia()
    panels = []
    for number, territory in enumerate([places.popayan, places.pasto, places.cauca]):
        panel = make_default_panel(territory, code=f"panel-{number}")
        add_respondent(panel, "R001")
        wave(panel, 1, WaveStatus.CLOSED, answered=True)
        panels.append(panel)
    with CaptureQueriesContext(connection) as one:
        _latest_closed_waves(panels[:1])
    with CaptureQueriesContext(connection) as three:
        latest = _latest_closed_waves(panels)
    assert len(three) == len(one) == 2
    assert set(latest) == {panel.pk for panel in panels}
