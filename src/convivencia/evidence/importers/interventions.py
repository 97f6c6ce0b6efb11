"""Bulk import of interventions from a curator's spreadsheet (CSV, .xlsx or .xls).

Reading the file (UTF-8 with or without BOM or Windows-1252/Latin-1; comma,
semicolon or tab; .xlsx, .xls) is ``core.reading.read_table``'s
job. This module says which columns an intervention has and how each cell is
read.

Two phases, as every importer in the project:

* ``check`` reads the whole file and lists every problem by row and column, and
  writes nothing: it is the dry run. If there is any problem it raises
  ``BadFile`` with all of them.
* ``write`` applies a checked plan in one transaction: all rows or none.

Rows are matched on ``external_id``, which every row must carry: importing the
same file again updates the rows that changed and leaves the rest alone
(counted as unchanged). A column missing from the file is left alone on
existing interventions; a column present with an empty cell clears the value.

Curation
    A new row arrives as a draft. A changed row whose intervention was already
    submitted, reviewed or published goes back to draft: its new content has
    not been reviewed. With ``publish=True`` (the command's ``--publish``, and
    the upload page's checkbox, for administrators only, for a source they
    vouch for) the import itself stands as the submission: every row not yet
    published is saved as submitted (by nobody: the import), then reviewed and
    published through ``services.review`` and ``services.publish`` with the
    importing user as reviewer and publisher. Every step is in the audit log.
    Such rows must have a source, as any submission must.

Numbers
    Years may come as Excel writes them ("2015.0"). Budgets: see ``parse_amount``.

Vocabularies
    Scale, focus, problem, population, prevention level, implementer and funder
    type, status: the code ("municipal"), the English label ("Municipal") or a
    Spanish label ("Homicidio") — case and accents do not matter. Many-valued
    cells are separated by ``;``, ``|`` or ``,``.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.core.numbers import AmbiguousNumber, parse_integer, parse_number
from convivencia.core.reading import (
    Column,
    ImportReport,
    Problems,
    Progress,
    Row,
    find_columns,
    no_progress,
    read_table,
    timed_write,
)
from convivencia.core.text import fold
from convivencia.evidence import services
from convivencia.evidence.choices import (
    Curation,
    Focus,
    ImplementerType,
    Population,
    PreventionLevel,
    Problem,
    Scale,
    Status,
    TagKind,
)
from convivencia.evidence.models import Intervention
from convivencia.territories.choices import Scheme
from convivencia.territories.data import CODE_WIDTHS
from convivencia.territories.models import Territory
from convivencia.territories.services import ensure_country

LANGUAGES = ("es", "en", "pt")
MIN_YEAR, MAX_YEAR = 1950, 2100
# Intervention.budget_amount: 16 digits, 2 of them decimals.
MAX_BUDGET_DIGITS, BUDGET_DECIMALS = 14, 2

# --- columns -----------------------------------------------------------------------------

COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id",
        (
            "external_id",
            "id externo",
            "identificador externo",
            "identificador",
            "id",
            "external id",
        ),
    ),
    Column("name", ("name", "nombre", "nome", "intervencion", "programa")),
    Column(
        "name_language",
        (
            "name_language",
            "idioma",
            "idioma del nombre",
            "language",
            "lengua",
        ),
        required=False,
    ),
    Column(
        "name_es", ("name_es", "nombre_es", "nombre en espanol", "spanish name"), required=False
    ),
    Column(
        "name_en",
        ("name_en", "nombre_en", "nombre en ingles", "english name", "nome em ingles"),
        required=False,
    ),
    Column(
        "name_pt",
        ("name_pt", "nombre_pt", "nome_pt", "nombre en portugues", "portuguese name"),
        required=False,
    ),
    Column(
        "summary", ("summary", "resumen", "resumo", "descripcion", "description"), required=False
    ),
    Column("summary_es", ("summary_es", "resumen_es", "resumo_es"), required=False),
    Column("summary_en", ("summary_en", "resumen_en", "resumo_en"), required=False),
    Column("summary_pt", ("summary_pt", "resumen_pt", "resumo_pt"), required=False),
    Column("country", ("country", "pais", "country code", "codigo pais"), required=False),
    Column(
        "territories",
        (
            "territories",
            "territorios",
            "territorio",
            "territory",
            "lugares",
        ),
        required=False,
    ),
    Column("scale", ("scale", "escala", "alcance")),
    Column("focus", ("focus", "enfoque", "foco", "enfoques"), required=False),
    Column("problem", ("problem", "problems", "problema", "problemas"), required=False),
    Column(
        "population",
        (
            "population",
            "poblacion",
            "poblacion objetivo",
            "target population",
            "populacao",
            "publico alvo",
        ),
        required=False,
    ),
    Column(
        "prevention_level",
        (
            "prevention_level",
            "prevention level",
            "nivel de prevencion",
            "prevencion",
            "nivel prevencion",
        ),
        required=False,
    ),
    Column(
        "implementer",
        (
            "implementer",
            "implementador",
            "ejecutor",
            "implementing agency",
            "executor",
        ),
        required=False,
    ),
    Column(
        "implementer_type",
        (
            "implementer_type",
            "implementer type",
            "tipo de implementador",
            "tipo implementador",
            "tipo de ejecutor",
            "tipo ejecutor",
        ),
        required=False,
    ),
    Column("funder", ("funder", "financiador", "donante", "financiadora"), required=False),
    Column(
        "funder_type",
        (
            "funder_type",
            "funder type",
            "tipo de financiador",
            "tipo financiador",
        ),
        required=False,
    ),
    Column(
        "start_year",
        (
            "start_year",
            "start year",
            "ano inicio",
            "ano de inicio",
            "inicio",
            "start",
        ),
        required=False,
    ),
    Column(
        "end_year",
        (
            "end_year",
            "end year",
            "ano fin",
            "ano de fin",
            "ano de finalizacion",
            "fin",
            "end",
            "ano final",
        ),
        required=False,
    ),
    Column("status", ("status", "estado", "situacion", "situacao")),
    Column(
        "budget",
        (
            "budget",
            "budget_amount",
            "presupuesto",
            "monto",
            "orcamento",
            "valor",
        ),
        required=False,
    ),
    Column(
        "currency", ("currency", "budget_currency", "moneda", "divisa", "moeda"), required=False
    ),
    Column(
        "budget_year",
        (
            "budget_year",
            "budget year",
            "ano del presupuesto",
            "ano presupuesto",
            "ano do orcamento",
        ),
        required=False,
    ),
    Column(
        "sources",
        ("sources", "source", "fuentes", "fuente", "fontes", "referencias"),
        required=False,
    ),
)

# Spreadsheet column → model field, for the cells copied as they are (after checks).
TEXT_FIELDS = {
    "implementer": ("implementer_name", 200),
    "funder": ("funder_name", 200),
}
REQUIRED_CHOICES = ("scale", "status")
CHOICE_FIELDS: dict[str, tuple[str, type[TextChoices]]] = {
    "scale": ("scale", Scale),
    "prevention_level": ("prevention_level", PreventionLevel),
    "implementer_type": ("implementer_type", ImplementerType),
    "funder_type": ("funder_type", ImplementerType),
    "status": ("status", Status),
}
TAG_COLUMNS: dict[str, tuple[str, type[TextChoices]]] = {
    "focus": (TagKind.FOCUS, Focus),
    "problem": (TagKind.PROBLEM, Problem),
    "population": (TagKind.POPULATION, Population),
}
# Where a model validation error is reported, when one slips past the checks below.
FIELD_COLUMNS = {
    "external_id": "external_id",
    "name": "name",
    "name_language": "name_language",
    "summary": "summary",
    "scale": "scale",
    "prevention_level": "prevention_level",
    "implementer_name": "implementer",
    "implementer_type": "implementer_type",
    "funder_name": "funder",
    "funder_type": "funder_type",
    "start_year": "start_year",
    "end_year": "end_year",
    "status": "status",
    "budget_amount": "budget",
    "budget_currency": "currency",
    "budget_year": "budget_year",
}

# --- vocabularies ------------------------------------------------------------------------

# Spanish (and a few Portuguese) words curators write. Kept here rather than read
# from the translation catalogue so an import never depends on the interface's
# translations being complete; labels the catalogues do translate are accepted too.
ALIASES: dict[str, tuple[str, ...]] = {
    # Scale
    Scale.MULTI_COUNTRY: ("multinacional", "multipais", "varios paises", "internacional"),
    Scale.NATIONAL: ("nacional",),
    Scale.REGIONAL: ("departamental", "estatal", "provincial", "subnacional"),
    Scale.MUNICIPAL: ("local", "ciudad", "municipio"),
    Scale.NEIGHBOURHOOD: ("barrio", "barrial", "vecindario", "comuna", "bairro", "neighborhood"),
    # Focus
    Focus.POLICING: ("policia", "policial", "vigilancia policial", "policiamento"),
    Focus.CRIMINAL_JUSTICE: ("justicia penal", "justicia criminal", "justica criminal"),
    Focus.PRISONS: (
        "carceles",
        "prisiones",
        "sistema penitenciario",
        "reinsercion",
        "reintegracion",
        "prisoes",
    ),
    Focus.SOCIAL_PREVENTION: ("prevencion social", "prevencao social"),
    Focus.SITUATIONAL: ("prevencion situacional", "cpted", "prevencao situacional"),
    Focus.VAWG: (
        "violencia contra las mujeres",
        "violencia contra mujeres y ninas",
        "violencia de genero",
        "vcmn",
    ),
    Focus.YOUTH: ("juventud en riesgo", "juventud", "jovenes"),
    Focus.DRUGS_ALCOHOL: ("drogas y alcohol", "drogas", "alcohol"),
    Focus.FIREARMS: ("armas de fuego", "control de armas", "armas"),
    Focus.COMMUNITY: (
        "participacion comunitaria",
        "dialogo comunitario",
        "participacion ciudadana",
        "comunidad",
    ),
    Focus.DATA: ("datos", "sistemas de informacion", "informacion", "dados"),
    # Problem
    Problem.HOMICIDE: ("homicidio", "homicidios", "homicidio doloso"),
    Problem.ROBBERY: ("robo", "robos", "atraco", "asalto", "roubo"),
    Problem.THEFT: ("hurto", "hurtos", "furto"),
    Problem.SEXUAL_VIOLENCE: ("violencia sexual", "delitos sexuales"),
    Problem.DOMESTIC_VIOLENCE: (
        "violencia intrafamiliar",
        "violencia domestica",
        "violencia familiar",
    ),
    Problem.EXTORTION: ("extorsion", "extorsao"),
    Problem.GANG_VIOLENCE: ("violencia de pandillas", "pandillas", "maras"),
    Problem.KIDNAPPING: ("secuestro", "sequestro"),
    Problem.DRUG_TRAFFICKING: ("narcotrafico", "trafico de drogas"),
    Problem.ASSAULT: ("lesiones personales", "lesiones", "agresiones", "lesoes"),
    Problem.RECIDIVISM: ("reincidencia", "reincidencia delictiva"),
    Problem.FEAR_OF_CRIME: ("percepcion de inseguridad", "miedo al delito", "temor al delito"),
    Problem.TRUST: ("confianza en las instituciones", "confianza institucional", "confianza"),
    Problem.VIOLENCE_GENERAL: ("violencia en general", "violencia"),
    # Prevention level
    PreventionLevel.PRIMARY: ("primaria", "primario"),
    PreventionLevel.SECONDARY: ("secundaria", "secundario"),
    PreventionLevel.TERTIARY: ("terciaria", "terciario"),
    # Population
    Population.CHILDREN: ("ninos", "ninas y ninos", "ninez", "infancia", "criancas"),
    Population.ADOLESCENTS: ("adolescentes",),
    Population.YOUNG_ADULTS: ("jovenes adultos", "adultos jovenes"),
    Population.ADULTS: ("adultos",),
    Population.OLDER: ("personas mayores", "adultos mayores", "idosos"),
    Population.WOMEN: ("mujeres", "mujeres y ninas", "mulheres"),
    Population.MEN: ("hombres", "hombres y ninos", "homens"),
    Population.GENERAL: ("poblacion general", "general"),
    Population.AT_RISK_YOUTH: ("jovenes en riesgo",),
    Population.GANG_MEMBERS: ("pandilleros", "miembros de pandillas", "integrantes de maras"),
    Population.OFFENDERS: (
        "infractores",
        "ofensores",
        "pospenados",
        "personas privadas de la libertad",
        "exconvictos",
    ),
    Population.VICTIMS: ("victimas", "vitimas"),
    Population.POLICE_OFFICERS: ("policias", "agentes de policia", "policiales"),
    Population.COMMUNITIES: ("comunidades con alta criminalidad", "comunidades"),
    # Implementer type (the codes "police" and "community" are shared with other lists)
    ImplementerType.NATIONAL_GOVERNMENT: ("gobierno nacional", "governo federal", "ministerio"),
    ImplementerType.SUBNATIONAL_GOVERNMENT: (
        "gobierno local",
        "gobierno regional",
        "gobierno subnacional",
        "alcaldia",
        "gobernacion",
        "prefeitura",
        "municipalidad",
    ),
    ImplementerType.JUSTICE: ("sector justicia", "justicia", "fiscalia"),
    ImplementerType.CIVIL_SOCIETY: ("sociedad civil", "ong", "osc"),
    ImplementerType.PRIVATE: ("sector privado", "empresa privada", "privado"),
    ImplementerType.ACADEMIA: ("universidad", "academico"),
    ImplementerType.MULTILATERAL: (
        "organismo internacional",
        "organismo multilateral",
        "cooperacion multilateral",
    ),
    ImplementerType.BILATERAL: ("cooperacion bilateral", "donante bilateral"),
    # Status
    Status.PLANNED: ("planeado", "planificado", "previsto", "en diseno", "planejado"),
    Status.ONGOING: ("en curso", "en ejecucion", "activo", "vigente", "em andamento"),
    Status.COMPLETED: ("finalizado", "terminado", "completado", "concluido", "ejecutado"),
    Status.DISCONTINUED: ("suspendido", "descontinuado", "cancelado", "interrumpido"),
}
# The same words under several lists mean different codes: look them up per list.
_ALIASES_BY_LIST: dict[type[TextChoices], dict[str, tuple[str, ...]]] = {}
for _choices in (Scale, Focus, Problem, PreventionLevel, Population, Status):
    _ALIASES_BY_LIST[_choices] = {c: ALIASES.get(c, ()) for c in _choices.values}
_ALIASES_BY_LIST[ImplementerType] = {
    ImplementerType.NATIONAL_GOVERNMENT: ALIASES[ImplementerType.NATIONAL_GOVERNMENT],
    ImplementerType.SUBNATIONAL_GOVERNMENT: ALIASES[ImplementerType.SUBNATIONAL_GOVERNMENT],
    ImplementerType.POLICE: ("policia",),
    ImplementerType.JUSTICE: ALIASES[ImplementerType.JUSTICE],
    ImplementerType.CIVIL_SOCIETY: ALIASES[ImplementerType.CIVIL_SOCIETY],
    ImplementerType.COMMUNITY: ("organizacion comunitaria", "comunidad", "comunitaria"),
    ImplementerType.PRIVATE: ALIASES[ImplementerType.PRIVATE],
    ImplementerType.ACADEMIA: ALIASES[ImplementerType.ACADEMIA],
    ImplementerType.MULTILATERAL: ALIASES[ImplementerType.MULTILATERAL],
    ImplementerType.BILATERAL: ALIASES[ImplementerType.BILATERAL],
}
LANGUAGE_ALIASES = {
    "es": ("es", "espanol", "spanish", "castellano", "espanhol"),
    "en": ("en", "ingles", "english"),
    "pt": ("pt", "portugues", "portuguese"),
}


@cache
def vocabulary(choices: type[TextChoices]) -> dict[str, str]:
    """Folded code, label (in each language the catalogues know) or alias → code."""
    lookup: dict[str, str] = {}
    for code, label in choices.choices:
        lookup.setdefault(fold(code), code)
        for language in LANGUAGES:
            with translation.override(language):
                lookup.setdefault(fold(str(label)), code)
    for code, aliases in _ALIASES_BY_LIST[choices].items():
        for alias in aliases:
            lookup.setdefault(fold(alias), code)
    return lookup


def parse_choice(text: str, choices: type[TextChoices]) -> str:
    """One code of ``choices`` for a cell. Raises ValueError with a message for the user."""
    code = vocabulary(choices).get(fold(text))
    if code is None:
        raise ValueError(
            _("“%(value)s” is not one of: %(codes)s")
            % {
                "value": text,
                "codes": ", ".join(choices.values),
            }
        )
    return code


_LIST_SEPARATORS = re.compile(r"[;|\n]")


def parse_choices(text: str, choices: type[TextChoices]) -> list[str]:
    """Several codes: separated by ``;``, ``|`` or ``,``. Raises ValueError."""
    codes: list[str] = []
    unknown: list[str] = []
    for piece in _LIST_SEPARATORS.split(text):
        piece = piece.strip()
        if not piece:
            continue
        # A label may itself hold a comma: try the whole piece before splitting on commas.
        parts = [piece] if fold(piece) in vocabulary(choices) else piece.split(",")
        for part in parts:
            part = part.strip()
            if not part:
                continue
            code = vocabulary(choices).get(fold(part))
            if code is None:
                unknown.append(part)
            elif code not in codes:
                codes.append(code)
    if unknown:
        raise ValueError(
            _("not recognised: %(values)s (accepted codes: %(codes)s)")
            % {
                "values": ", ".join(f"“{value}”" for value in unknown),
                "codes": ", ".join(choices.values),
            }
        )
    return codes


def parse_language(text: str) -> str:
    folded = fold(text)
    for language, aliases in LANGUAGE_ALIASES.items():
        if folded in aliases:
            return language
    raise ValueError(
        _("“%(value)s” is not a language of the registry (es, en, pt)")
        % {
            "value": text,
        }
    )


# --- countries ---------------------------------------------------------------------------


@cache
def _country_lookup() -> dict[str, frozenset[str]]:
    """Folded alpha-2, alpha-3 and names in English, Spanish and Portuguese → alpha-2 codes."""
    import pycountry

    catalogues = {
        language: gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
        for language in ("es", "pt")
    }
    lookup: dict[str, set[str]] = {}
    for record in pycountry.countries:
        names = {record.name}
        for attribute in ("official_name", "common_name"):
            if getattr(record, attribute, None):
                names.add(getattr(record, attribute))
        translated = {
            catalogue.gettext(name) for catalogue in catalogues.values() for name in names
        }
        for name in names | translated:
            lookup.setdefault(fold(name), set()).add(record.alpha_2)
    # Codes win over names: "PER" is Peru whatever a translation says.
    for record in pycountry.countries:
        lookup[fold(record.alpha_2)] = {record.alpha_2}
        lookup[fold(record.alpha_3)] = {record.alpha_2}
    return {key: frozenset(codes) for key, codes in lookup.items()}


def parse_country(text: str) -> str:
    """ISO 3166-1 alpha-2 for an alpha-2, an alpha-3 or a name in es/en/pt. Raises ValueError."""
    codes = _country_lookup().get(fold(text), frozenset())
    if len(codes) == 1:
        return next(iter(codes))
    if codes:
        raise ValueError(
            _("“%(value)s” could be any of %(codes)s; use the ISO code")
            % {
                "value": text,
                "codes": ", ".join(sorted(codes)),
            }
        )
    raise ValueError(
        _("“%(value)s” is not a country: use an ISO 3166 code (CO, COL) or its name")
        % {"value": text}
    )


# --- currencies and amounts ----------------------------------------------------------------

# ISO 4217 currencies with three or four decimal places (minor units). For these a
# "1.200" could be a real amount with decimals; for every other currency it cannot.
CURRENCIES_WITH_MORE_THAN_TWO_DECIMALS = frozenset(
    {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", "CLF", "UYW"}
)


def parse_currency(text: str) -> str:
    """An ISO 4217 alphabetic code known to pycountry. Raises ValueError."""
    import pycountry

    code = text.strip().upper()
    if len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None:
        return code
    raise ValueError(
        _("“%(value)s” is not an ISO 4217 currency code (e.g. COP, USD, EUR)")
        % {
            "value": text,
        }
    )


_SYMBOLS = re.compile(r"^(?:US\$|R\$|\$|€|£)\s*|\s*(?:US\$|R\$|\$|€|£)$")


def parse_amount(text: str, currency: str = "") -> Decimal:
    """A budget as people and spreadsheets write it. Raises ValueError.

    A currency symbol or the currency's own code around the number is ignored
    ("$ 1.200.000", "1200000 COP"); the number is read by ``core.numbers.parse_number``
    with the value deciding its decimal separator ("1.200.000,50" and "1,200,000.50"
    are the same; "1.200.000" is one million two hundred thousand; "1200,5" and
    "0,75" have decimals). One separator used once and followed by exactly three
    digits ("1.200", "1,200") is a thousands separator when the currency has at
    most two decimal places (nearly all: COP, USD, MXN, BRL…), since an amount in
    those is never written with three decimals. For currencies with three or four
    decimals (BHD, KWD, TND, CLF…), or when no currency is given, it is ambiguous
    and refused: write "1200" or "1.200,000".
    """
    cleaned = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if currency:
        cleaned = re.sub(rf"^{currency}\s*|\s*{currency}$", "", cleaned, flags=re.IGNORECASE)
    cleaned = _SYMBOLS.sub("", cleaned).strip()
    two_decimals = bool(currency) and currency not in CURRENCIES_WITH_MORE_THAN_TWO_DECIMALS
    try:
        amount = parse_number(
            cleaned, decimal="auto", ambiguous="thousands" if two_decimals else "refuse"
        )
    except AmbiguousNumber as exc:
        raise ValueError(
            _(
                "“%(value)s” is ambiguous: it could be %(thousands)s or %(decimal)s. "
                "Write it without separators, or give the currency."
            )
            % {"value": text, "thousands": exc.thousands, "decimal": exc.decimal.normalize()}
        ) from exc
    except ValueError as exc:
        raise ValueError(_("“%(value)s” is not an amount") % {"value": text}) from exc
    if amount < 0:
        raise ValueError(_("a budget cannot be negative"))
    return amount


def fit_amount(amount: Decimal) -> Decimal:
    """The amount as Intervention.budget_amount holds it (two decimals). Raises ValueError."""
    # The size first: quantizing a 30-digit number would overflow the decimal context.
    if amount >= Decimal(10) ** MAX_BUDGET_DIGITS:
        raise ValueError(_("the amount is too large"))
    cents = amount.quantize(Decimal(1).scaleb(-BUDGET_DECIMALS))
    if cents != amount:
        raise ValueError(_("a budget has at most two decimals"))
    return cents


def parse_year(text: str) -> int:
    """A year, also as Excel writes it ("2015.0"). Raises ValueError."""
    try:
        year = parse_integer(text)
    except ValueError as exc:
        raise ValueError(_("“%(value)s” is not a year") % {"value": text}) from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            _("%(year)s is not a year between %(min)s and %(max)s")
            % {
                "year": year,
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }
        )
    return year


# --- sources -----------------------------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])


def parse_sources(text: str) -> list[dict[str, str]]:
    """``;``-separated links and citations. Raises ValueError naming every bad one."""
    sources: list[dict[str, str]] = []
    bad: list[str] = []
    for piece in re.split(r"[;\n]", text):
        piece = " ".join(piece.split())
        if not piece:
            continue
        looks_like_link = re.match(r"(?i)(https?://|www\.)\S+$", piece)
        if looks_like_link:
            url = piece if piece.lower().startswith("http") else f"https://{piece}"
            try:
                _url_validator(url)
            except ValidationError:
                bad.append(_("“%(value)s” is not a valid link") % {"value": piece})
                continue
            if len(url) > 500:
                bad.append(_("a link is longer than 500 characters"))
                continue
            sources.append({"citation": "", "url": url})
        elif len(piece) > 500:
            bad.append(_("a citation is longer than 500 characters"))
        else:
            sources.append({"citation": piece, "url": ""})
    if bad:
        raise ValueError("; ".join(bad))
    return sources


# --- territories -------------------------------------------------------------------------


def territory_token(territory: Territory) -> str:
    """How a territory is written in a form or a spreadsheet: a code if it has one."""
    codes = {code.scheme: code.code for code in territory.codes.all()}
    for scheme in (Scheme.DIVIPOLA, Scheme.INEGI, Scheme.IBGE, Scheme.ISO, Scheme.DHIS2):
        if scheme in codes:
            return f"{scheme}:{codes[scheme]}"
    return territory.name


def describe_territory(territory: Territory) -> str:
    parent = f", {territory.parent.name}" if territory.parent_id and territory.parent else ""
    return f"{territory_token(territory)} ({territory.name}{parent})"


class TerritoryResolver:
    """Finds territories by ``scheme:code``, a bare code or a name; remembers answers.

    Shared by the spreadsheet import and the intervention form, so both accept
    the same writing.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Territory] = {}
        self._countries: dict[str, Territory | None] = {}

    def resolve(self, token: str, country: str = "") -> Territory:
        """The one territory ``token`` names (within ``country``, an alpha-2, if given).

        Raises ValueError explaining what was not found or which candidates compete.
        """
        token = " ".join(token.split())
        key = (fold(token), country)
        if key not in self._cache:
            self._cache[key] = self._find(token, country)
        return self._cache[key]

    def resolve_all(self, text: str, country: str = "") -> tuple[list[Territory], list[str]]:
        """Territories in a ``;`` or ``|``-separated list, and a message per bad one."""
        found: list[Territory] = []
        errors: list[str] = []
        for token in re.split(r"[;|\n]", text):
            if not token.strip():
                continue
            try:
                territory = self.resolve(token, country)
            except ValueError as exc:
                errors.append(str(exc))
                continue
            if territory not in found:
                found.append(territory)
        return found, errors

    def _find(self, token: str, country: str) -> Territory:
        queryset = Territory.objects.select_related("parent").prefetch_related("codes")
        scheme, separator, code = token.partition(":")
        scheme = scheme.strip().lower()
        if separator and scheme in Scheme.values:
            candidates = self._by_code(queryset, scheme, code.strip())
            if not candidates:
                raise ValueError(
                    _("no territory has the %(scheme)s code “%(code)s”")
                    % {
                        "scheme": scheme,
                        "code": code.strip(),
                    }
                )
        elif token.isdigit():
            candidates = list(queryset.filter(codes__code=token).distinct()[:6])
            if not candidates:
                raise ValueError(_("no territory has the code “%(code)s”") % {"code": token})
        else:
            folded = fold(token)
            if not folded:
                raise ValueError(_("“%(value)s” is not a territory name") % {"value": token})
            matches = queryset.filter(Q(search_name=folded) | Q(names__folded=folded))
            if country:
                root = self._country(country)
                matches = matches.within(root) if root else matches.none()
            candidates = list(matches.distinct().order_by("level", "name")[:6])
            if not candidates:
                raise ValueError(
                    _("no territory is called “%(name)s”%(where)s")
                    % {
                        "name": token,
                        "where": _(" in %(country)s") % {"country": country} if country else "",
                    }
                )
        if len(candidates) > 1:
            raise ValueError(
                _("“%(value)s” could be %(candidates)s: write its code")
                % {
                    "value": token,
                    "candidates": "; ".join(describe_territory(t) for t in candidates[:5]),
                }
            )
        territory = candidates[0]
        if country:
            root = self._country(country)
            if root is None or not territory.is_within(root):
                raise ValueError(
                    _("%(territory)s is not in %(country)s")
                    % {
                        "territory": describe_territory(territory),
                        "country": country,
                    }
                )
        return territory

    def _country(self, alpha2: str) -> Territory | None:
        if alpha2 not in self._countries:
            self._countries[alpha2] = (
                Territory.objects.countries().with_code(Scheme.ISO, alpha2).first()
            )
        return self._countries[alpha2]

    @staticmethod
    def _by_code(queryset, scheme: str, code: str) -> list[Territory]:
        found = list(queryset.with_code(scheme, code))
        # Spreadsheets drop leading zeros: DIVIPOLA "5001" is Medellín's 05001.
        if not found and code.isdigit() and scheme in CODE_WIDTHS:
            for width in CODE_WIDTHS[scheme]:
                if len(code) < width:
                    found = list(queryset.with_code(scheme, code.zfill(width)))
                    if found:
                        break
        return found


