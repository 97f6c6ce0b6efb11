"""Crime-data importers: one module per format, one registry for the command, page and job.

Each format's ``check(path, *, name, options, progress)`` reads the whole file and
returns a ``common.Plan`` or raises ``BadFile`` listing every problem; nothing is
written until ``common.write`` stores the plan in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.core.reading import Progress, no_progress
from convivencia.indicators.importers import dhis2, policia, sesnsp, tidy
from convivencia.indicators.importers.common import Options, Plan


@dataclass(frozen=True)
class Format:
    key: str
    label: str | Promise
    summary: str | Promise  # for the upload page, translated
    module: ModuleType
    options: tuple[str, ...]  # which ``Options`` fields mean something for this format

    @property
    def check(self) -> Callable[..., Plan]:
        return self.module.check

    @property
    def reference(self) -> str:
        """The module's documentation of the format (in English)."""
        return (self.module.__doc__ or "").strip()


FORMATS: dict[str, Format] = {
    item.key: item
    for item in [
        Format(
            "policia-co",
            _("Policía Nacional de Colombia (DIJIN): yearly crime file"),
            _(
                "The official .xls file as downloaded (homicides by default; other crimes "
                "with the same columns when you choose the data element). Preamble, TOTAL "
                "row and footer are read as published: the rows must add up to the TOTAL, "
                "and the footer's extraction date becomes the revision note. Stored as "
                "monthly values by municipality, sex, age group and weapon."
            ),
            policia,
            ("element", "source", "dataset"),
        ),
        Format(
            "sesnsp-mx",
            _("SESNSP (Mexico): homicide victims by state and year"),
            _(
                "Yearly victims per state with the INEGI state code; the states must add up "
                "to the national row. Say through which month the file runs: an unfinished "
                "last year is stored as the months it covers (e.g. 2025S1), never as the "
                "whole year. Stored as prosecutors' figures."
            ),
            sesnsp,
            ("through", "element", "source", "dataset"),
        ),
        Format(
            "tidy",
            _("Tidy table (CSV or .xlsx): one value per row"),
            _(
                "Columns territory_code, scheme, period, data_element, value and source; "
                "optionally sex, age_group, weapon, subtype and comment. UTF-8 or Latin-1, "
                "comma or semicolon; thousands separators and a decimal comma are accepted "
                "when the whole column is written the same way."
            ),
            tidy,
            ("source", "dataset"),
        ),
        Format(
            "dhis2",
            _("DHIS2 data value set (JSON, XML or CSV)"),
            _(
                "A dataValueSets file in any of DHIS2's encodings, read under the id schemes "
                "it declares (UID, CODE, NAME, ATTRIBUTE) and the DHIS2 mapping table: data "
                "elements by uid, code or name, organisation units by their code in the scheme "
                "you choose (or in the national schemes), category option combos as our codes "
                "(SEX_F_AGE_18P) or sex and age group (female, male; 0-11, 12-17, 18+). A "
                "value-less or deleted entry deletes its value; the dataset's other values "
                "stay. Say which source the values come from."
            ),
            dhis2,
            ("source", "org_unit_scheme", "dataset"),
        ),
    ]
}


# National files cover every territory, so the role counts wherever it is held.
IMPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR, Role.ANALYST})


def may_import(user) -> bool:
    """Coordinators, analysts and administrators (of any territory) may import."""
    return bool(access.roles(user) & IMPORT_ROLES)


def check(
    key: str,
    path: Path,
    *,
    name: str | None = None,
    options: Options | None = None,
    progress: Progress = no_progress,
) -> Plan:
    """Check a file in the format ``key`` (KeyError for an unknown format)."""
    return FORMATS[key].check(path, name=name, options=options or Options(), progress=progress)
