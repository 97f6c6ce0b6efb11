"""INEGI's Marco Geoestadístico codes: Mexico's 32 states and 2,475 municipalities.

The municipality code is five digits: the state's ``cve_ent`` and the
three-digit ``cve_mun``. Files give it whole (``cve_geo``, ``CVEGEO``) or in
its two parts.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy

from convivencia.core.reading import Column, Progress, no_progress
from convivencia.territories.choices import Scheme
from convivencia.territories.data import CODE_WIDTHS, INEGI_TO_ISO
from convivencia.territories.importers import national
from convivencia.territories.importers.writer import TerritoryPlan

_STATE_CODE = ("cve_ent", "CVE_ENT", "Clave de la entidad", "clave_entidad", "cve_estado")
_STATE_NAME = (
    "nombre_estado",
    "NOM_ENT",
    "Nombre de la entidad",
    "nombre_entidad",
    "entidad",
    "estado",
)

INEGI = national.NationalCodes(
    country="MX",
    scheme=Scheme.INEGI,
    source="INEGI Marco Geoestadístico",
    language="es",
    region_kind="estado",
    municipality_kind="municipio",
    region_word=gettext_lazy("state"),
    to_iso=INEGI_TO_ISO,
    region_code=Column("region_code", _STATE_CODE),
    region_name=Column("region_name", _STATE_NAME),
    municipality_code=Column("code", ("cve_geo", "CVEGEO", "Clave geoestadística")),
    municipality_local_code=Column(
        "local_code",
        (
            "cve_mun",
            "CVE_MUN",
            "Clave del municipio",
            "clave_municipio",
        ),
    ),
    municipality_name=Column(
        "name",
        (
            "nombre_municipio",
            "NOM_MUN",
            "Nombre del municipio",
            "municipio",
        ),
    ),
    municipality_region_code=Column("region_code", _STATE_CODE),
    municipality_region_name=Column("region_name", _STATE_NAME),
    region_width=CODE_WIDTHS[Scheme.INEGI][0],
    municipality_width=CODE_WIDTHS[Scheme.INEGI][1],
)


def check(
    path: Path, *, name: str | None = None, progress: Progress = no_progress
) -> TerritoryPlan:
    return national.check(path, INEGI, name=name, progress=progress)
