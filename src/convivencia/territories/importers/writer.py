"""Write a checked list of regions and municipalities in a few bulk queries.

``upsert_territory`` costs several queries per territory; Brazil's 5,570
municipalities would take minutes on SQLite. Here existing codes are loaded
once, new territories are bulk-inserted and their materialised paths are set
in a second pass (``bulk_create`` skips ``Territory.save``, which computes them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from convivencia.core.reading import ImportReport, Problem, Progress, no_progress, timed_write
from convivencia.core.text import fold
from convivencia.territories import services
from convivencia.territories.choices import Level
from convivencia.territories.models import Territory, TerritoryCode, TerritoryName

Key = tuple[str, str]  # (scheme, code): how a file names a territory


@dataclass
class TerritorySpec:
    """A territory as the file describes it."""

    level: int
    kind: str
    name: str
    codes: dict[str, str]
    parent: Key | None  # None: directly under the plan's country
    row: int | None = None
    area_km2: Decimal | None = None  # None leaves a stored area alone
    other_names: list[str] = field(default_factory=list)
    # False when the file gave no name and one was borrowed (from pycountry): it names
    # a new territory but does not overwrite a name another import set.
    rename: bool = True

    @property
    def key(self) -> Key:
        scheme, code = next(iter(self.codes.items()))
        return scheme, code


@dataclass
class TerritoryPlan:
    """Everything a regions/municipalities file will write, already checked."""

    file: str
    country: str  # ISO 3166-1 alpha-2
    specs: list[TerritorySpec]
    names_source: str
    language: str
    notes: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def _code_owners(schemes: Iterable[str]) -> dict[Key, int]:
    return {
        (scheme, code): territory_id
        for scheme, code, territory_id in TerritoryCode.objects.filter(
            scheme__in=set(schemes)
        ).values_list("scheme", "code", "territory_id")
    }


def _schemes(plan: TerritoryPlan) -> set[str]:
    return {scheme for spec in plan.specs for scheme in spec.codes}


def find_conflicts(plan: TerritoryPlan) -> list[Problem]:
    """Rows whose codes are held by two different territories already in the database."""
    owners = _code_owners(_schemes(plan))
    problems = []
    for spec in plan.specs:
        held = {owners[key] for key in spec.codes.items() if key in owners}
        if len(held) > 1:
            codes = ", ".join(f"{scheme} {code}" for scheme, code in spec.codes.items())
            problems.append(
                Problem(
                    plan.file,
                    spec.row,
                    None,
                    _(
                        "the codes %(codes)s belong to %(count)s different territories already "
                        "in the database; fix them there first"
                    )
                    % {"codes": codes, "count": len(held)},
                )
            )
    return problems


def write_territories(plan: TerritoryPlan, progress: Progress = no_progress) -> ImportReport:
    """Create or update the plan's country, regions and municipalities, level by level."""
    return timed_write(lambda: _write(plan, progress))


def _write(plan: TerritoryPlan, progress: Progress) -> ImportReport:
    report = ImportReport()
    country, outcome = services.upsert_country(plan.country)
    report.add(Level.COUNTRY.label, outcome)
    for reason, count in plan.skipped.items():
        report.skip(reason, count)
    report.notes += plan.notes

    owners = _code_owners(_schemes(plan))
    placed: dict[Key, Territory] = {}  # by the file's key: parents of the next level
    total = len(plan.specs)
    done = 0
    for level in sorted({spec.level for spec in plan.specs}):
        specs = [spec for spec in plan.specs if spec.level == level]
        outcomes = _write_level(plan, specs, country, owners, placed)
        for outcome, count in outcomes.items():
            report.add(Level(level).label, outcome, count)
        done += len(specs)
        progress(
            done,
            total,
            _("Saved %(done)s of %(total)s territories")
            % {
                "done": done,
                "total": total,
            },
        )
    return report


