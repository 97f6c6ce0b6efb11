"""The commitment statuses every installation starts with.

Data migration 0002 writes them from this list; this module puts them back after a database
flush (tests, `convivencia flush`) the way Django restores content types: on
post_migrate, and only when the table is empty, so an administrator's own set of
statuses is never touched.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS

# (code, names, default progress, final, claims completion)
DEFAULT_STATUSES = [
    (
        "not_started",
        {"es": "Sin iniciar", "en": "Not started", "pt": "Não iniciado"},
        0,
        False,
        False,
    ),
    (
        "in_progress",
        {"es": "En curso", "en": "In progress", "pt": "Em andamento"},
        25,
        False,
        False,
    ),
    ("delayed", {"es": "Retrasado", "en": "Delayed", "pt": "Atrasado"}, 25, False, False),
    (
        "reported_done",
        {"es": "Reportado como cumplido", "en": "Reported done", "pt": "Informado como cumprido"},
        100,
        False,
        True,
    ),
    (
        "verified",
        {"es": "Cumplido y verificado", "en": "Done and verified", "pt": "Cumprido e verificado"},
        100,
        True,
        False,
    ),
    ("cancelled", {"es": "Cancelado", "en": "Cancelled", "pt": "Cancelado"}, 0, True, False),
]


def seed_if_empty(apps: Any = None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> int:
    """Create the default statuses when there are none; returns how many were created."""
    if apps is None:
        from django.apps import apps
    try:
        model = apps.get_model("dialogues", "CommitmentStatus")
    except LookupError:
        return 0  # migrating backwards past the model
    if model.objects.using(using).exists():
        return 0
    model.objects.using(using).bulk_create(
        [
            model(
                code=code,
                name=name,
                default_progress=progress,
                is_final=final,
                claims_completion=claims,
                position=position,
            )
            for position, (code, name, progress, final, claims) in enumerate(DEFAULT_STATUSES)
        ]
    )
    return len(DEFAULT_STATUSES)