# --- the plan ----------------------------------------------------------------------------

UNSET = object()  # a column the file does not have: leave the value alone


@dataclass
class PlannedRow:
    """One checked row: what the intervention will look like, and what happens to it."""

    number: int
    external_id: str
    intervention: Intervention  # existing (with the new values set) or new, unsaved
    country: str | object | None = UNSET  # alpha-2, None to clear, UNSET to leave
    tags: dict[str, list[str]] = field(default_factory=dict)
    territories: list[Territory] | None = None
    sources: list[dict[str, str]] | None = None
    outcome: str = "created"  # created, updated or unchanged

    @property
    def exists(self) -> bool:
        return self.intervention.pk is not None


@dataclass
class ImportPlan:
    file: str
    rows: list[PlannedRow]
    publish: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    skipped_rows: int = 0
    reading_notes: list[str] = field(default_factory=list)  # formulas whose values were used

    def outcomes(self) -> Counter[str]:
        """What writing the plan would do: created, updated, unchanged."""
        counts: Counter[str] = Counter({"created": 0, "updated": 0, "unchanged": 0})
        for row in self.rows:
            counts[_final_outcome(row, self.publish)] += 1
        return counts

    def notes(self) -> list[str]:
        notes = list(self.reading_notes)
        if self.ignored_columns:
            notes.append(
                _("Columns not read: %(columns)s.")
                % {
                    "columns": ", ".join(self.ignored_columns),
                }
            )
        if self.skipped_rows:
            notes.append(
                _("%(count)s row(s) with nothing in the columns read were skipped.")
                % {
                    "count": self.skipped_rows,
                }
            )
        return notes


