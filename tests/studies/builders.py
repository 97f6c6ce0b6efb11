"""A study in Popayán on the personas (tests/personas.py).

Camila (``coord_cauca``) coordinates it and Andrea (``analyst``) codes; both work in
Cauca. Nariño's coordinator, Carlos, has a study of his own in Pasto. Everybody else
is outside both teams.
"""

from __future__ import annotations

from types import SimpleNamespace

from convivencia.dialogues.models import Concern, Process
from convivencia.studies import services
from convivencia.studies.choices import StudyRole
from convivencia.studies.models import Document, Finding, Study
from tests.personas import make_personas

INTERVIEW = (
    "Entrevistadora: ¿Qué pasa cuando llama a la Policía?\n\n"
    "Rosalba Mosquera: Uno llama y no contestan. La patrulla llegó a las dos horas.\n\n"
    "Rosalba Mosquera: A Jhon Fredy lo amenazaron después de ir a la Fiscalía en Puelenje.\n\n"
    "Rosalba Mosquera: Tratan a los muchachos como ladrones."
)


def make_study(
    territory, coordinator, analyst=None, title: str = "Raíces de la desconfianza"
) -> Study:
    study = services.create_study(actor=coordinator, territory=territory, title=title)
    if analyst is not None:
        services.add_member(study, analyst, StudyRole.ANALYST, actor=coordinator)
    return study


def make_document(
    study: Study, uploader, text: str = INTERVIEW, ready: bool = True, **fields
) -> Document:
    fields.setdefault("title", "Entrevista 1")
    fields.setdefault("kind", "interview")
    document = services.add_document(
        study, text=services.normalise_text(text), source_format="text", actor=uploader, **fields
    )
    if ready:
        services.deidentify(
            document,
            people=["Rosalba Mosquera", "Jhon Fredy"],
            places=["Puelenje"],
            actor=uploader,
        )
        document.refresh_from_db()
    return document


def code(document: Document, coder, phrase: str, *names: str):
    start = document.text.index(phrase)
    codes = [document.study.codes.get(name=name) for name in names]
    return services.code_segment(
        document, coder=coder, start=start, end=start + len(phrase), codes=codes
    )


def make_world() -> SimpleNamespace:
    """The personas, a Popayán study with one coded document and a Pasto study."""
    personas = make_personas()
    process = Process.objects.create(territory=personas.places.popayan, title="Diálogo Popayán")
    concern = Concern.objects.create(process=process, title="La Policía tarda en llegar")
    study = make_study(personas.places.popayan, personas.coord_cauca, personas.analyst)
    study.process = process
    study.save()
    document = make_document(study, personas.coord_cauca)
    segment = code(
        document, personas.analyst, "Uno llama y no contestan", "Ausencia o respuesta lenta"
    )
    pasto = make_study(personas.places.pasto, personas.coord_narino, title="Estudio de Pasto")
    return SimpleNamespace(
        personas=personas,
        study=study,
        document=document,
        segment=segment,
        concern=concern,
        process=process,
        pasto=pasto,
        pasto_document=make_document(pasto, personas.coord_narino),
    )


def add_access_variants(variants: dict[str, SimpleNamespace], personas: SimpleNamespace) -> None:
    """The studies' objects of the access table's world (tests/test_access_table.py): in
    ``cauca`` a Popayán study whose team is Camila (coordinator) and Andrea (analyst), with
    a document coded by Andrea and a finding; in ``narino`` a Pasto study of Carlos alone."""
    teams = {
        "cauca": (personas.places.popayan, personas.coord_cauca, personas.analyst),
        "narino": (personas.places.pasto, personas.coord_narino, None),
    }
    for name, (territory, coordinator, analyst) in teams.items():
        study = make_study(territory, coordinator, analyst, title=f"Estudio {territory.name}")
        document = make_document(study, coordinator)
        segment = code(document, analyst or coordinator, "Uno llama y no contestan", "Impunidad")
        finding = services.save_finding(
            Finding(study=study, statement="La gente deja de llamar."),
            codes=[segment.codes.first()],
            segments=[segment],
            concerns=[],
            actor=coordinator,
        )
        variants[name].__dict__.update(
            study=study,
            study_document=document,
            study_code=study.codes.first(),
            study_segment=segment,
            finding=finding,
        )
