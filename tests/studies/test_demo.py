"""The studies' demo: a Popayán study coded by two people, with findings that cite the
dialogue's concerns; safe to run twice."""

from __future__ import annotations

import pytest

from convivencia import demo
from convivencia.dialogues import demo as dialogues_demo
from convivencia.studies import analysis, summary
from convivencia.studies import demo as studies_demo
from convivencia.studies.models import Document, Finding, Segment, Study
from convivencia.territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    demo.build_people(demo.build_territories())
    dialogues_demo.build()
    studies_demo.build()


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Study, Document, Segment, Finding))


def test_the_demo_builds_twice_to_the_same_data(loaded):
    before = counts()
    studies_demo.build()
    assert counts() == before
    assert before[:2] == (1, 3)


def test_the_demo_is_de_identified_coded_by_two_people_and_linked_to_concerns(loaded):
    study = Study.objects.get()
    for document in study.documents.all():
        assert document.is_ready
        for name in ("Rosalba", "Jhon Fredy", "Brayan", "Marleny", "Yolanda", "Cabuyera"):
            assert name not in document.text
    coders = analysis.coders(study)
    assert [coder.username for coder in coders] == ["analista", "coordinadora.cauca"]
    _per_code, overall, units = analysis.agreement(study, coders[0], coders[1])
    assert units > 0 and overall.kappa is not None and 0 < overall.kappa < 1
    popayan = Territory.objects.with_code("divipola", "19001").get()
    brief = summary.brief_findings(popayan)
    assert len(brief) == 2  # the third is not publishable
    assert brief[0]["concerns"] and brief[0]["root_cause"]
    assert all(
        set(item) == {"statement", "root_cause", "codes", "concerns", "study"} for item in brief
    )
