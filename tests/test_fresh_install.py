"""A fresh installation without the demo: from ``migrate`` (the test database) through the
public files an administrator imports first, to the API answering for the standard
homicide rate and for a panel's first wave."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from convivencia.core.models import DemoDataset
from convivencia.panels.choices import ItemType
from convivencia.panels.models import Item, Panel
from tests.datafiles import shared_data
from tests.factories import make_user
from tests.panels import use_contact_key

pytestmark = pytest.mark.django_db

RESPONDENTS = [f"LID-{number:03d}" for number in range(1, 9)]


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


def run(*args: str | Path) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def write_roster(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["respondent_code", "sex", "age_band", "role", "area", "phone"])
        for number, code in enumerate(RESPONDENTS):
            writer.writerow(
                [
                    code,
                    "female" if number % 2 else "male",
                    "30_44",
                    "jac",
                    "rural",
                    f"300000000{number}",
                ]
            )
    return path


def _answer(item: Item, number: int) -> str:
    if item.type == ItemType.SCALE:
        return str(item.scale_min + number % (item.scale_max - item.scale_min + 1))
    if item.type in (ItemType.SINGLE, ItemType.MULTIPLE):
        return str(item.choices.order_by("position").first().value)
    if item.type == ItemType.YES_NO:
        return "0"
    return "1" if item.type == ItemType.NUMBER else "ninguno"


def write_wave(path: Path, panel: Panel) -> Path:
    """An ODK Central export of one wave: every leader answers every item asked of them."""
    items = list(panel.questionnaire.items.select_related("relevant_item").order_by("position"))
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["SubmissionDate", "respondent", *(item.code for item in items), "meta-instanceID"]
        )
        for number, code in enumerate(RESPONDENTS):
            answers: dict[str, str] = {}
            for item in items:
                parent = item.relevant_item
                asked = parent is None or answers.get(parent.code, "") in {
                    str(value) for value in item.relevant_values
                }
                answers[item.code] = _answer(item, number) if asked else ""
            writer.writerow(
                [
                    "2024-03-15T14:03:22.123Z",
                    code,
                    *answers.values(),
                    f"uuid:00000000-0000-4000-8000-{number:012d}",
                ]
            )
    return path


def test_a_fresh_installation_answers_the_homicide_rate_and_a_panels_results(tmp_path):
    divipola = shared_data("co/divipola_mgn2018_municipios.csv")
    population = shared_data("co/dane_poblacion_municipal_2018_2024.xlsx")
    crime = shared_data("co/policia_homicidios_2023.xls")
    assert not DemoDataset.objects.exists()

    run("import_territories", "divipola", divipola)
    run("import_population", "dane", population)
    run("import_crime", "policia-co", crime)

    response = Client().get(
        "/api/v1/indicators/homicide_rate/values", {"territory": "iso:CO", "period": "2023"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # Colombia had some 13,500 intentional homicides in 2023 among ~52 million people.
    assert 20 < body["value"] < 35
    assert body["ci_low"] < body["value"] < body["ci_high"]
    assert body["population_year"] == 2023

    run("create_panel", "popayan", "--territory", "divipola:19001")
    run("import_roster", write_roster(tmp_path / "roster.csv"), "--panel", "popayan")
    panel = Panel.objects.get(code="popayan")
    output = run(
        "import_responses",
        write_wave(tmp_path / "wave.csv", panel),
        "--panel",
        "popayan",
        "--wave",
        "2024-03",
    )
    assert f"{len(RESPONDENTS)} created" in output

    client = Client()
    client.force_login(make_user("admin", is_superuser=True, is_staff=True))
    response = client.get("/api/v1/panels/popayan/results")
    assert response.status_code == 200, response.content
    results = {result["item"]: result for result in response.json()["results"]}
    assert results["B18"]["n"] == len(RESPONDENTS)
