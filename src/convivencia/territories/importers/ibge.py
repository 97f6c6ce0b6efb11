"""IBGE codes: Brazil's 27 federative units and 5,570 municipalities.

The municipality code has seven digits (state, four digits, check digit). A
states file has ``codigo_uf`` and ``nome``; a municipalities file has
``codigo_ibge``, ``nome`` and ``codigo_uf``, so "nome" means the state in one
and the municipality in the other: the code columns decide which file it is.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy

from convivencia.core.reading import Column, Progress, no_progress
from convivencia.territories.choices import Scheme
from convivencia.territories.data import CODE_WIDTHS, IBGE_TO_ISO
from convivencia.territories.importers import national
from convivencia.territories.importers.writer import TerritoryPlan

_STATE_CODE = ("codigo_uf", "CD_UF", "cod_uf", "Código UF")

IBGE = national.NationalCodes(
    country="BR",
    scheme=Scheme.IBGE,
    source="IBGE",
    language="pt",
    region_kind="estado",
    municipality_kind="município",
    region_word=gettext_lazy("state"),
    to_iso=IBGE_TO_ISO,
    region_code=Column("region_code", _STATE_CODE),
    region_name=Column("region_name", ("nome", "NM_UF", "Nome_UF", "nome_uf")),
    municipality_code=Column(
        "code",
        (
            "codigo_ibge",
            "CD_MUN",
            "Código Município Completo",
            "cod_mun",
            "codigo_municipio",
            "id_municipio",
        ),
    ),
    municipality_local_code=None,
    municipality_name=Column("name", ("nome", "NM_MUN", "Nome_Município", "nome_municipio")),
    municipality_region_code=Column("region_code", _STATE_CODE),
    municipality_region_name=Column("region_name", ("NM_UF", "Nome_UF", "nome_uf")),
    area=Column("area", ("AREA_KM2", "area_km2")),
    region_width=CODE_WIDTHS[Scheme.IBGE][0],
    municipality_width=CODE_WIDTHS[Scheme.IBGE][1],
)


def check(
    path: Path, *, name: str | None = None, progress: Progress = no_progress
) -> TerritoryPlan:
    return national.check(path, IBGE, name=name, progress=progress)
