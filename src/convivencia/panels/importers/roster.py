"""A panel's roster: importing it from a table, and sharing it with ODK Collect.

The roster file names each respondent by a pseudonymous code, with the attributes
results are broken down by (sex, age band, role, area) and, optionally, contact
data. Contact data is encrypted as it is read (``Respondent.contact``) and never
printed, logged or exported: problems with it are reported by row and column
without the value.

Like the territory importers, an import first checks the whole file and lists
every problem, writing nothing; then it writes in one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.core.dates import parse_month
from convivencia.core.reading import (
    Column,
    ImportReport,
    Problems,
    Row,
    Table,
    find_columns,
    read_table,
)
from convivencia.core.spreadsheets import CsvWriter
from convivencia.core.text import fold
from convivencia.panels.choices import AgeBand, Area, LeaderRole, Sex
from convivencia.panels.models import Panel, Respondent

# Codes travel in forms (as choice names), CSV files and URLs: no spaces, no accents.
RESPONDENT_CODE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
_CODE = re.compile(RESPONDENT_CODE_PATTERN)

# --- ODK entity list -----------------------------------------------------------------------

ENTITY_PROPERTIES = ("sex", "age_band", "role", "area", "active")


def entity_label(respondent: Respondent) -> str:
    """What an enumerator sees in the list: code and role, never a person's name."""
    role = respondent.get_role_display() if respondent.role else ""
    return f"{respondent.code} · {role}" if role else respondent.code


def entity_version(values: Iterable[str]) -> int:
    """``__version`` of an entity row: a number that changes whenever the row changes.

    Derived from a hash of the row rather than counted, because respondents keep no
    edit counter and the same roster must give the same file on every server and
    every download. It is not monotonic; ODK only needs monotonic versions for
    entities that forms update offline, and panel forms never update the roster.
    """
    digest = hashlib.sha256("\x1f".join(values).encode()).hexdigest()
    return int(digest[:8], 16) % (2**31 - 1) + 1


def entity_id(panel: Panel, code: str) -> str:
    """``__id`` of a respondent's entity: a UUID that stays the same on every download
    (derived from the panel and the code), as ODK Central keys its entities."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"convivencia:panel:{panel.code}:{code}"))


def entity_list_csv(panel: Panel) -> str:
    """The roster as an ODK entity list CSV: name (the code), label, __id, __version,
    properties. Read back by ``check`` as a roster, so a KoBoToolbox or ODK Central
    project and the panel share one list.

    Inactive respondents stay in the list with ``active`` 0, so that a form can filter
    them out while old submissions still find their entity.
    """
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(["name", "label", "__id", "__version", *ENTITY_PROPERTIES])
    for respondent in panel.respondents.order_by("code"):
        label = entity_label(respondent)
        properties = [
            respondent.sex,
            respondent.age_band,
            respondent.role,
            respondent.area,
            "1" if respondent.is_active else "0",
        ]
        version = entity_version([respondent.code, label, *properties])
        writer.writerow(
            [respondent.code, label, entity_id(panel, respondent.code), version, *properties]
        )
    return buffer.getvalue()


ENTITY_SYSTEM = "__"  # ODK's own columns: __id, __version, __createdAt, __system…


def is_entity_list(table: Table) -> bool:
    """An ODK entity list: a ``label`` column and ODK's ``__id`` or ``__version``."""
    headers = {header.strip().lower() for header in table.headers}
    return "label" in headers and bool(headers & {"__id", "__version"})


def _entity_code(row: Row, name_header: str | None, label_header: str) -> str:
    if name_header is not None:
        return row.get(name_header)
    # Without "name" (ODK Central's own export), the label our list writes: "R001 · JAC".
    return row.get(label_header).split(" · ", 1)[0].strip()


def entity_table(table: Table) -> Table:
    """An entity list read as a roster: the entity's name (else its label's code part)
    is the respondent code, the properties are the attributes; ODK's ``__`` columns
    and the label are left out, and ``active`` (written by ``entity_list_csv``) too:
    a roster import never deactivates anyone."""
    by_lower = {header.strip().lower(): header for header in table.headers}
    name_header = by_lower.get("name")
    label_header = by_lower["label"]
    code_header = CODE_COLUMN.names[0]
    kept = [
        header
        for header in table.headers
        if header
        and header not in (name_header, label_header)
        and not header.startswith(ENTITY_SYSTEM)
        and header.strip().lower() != "active"
        and fold(header) not in CODE_COLUMN.folded_names()
    ]
    rows = [
        Row(
            row.number,
            {
                code_header: _entity_code(row, name_header, label_header),
                **{header: row.get(header) for header in kept},
            },
        )
        for row in table.rows
    ]
    return Table(
        file=table.file,
        headers=[code_header, *kept],
        rows=rows,
        header_row=table.header_row,
        notes=list(table.notes),
    )


