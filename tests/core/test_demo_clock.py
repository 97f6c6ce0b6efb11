"""The demo's clock: the story's dates, moved to today's calendar by whole months."""

from __future__ import annotations

import datetime

from convivencia.core import demo_clock

DECEMBER_2026 = datetime.date(2026, 12, 6)


def test_the_story_moves_by_the_months_from_its_reference_to_today():
    with demo_clock.frozen(DECEMBER_2026):
        assert demo_clock.today() == DECEMBER_2026
        assert demo_clock.months() == 24
        assert demo_clock.shift(datetime.date(2024, 12, 1)) == datetime.date(2026, 12, 1)
        assert demo_clock.shift(datetime.date(2024, 9, 12)) == datetime.date(2026, 9, 12)


def test_a_month_that_is_not_a_whole_year_away_still_keeps_the_open_wave_this_month():
    with demo_clock.frozen(datetime.date(2027, 3, 2)):
        assert demo_clock.months() == 27
        assert demo_clock.shift(demo_clock.REFERENCE.replace(day=1)) == datetime.date(2027, 3, 1)
        assert demo_clock.years() == 2


def test_the_end_of_a_long_month_becomes_the_end_of_a_short_one():
    assert demo_clock.add_months(datetime.date(2024, 10, 31), 4) == datetime.date(2025, 2, 28)
    assert demo_clock.add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert demo_clock.add_months(datetime.date(2024, 3, 15), -15) == datetime.date(2022, 12, 15)


def test_the_story_texts_name_the_moved_waves_and_years():
    with demo_clock.frozen(datetime.date(2027, 2, 10)):
        text = demo_clock.retell("58% en 2024-01 → 41% en 2024-11; PISCC 2024–2027")
    assert text == "58% en 2026-03 → 41% en 2027-01; PISCC 2026–2029"


def test_without_a_frozen_day_the_clock_reads_the_real_today():
    from django.utils import timezone

    with demo_clock.frozen(DECEMBER_2026):
        pass
    assert demo_clock.today() == timezone.localdate()
