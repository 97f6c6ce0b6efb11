"""DANE's DIVIPOLA: Colombia's 33 departments and 1,122 municipalities.

Reads the MGN attribute table (``cod_mpio, cod_dpto, nom_dpto, nom_mpio,
area_km2``) and the column names of DANE's other downloads (the DIVIPOLA
listing's "Código Municipio", the shapefile's ``MPIO_CCNCT``).
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy

from convivencia.core.reading import Column, Progress, no_progress
from convivencia.territories.choices import Scheme
from convivencia.territories.data import CODE_WIDTHS, DIVIPOLA_TO_ISO
from convivencia.territories.importers import national
from convivencia.territories.importers.writer import TerritoryPlan

_DEPARTMENT_CODE = (
    "cod_dpto",
    "Código Departamento",
    "DPTO_CCDGO",
    "codigo_departamento",
    "cod_depto",
    "departamento_code",
)
_DEPARTMENT_NAME = (
    "nom_dpto",
    "Nombre Departamento",
    "DPTO_CNMBR",
    "nombre_departamento",
    "nom_depto",
    "departamento",
)

DIVIPOLA = national.NationalCodes(
    country="CO",
    scheme=Scheme.DIVIPOLA,
    source="DANE DIVIPOLA",
    language="es",
    region_kind="departamento",
    municipality_kind="municipio",
    region_word=gettext_lazy("department"),
    to_iso=DIVIPOLA_TO_ISO,
    region_code=Column("region_code", _DEPARTMENT_CODE),
    region_name=Column("region_name", _DEPARTMENT_NAME),
    municipality_code=Column(
        "code",
        (
            "cod_mpio",
            "Código Municipio",
            "MPIO_CCNCT",
            "codigo_municipio",
            "cod_municipio",
            "municipio_code",
            "Código DANE",
        ),
    ),
    municipality_local_code=None,
    municipality_name=Column(
        "name",
        (
            "nom_mpio",
            "Nombre Municipio",
            "MPIO_CNMBR",
            "nombre_municipio",
            "nom_municipio",
            "municipio",
        ),
    ),
    municipality_region_code=Column("region_code", _DEPARTMENT_CODE),
    municipality_region_name=Column("region_name", _DEPARTMENT_NAME),
    area=Column("area", ("area_km2", "MPIO_NAREA", "Área (km2)", "area")),
    region_width=CODE_WIDTHS[Scheme.DIVIPOLA][0],
    municipality_width=CODE_WIDTHS[Scheme.DIVIPOLA][1],
)


def check(
    path: Path, *, name: str | None = None, progress: Progress = no_progress
) -> TerritoryPlan:
    return national.check(path, DIVIPOLA, name=name, progress=progress)
