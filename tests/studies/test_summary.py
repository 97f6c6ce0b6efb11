"""What leaves the studies publicly: publishable findings for the municipal brief and
the territory page, never anything from the documents."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convivencia.studies import services, summary
from convivencia.studies.models import Finding
from tests.studies.builders import make_world

pytestmark = pytest.mark.django_db


def publish(world, statement: str, publishable: bool, root: bool = True) -> Finding:
    return services.save_finding(
        Finding(
            study=world.study, statement=statement, is_root_cause=root, is_publishable=publishable
        ),
        codes=[world.segment.codes.first()],
        segments=[world.segment],
        concerns=[world.concern],
        actor=world.personas.coord_cauca,
    )


def test_the_brief_gets_publishable_findings_only_root_causes_first():
    world = make_world()
    publish(world, "Hallazgo interno.", publishable=False)
    publish(world, "Contexto publicable.", publishable=True, root=False)
    publish(world, "Nadie contesta de noche.", publishable=True)
    brief = summary.brief_findings(world.personas.places.cauca)  # a department covers Popayán
    assert brief == [
        {
            "statement": "Nadie contesta de noche.",
            "root_cause": True,
            "codes": ["Ausencia o respuesta lenta"],
            "concerns": ["La Policía tarda en llegar"],
            "study": world.study.title,
        },
        {
            "statement": "Contexto publicable.",
            "root_cause": False,
            "codes": ["Ausencia o respuesta lenta"],
            "concerns": ["La Policía tarda en llegar"],
            "study": world.study.title,
        },
    ]
    assert summary.brief_findings(world.personas.places.pasto) == []


def test_the_territory_page_shows_publishable_findings_to_anyone_and_no_text(client):
    world = make_world()
    publish(world, "Hallazgo interno.", publishable=False)
    publish(world, "Nadie contesta de noche.", publishable=True)
    page = client.get(reverse("territories:detail", args=[world.personas.places.popayan.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Nadie contesta de noche." in content
    assert "Hallazgo interno." not in content
    assert "Uno llama y no contestan" not in content and "Persona 1" not in content
