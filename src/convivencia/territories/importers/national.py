"""Regions and municipalities from a national statistics office's code table.

DANE (Colombia), INEGI (Mexico) and IBGE (Brazil) publish the same kind of
table: a two-digit code per first-level region and a longer municipality code
that starts with it. One reader serves all three; each office's module says
what its columns are called and how its regions map to ISO 3166-2.

A file holds either regions or municipalities, told apart by its columns. A
municipalities file also creates the regions it mentions, named from its own
columns or, failing those, from ISO 3166-2 via pycountry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from convivencia.core.numbers import parse_code, parse_number
from convivencia.core.reading import (
    Column,
    Problems,
    Progress,
    Row,
    Table,
    display_name,
    find_columns,
    no_progress,
    present,
    read_table,
)
from convivencia.core.text import fold
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.importers.names import check_name, readable_name
from convivencia.territories.importers.writer import (
    TerritoryPlan,
    TerritorySpec,
    find_conflicts,
)

MAX_AREA_KM2 = Decimal("999999999.999")  # what Territory.area_km2 can hold


@dataclass(frozen=True)
class NationalCodes:
    """How one office's code table looks."""

    country: str  # ISO 3166-1 alpha-2
    scheme: str
    source: str  # recorded on the alternative names the import adds
    language: str
    region_kind: str
    municipality_kind: str
    region_word: str | Promise  # "department", "state": in problem messages, translated
    to_iso: Mapping[str, str]
    # Columns of a regions file.
    region_code: Column
    region_name: Column
    # Columns of a municipalities file. A full code, or a region code plus a local code.
    municipality_code: Column
    municipality_local_code: Column | None
    municipality_name: Column
    municipality_region_code: Column
    municipality_region_name: Column
    area: Column | None = None
    region_width: int = 2
    municipality_width: int = 5

    @property
    def local_width(self) -> int:
        return self.municipality_width - self.region_width


def check(
    path: Path,
    codes: NationalCodes,
    *,
    name: str | None = None,
    progress: Progress = no_progress,
) -> TerritoryPlan:
    """Read and check a regions or municipalities file; raises BadFile."""
    table = read_table(path, name=name)
    file = display_name(path, name)
    problems = Problems(file)
    is_municipalities = present(table, codes.municipality_code) or (
        codes.municipality_local_code is not None and present(table, codes.municipality_local_code)
    )
    reader = _Reader(codes, problems, len(table.rows), progress)
    if is_municipalities:
        reader.read_municipalities(table)
    else:
        reader.read_regions(table)
    problems.raise_if_any()
    plan = TerritoryPlan(
        file=file,
        country=codes.country,
        specs=reader.specs(),
        names_source=codes.source,
        language=codes.language,
        skipped=reader.skipped,
        notes=list(table.notes),
    )
    problems.extend(find_conflicts(plan))
    problems.raise_if_any()
    return plan


def _pycountry_name(iso_code: str) -> str:
    import pycountry

    record = pycountry.subdivisions.get(code=iso_code)
    return record.name if record else iso_code