def _final_outcome(row: PlannedRow, publish: bool) -> str:
    if row.outcome == "unchanged" and publish and row.intervention.curation != Curation.PUBLISHED:
        return "updated"  # its curation status changes
    return row.outcome


# --- check -------------------------------------------------------------------------------


def check(
    path: Path,
    *,
    name: str | None = None,
    publish: bool = False,
    progress: Progress = no_progress,
) -> ImportPlan:
    """Read and check the whole file; write nothing. Raises BadFile listing every problem."""
    table = read_table(path, name=name)
    problems = Problems(table.file)
    headers = find_columns(table, COLUMNS, problems)
    problems.raise_if_any()
    read = {header for header in headers.values() if header}
    ignored = [header for header in table.headers if header and header not in read]

    rows = [row for row in table.rows if any(row.get(h) for h in read)]
    skipped = len(table.rows) - len(rows)
    ids = {" ".join(row.get(headers["external_id"]).split()) for row in rows}
    existing = {
        intervention.external_id: intervention
        for intervention in Intervention.objects.filter(external_id__in=ids)
        .select_related("country")
        .prefetch_related("tags", "sources", "territories")
    }
    resolver = TerritoryResolver()
    seen: dict[str, int] = {}
    planned: list[PlannedRow] = []
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        reader = _RowReader(row, headers, problems)
        result = reader.read(existing, resolver, seen, publish)
        if result is not None:
            planned.append(result)
        if done % 100 == 0 or done == total:
            progress(done, total, _("Checking row %(number)s") % {"number": row.number})
    problems.raise_if_any()
    return ImportPlan(table.file, planned, publish, ignored, skipped, list(table.notes))


