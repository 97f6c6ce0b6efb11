"""Local items: a new questionnaire version for the territory, and trends that follow codes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.panels import local_items
from convivencia.panels.choices import ItemType
from convivencia.panels.models import Questionnaire
from tests.panels.test_dashboard import SIZE, answer_wave, close, get, make_world, open_wave

ROADS_BLOCKED = {
    "code": "LOCAL_ROADS",
    "type": ItemType.SCALE,
    "wording": {
        "es": "¿Qué tan seguras son las vías veredales?",
        "en": "How safe are the rural roads?",
    },
    "scale_min": 1,
    "scale_max": 4,
    "top_min": 3,
}
MINING = {
    "code": "LOCAL_MINING",
    "type": ItemType.YES_NO,
    "wording": {"es": "¿Hay minería ilegal cerca de su vereda?"},
}


@pytest.fixture
def world(db):
    return make_world()


def test_local_items_make_a_new_version_for_the_territory(world):
    before = world.panel.questionnaire
    new = local_items.add_local_items(world.panel, [ROADS_BLOCKED, MINING], world.camila)
    world.panel.refresh_from_db()
    assert world.panel.questionnaire == new
    assert new.territory == world.places.popayan and new.based_on == before
    assert new.code == "confianza-popayan" and new.version == 1
    codes = list(new.items.values_list("code", flat=True))
    assert codes[: before.items.count()] == list(before.items.values_list("code", flat=True))
    assert codes[-2:] == ["LOCAL_ROADS", "LOCAL_MINING"]
    local = new.items.get(code="LOCAL_MINING")
    assert local.is_local and (local.scale_min, local.scale_max) == (0, 1)
    assert {c.value for c in local.choices.all()} == {0, 1, 88, 98}
    assert not new.items.get(code="B18").is_local
    # The skip logic is carried over to the copies.
    report = new.items.get(code="VIC1_REPORT")
    assert report.relevant_item == new.items.get(code="VIC1")


def test_the_change_is_audited(world):
    new = local_items.add_local_items(world.panel, [MINING], world.camila)
    assert AuditEntry.objects.about(world.panel).get(action=AuditAction.UPDATE).changes == {
        "questionnaire": [str(new.based_on), str(new)],
        "local_items": ["LOCAL_MINING"],
    }
    assert AuditEntry.objects.about(new).get().actor == world.camila


def test_other_panels_keep_their_questionnaire(world):
    local_items.add_local_items(world.panel, [MINING], world.camila)
    world.pasto.refresh_from_db()
    assert world.pasto.questionnaire.territory is None


def test_a_second_addition_continues_the_territorys_own_versions(world):
    first = local_items.add_local_items(world.panel, [MINING], world.camila)
    second = local_items.add_local_items(world.panel, [ROADS_BLOCKED], world.camila)
    assert (second.code, second.version, second.based_on) == (first.code, 2, first)
    assert second.items.get(code="LOCAL_MINING").is_local


@pytest.mark.parametrize(
    "spec",
    [
        {**MINING, "code": "B18"},  # an existing code
        {**MINING, "code": "b18"},  # the same, in another case
        {**MINING, "code": "2BAD"},
        {**MINING, "type": "slider"},
        {**MINING, "wording": {"es": " "}},
        {**ROADS_BLOCKED, "scale_min": 4},
        {**ROADS_BLOCKED, "top_min": 9},
        {"code": "LOCAL_X", "type": ItemType.SINGLE, "wording": {"es": "¿Cuál?"}},
        {**MINING, "relevant": ("NOPE", [1])},
        {**MINING, "colour": "red"},
    ],
)
def test_invalid_items_are_refused_and_nothing_is_written(world, spec):
    versions = Questionnaire.objects.count()
    with pytest.raises(ValidationError):
        local_items.add_local_items(world.panel, [spec], world.camila)
    assert Questionnaire.objects.count() == versions


def test_two_new_items_with_the_same_code_are_refused(world):
    with pytest.raises(ValidationError):
        local_items.add_local_items(world.panel, [MINING, MINING], world.camila)


@pytest.mark.parametrize("persona", ["andrea", "pablo", "nadia"])
def test_only_a_coordinator_adds_local_items(world, persona):
    with pytest.raises(PermissionDenied):
        local_items.add_local_items(world.panel, [MINING], getattr(world, persona))


def test_a_local_item_depends_on_an_earlier_one(world):
    follow_up = {
        "code": "LOCAL_MINING_HARM",
        "type": ItemType.YES_NO,
        "wording": {"es": "¿Le ha afectado?"},
        "relevant": ("LOCAL_MINING", [1]),
    }
    new = local_items.add_local_items(world.panel, [MINING, follow_up], world.camila)
    assert new.items.get(code="LOCAL_MINING_HARM").relevant_item.code == "LOCAL_MINING"


@pytest.fixture
def after_switch(world):
    """March asks the local items too; January and February did not."""
    local_items.add_local_items(world.panel, [ROADS_BLOCKED, MINING], world.camila)
    world.panel.refresh_from_db()
    march = open_wave(world.panel, "2024-03")
    answer_wave(
        march,
        {n: {"B18": 2 + n % 2, "LOCAL_ROADS": 4, "LOCAL_MINING": 1} for n in range(1, SIZE + 1)},
    )
    world.march = close(march)
    return world


def test_trends_follow_item_codes_across_versions(client, after_switch):
    world = after_switch
    response = get(client, world, "andrea", "/panels/popayan/")
    assert response.status_code == 200
    police = next(s for s in response.context["trend"]["series"] if s["code"] == "B18")
    assert police["pct"] == [100.0, 0.0, 0.0]  # one line through both versions
    rows = {row.item.code: row for row in response.context["comparison"]}
    assert rows["LOCAL_ROADS"].current.pct_trust == 100 and rows["LOCAL_ROADS"].previous is None
    assert rows["B18"].change is not None  # the paired test matches B18 across versions
    assert "local item" in response.content.decode() or "ítem local" in response.content.decode()


def test_a_local_item_is_absent_from_earlier_waves_without_a_crash(client, after_switch):
    world = after_switch
    response = get(client, world, "andrea", "/panels/popayan/?wave=2024-02")
    assert response.status_code == 200
    assert "LOCAL_ROADS" not in {row.item.code for row in response.context["comparison"]}
    old = get(client, world, "andrea", "/api/v1/panels/popayan/results?wave=2024-01").json()
    codes = {row["item"]: row for row in old["results"]}
    assert "LOCAL_ROADS" not in codes and codes["B18"]["pct_trust"] == 100
    new = get(client, world, "andrea", "/api/v1/panels/popayan/results?wave=2024-03").json()
    assert {row["item"] for row in new["results"]} >= {"LOCAL_ROADS", "LOCAL_MINING"}


def test_the_provider_view_and_the_exports_span_the_versions(client, after_switch):
    world = after_switch
    rows = get(client, world, "pablo", "/panels/provider/").context["sections"][0]["rows"]
    police = next(row for row in rows if row.item.code == "B18")
    assert police.trend == [100.0, 0.0, 0.0]
    response = get(client, world, "camila", "/panels/popayan/export/wide.csv")
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert header.endswith("LOCAL_ROADS,LOCAL_MINING")