# --- roster import -------------------------------------------------------------------------

CODE_COLUMN = Column(
    "code",
    ("respondent_code", "codigo", "code", "codigo_participante", "codigo_encuestado", "respondent"),
)
ATTRIBUTE_COLUMNS = (
    Column("sex", ("sex", "sexo", "genero", "gender"), required=False),
    Column(
        "age_band",
        ("age_band", "edad", "age", "rango_edad", "grupo_edad", "age_group"),
        required=False,
    ),
    Column("role", ("role", "rol", "tipo_liderazgo", "liderazgo"), required=False),
    Column("area", ("area", "zona", "ambito"), required=False),
)
REPLACES_COLUMN = Column(
    "replaces", ("replaces", "reemplaza", "reemplaza_a", "substitui"), required=False
)
FROM_WAVE_COLUMN = Column(
    "from_wave", ("from_wave", "desde", "desde_ola", "ola_inicio"), required=False
)
CONTACT_COLUMNS = (
    Column("name", ("name", "nombre", "nombre_completo", "full_name", "nome"), required=False),
    Column(
        "phone",
        ("phone", "telefono", "celular", "movil", "telefone", "phone_number"),
        required=False,
    ),
    Column("email", ("email", "correo", "correo_electronico", "e_mail"), required=False),
    Column("address", ("address", "direccion", "endereco", "domicilio"), required=False),
)
CONTACT_FIELDS = tuple(column.key for column in CONTACT_COLUMNS)

# Words people write in rosters, beyond the stored values and their labels.
_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {
        Sex.FEMALE: ("f", "mujer", "femenino", "femenina", "fem", "feminino"),
        Sex.MALE: ("m", "h", "hombre", "masculino", "masc", "homem"),
        Sex.OTHER: ("otro", "otra", "outro", "no binario", "prefiere no decir", "no responde"),
    },
    "age_band": {
        AgeBand.AGE_18_29: ("18 a 29", "18 29 anos"),
        AgeBand.AGE_30_44: ("30 a 44", "30 44 anos"),
        AgeBand.AGE_45_59: ("45 a 59", "45 59 anos"),
        AgeBand.AGE_60_PLUS: ("60", "60 y mas", "60 o mas", "mas de 60", "60 plus", "60 e mais"),
    },
    "role": {
        LeaderRole.JAC: ("jac", "junta de accion comunal", "accion comunal", "junta comunal"),
        LeaderRole.INDIGENOUS: (
            "indigena",
            "autoridad indigena",
            "cabildo",
            "cabildo indigena",
            "autoridade indigena",
        ),
        LeaderRole.AFRO: (
            "afro",
            "afrocolombiano",
            "afrocolombiana",
            "consejo comunitario",
            "consejo comunitario afro",
        ),
        LeaderRole.WOMEN: ("mujeres", "organizacion de mujeres", "lideresa"),
        LeaderRole.YOUTH: (
            "jovenes",
            "juventud",
            "organizacion juvenil",
            "organizacion de jovenes",
        ),
        LeaderRole.VICTIMS: ("victimas", "organizacion de victimas", "mesa de victimas"),
        LeaderRole.RELIGIOUS: ("religioso", "religiosa", "lider religioso", "iglesia"),
        LeaderRole.BUSINESS: ("comerciante", "comercio", "comercio local", "negocio local"),
        LeaderRole.OTHER: ("otro", "otra", "outro"),
    },
    "area": {
        Area.RURAL: ("rural disperso", "centro poblado", "vereda"),
        Area.URBAN: ("urbano", "urbana", "cabecera", "cabecera municipal"),
    },
}
_ATTRIBUTE_CHOICES: dict[str, type[models.TextChoices]] = {
    "sex": Sex,
    "age_band": AgeBand,
    "role": LeaderRole,
    "area": Area,
}
_AGE_BANDS = (
    (18, 29, AgeBand.AGE_18_29),
    (30, 44, AgeBand.AGE_30_44),
    (45, 59, AgeBand.AGE_45_59),
    (60, 130, AgeBand.AGE_60_PLUS),
)


def _accepted_values(attribute: str) -> dict[str, str]:
    """{folded word: stored value}: the values, their labels in every language, synonyms."""
    from django.conf import settings

    choices = _ATTRIBUTE_CHOICES[attribute]
    accepted: dict[str, str] = {}
    for value, label in choices.choices:
        accepted[fold(value)] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                accepted.setdefault(fold(str(label)), value)
    for value, words in _SYNONYMS[attribute].items():
        for word in words:
            accepted.setdefault(fold(word), value)
    return accepted