class _RowReader:
    """Reads one row, adding a problem per bad cell; returns None if any cell was bad."""

    def __init__(self, row: Row, headers: dict[str, str | None], problems: Problems) -> None:
        self.row = row
        self.headers = headers
        self.problems = problems
        self.failed = False

    def has(self, key: str) -> bool:
        return self.headers.get(key) is not None

    def cell(self, key: str) -> str:
        return self.row.get(self.headers.get(key))

    def problem(self, key: str | None, message: str) -> None:
        column = self.headers.get(key) if key else None
        self.problems.add(self.row.number, column, message)
        self.failed = True

    def parse(self, key: str, parser, *args) -> Any:
        """The parsed cell, None when empty, UNSET when the file lacks the column."""
        if not self.has(key):
            return UNSET
        text = self.cell(key)
        if not text:
            return None
        try:
            return parser(text, *args)
        except ValueError as exc:
            self.problem(key, str(exc))
            return UNSET

    def read(
        self,
        existing: Mapping[str | None, Intervention],
        resolver: TerritoryResolver,
        seen: dict[str, int],
        publish: bool,
    ) -> PlannedRow | None:
        external_id = " ".join(self.cell("external_id").split())
        if not external_id:
            self.problem(
                "external_id",
                _(
                    "give every row a stable id (e.g. CO-001), so that importing the file "
                    "again updates it instead of adding it twice"
                ),
            )
        elif len(external_id) > 64:
            self.problem("external_id", _("the id is longer than 64 characters"))
        elif external_id in seen:
            self.problem(
                "external_id",
                _("“%(id)s” is also on row %(row)s")
                % {
                    "id": external_id,
                    "row": seen[external_id],
                },
            )
        else:
            seen[external_id] = self.row.number

        intervention = existing.get(external_id) or Intervention(external_id=external_id)
        values: dict[str, Any] = {}
        name = " ".join(self.cell("name").split())
        if not name:
            self.problem("name", _("the name is empty"))
        elif len(name) > 300:
            self.problem("name", _("the name is longer than 300 characters"))
        values["name"] = name
        language = self.parse("name_language", parse_language)
        if language is not UNSET:
            values["name_language"] = language or "es"
        for key, (field_name, max_length) in TEXT_FIELDS.items():
            if self.has(key):
                text = " ".join(self.cell(key).split())
                if len(text) > max_length:
                    self.problem(key, _("longer than %(max)s characters") % {"max": max_length})
                values[field_name] = text
        if self.has("summary"):
            values["summary"] = self.cell("summary")
        for key, (field_name, choices) in CHOICE_FIELDS.items():
            code = self.parse(key, parse_choice, choices)
            if code is None and key in REQUIRED_CHOICES:
                self.problem(key, _("this value is required"))
            elif code is not UNSET:
                values[field_name] = code or ""
        translations = self._read_translations(
            values.get("name_language", intervention.name_language), name
        )

        country = self.parse("country", parse_country)
        tags = {}
        for key, (kind, choices) in TAG_COLUMNS.items():
            codes = self.parse(key, parse_choices, choices)
            if codes is not UNSET:
                tags[kind] = codes or []
        territories = None
        country_is_bad = self.has("country") and country is UNSET
        if self.has("territories") and not country_is_bad:
            within = country if isinstance(country, str) else ""
            territories, errors = resolver.resolve_all(self.cell("territories"), within)
            for message in errors:
                self.problem("territories", message)

        self._read_years(values)
        self._read_budget(values)
        sources = self.parse("sources", parse_sources)
        if sources is None:
            sources = []
        if publish and not (self.has("sources") and sources is UNSET):
            if sources is UNSET:  # no sources column: the ones already recorded count
                will_have_sources = intervention.pk is not None and intervention.sources.exists()
            else:
                will_have_sources = bool(sources)
            if not will_have_sources:
                self.problem(
                    "sources" if self.has("sources") else "name",
                    _("a row to publish needs a source (a link or a citation)"),
                )
        if self.failed:
            return None

        planned = PlannedRow(
            number=self.row.number,
            external_id=external_id,
            intervention=intervention,
            country=country,
            tags=tags,
            territories=territories,
            sources=None if sources is UNSET else sources,
        )
        changed = _apply(planned, values, translations)
        if not planned.exists:
            planned.outcome = "created"
        else:
            planned.outcome = "updated" if changed else "unchanged"
        self._validate_model(intervention)
        return None if self.failed else planned

    def _read_years(self, values: dict[str, Any]) -> None:
        for key in ("start_year", "end_year", "budget_year"):
            year = self.parse(key, parse_year)
            if year is not UNSET:
                values[key] = year
        start, end = values.get("start_year"), values.get("end_year")
        if isinstance(start, int) and isinstance(end, int) and end < start:
            self.problem(
                "end_year",
                _("the end year %(end)s is before the start year %(start)s")
                % {"end": end, "start": start},
            )

    def _read_budget(self, values: dict[str, Any]) -> None:
        currency = self.parse("currency", parse_currency)
        if currency is not UNSET:
            values["budget_currency"] = currency or ""
        if not self.has("budget"):
            return
        text = self.cell("budget")
        if not text:
            values["budget_amount"] = None
            return
        if currency is UNSET and self.has("currency"):
            return  # the currency's own problem is listed; reading the amount would guess
        try:
            amount = fit_amount(parse_amount(text, currency if isinstance(currency, str) else ""))
        except ValueError as exc:
            self.problem("budget", str(exc))
            return
        values["budget_amount"] = amount
        if not isinstance(currency, str):  # an empty cell, or no currency column at all
            self.problem(
                "currency" if self.has("currency") else "budget",
                _("a budget needs its currency (an ISO 4217 code such as COP or USD)"),
            )
        if values.get("budget_year") is None:
            self.problem(
                "budget_year" if self.has("budget_year") else "budget",
                _("a budget needs the year its amount is expressed in"),
            )

    def _read_translations(self, language: str, name: str) -> dict[str, Any]:
        """{"name": {...}, "summary": {...}} for the translation columns the file has.

        The name's own language is not a translation: a name_es beside a Spanish
        name must repeat it (or be empty).
        """
        result: dict[str, Any] = {}
        for base in ("name", "summary"):
            if not any(self.has(f"{base}_{code}") for code in LANGUAGES):
                result[base] = UNSET
                continue
            translations = {}
            for code in LANGUAGES:
                key = f"{base}_{code}"
                text = self.cell(key)
                if base == "name":
                    text = " ".join(text.split())
                    if len(text) > 300:
                        self.problem(key, _("the name is longer than 300 characters"))
                    if text and code == language and text != name:
                        self.problem(
                            key,
                            _(
                                "the name is already in this language; put the other "
                                "spelling in the name column or leave this cell empty"
                            ),
                        )
                if text and code != language:
                    translations[code] = text
            result[base] = translations
        return result

    def _validate_model(self, intervention: Intervention) -> None:
        # A safety net for whatever the cell checks above do not know about.
        try:
            intervention.full_clean(exclude=["territories", "country"])
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                key = FIELD_COLUMNS.get(field_name)
                for message in messages:
                    self.problem(key, message)


