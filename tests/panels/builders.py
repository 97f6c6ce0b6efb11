"""A small questionnaire and panel built in code, for the collection and analysis tests."""

from __future__ import annotations

import datetime
import itertools

from convivencia.panels import collection
from convivencia.panels.choices import ItemType, Provider
from convivencia.panels.models import Choice, Item, Panel, Questionnaire, Respondent, Wave

_ids = itertools.count(1)


def make_questionnaire(code: str = "mini") -> Questionnaire:
    questionnaire = Questionnaire.objects.create(code=code, title={"es": "Mini", "en": "Mini"})
    trust = Item.objects.create(
        questionnaire=questionnaire,
        code="B18",
        position=1,
        type=ItemType.SCALE,
        wording={"es": "Confianza en la Policía"},
        provider=Provider.POLICE,
        scale_min=1,
        scale_max=7,
        top_min=5,
    )
    for value in (1, 7):
        Choice.objects.create(item=trust, value=value, label={"es": {1: "Nada", 7: "Mucho"}[value]})
    Item.objects.create(
        questionnaire=questionnaire,
        code="AOJ11",
        position=2,
        type=ItemType.SCALE,
        wording={"es": "Inseguridad del barrio"},
        scale_min=1,
        scale_max=4,
        top_min=3,
        reverse_coded=True,
    )
    victim = Item.objects.create(
        questionnaire=questionnaire,
        code="VIC1",
        position=3,
        type=ItemType.YES_NO,
        wording={"es": "¿Fue víctima?"},
        scale_min=0,
        scale_max=1,
        top_min=1,
    )
    Choice.objects.create(item=victim, value=1, label={"es": "Sí", "en": "Yes"})
    Choice.objects.create(item=victim, value=0, label={"es": "No", "en": "No"})
    reported = Item.objects.create(
        questionnaire=questionnaire,
        code="VIC1_REPORT",
        position=4,
        type=ItemType.YES_NO,
        wording={"es": "¿Denunció?"},
        scale_min=0,
        scale_max=1,
        top_min=1,
        relevant_item=victim,
        relevant_values=[1],
    )
    Choice.objects.create(item=reported, value=1, label={"es": "Sí"})
    Choice.objects.create(item=reported, value=0, label={"es": "No"})
    problems = Item.objects.create(
        questionnaire=questionnaire,
        code="PROBLEMS",
        position=5,
        type=ItemType.MULTIPLE,
        wording={"es": "Problemas"},
    )
    for value, label in ((1, "Hurto"), (2, "Extorsión"), (3, "Grupos armados")):
        Choice.objects.create(item=problems, value=value, label={"es": label})
    return questionnaire


def make_panel(territory, size: int = 10, code: str = "popayan") -> Panel:
    panel = Panel.objects.create(code=code, territory=territory, questionnaire=make_questionnaire())
    for number in range(1, size + 1):
        Respondent.objects.create(
            panel=panel,
            code=f"R{number:03d}",
            sex="female" if number % 2 else "male",
            area="rural" if number <= size // 2 else "urban",
        )
    return panel


def make_wave(panel: Panel, period: str) -> Wave:
    year, month = period.split("-")
    return Wave.objects.create(panel=panel, period=datetime.date(int(year), int(month), 1))


def raw(code: str, instance_id: str | None = None, row: int | None = None, **values):
    return collection.RawSubmission(
        respondent_code=code,
        values=values,
        instance_id=instance_id or f"uuid:{next(_ids)}",
        row=row,
    )
