"""Pages composed from several apps: each domain app registers its slot, none is imported."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from convivencia.core import slots
from convivencia.dialogues.summary import dialogue_summary
from convivencia.indicators.summary import indicator_summary
from convivencia.panels.summary import panel_summary


def test_the_territory_page_takes_the_slots_of_panels_indicators_and_dialogues_in_app_order():
    registered = slots.registered(slots.TERRITORY_PAGE)
    assert registered[:3] == [panel_summary, indicator_summary, dialogue_summary]


def test_every_territory_slot_names_a_template_kept_by_its_own_app():
    templates = slots.templates(slots.TERRITORY_PAGE)
    assert len(templates) == len(slots.registered(slots.TERRITORY_PAGE))
    assert templates[:3] == [
        "panels/_territory_slot.html",
        "indicators/_territory_slot.html",
        "dialogues/_territory_slot.html",
    ]
    for contribution, template in zip(
        slots.registered(slots.TERRITORY_PAGE), templates, strict=True
    ):
        app = contribution.__module__.split(".")[1]
        assert template.startswith(f"{app}/")


def test_a_slot_without_a_template_adds_context_and_draws_nothing():
    def contribution(territory):
        return {"quiet": territory}

    slots.register("test-quiet", contribution)
    assert slots.context("test-quiet", 1) == {"quiet": 1}
    assert slots.templates("test-quiet") == []


def test_registering_a_slot_twice_adds_it_once():
    def contribution(territory):
        return {"answer": territory}

    slots.register("test-once", contribution)
    slots.register("test-once", contribution)
    assert slots.context("test-once", 42) == {"answer": 42}


def test_two_slots_setting_the_same_variable_stop_the_page_naming_both():
    def first(territory):
        return {"summary": 1}

    def second(territory):
        return {"summary": 2}

    slots.register("test-clash", first)
    slots.register("test-clash", second)
    with pytest.raises(ImproperlyConfigured, match=r"second.*first.*'summary'"):
        slots.context("test-clash", None)


def test_a_page_without_slots_has_no_extra_context():
    assert slots.context("test-nobody", None) == {}