def _apply(planned: PlannedRow, values: dict[str, Any], translations: dict[str, Any]) -> bool:
    """Set the row's values on its intervention; whether anything differs from before."""
    intervention = planned.intervention
    changed = False
    for field_name, value in values.items():
        if getattr(intervention, field_name) != value:
            setattr(intervention, field_name, value)
            changed = True
    for base in ("name", "summary"):
        new = translations.get(base, UNSET)
        if new is UNSET:
            continue
        attribute = f"{base}_translations"
        if getattr(intervention, attribute) != new:
            setattr(intervention, attribute, new)
            changed = True
    if not planned.exists:
        return True
    if planned.country is not UNSET and (planned.country or "") != intervention.country_code:
        changed = True
    for kind, codes in planned.tags.items():
        if sorted(set(codes)) != intervention.codes(kind):
            changed = True
    if planned.territories is not None:
        held = {territory.pk for territory in intervention.territories.all()}
        if held != {territory.pk for territory in planned.territories}:
            changed = True
    if planned.sources is not None:
        held_sources = sorted((s.citation, s.url) for s in intervention.sources.all())
        if held_sources != sorted((s["citation"], s["url"]) for s in planned.sources):
            changed = True
    return changed


# --- write -------------------------------------------------------------------------------


def write(plan: ImportPlan, *, actor=None, progress: Progress = no_progress) -> ImportReport:
    """Apply a checked plan, all or nothing, and audit the import as one entry."""
    report = timed_write(lambda: _write(plan, actor, progress))
    report.notes.extend(plan.notes())
    return report


