"""What the studies say publicly: the findings their coordinators marked publishable.

``brief_findings`` feeds the municipal brief (the ``reports`` app) and the territory
page's slot. Never personal data: statements the coordinators reviewed for publication,
code names, concern titles and the study's title, and nothing from the documents.
"""

from __future__ import annotations

from typing import Any

from convivencia.studies.models import Finding


def brief_findings(territory) -> list[dict[str, Any]]:
    """Publishable findings of the studies in ``territory`` or below it, root causes first."""
    findings = (
        Finding.objects.filter(
            is_publishable=True, study__territory__path__startswith=territory.path
        )
        .select_related("study")
        .prefetch_related("codes", "concerns")
        .order_by("-is_root_cause", "study__title", "pk")
    )
    return [
        {
            "statement": finding.statement,
            "root_cause": finding.is_root_cause,
            "codes": [code.name for code in finding.codes.all()],
            "concerns": [concern.title for concern in finding.concerns.all()],
            "study": finding.study.title,
        }
        for finding in findings
    ]


def study_summary(territory, user=None) -> dict[str, Any]:
    """Context for ``studies/_territory_slot.html``: how many studies, and what they found
    that may be published."""
    from convivencia.studies.models import Study

    count = Study.objects.filter(territory__path__startswith=territory.path).count()
    return {"study_summary": {"count": count, "findings": brief_findings(territory)[:5]}}