class _Reader:
    """Reads rows into region and municipality specs, recording every problem."""

    def __init__(
        self, codes: NationalCodes, problems: Problems, total: int, progress: Progress
    ) -> None:
        self.codes = codes
        self.problems = problems
        self.total = total
        self.progress = progress
        self.regions: dict[str, TerritorySpec] = {}
        self.region_names: dict[str, tuple[str, int]] = {}  # code → (file's name, row)
        self.municipalities: dict[str, TerritorySpec] = {}
        self.skipped: dict[str, int] = {}

    def specs(self) -> list[TerritorySpec]:
        return [*self.regions.values(), *self.municipalities.values()]

    def _report_progress(self, index: int) -> None:
        if index % 500 == 0:
            self.progress(
                index,
                self.total,
                _("Checked %(done)s of %(total)s rows")
                % {
                    "done": index,
                    "total": self.total,
                },
            )

    # --- regions -------------------------------------------------------------------------

    def read_regions(self, table: Table) -> None:
        columns = find_columns(
            table, [self.codes.region_code, self.codes.region_name], self.problems
        )
        if self.problems:
            return
        for index, row in enumerate(table.rows, start=1):
            self._report_progress(index)
            code = self._region_code(row, columns["region_code"])
            if code is None:
                continue
            file_name = self._name(row, columns["region_name"])
            if file_name is None:
                continue
            if code in self.regions:
                self.problems.add(
                    row.number,
                    columns["region_code"],
                    _("%(word)s %(code)s appears twice (first in row %(first)s)")
                    % {
                        "word": self.codes.region_word,
                        "code": code,
                        "first": self.regions[code].row,
                    },
                )
                continue
            self._add_region(code, row.number, file_name)

    def _region_code(self, row: Row, header: str | None) -> str | None:
        try:
            code = parse_code(row.get(header), self.codes.region_width)
        except ValueError as exc:
            self.problems.add(row.number, header, str(exc))
            return None
        if set(code) == {"0"}:
            # Offices add a national total row (INEGI's "Nacional, 00"): not a region.
            reason = _("national total rows")
            self.skipped[reason] = self.skipped.get(reason, 0) + 1
            return None
        if code not in self.codes.to_iso:
            self.problems.add(
                row.number,
                header,
                _("unknown %(word)s code %(code)s (%(scheme)s has no such %(word)s)")
                % {"word": self.codes.region_word, "code": code, "scheme": self.codes.scheme},
            )
            return None
        return code

    def _name(self, row: Row, header: str | None) -> str | None:
        try:
            return check_name(row.get(header))
        except ValueError as exc:
            self.problems.add(row.number, header, str(exc))
            return None

    def _add_region(self, code: str, row: int, file_name: str | None) -> TerritorySpec:
        iso = self.codes.to_iso[code]
        iso_name = _pycountry_name(iso)
        # Official upper-case spellings ("BOGOTÁ, D.C.") read badly as a title; ISO's
        # name is then the better one. Either way the other spelling stays searchable.
        if file_name and any(character.islower() for character in file_name):
            name = file_name
        else:
            name = iso_name
        other_names = []
        for candidate in (file_name, iso_name):
            if candidate and candidate != name and candidate not in other_names:
                other_names.append(candidate)
        spec = TerritorySpec(
            level=Level.REGION,
            kind=self.codes.region_kind,
            name=name,
            codes={self.codes.scheme: code, Scheme.ISO: iso},
            parent=None,
            row=row,
            other_names=other_names,
            rename=file_name is not None,
        )
        self.regions[code] = spec
        return spec

    # --- municipalities ------------------------------------------------------------------

    def read_municipalities(self, table: Table) -> None:
        codes = self.codes
        wanted = [
            Column(codes.municipality_code.key, codes.municipality_code.names, required=False),
            codes.municipality_name,
            Column(
                codes.municipality_region_code.key,
                codes.municipality_region_code.names,
                required=False,
            ),
            Column(
                codes.municipality_region_name.key,
                codes.municipality_region_name.names,
                required=False,
            ),
        ]
        if codes.municipality_local_code is not None:
            wanted.append(
                Column(
                    codes.municipality_local_code.key,
                    codes.municipality_local_code.names,
                    required=False,
                )
            )
        if codes.area is not None:
            wanted.append(Column(codes.area.key, codes.area.names, required=False))
        columns = find_columns(table, wanted, self.problems)
        full = columns[codes.municipality_code.key]
        local = (
            columns.get(codes.municipality_local_code.key)
            if (codes.municipality_local_code)
            else None
        )
        region = columns[codes.municipality_region_code.key]
        if full is None and (local is None or region is None):
            self.problems.add(
                table.header_row,
                codes.municipality_code.names[0],
                _("missing column (also accepted: %(names)s)")
                % {"names": ", ".join(codes.municipality_code.names[1:])},
            )
        if self.problems:
            return
        for index, row in enumerate(table.rows, start=1):
            self._report_progress(index)
            self._read_municipality(row, columns, full, local, region)

    def _read_municipality(
        self,
        row: Row,
        columns: dict[str, str | None],
        full: str | None,
        local: str | None,
        region_header: str | None,
    ) -> None:
        codes = self.codes
        column: str | None
        if full is not None:
            column = full
            text = row.get(full)
        else:
            # INEGI-style: the full code is the region code followed by the local code.
            column = local
            parts = []
            for header, width in ((region_header, codes.region_width), (local, codes.local_width)):
                try:
                    parts.append(parse_code(row.get(header), width))
                except ValueError as exc:
                    self.problems.add(row.number, header, str(exc))
                    return
            text = "".join(parts)
        try:
            code = parse_code(text, codes.municipality_width)
        except ValueError as exc:
            self.problems.add(row.number, column, str(exc))
            return
        region_code = code[: codes.region_width]
        if region_header is not None and row.get(region_header):
            given = self._region_code(row, region_header)
            if given is None:
                return
            if given != region_code:
                self.problems.add(
                    row.number,
                    column,
                    _("municipality %(code)s does not start with its %(word)s code %(region)s")
                    % {"code": code, "word": codes.region_word, "region": given},
                )
                return
        elif region_code not in codes.to_iso:
            self.problems.add(
                row.number,
                column,
                _("municipality %(code)s starts with %(region)s, which is no %(word)s code")
                % {"code": code, "region": region_code, "word": codes.region_word},
            )
            return

        file_name = self._name(row, columns[codes.municipality_name.key])
        area = self._area(row, columns.get(codes.area.key) if codes.area else None)
        if file_name is None or area is False:
            return
        if code in self.municipalities:
            self.problems.add(
                row.number,
                column,
                _("municipality %(code)s appears twice (first in row %(first)s)")
                % {"code": code, "first": self.municipalities[code].row},
            )
            return
        if not self._note_region(row, region_code, columns[codes.municipality_region_name.key]):
            return
        name = readable_name(file_name)
        self.municipalities[code] = TerritorySpec(
            level=Level.MUNICIPALITY,
            kind=codes.municipality_kind,
            name=name,
            codes={codes.scheme: code},
            parent=(codes.scheme, region_code),
            row=row.number,
            area_km2=area,
            other_names=[file_name] if file_name != name else [],
        )

    def _note_region(self, row: Row, code: str, name_header: str | None) -> bool:
        """Create the region on first sight; its name must agree on every row."""
        file_name = None
        if name_header is not None and row.get(name_header):
            file_name = self._name(row, name_header)
            if file_name is None:
                return False
        if file_name is not None and code in self.region_names:
            first_name, first_row = self.region_names[code]
            if fold(first_name) != fold(file_name):
                self.problems.add(
                    row.number,
                    name_header,
                    _("%(word)s %(code)s is “%(name)s” here but “%(first)s” in row %(row)s")
                    % {
                        "word": self.codes.region_word,
                        "code": code,
                        "name": file_name,
                        "first": first_name,
                        "row": first_row,
                    },
                )
                return False
        if file_name is not None and code not in self.region_names:
            self.region_names[code] = (file_name, row.number)
            self._add_region(code, row.number, file_name)
        elif code not in self.regions:
            self._add_region(code, row.number, None)
        return True

    def _area(self, row: Row, header: str | None) -> Decimal | Literal[False] | None:
        """The area in km², None if not given, False if wrong (a problem is recorded)."""
        text = row.get(header)
        if not text:
            return None
        try:
            # DANE's MGN writes km² with three decimals: a lone "374.831" is decimal.
            area = parse_number(text, decimal="auto", ambiguous="decimal")
        except ValueError as exc:
            self.problems.add(row.number, header, str(exc))
            return False
        if area < 0 or area > MAX_AREA_KM2:
            self.problems.add(
                row.number, header, _("an area of %(value)s km² is impossible") % {"value": text}
            )
            return False
        return area.quantize(Decimal("0.001"))
