"""Countries (ISO 3166-1) and their first-level subdivisions (ISO 3166-2), from pycountry.

National offices are the authority on their own regions: a region another
import already named ("Coahuila", from INEGI) keeps its name and kind, and
ISO's spelling ("Coahuila de Zaragoza") is added as an alternative name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from convivencia.core.reading import (
    BadFile,
    ImportReport,
    Problem,
    Progress,
    no_progress,
    timed_write,
)
from convivencia.core.text import fold
from convivencia.territories import services
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.data import SUBDIVISION_KINDS
from convivencia.territories.models import TerritoryName

SOURCE = "ISO 3166 (pycountry)"


@dataclass
class CountryPlan:
    file: str
    countries: list[str]  # alpha-2
    with_regions: bool


def check(countries: Sequence[str] = (), *, with_regions: bool = False) -> CountryPlan:
    """The countries to import: those named (with their regions), or all of them."""
    import pycountry

    if not countries:
        return CountryPlan("pycountry", [c.alpha_2 for c in pycountry.countries], with_regions)
    problems = []
    wanted = []
    for code in countries:
        record = pycountry.countries.get(alpha_2=code.strip().upper())
        if record is None:
            problems.append(
                Problem(
                    "--country",
                    None,
                    None,
                    _("“%(code)s” is not an ISO 3166-1 alpha-2 country code") % {"code": code},
                )
            )
        elif record.alpha_2 not in wanted:
            wanted.append(record.alpha_2)
    if problems:
        raise BadFile(problems)
    # Naming a country asks for its regions: that is what one imports a country for.
    return CountryPlan("pycountry", wanted, with_regions=True)


def subdivision_kind(record_type: str) -> str:
    lowered = record_type.strip().lower()
    return SUBDIVISION_KINDS.get(lowered, lowered)[:40]


def write(plan: CountryPlan, progress: Progress = no_progress) -> ImportReport:
    return timed_write(lambda: _write(plan, progress))


def _write(plan: CountryPlan, progress: Progress) -> ImportReport:
    import pycountry

    report = ImportReport()
    for done, alpha2 in enumerate(plan.countries, start=1):
        country, outcome = services.upsert_country(alpha2)
        report.add(Level.COUNTRY.label, outcome)
        if plan.with_regions:
            for record in pycountry.subdivisions.get(country_code=alpha2) or []:
                if record.parent_code is None:
                    report.add(Level.REGION.label, _upsert_region(country, record))
        progress(done, len(plan.countries), alpha2)
    return report


def _upsert_region(country, record) -> str:
    codes: dict[str, str] = {Scheme.ISO: record.code}
    existing = services.find_by_codes(codes)
    if existing is None or existing.parent_id != country.pk:
        _territory, outcome = services.upsert_territory(
            parent=country,
            level=Level.REGION,
            name=record.name,
            codes=codes,
            kind=subdivision_kind(record.type),
        )
        return outcome
    if existing.level == Level.REGION and fold(existing.name) != fold(record.name):
        _alternative, created = TerritoryName.objects.get_or_create(
            territory=existing,
            folded=fold(record.name),
            defaults={"name": record.name, "source": SOURCE},
        )
        return "updated" if created else "unchanged"
    return "unchanged"
