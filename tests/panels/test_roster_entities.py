"""Rosters as ODK Entity lists, both ways: what we export is read back as a roster, and
ODK Central's own entity export is read or refused precisely."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from convivencia.core.reading import BadFile
from convivencia.panels.importers.roster import check, entity_id, entity_list_csv, write
from convivencia.panels.models import Panel
from tests.factories import make_colombia
from tests.panels import add_respondent, make_default_panel, use_contact_key

pytestmark = pytest.mark.django_db

CENTRAL = Path(__file__).parent.parent / "data" / "odk-central"


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


@pytest.fixture
def panels():
    places = make_colombia()
    source = make_default_panel(places.popayan, code="popayan")
    add_respondent(
        source,
        "POP-001",
        contact={"name": "María", "phone": "3001234567"},
        sex="female",
        age_band="30_44",
        role="jac",
        area="rural",
    )
    add_respondent(source, "POP-002", sex="male", age_band="60_plus", role="afro", area="urban")
    target = make_default_panel(places.popayan, code="popayan-kobo")
    return source, target


def attributes(panel: Panel) -> list[tuple[str, str, str, str, str]]:
    return list(
        panel.respondents.order_by("code").values_list("code", "sex", "age_band", "role", "area")
    )


def test_the_entity_list_carries_a_stable_uuid_per_respondent(panels):
    source, _target = panels
    rows = list(csv.DictReader(io.StringIO(entity_list_csv(source))))
    assert [row["__id"] for row in rows] == [
        entity_id(source, "POP-001"),
        entity_id(source, "POP-002"),
    ]
    assert entity_id(source, "POP-001") == entity_id(source, "POP-001")


def test_our_entity_list_is_read_back_as_the_same_roster(panels, tmp_path):
    source, target = panels
    path = tmp_path / "entities.csv"
    path.write_text(entity_list_csv(source), encoding="utf-8")
    write(check(path, target))
    assert attributes(target) == attributes(source)
    # Contact data never travels in an entity list.
    assert target.respondents.get(code="POP-001").contact == {}


def test_our_list_as_odk_central_exports_it_again_is_read_by_the_label(panels, tmp_path):
    """Uploaded to Central, the list comes back without "name": the code is in the label."""
    source, target = panels
    rows = list(csv.DictReader(io.StringIO(entity_list_csv(source))))
    central = io.StringIO()
    columns = ["__id", "label", "sex", "age_band", "role", "area", "active", "__createdAt"]
    writer = csv.writer(central)
    writer.writerow([*columns, "__version"])
    for row in rows:
        writer.writerow([*(row.get(c, "2026-11-01T00:00:00.000Z") for c in columns), 1])
    path = tmp_path / "central.csv"
    path.write_text(central.getvalue(), encoding="utf-8")
    write(check(path, target))
    assert attributes(target) == attributes(source)


def test_odk_centrals_people_list_is_refused_naming_each_label_that_is_not_a_code(panels):
    _source, target = panels
    with pytest.raises(BadFile) as refused:
        check(CENTRAL / "people-entities.csv", target)
    text = str(refused.value)
    assert "row 2" in text and "row 3" in text
    assert "“Jane (30)” is not a usable code" in text
    assert "“Alice (88)” is not a usable code" in text
    assert not target.respondents.exists()