@dataclass
class RosterRow:
    number: int
    code: str
    attributes: dict[str, str]  # only the attribute columns the file has
    contact: dict[str, str]  # only the contact columns the file has; never printed
    replaces: str = ""
    from_period: datetime.date | None = None


@dataclass
class RosterPlan:
    file: str
    panel: Panel
    rows: list[RosterRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # from reading the file (formulas)


def check(path: Path, panel: Panel, *, name: str | None = None) -> RosterPlan:
    """Read and check a roster (CSV in UTF-8 or Latin-1, comma or semicolon; or .xlsx).

    Raises BadFile with every problem, by row and column; nothing is written.
    """
    table = read_table(path, name=name)
    if is_entity_list(table):
        table = entity_table(table)
    problems = Problems(table.file)
    columns = find_columns(
        table,
        [CODE_COLUMN, *ATTRIBUTE_COLUMNS, REPLACES_COLUMN, FROM_WAVE_COLUMN, *CONTACT_COLUMNS],
        problems,
    )
    problems.raise_if_any()
    accepted = {column.key: _accepted_values(column.key) for column in ATTRIBUTE_COLUMNS}
    plan = RosterPlan(file=table.file, panel=panel, notes=list(table.notes))
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        code = row.get(columns["code"])
        _check_code(code, row, columns["code"], first_row_of, problems)
        planned = RosterRow(number=row.number, code=code, attributes={}, contact={})
        for column in ATTRIBUTE_COLUMNS:
            header = columns[column.key]
            if header is not None:
                planned.attributes[column.key] = _attribute(
                    column.key, row.get(header), accepted[column.key], row, header, problems
                )
        for column in CONTACT_COLUMNS:
            header = columns[column.key]
            if header is not None:
                planned.contact[column.key] = " ".join(row.get(header).split())
        email = planned.contact.get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                # The value is personal data: say where, not what.
                problems.add(row.number, columns["email"], _("is not an e-mail address"))
        planned.replaces = row.get(columns["replaces"])
        from_wave = row.get(columns["from_wave"])
        if from_wave:
            planned.from_period = _period(from_wave, row, columns["from_wave"], problems)
        if planned.replaces and not from_wave:
            problems.add(
                row.number,
                columns["from_wave"] or FROM_WAVE_COLUMN.names[0],
                _(
                    "a replacement needs the month (YYYY-MM) of the first wave the new respondent "
                    "answers"
                ),
            )
        plan.rows.append(planned)
    _check_replacements(plan, columns["replaces"], problems)
    problems.raise_if_any()
    return plan


def _check_code(
    code: str, row: Row, header: str | None, first_row_of: dict[str, int], problems: Problems
) -> None:
    if not code:
        problems.add(row.number, header, _("the respondent code is empty"))
        return
    if not _CODE.match(code):
        problems.add(
            row.number,
            header,
            _(
                "“%(code)s” is not a usable code: at most 40 letters, digits, “-”, “_” and “.”, "
                "starting with a letter or digit, no spaces"
            )
            % {"code": code},
        )
    # Codes differing only in case would be one person to anyone reading them.
    key = code.casefold()
    if key in first_row_of:
        problems.add(
            row.number,
            header,
            _("“%(code)s” is already in row %(row)s")
            % {
                "code": code,
                "row": first_row_of[key],
            },
        )
    else:
        first_row_of[key] = row.number


def _attribute(
    attribute: str,
    text: str,
    accepted: dict[str, str],
    row: Row,
    header: str,
    problems: Problems,
) -> str:
    if not text:
        return ""
    if attribute == "age_band" and text.strip().isdigit():
        age = int(text)
        for low, high, band in _AGE_BANDS:
            if low <= age <= high:
                return band
        problems.add(
            row.number,
            header,
            _("%(age)s is not an adult age (panels are of people aged 18 and over)") % {"age": age},
        )
        return ""
    value = accepted.get(fold(text))
    if value is None:
        known = ", ".join(_ATTRIBUTE_CHOICES[attribute].values)
        problems.add(
            row.number,
            header,
            _(
                "“%(value)s” is not a known value (use one of: %(known)s, or their names in "
                "Spanish, English or Portuguese)"
            )
            % {"value": text, "known": known},
        )
        return ""
    return value


def _period(text: str, row: Row, header: str | None, problems: Problems) -> datetime.date | None:
    try:
        # Spreadsheets turn "2024-03" into the date 2024-03-01.
        return parse_month(text, cell=True)
    except ValueError:
        problems.add(
            row.number, header, _("“%(value)s” is not a month written YYYY-MM") % {"value": text}
        )
        return None


def _check_replacements(plan: RosterPlan, header: str | None, problems: Problems) -> None:
    existing = {
        respondent.code: respondent
        for respondent in plan.panel.respondents.select_related("replaces", "replaced_by")
    }
    in_file = {row.code for row in plan.rows}
    replaced_in_row: dict[str, int] = {}
    for row in plan.rows:
        if not row.replaces:
            continue
        if row.replaces == row.code:
            problems.add(row.number, header, _("a respondent cannot replace themselves"))
            continue
        if row.replaces not in existing and row.replaces not in in_file:
            problems.add(
                row.number,
                header,
                _("“%(code)s” is not a respondent of panel %(panel)s nor in this file")
                % {"code": row.replaces, "panel": plan.panel.code},
            )
            continue
        if row.replaces in replaced_in_row:
            problems.add(
                row.number,
                header,
                _("“%(code)s” is already replaced in row %(row)s")
                % {"code": row.replaces, "row": replaced_in_row[row.replaces]},
            )
            continue
        replaced_in_row[row.replaces] = row.number
        old = existing.get(row.replaces)
        successor = getattr(old, "replaced_by", None) if old is not None else None
        if successor is not None and successor.code != row.code:
            problems.add(
                row.number,
                header,
                _("“%(code)s” was already replaced by “%(successor)s”")
                % {"code": row.replaces, "successor": successor.code},
            )
        current = existing.get(row.code)
        if current is not None and current.replaces and current.replaces.code != row.replaces:
            problems.add(
                row.number,
                header,
                _("“%(code)s” is recorded as replacing “%(previous)s”, not “%(asked)s”")
                % {"code": row.code, "previous": current.replaces.code, "asked": row.replaces},
            )
        if (
            old is not None
            and old.from_period
            and row.from_period
            and row.from_period <= old.from_period
        ):
            problems.add(
                row.number,
                header,
                _("“%(code)s” only joined in %(month)s: the replacement must start later")
                % {"code": row.replaces, "month": old.from_period.strftime("%Y-%m")},
            )


def _month_before(period: datetime.date) -> datetime.date:
    return (period - datetime.timedelta(days=1)).replace(day=1)


def write(plan: RosterPlan) -> ImportReport:
    """Create and update respondents, then record replacements. Call inside a transaction."""
    report = ImportReport(notes=list(plan.notes))
    label = _("respondents")
    respondents = {respondent.code: respondent for respondent in plan.panel.respondents.all()}
    outcomes: dict[str, str] = {}
    for row in plan.rows:
        respondent = respondents.get(row.code)
        if respondent is None:
            respondent = Respondent(panel=plan.panel, code=row.code)
            _apply(respondent, row)
            respondent.save()
            respondents[row.code] = respondent
            outcomes[row.code] = "created"
        elif _apply(respondent, row):
            respondent.save()
            outcomes[row.code] = "updated"
        else:
            outcomes[row.code] = "unchanged"

    replacements = 0
    for row in plan.rows:
        if not row.replaces or row.from_period is None:
            continue
        new, old = respondents[row.code], respondents[row.replaces]
        if new.replaces_id != old.pk:
            new.replaces = old
            new.save(update_fields=["replaces"])
            if outcomes[row.code] == "unchanged":
                outcomes[row.code] = "updated"
        until = _month_before(row.from_period)
        if old.is_active or old.until_period != until:
            # The replaced respondent stays in the panel's history, out of new waves.
            old.is_active = False
            old.until_period = until
            old.save(update_fields=["is_active", "until_period"])
            replacements += 1

    for outcome in outcomes.values():
        report.add(label, outcome)
    if replacements:
        report.notes.append(_("Replacements recorded: %(count)s.") % {"count": replacements})
    absent = len(set(respondents) - {row.code for row in plan.rows})
    if absent:
        report.notes.append(
            _(
                "%(count)s respondent(s) of the panel are not in this file; they were left as "
                "they were."
            )
            % {"count": absent}
        )
    audit.record(
        AuditAction.IMPORT,
        plan.panel,
        # Counts only: the file may hold contact data, which never goes to the log.
        changes={
            "file": plan.file,
            "replacements": replacements,
            **{outcome: report.total(outcome) for outcome in ("created", "updated", "unchanged")},
        },
    )
    return report


def _apply(respondent: Respondent, row: RosterRow) -> bool:
    """Copy the row onto the respondent; True if anything changed.

    Columns the file lacks leave the stored values alone; an empty cell in a column
    the file has clears the value (the roster file is the source of truth).
    """
    changed = False
    for attribute, value in row.attributes.items():
        if getattr(respondent, attribute) != value:
            setattr(respondent, attribute, value)
            changed = True
    if row.from_period is not None and respondent.from_period != row.from_period:
        respondent.from_period = row.from_period
        changed = True
    if row.contact:
        before = respondent.contact
        after = {key: value for key, value in {**before, **row.contact}.items() if value}
        # Encryption is randomised: compare the clear values, not the stored tokens.
        if after != before:
            respondent.contact = after
            changed = True
    return changed