@transaction.atomic
def _write(plan: ImportPlan, actor, progress: Progress) -> ImportReport:
    report = ImportReport()
    label = str(Intervention._meta.verbose_name_plural).capitalize()
    countries: dict[str, Territory] = {}
    total = len(plan.rows)
    for done, row in enumerate(plan.rows, start=1):
        outcome = _final_outcome(row, plan.publish)
        if outcome != "unchanged":
            _write_row(row, plan.publish, actor, countries)
        report.add(label, outcome)
        if done % 50 == 0 or done == total:
            progress(done, total, _("Saving row %(number)s") % {"number": row.number})
    counts = {outcome: report.total(outcome) for outcome in ("created", "updated", "unchanged")}
    audit.record(
        AuditAction.IMPORT,
        actor=actor,
        object_type="evidence.intervention",
        object_repr=plan.file,
        changes={**counts, "published": plan.publish},
    )
    return report


def _write_row(row: PlannedRow, publish: bool, actor, countries: dict[str, Territory]) -> None:
    intervention = row.intervention
    if isinstance(row.country, str):
        if row.country not in countries:
            # Countries come from ISO 3166 (pycountry): one missing from the tree is added.
            countries[row.country] = ensure_country(row.country)
        intervention.country = countries[row.country]
    elif row.country is None:
        intervention.country = None
    already_reviewed = intervention.curation == Curation.REVIEWED and row.outcome == "unchanged"
    if publish and not already_reviewed:
        # The import is the submission; services.review below refuses a reviewer
        # reviewing their own submission, which is why nobody is named as submitter.
        intervention.curation = Curation.SUBMITTED
        intervention.submitted_by = None
        intervention.submitted_at = timezone.now()
    elif not publish:
        # Only rows whose content changed are written.
        services.back_to_draft_if_changed(intervention, changed=True)
    saved = services.save_intervention(
        intervention,
        tags=row.tags or None,
        territories=row.territories,
        sources=row.sources,
        actor=actor,
    )
    if publish:
        if saved.curation == Curation.SUBMITTED:
            saved = services.review(saved, actor)
        services.publish(saved, actor)
