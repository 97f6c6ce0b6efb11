"""A synthetic characterization study in Popayán (19001) for the demo.

Three invented interviews in Spanish, de-identified through the same service as real
uploads, coded by the demo's coordinator and analyst (so agreement can be computed), and
findings linked to the concerns of the Popayán dialogue. Dates are relative to today.
Every person and place name below is invented.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model

from convivencia.core import demo_clock
from convivencia.dialogues.models import Concern, Process
from convivencia.studies import services
from convivencia.studies.choices import StudyRole
from convivencia.studies.models import Document, Finding, Study
from convivencia.territories.models import Territory

TITLE = "Raíces de la desconfianza en la Comuna 2 de Popayán (demo)"

INTERVIEWS: list[dict[str, Any]] = [
    {
        "title": "Entrevista 1 — lideresa comunal",
        "days_ago": 40,
        "locality": "Comuna 2",
        "actor_type": "community_leader",
        "sex": "female",
        "age_band": "45_59",
        "people": ["Rosalba Mosquera", "Jhon Fredy"],
        "places": ["vereda La Cabuyera"],
        "text": (
            "Entrevistadora: ¿Qué pasa cuando alguien del barrio llama a la Policía?\n\n"
            "Rosalba Mosquera: Uno llama al cuadrante y no contestan. Una vez a mi vecino le "
            "robaron la moto y la patrulla llegó a las dos horas, cuando ya no había nada que "
            "hacer.\n\n"
            "Entrevistadora: ¿Y las denuncias?\n\n"
            "Rosalba Mosquera: La gente no denuncia porque dicen que los mismos que uno denuncia "
            "se enteran. A Jhon Fredy lo amenazaron después de ir a la Fiscalía. Mejor quedarse "
            "callado.\n\n"
            "Rosalba Mosquera: Y cuando vienen, tratan a los muchachos como si todos fueran "
            "ladrones. En la vereda La Cabuyera los requisan todos los días."
        ),
    },
    {
        "title": "Entrevista 2 — joven del barrio",
        "days_ago": 35,
        "locality": "Comuna 2",
        "actor_type": "youth",
        "sex": "male",
        "age_band": "18_29",
        "people": ["Brayan Ortega"],
        "places": [],
        "text": (
            "Entrevistador: ¿Cómo es la relación de los jóvenes con la Policía?\n\n"
            "Brayan Ortega: Mala. Nos paran, nos piden papeles y nos hablan feo. Si uno tiene "
            "tatuajes ya es sospechoso.\n\n"
            "Brayan Ortega: Dicen que algunos agentes cobran a los del expendio para dejarlos "
            "trabajar. Eso lo sabe todo el mundo.\n\n"
            "Entrevistador: ¿Sabe a dónde acudir si tiene un problema?\n\n"
            "Brayan Ortega: No, nadie nos explica qué hace la Personería o la Fiscalía."
        ),
    },
    {
        "title": "Grupo focal — mujeres de la Comuna 2",
        "days_ago": 28,
        "locality": "Comuna 2",
        "actor_type": "resident",
        "sex": "female",
        "age_band": "30_44",
        "people": ["Marleny Ordóñez", "Yolanda Chantre"],
        "places": [],
        "text": (
            "Moderadora: ¿Qué pasa con las denuncias por violencia en la casa?\n\n"
            "Marleny Ordóñez: Una va a la Fiscalía, llena papeles y nunca más le dicen nada. El "
            "hombre sigue en la casa como si nada.\n\n"
            "Yolanda Chantre: A mí me dijeron que volviera otro día. Nadie sabe cómo va el "
            "caso.\n\n"
            "Marleny Ordóñez: Por la noche no llega nadie. Los senderos están oscuros y da miedo."
        ),
    },
]

# (interview index, phrase, codes by the coordinator, codes by the analyst)
CODINGS = [
    (
        0,
        "Uno llama al cuadrante y no contestan",
        ["Ausencia o respuesta lenta"],
        ["Ausencia o respuesta lenta"],
    ),
    (
        0,
        "la patrulla llegó a las dos horas",
        ["Ausencia o respuesta lenta"],
        ["Ausencia o respuesta lenta"],
    ),
    (
        0,
        "La gente no denuncia porque dicen que los mismos que uno denuncia se enteran",
        ["Miedo a represalias"],
        ["Miedo a represalias", "Connivencia con actores armados"],
    ),
    (
        0,
        "tratan a los muchachos como si todos fueran ladrones",
        ["Estigmatización"],
        ["Estigmatización"],
    ),
    (
        1,
        "Nos paran, nos piden papeles y nos hablan feo",
        ["Abuso o mala conducta", "Estigmatización"],
        ["Abuso o mala conducta"],
    ),
    (1, "algunos agentes cobran a los del expendio", ["Corrupción"], ["Corrupción"]),
    (
        1,
        "nadie nos explica qué hace la Personería o la Fiscalía",
        ["Falta de información"],
        ["Falta de información"],
    ),
    (2, "nunca más le dicen nada", ["Falta de información", "Impunidad"], ["Impunidad"]),
    (2, "El hombre sigue en la casa como si nada", ["Impunidad"], ["Impunidad"]),
    (2, "Nadie sabe cómo va el caso", ["Falta de información"], ["Falta de información"]),
    (2, "Por la noche no llega nadie", ["Ausencia o respuesta lenta"], []),
]

# (statement, root cause, publishable, codes, words of the concern titles it answers)
FINDINGS = [
    (
        "La respuesta lenta de la Policía de noche lleva a la gente a no llamar.",
        True,
        True,
        ["Ausencia o respuesta lenta"],
        ["tarda en llegar de noche"],
    ),
    (
        "El miedo a que los denunciados se enteren frena las denuncias ante la Fiscalía.",
        True,
        True,
        ["Miedo a represalias", "Falta de información"],
        ["Miedo a denunciar"],
    ),
    (
        "Los jóvenes se sienten tratados como sospechosos en los controles.",
        True,
        False,
        ["Estigmatización", "Abuso o mala conducta"],
        [],
    ),
]


def build() -> None:
    popayan = Territory.objects.with_code("divipola", "19001").get()
    users = get_user_model().objects
    coordinator = users.get(username="coordinadora.cauca")
    analyst = users.get(username="analista")
    Study.objects.filter(territory=popayan, title=TITLE).delete()
    process = Process.objects.filter(territory=popayan, title__endswith="(demo)").first()
    study = services.create_study(
        actor=coordinator,
        territory=popayan,
        process=process,
        title=TITLE,
        research_questions=(
            "¿Por qué los habitantes de la Comuna 2 desconfían de la Policía y la Fiscalía? "
            "¿Qué experiencias sostienen esa desconfianza?"
        ),
        methods="Entrevistas semiestructuradas y un grupo focal; codificación doble.",
        consent_protocol="Consentimiento oral grabado; nombres reemplazados antes del análisis.",
    )
    services.add_member(study, analyst, StudyRole.ANALYST, actor=coordinator)
    today = demo_clock.today()
    documents: list[Document] = []
    for interview in INTERVIEWS:
        document = services.add_document(
            study,
            text=services.normalise_text(str(interview["text"])),
            source_format="text",
            actor=coordinator,
            title=interview["title"],
            kind="focus_group" if "Grupo" in str(interview["title"]) else "interview",
            date=today - datetime.timedelta(days=int(str(interview["days_ago"]))),
            locality=interview["locality"],
            actor_type=interview["actor_type"],
            sex=interview["sex"],
            age_band=interview["age_band"],
        )
        services.deidentify(
            document,
            people=list(interview["people"]),
            places=list(interview["places"]),
            actor=coordinator,
        )
        document.refresh_from_db()
        documents.append(document)
    codes = {code.name: code for code in study.codes.all()}
    first_segments: dict[str, list] = {}
    for index, phrase, by_coordinator, by_analyst in CODINGS:
        document = documents[index]
        start = document.text.index(phrase)
        for coder, names in ((coordinator, by_coordinator), (analyst, by_analyst)):
            if names:
                segment = services.code_segment(
                    document,
                    coder=coder,
                    start=start,
                    end=start + len(phrase),
                    codes=[codes[name] for name in names],
                )
                for name in names:
                    first_segments.setdefault(name, []).append(segment)
    for statement, root, publishable, code_names, concern_words in FINDINGS:
        concerns = [
            concern
            for concern in Concern.objects.filter(process__territory=popayan)
            if any(words in concern.title for words in concern_words)
        ]
        services.save_finding(
            Finding(
                study=study, statement=statement, is_root_cause=root, is_publishable=publishable
            ),
            codes=[codes[name] for name in code_names],
            segments=[s for name in code_names for s in first_segments.get(name, [])[:2]],
            concerns=concerns,
            actor=coordinator,
        )
