"""Migration 0006 moves the breakdown rows into their item's row, and back, losing nothing."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from convivencia.panels import aggregates, collection
from convivencia.panels.choices import SubmissionSource
from convivencia.panels.models import Aggregate
from tests.factories import make_colombia
from tests.panels.builders import make_panel, make_wave, raw

BEFORE = ("panels", "0005_answer_without_item_index")
PACKED = ("panels", "0006_aggregate_breakdowns_in_one_row")


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def stored() -> dict:
    return {
        (row.wave_id, row.item_code): (
            row.n,
            row.n_missing,
            row.n_top,
            row.total,
            row.total_sq,
            row.counts,
            row.breakdowns,
        )
        for row in Aggregate.objects.all()
    }


@pytest.mark.django_db(transaction=True)
def test_breakdown_rows_are_unpacked_by_the_reverse_migration_and_packed_again():
    panel = make_panel(make_colombia().popayan)
    wave = make_wave(panel, "2024-03")
    collection.accept(
        wave,
        [
            raw(
                f"R{number:03d}",
                B18=number % 7 + 1,
                AOJ11=88 if number == 3 else 2,
                PROBLEMS="1 3" if number % 2 else "2",
            )
            for number in range(1, 8)
        ],
        SubmissionSource.WEB,
    )
    original = stored()
    assert all(breakdowns for *_sums, breakdowns in original.values())
    try:
        apps = migrate(BEFORE)
        old = apps.get_model("panels", "Aggregate")
        unpacked = {
            (row.item_code, row.breakdown): (row.n, row.total, row.counts)
            for row in old.objects.all()
        }
        # One row per group of respondents: sex, area, and everyone.
        assert unpacked[("B18", "all")] == (
            7,
            original[(wave.pk, "B18")][3],
            original[(wave.pk, "B18")][5],
        )
        assert unpacked[("B18", "sex:female")][0] == 4
        assert {key for _code, key in unpacked} == {
            "all",
            "sex:female",
            "sex:male",
            "area:rural",
            "area:urban",
        }
        migrate(PACKED)
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    assert stored() == original
    assert aggregates.mismatches([wave]) == []