def _write_level(
    plan: TerritoryPlan,
    specs: list[TerritorySpec],
    country: Territory,
    owners: dict[Key, int],
    placed: dict[Key, Territory],
) -> dict[str, int]:
    existing_ids = set()
    for spec in specs:
        held = {owners[key] for key in spec.codes.items() if key in owners}
        if len(held) > 1:
            # Checked before writing; reaching this means the database changed meanwhile.
            raise services.TerritoryConflict(
                f"{plan.file}: the codes {spec.codes} belong to different territories"
            )
        existing_ids |= held
    existing = Territory.objects.in_bulk(existing_ids)

    outcome: dict[int, str] = {}  # spec index → outcome
    new: list[tuple[int, Territory]] = []
    changed: list[Territory] = []
    moved: list[Territory] = []
    for index, spec in enumerate(specs):
        parent = placed[spec.parent] if spec.parent else country
        owner = next((owners[key] for key in spec.codes.items() if key in owners), None)
        if owner is None:
            territory = Territory(
                parent=parent,
                level=spec.level,
                kind=spec.kind,
                name=spec.name,
                search_name=fold(spec.name),
                area_km2=spec.area_km2,
                path="",
            )
            new.append((index, territory))
            outcome[index] = "created"
        else:
            territory = existing[owner]
            if _bring_up_to_date(territory, spec, parent):
                (moved if territory.parent_id != parent.pk else changed).append(territory)
                territory.parent = parent
                outcome[index] = "updated"
            else:
                outcome[index] = "unchanged"
        placed[spec.key] = territory

    created = Territory.objects.bulk_create([territory for _index, territory in new])
    for territory in created:
        if territory.parent is None:  # every new territory was placed under its parent
            raise ValueError(f"{territory.name} was created without a parent")
        territory.path = f"{territory.parent.path}{territory.pk}/"
    Territory.objects.bulk_update(created, ["path"], batch_size=500)
    Territory.objects.bulk_update(
        changed, ["level", "kind", "name", "search_name", "area_km2"], batch_size=500
    )
    for territory in moved:
        territory.save()  # rewrites the paths below it; rare enough to do one by one

    for index in _write_codes(specs, placed, existing_ids):
        if outcome[index] == "unchanged":
            outcome[index] = "updated"
    for index in _write_names(plan, specs, placed):
        if outcome[index] == "unchanged":
            outcome[index] = "updated"

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for value in outcome.values():
        counts[value] += 1
    return counts


def _bring_up_to_date(territory: Territory, spec: TerritorySpec, parent: Territory) -> bool:
    """Apply the spec to a stored territory; True if anything differed."""
    changed = territory.parent_id != parent.pk
    if territory.level != spec.level:
        territory.level = spec.level
        changed = True
    if spec.kind and territory.kind != spec.kind:
        territory.kind = spec.kind
        changed = True
    if spec.rename and territory.name != spec.name:
        territory.name = spec.name
        territory.search_name = fold(spec.name)
        changed = True
    if spec.area_km2 is not None and territory.area_km2 != spec.area_km2:
        territory.area_km2 = spec.area_km2
        changed = True
    return changed


def _write_codes(
    specs: list[TerritorySpec], placed: dict[Key, Territory], existing_ids: set[int]
) -> set[int]:
    """Add missing codes and correct changed ones; the indexes of specs that changed."""
    territories = [placed[spec.key] for spec in specs]
    held: dict[tuple[int, str], TerritoryCode] = {
        (code.territory_id, code.scheme): code
        for code in TerritoryCode.objects.filter(territory_id__in=existing_ids)
    }
    to_create: list[TerritoryCode] = []
    to_update: list[TerritoryCode] = []
    touched: set[int] = set()
    for index, (spec, territory) in enumerate(zip(specs, territories, strict=True)):
        for scheme, code in spec.codes.items():
            current = held.get((territory.pk, scheme))
            if current is None:
                to_create.append(TerritoryCode(territory=territory, scheme=scheme, code=code))
                touched.add(index)
            elif current.code != code:
                current.code = code
                to_update.append(current)
                touched.add(index)
    TerritoryCode.objects.bulk_create(to_create, batch_size=500)
    TerritoryCode.objects.bulk_update(to_update, ["code"], batch_size=500)
    return touched


def _write_names(
    plan: TerritoryPlan, specs: list[TerritorySpec], placed: dict[Key, Territory]
) -> set[int]:
    """Add the file's other spellings as alternative names; never remove any."""
    wanted = [(index, spec) for index, spec in enumerate(specs) if spec.other_names]
    if not wanted:
        return set()
    ids = [placed[spec.key].pk for _index, spec in wanted]
    known = set(
        TerritoryName.objects.filter(territory_id__in=ids).values_list("territory_id", "folded")
    )
    to_create = []
    touched: set[int] = set()
    for index, spec in wanted:
        territory = placed[spec.key]
        for name in spec.other_names:
            folded = fold(name)
            if (territory.pk, folded) in known:
                continue
            known.add((territory.pk, folded))
            to_create.append(
                TerritoryName(
                    territory=territory,
                    name=name,
                    folded=folded,
                    language=plan.language,
                    source=plan.names_source,
                )
            )
            touched.add(index)
    TerritoryName.objects.bulk_create(to_create, batch_size=500)
    return touched
