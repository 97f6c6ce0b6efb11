"""Suppression against an attacker's arithmetic: no subtraction of published figures
may describe fewer than MIN_CELL_SIZE respondents (issue: "Protect the leaders").

The personas are those of ``test_dashboard.make_world``: camila coordinates Cauca,
andrea analyses it, luz is a community leader of Popayán, pablo the police liaison
of Popayán, julia the judiciary's liaison for Cauca.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convivencia.panels import suppression
from convivencia.panels.models import Respondent
from tests.panels import add_respondent, make_default_panel
from tests.panels.test_dashboard import answer_wave, close, get, make_world, open_wave

K = 5


@pytest.fixture
def world(db):
    world = make_world()
    # The attack as it was found: one respondent who is neither female nor male.
    Respondent.objects.filter(panel=world.panel, code="R016").update(sex="other")
    march = open_wave(world.panel, "2024-03")
    answer_wave(march, {n: {"B18": 1 + n % 7, "JUDGES": 1 + n % 3} for n in range(1, 17)})
    world.march = close(march)
    return world


def results(client, world, persona: str, breakdown: str, wave: str = "2024-03") -> dict:
    response = get(
        client, world, persona, f"/api/v1/panels/popayan/results?wave={wave}&breakdown={breakdown}"
    )
    assert response.status_code == 200
    return {row["item"]: row for row in response.json()["results"]}


def test_all_minus_female_minus_male_no_longer_gives_the_other_respondents_answers(client, world):
    # 16 answers: 8 female (R001…R015 odd), 7 male (R002…R014 even), 1 other (R016).
    everyone, female, male, other = (
        results(client, world, "luz", key) for key in ("all", "sex:female", "sex:male", "sex:other")
    )
    assert not everyone["B18"]["suppressed"] and everyone["B18"]["n"] == 16
    assert other["B18"]["suppressed"] and other["B18"]["n"] is None
    assert other["B18"]["counts"] is None and other["B18"]["n_missing"] is None
    # Withholding "other" alone would leave it one subtraction away: the smallest
    # group shown beside it (male, 7) is withheld too, so the remainder is 8 people.
    assert male["B18"]["suppressed"] and male["B18"]["n"] is None
    assert not female["B18"]["suppressed"] and female["B18"]["n"] == 8
    remainder = everyone["B18"]["n"] - female["B18"]["n"]
    assert remainder >= K


def test_the_coordinator_still_sees_every_group(client, world):
    other = results(client, world, "camila", "sex:other")
    assert not other["B18"]["suppressed"] and other["B18"]["n"] == 1


def test_the_same_groups_are_withheld_in_the_aggregates_file(client, world):
    response = get(client, world, "andrea", "/panels/popayan/export/aggregates.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    march = {
        row["breakdown"]: row for row in rows if row["wave"] == "2024-03" and row["item"] == "B18"
    }
    assert march["sex:other"]["suppressed"] == "1" and march["sex:other"]["n"] == ""
    assert march["sex:male"]["suppressed"] == "1" and march["sex:male"]["n"] == ""
    assert march["sex:female"]["n"] == "8" and march["all"]["n"] == "16"


def test_a_withheld_cell_shows_no_count_on_the_dashboard(client, world):
    html = get(
        client, world, "luz", "/panels/popayan/?wave=2024-03&breakdown=sex:other"
    ).content.decode()
    assert "n=1" not in html and ">1<" not in html


def test_an_open_wave_is_for_coordinators_only(client, world):
    april = open_wave(world.panel, "2024-04")
    answer_wave(april, {n: {"B18": 7} for n in range(1, 17)})
    assert results(client, world, "luz", "all", "2024-04")["B18"]["suppressed"]
    assert not results(client, world, "camila", "all", "2024-04")["B18"]["suppressed"]


def test_a_paired_change_that_leaves_out_one_respondent_shows_only_its_verdict(client, world):
    # April: everyone but R001 answers again, so the pairs are 15 of March's 16. The mean
    # change among the pairs, beside March's 16 and April's 15, would give R001's answer.
    april = open_wave(world.panel, "2024-04")
    answer_wave(april, {n: {"B18": 7} for n in range(2, 17)})
    close(april)
    march = results(client, world, "luz", "all", "2024-03")["B18"]
    leader = results(client, world, "luz", "all", "2024-04")["B18"]
    change = leader["change"]
    assert leader["n"] == 15 and change["n_pairs"] == 15 and change["flagged"]
    assert change["paired"] is False
    assert change["p_value"] is None and change["p_adjusted"] is None
    # The change shown is the plain difference of the two published shares.
    assert change["pct_trust_change"] == pytest.approx(leader["pct_trust"] - march["pct_trust"])
    coordinator = results(client, world, "camila", "all", "2024-04")["B18"]["change"]
    assert coordinator["paired"] is True and coordinator["p_value"] is not None
    assert coordinator["pct_trust_change"] != change["pct_trust_change"]


def test_a_police_liaison_sees_the_police_and_the_context_but_not_the_judges(client, world):
    items = results(client, world, "pablo", "all")
    assert "B18" in items and "JUDGES" not in items
    assert all(row["provider"] in ("", "police") for row in items.values())
    html = get(client, world, "pablo", "/panels/popayan/?wave=2024-03").content.decode()
    assert "JUDGES" not in html
    judges = results(client, world, "julia", "all")
    assert "JUDGES" in judges and "B18" not in judges


def test_the_map_withholds_a_municipality_whose_panels_pooled_reveal_a_small_one(client, world):
    # A second panel in Popayán with three respondents: withheld on its own page, so the
    # pooled map cell (19 answers) minus the first panel (16) would be its answers.
    small = make_default_panel(world.places.popayan, code="popayan-2")
    for number in range(1, 4):
        add_respondent(small, f"S{number:03d}", sex="female")
    wave = open_wave(small, "2024-03")
    answer_wave(wave, {n: {"B18": 7} for n in range(1, 4)}, prefix="S")
    close(wave)
    payload = get(
        client, world, "andrea", "/panels/map/data.geojson?item=B18&period=2024-03"
    ).json()
    popayan = next(f for f in payload["features"] if f["properties"]["name"] == "Popayán")
    assert popayan["properties"]["status"] == "suppressed"
    assert popayan["properties"]["n"] is None and popayan["properties"]["value"] is None


def test_sums_of_parts_are_published_only_when_the_withheld_parts_are_many_enough():
    assert suppression.sum_publishable(30, [30], K)
    assert not suppression.sum_publishable(33, [30, 3], K)
    assert suppression.sum_publishable(36, [30, 3, 3], K)
    assert not suppression.sum_publishable(4, [4], K)


def test_a_change_is_published_only_when_the_pairs_leave_out_none_or_many():
    assert suppression.change_publishable(16, 16, 16, K)
    assert not suppression.change_publishable(15, 16, 15, K)
    assert suppression.change_publishable(10, 15, 10, K)
    assert not suppression.change_publishable(4, 4, 4, K)


# The property: no linear combination of the published cells of one wave and item —
# "all" and every group of every attribute a person can ask for — describes between 1
# and k − 1 people, among those asked or among those whose answer counts.

VALUES = {
    "sex": st.sampled_from(["female", "male", "other", ""]),
    "age_band": st.sampled_from(["18_29", "30_44", "45_59", ""]),
    "role": st.sampled_from(["jac", "ethnic", ""]),
    "area": st.sampled_from(["rural", "urban", ""]),
}
PERSON = st.tuples(st.tuples(*VALUES.values()), st.booleans())


def _published_vectors(people, keys: set[str]) -> np.ndarray:
    rows = []
    for key in keys:
        if key == "all":
            rows.append([1.0] * len(people))
            continue
        attribute, _sep, value = key.partition(":")
        index = suppression.ATTRIBUTES.index(attribute)
        rows.append([1.0 if values[index] == value else 0.0 for values, _answered in people])
    return np.array(rows).reshape(len(rows), len(people))


def _smallest_isolated(matrix: np.ndarray, k: int) -> int | None:
    """The size of the smallest set of columns (fewer than k) that some combination of the
    rows is supported on: removing the set lowers the rank. None when there is none."""
    if matrix.size == 0:
        return None
    columns = matrix.shape[1]
    rank = np.linalg.matrix_rank(matrix)
    for size in range(1, min(k, columns + 1)):
        for chosen in itertools.combinations(range(columns), size):
            rest = [c for c in range(columns) if c not in chosen]
            lower = np.linalg.matrix_rank(matrix[:, rest]) if rest else 0
            if lower < rank:
                return size
    return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(PERSON, min_size=1, max_size=11), k=st.sampled_from([2, 3, 5]))
def test_no_combination_of_published_cells_isolates_fewer_than_k_people(people, k):
    keys = suppression.breakdown_rule(people, k)
    if not keys:
        return
    matrix = _published_vectors(people, keys)
    # Among everyone asked (counts of "don't know" are published too) …
    assert _smallest_isolated(matrix, k) is None, keys
    # … and among those whose answers make the means, shares and counts.
    answered = [index for index, (_values, has_answer) in enumerate(people) if has_answer]
    assert _smallest_isolated(matrix[:, answered], k) is None, keys


@settings(max_examples=60, deadline=None)
@given(people=st.lists(PERSON, min_size=1, max_size=30))
def test_every_group_shown_has_at_least_k_answers(people):
    for key in suppression.breakdown_rule(people, K) - {"all"}:
        attribute, _sep, value = key.partition(":")
        index = suppression.ATTRIBUTES.index(attribute)
        assert sum(1 for values, answered in people if answered and values[index] == value) >= K


def test_the_rule_is_the_same_whichever_breakdown_is_asked_for(client, world):
    seen = {
        key: results(client, world, "luz", key)["B18"]["suppressed"]
        for key in ("sex:female", "sex:male", "sex:other", "area:rural", "area:urban")
    }
    again = {
        key: results(client, world, "luz", key)["B18"]["suppressed"] for key in reversed(list(seen))
    }
    assert seen == again


def test_a_coordinators_read_of_small_cells_through_the_api_is_audited(client, world):
    from convivencia.accounts.models import AuditEntry

    results(client, world, "camila", "sex:other")
    entry = AuditEntry.objects.filter(actor=world.camila, action="read_personal").last()
    assert entry is not None and entry.changes["breakdown"] == "sex:other"
    results(client, world, "luz", "all")
    assert not AuditEntry.objects.filter(actor=world.luz, action="read_personal").exists()
