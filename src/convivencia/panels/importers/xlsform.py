"""XLSForm export and import, for KoBoToolbox and ODK Collect.

Export writes the ``survey``, ``choices`` and ``settings`` sheets of a questionnaire,
in every site language (``label::Español (es)``…), with skip logic as ``relevant``
expressions. Import reads such a workbook back into a new questionnaire version,
parsed and checked by pyxform itself so that a form we accept is one KoBoToolbox
and ODK Central accept too.

What the XLSForm standard cannot say (an item is a 1–7 scale and not just a
choice, which answers count as favourable, reverse-coding, the provider asked
about) travels in extra ``convivencia_*`` columns of the survey sheet: pyxform,
KoBoToolbox and ODK ignore columns they do not know. A form without them
(written by hand in KoBoToolbox) is imported with plain choice items, and
select_one lists whose answers are yes / no become yes/no items.

Import reads back only the skip logic export writes: ``${ITEM} = 'value'`` and
``selected(${ITEM}, 'value')``, several joined with ``or``. In a form of ours other
expressions are refused, naming the row, rather than dropped: a question shown to
everyone that was meant for a few changes the data. Hints and constraints are not
kept (export writes its own constraints).

A form made elsewhere (no ``convivencia_*`` column: written in KoBoToolbox or ODK)
is taken as it is. Choice names of any kind are kept as text (``Choice.name``);
numeric names keep their number, other lists are numbered in order, with "don't
know" and "no answer" recognised. Questions of types that are not analysed (dates,
places, photos, calculations, lists from files) and whole repeats are kept as raw
fields; its skip logic and conditional "required" are the collecting tool's
business (it already enforced them), so they are not refused. Every field of the
form gets a ``FieldMapping`` (``panels.mapping``), which the coordinator edits on the
mapping page. Languages: ``label::Español (es)``, ``label::EN``, ``label::English``
are recognised; any other (``label::chinese``) is kept as written. A title in several
languages (``form_title::English (en)``…) is kept in every one of them.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from convivencia.core.fields import max_length
from convivencia.core.i18n import translated
from convivencia.core.limits import ImportLimits
from convivencia.core.reading import (
    BadFile,
    Problem,
    Problems,
    check_file_size,
    check_workbook_bytes,
)
from convivencia.core.spreadsheets import append_verbatim_row
from convivencia.core.text import fold
from convivencia.panels.choices import (
    DONT_KNOW,
    MISSING_CODES,
    NO_ANSWER,
    FieldUse,
    ItemType,
    Provider,
)
from convivencia.panels.importers.roster import RESPONDENT_CODE_PATTERN
from convivencia.panels.models import Choice, FieldMapping, Item, Panel, Questionnaire
from convivencia.panels.questionnaire_default import LOCAL_PROVIDER_PLACEHOLDER

RESPONDENT_FIELD = "respondent"
ROSTER_LIST = "roster"
BASE_LANGUAGE = "es"  # the programme's language: an untranslated "label" column is Spanish

# Items and the select_one / select_multiple lists they use.
_SELECT_TYPES: dict[str, str] = {
    ItemType.SCALE: "select_one",
    ItemType.SINGLE: "select_one",
    ItemType.YES_NO: "select_one",
    ItemType.MULTIPLE: "select_multiple",
}
_PLAIN_TYPES: dict[str, str] = {ItemType.NUMBER: "integer", ItemType.TEXT: "text"}

META_COLUMNS = (
    "convivencia_type",
    "convivencia_provider",
    "convivencia_scale_min",
    "convivencia_scale_max",
    "convivencia_top_min",
    "convivencia_reverse",
    "convivencia_local",
)

# Texts of the form itself (not of the site): they belong to the form's languages,
# like item wordings, so they are data here rather than gettext messages.
_RESPONDENT_LABEL = {
    "es": "Código del participante",
    "en": "Participant code",
    "pt": "Código do participante",
}
_RESPONDENT_CODE_MESSAGE = {
    "es": "Solo letras, números, «-», «_» y «.», sin espacios.",
    "en": "Only letters, digits, “-”, “_” and “.”, no spaces.",
    "pt": "Só letras, números, «-», «_» e «.», sem espaços.",
}
_EXCLUSIVE_MISSING_MESSAGE = {
    "es": "«No sabe» y «No responde» no se combinan con otras respuestas.",
    "en": "“Don't know” and “No answer” cannot be combined with other answers.",
    "pt": "«Não sabe» e «Não respondeu» não se combinam com outras respostas.",
}


def form_languages() -> list[tuple[str, str]]:
    """(code, XLSForm language name) for the site's languages: ("es", "Español (es)")."""
    return [
        (code, f"{capfirst(translation.get_language_info(code)['name_local'])} ({code})")
        for code, _name in settings.LANGUAGES
    ]


# --- export ------------------------------------------------------------------------------


def included_items(
    questionnaire: Questionnaire, panel: Panel | None = None, *, with_choices: bool = True
) -> list[Item]:
    """The items a panel's form asks, in order.

    A panel that names no local provider cannot ask how much people trust it: its
    form leaves out the items that mention the provider, and any item shown only
    after one of them. ``with_choices=False`` skips prefetching the Choice instances
    (the import reads the choices as plain values, once per batch).
    """
    items = questionnaire.items.select_related("relevant_item").order_by("position", "pk")
    if with_choices:
        items = items.prefetch_related("choices")
    return asked_by(list(items), panel)


def asked_by(items: list[Item], panel: Panel | None) -> list[Item]:
    """Of a questionnaire's items in order, those the panel's form asks (see included_items)."""
    if panel is None or panel.local_provider_name:
        return items
    left_out: set[int] = set()
    for item in items:
        mentions = any(LOCAL_PROVIDER_PLACEHOLDER in text for text in item.wording.values())
        if mentions or item.relevant_item_id in left_out:
            left_out.add(item.pk)
    return [item for item in items if item.pk not in left_out]


def left_out_items(questionnaire: Questionnaire, panel: Panel | None = None) -> list[Item]:
    kept = {item.pk for item in included_items(questionnaire, panel)}
    return [item for item in questionnaire.items.order_by("position") if item.pk not in kept]


def form_id(questionnaire: Questionnaire, panel: Panel | None = None) -> str:
    return panel.code if panel is not None else f"{questionnaire.code}_v{questionnaire.version}"


def export_xlsform(questionnaire: Questionnaire, panel: Panel | None = None) -> bytes:
    """The questionnaire as an XLSForm workbook (.xlsx bytes).

    With a panel, the form is that panel's: respondents choose their code from the
    roster (codes and roles only, never names) and the local provider is named.
    Raises ValueError when the questionnaire cannot be written as a form.
    """
    if panel is not None and panel.questionnaire_id != questionnaire.pk:
        raise ValueError(
            _("Panel “%(panel)s” uses questionnaire %(used)s, not %(asked)s.")
            % {"panel": panel.code, "used": panel.questionnaire, "asked": questionnaire}
        )
    languages = form_languages()
    items = included_items(questionnaire, panel)
    if any(item.code == RESPONDENT_FIELD for item in items):
        raise ValueError(
            _(
                "An item may not be called “%(name)s”: the form uses that name for the "
                "respondent's code."
            )
            % {"name": RESPONDENT_FIELD}
        )

    workbook = openpyxl.Workbook()
    survey = workbook.worksheets[0]  # the sheet a new workbook starts with
    survey.title = "survey"
    choices_sheet = workbook.create_sheet("choices")
    settings_sheet = workbook.create_sheet("settings")

    label_columns = [f"label::{name}" for _code, name in languages]
    message_columns = [f"constraint_message::{name}" for _code, name in languages]
    survey_headers = [
        "type",
        "name",
        *label_columns,
        "required",
        "relevant",
        "constraint",
        *message_columns,
        *META_COLUMNS,
    ]
    append_verbatim_row(survey, survey_headers)
    append_verbatim_row(choices_sheet, ["list_name", "name", *label_columns])

    def survey_row(**cells: Any) -> None:
        append_verbatim_row(survey, [cells.get(header, "") for header in survey_headers])

    def in_languages(prefix: str, texts: dict[str, str]) -> dict[str, str]:
        return {f"{prefix}::{name}": texts.get(code, "") for code, name in languages}

    # Recorded by the device: the interview's date files the answers under the right month
    # even when the phone only reaches a server weeks later.
    for metadata in ("start", "end", "today"):
        survey_row(type=metadata, name=metadata)

    # The respondent: from the roster when there is one, else a typed code.
    if panel is not None:
        respondents = list(panel.respondents.filter(is_active=True).order_by("code"))
        if not respondents:
            raise ValueError(
                _("Panel “%(panel)s” has no active respondents: import its roster first.")
                % {"panel": panel.code}
            )
        survey_row(
            type=f"select_one {ROSTER_LIST}",
            name=RESPONDENT_FIELD,
            required="yes",
            **in_languages("label", _RESPONDENT_LABEL),
        )
        for respondent in respondents:
            append_verbatim_row(
                choices_sheet,
                [ROSTER_LIST, respondent.code, *_respondent_labels(respondent, languages)],
            )
    else:
        survey_row(
            type="text",
            name=RESPONDENT_FIELD,
            required="yes",
            constraint=f"regex(., '{RESPONDENT_CODE_PATTERN}')",
            **in_languages("label", _RESPONDENT_LABEL),
            **in_languages("constraint_message", _RESPONDENT_CODE_MESSAGE),
        )

    list_names = _ChoiceLists(reserved={ROSTER_LIST})
    for item in items:
        choices = list(item.choices.all())
        cells: dict[str, Any] = {
            "name": item.code,
            "required": "yes" if item.required else "",
            "relevant": relevant_expression(item) if item.relevant_item_id else "",
            **in_languages("label", _wording_for(item, panel)),
            **_meta_cells(item),
        }
        if item.type in _SELECT_TYPES:
            if not choices:
                raise ValueError(
                    _("Item %(code)s is a choice item without choices.") % {"code": item.code}
                )
            list_name, is_new = list_names.name_for(item, choices)
            if is_new:
                for choice in choices:
                    append_verbatim_row(
                        choices_sheet,
                        [
                            list_name,
                            str(choice.value),
                            *(choice.label.get(code, "") for code, _n in languages),
                        ],
                    )
            cells["type"] = f"{_SELECT_TYPES[item.type]} {list_name}"
            missing = [str(choice.value) for choice in choices if choice.is_missing]
            if item.type == ItemType.MULTIPLE and missing:
                # "Don't know" next to a real answer would be counted twice.
                chosen = " or ".join(f"selected(., '{value}')" for value in missing)
                cells["constraint"] = f"not(({chosen}) and count-selected(.) > 1)"
                cells.update(in_languages("constraint_message", _EXCLUSIVE_MISSING_MESSAGE))
        else:
            cells["type"] = _PLAIN_TYPES[item.type]
        survey_row(**cells)

    append_verbatim_row(settings_sheet, ["form_title", "form_id", "version", "default_language"])
    append_verbatim_row(
        settings_sheet,
        [
            translated(questionnaire.title, BASE_LANGUAGE) or questionnaire.code,
            form_id(questionnaire, panel),
            _form_version(questionnaire, panel),
            dict(languages)[BASE_LANGUAGE],
        ],
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def relevant_expression(item: Item) -> str:
    """The XLSForm ``relevant`` of an item shown only after some answers."""
    source = item.relevant_item
    if source is None:
        return ""
    if source.type == ItemType.MULTIPLE:
        terms = [f"selected(${{{source.code}}}, '{value}')" for value in item.relevant_values]
    else:
        terms = [f"${{{source.code}}} = '{value}'" for value in item.relevant_values]
    return " or ".join(terms)


def _respondent_labels(respondent, languages: list[tuple[str, str]]) -> list[str]:
    """Code and role in each language: enough to pick the right person, never a name."""
    labels = []
    for code, _name in languages:
        with translation.override(code):
            role = str(respondent.get_role_display()) if respondent.role else ""
        labels.append(f"{respondent.code} · {role}" if role else respondent.code)
    return labels


def _wording_for(item: Item, panel: Panel | None) -> dict[str, str]:
    if panel is None or not panel.local_provider_name:
        return dict(item.wording)
    return {
        code: text.replace(LOCAL_PROVIDER_PLACEHOLDER, panel.local_provider_name)
        for code, text in item.wording.items()
    }


def _meta_cells(item: Item) -> dict[str, Any]:
    return {
        "convivencia_type": item.type,
        "convivencia_provider": item.provider,
        "convivencia_scale_min": item.scale_min if item.scale_min is not None else "",
        "convivencia_scale_max": item.scale_max if item.scale_max is not None else "",
        "convivencia_top_min": item.top_min if item.top_min is not None else "",
        "convivencia_reverse": "yes" if item.reverse_coded else "",
        "convivencia_local": "yes" if item.is_local else "",
    }


def _form_version(questionnaire: Questionnaire, panel: Panel | None) -> str:
    """The questionnaire version; for a panel, with a digest of what the form shows.

    ODK Central and KoBoToolbox need a new version string whenever a form changes,
    and a panel's form changes with its roster and its local provider.
    """
    if panel is None:
        return str(questionnaire.version)
    shown = [
        panel.local_provider_name,
        *panel.respondents.filter(is_active=True).order_by("code").values_list("code", "role"),
    ]
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:8]
    return f"{questionnaire.version}.{digest}"


class _ChoiceLists:
    """Names choice lists after the first item using them; identical lists are shared,
    so that the seven 1–7 trust items make one list, as a person would write it."""

    def __init__(self, reserved: set[str]) -> None:
        self.taken = set(reserved)
        self.by_content: dict[tuple, str] = {}

    def name_for(self, item: Item, choices: list[Choice]) -> tuple[str, bool]:
        key = tuple((choice.value, tuple(sorted(choice.label.items()))) for choice in choices)
        if key in self.by_content:
            return self.by_content[key], False
        name = base = item.code.lower()
        counter = 1
        while name in self.taken:
            counter += 1
            name = f"{base}_{counter}"
        self.taken.add(name)
        self.by_content[key] = name
        return name, True


# --- import ------------------------------------------------------------------------------

# Metadata fields of a form: recorded by the device, never a question to a respondent.
_SKIPPED_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "phonenumber",
    "username",
    "email",
    "simserial",
    "subscriberid",
    "audit",
    "start-geopoint",
    "background-audio",
}
# Shown, never answered: no data, no field.
_DISPLAY_TYPES = {"note"}
# Names a respondent-code question goes by in forms made elsewhere.
RESPONDENT_NAMES = frozenset({RESPONDENT_FIELD, "respondent_code", "respondent_id"})
_CHOICE_TYPES = {"select one": "select_one", "select all that apply": "select_multiple"}
_NUMBER_TYPES = {"integer", "decimal"}

# Choice names people use instead of numbers (folded: lower case, no accents, "_" → " ").
_NAMED_VALUES = {
    "yes": 1,
    "si": 1,
    "true": 1,
    "no": 0,
    "false": 0,
    "dont know": DONT_KNOW,
    "don t know": DONT_KNOW,
    "dk": DONT_KNOW,
    "ns": DONT_KNOW,
    "no sabe": DONT_KNOW,
    "nosabe": DONT_KNOW,
    "no answer": NO_ANSWER,
    "refused": NO_ANSWER,
    "refuse": NO_ANSWER,
    "nr": NO_ANSWER,
    "no responde": NO_ANSWER,
    "noresponde": NO_ANSWER,
}
_LANGUAGE_NAMES = {
    "english": "en",
    "ingles": "en",
    "spanish": "es",
    "espanol": "es",
    "castellano": "es",
    "portuguese": "pt",
    "portugues": "pt",
    "french": "fr",
    "frances": "fr",
}
_LANGUAGE_IN_PARENTHESES = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")
_EQUALS = re.compile(r"\$\{(?P<name>[^}\s]+)\}\s*=\s*(?P<quote>['\"])(?P<value>[^'\"]*)(?P=quote)")
_SELECTED = re.compile(
    r"selected\(\s*\$\{(?P<name>[^}\s]+)\}\s*,\s*(?P<quote>['\"])(?P<value>[^'\"]*)(?P=quote)\s*\)"
)
_OR = re.compile(r"\s+or\s+")
_VERSION_SUFFIX = re.compile(r"_v[0-9]+$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"", "no", "false", "false()", "0"}
_SMALL_INTEGER = range(-32768, 32768)


@dataclass
class _PlannedField:
    """One field of the form and what it is (see FieldMapping)."""

    name: str  # with its groups: "group/question"
    kind: str
    label: dict[str, str]
    use: str
    item_code: str = ""


@dataclass
class _PlannedItem:
    code: str
    row: int | None
    type: str
    wording: dict[str, str]
    choices: list[tuple[int, dict[str, str]]]
    names: dict[str, int]  # choice name in the form → value
    required: bool
    relevant: str
    provider: str = ""
    scale_min: int | None = None
    scale_max: int | None = None
    top_min: int | None = None
    reverse_coded: bool = False
    is_local: bool = False
    relevant_item: str | None = None
    relevant_values: list[int] = field(default_factory=list)


def import_xlsform(
    file: str | Path | bytes | IO[bytes], *, name: str | None = None
) -> Questionnaire:
    """Read an XLSForm into a new version of the questionnaire its ``form_id`` names.

    ``form_id`` "confianza_v1" (as export writes it) and "confianza" both name the
    questionnaire "confianza"; without a form_id, the file name does. Raises BadFile
    listing every problem; nothing is written then.
    """
    data, file_name = _read(file, name)
    check_workbook_bytes(data, file_name)
    reader = _FormReader(file_name)
    form = reader.parse(data)
    plan = reader.plan(form)
    with transaction.atomic():
        return _write(plan)


def _read(file: str | Path | bytes | IO[bytes], name: str | None) -> tuple[bytes, str]:
    if isinstance(file, bytes):
        return file, name or "form.xlsx"
    if isinstance(file, str | Path):
        path = Path(file)
        check_file_size(path, name or path.name)
        try:
            return path.read_bytes(), name or path.name
        except OSError as exc:
            raise BadFile(
                [Problem(name or path.name, None, None, _("cannot be read: %s") % exc)]
            ) from exc
    # One byte past the limit is enough for check_workbook_bytes to refuse it by its size.
    data = file.read(ImportLimits.current().max_file_bytes + 1)
    return data, name or Path(getattr(file, "name", "") or "form.xlsx").name


@dataclass
class _Plan:
    code: str
    title: dict[str, str]
    items: list[_PlannedItem]
    fields: list[_PlannedField] = field(default_factory=list)
    form_id: str = ""
    form_version: str = ""
    default_language: str = ""


class _FormReader:
    """Turns pyxform's reading of a workbook into items, collecting every problem."""

    def __init__(self, file_name: str) -> None:
        self.file = file_name
        self.problems = Problems(file_name)
        self.survey_rows: dict[str, int] = {}
        self.choice_rows: dict[tuple[str, str], int] = {}
        self.default_language = BASE_LANGUAGE
        # A form without any convivencia_* column was made elsewhere (see the module).
        self.elsewhere = False

    # pyxform reads and checks the workbook, as KoBoToolbox and ODK Central will.
    def parse(self, data: bytes) -> dict[str, Any]:
        from pyxform.builder import create_survey_element_from_dict
        from pyxform.errors import PyXFormError
        from pyxform.xls2json import workbook_to_json
        from pyxform.xls2json_backends import get_xlsform

        try:
            workbook = get_xlsform(data)
            # Row numbers as the spreadsheet shows them: pyxform keeps empty rows in place.
            for index, row in enumerate(workbook.survey or [], start=2):
                if row.get("name"):
                    self.survey_rows.setdefault(str(row["name"]), index)
            for index, row in enumerate(workbook.choices or [], start=2):
                list_name = row.get("list_name") or row.get("list name")
                if list_name and row.get("name") is not None:
                    self.choice_rows.setdefault((str(list_name), str(row["name"])), index)
            warnings: list[str] = []
            form = workbook_to_json(
                workbook_dict=workbook,
                fallback_form_name=Path(self.file).stem,
                warnings=warnings,
            )
            create_survey_element_from_dict(_with_one_title(form)).to_xml(warnings=warnings)
        except PyXFormError as exc:
            raise BadFile(
                [Problem(self.file, None, None, _("is not a valid XLSForm: %s") % exc)]
            ) from exc
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # pyxform itself fails on some sheets it does not expect: the form cannot be
            # built, so KoBoToolbox could not either.
            raise BadFile(
                [
                    Problem(
                        self.file,
                        None,
                        None,
                        _("is not a valid XLSForm: pyxform cannot build it (%s)")
                        % (f"{type(exc).__name__}: {exc}"),
                    )
                ]
            ) from exc
        return form

    def plan(self, form: dict[str, Any]) -> _Plan:
        questions = list(_questions(form.get("children", []), self))
        self.elsewhere = not any(
            key.startswith("convivencia_") for question, _path in questions for key in question
        )
        default = form.get("default_language") or "default"
        self.default_language = (
            BASE_LANGUAGE if default == "default" else self._language(default) or BASE_LANGUAGE
        )
        form_id = str(form.get("id_string") or "")
        code = _VERSION_SUFFIX.sub("", form_id)
        if self.elsewhere and not _SLUG.match(code):
            code = slugify(code)
        code = code[: max_length(Questionnaire, "code")] if self.elsewhere else code
        if not _SLUG.match(code) or len(code) > max_length(Questionnaire, "code"):
            self._add(
                "settings",
                None,
                "form_id",
                _(
                    "“%(code)s” cannot be a questionnaire code: use letters, digits, “-” and “_”, "
                    "at most 60 characters (settings sheet, form_id)"
                )
                % {"code": code},
            )
        items: list[_PlannedItem] = []
        fields: list[_PlannedField] = []
        codes: set[str] = set()
        for question, path in questions:
            planned_field = self._field(question, path)
            if planned_field is None:
                continue
            fields.append(planned_field)
            if planned_field.use in (FieldUse.RAW, FieldUse.IGNORED, FieldUse.RESPONDENT):
                continue
            planned = self._item(question, codes)
            if planned is None:
                fields.pop()
                continue
            items.append(planned)
            codes.add(planned.code.lower())
            planned_field.item_code = planned.code
            if planned.provider:
                planned_field.use = FieldUse.TRUST
        if not items and not self.elsewhere:
            self._add("", None, None, _("has no questions to import"))
        if not [f for f in fields if f.use != FieldUse.IGNORED]:
            self._add("", None, None, _("has no questions to import"))
        self._resolve_relevant(items)
        self.problems.raise_if_any()
        # Without a form_title pyxform repeats the form_id: that is no title.
        title = form.get("title")
        titles = (
            self._texts(title, "form_title", None, "settings")
            if title and title != form.get("id_string")
            else {}
        )
        return _Plan(
            code=code,
            title=titles,
            items=items,
            fields=fields,
            form_id=form_id,
            form_version=str(form.get("version") or ""),
            default_language="" if default == "default" else str(default),
        )

    def _field(self, question: dict[str, Any], path: str) -> _PlannedField | None:
        """What a field of the form is; None for what holds no data (notes)."""
        kind = str(question.get("type", ""))
        name = str(question.get("name", ""))
        if kind in _DISPLAY_TYPES:
            return None
        label = self._texts(question.get("label"), "label", self.survey_rows.get(name))
        if fold(name).replace(" ", "_") in RESPONDENT_NAMES:
            return _PlannedField(path, kind, label, FieldUse.RESPONDENT)
        if kind in _SKIPPED_TYPES:
            return _PlannedField(path, kind, label, FieldUse.IGNORED)
        analysed = (
            (kind in _CHOICE_TYPES and bool(question.get("choices")))
            or kind in _NUMBER_TYPES
            or kind == "text"
        )
        if not analysed or kind == "repeat":
            # A repeat is kept whole, raw: a panel asks each respondent each item once.
            return _PlannedField(path, kind, label, FieldUse.RAW)
        return _PlannedField(path, kind, label, FieldUse.ITEM)

    def _item(self, question: dict[str, Any], codes: set[str]) -> _PlannedItem | None:
        name = str(question.get("name", ""))
        row = self.survey_rows.get(name)
        kind = question.get("type", "")
        limit = max_length(Item, "code")
        if self.elsewhere:
            # Item codes are short and unique; the form's own name stays on the mapping.
            base = name[:limit]
            code, counter = base, 1
            while code.lower() in codes:
                counter += 1
                suffix = f"_{counter}"
                code = base[: limit - len(suffix)] + suffix
            name = code
        elif len(name) > limit:
            self._add(
                "survey", row, "name", _("“%(name)s” is longer than 40 characters") % {"name": name}
            )
        bind = question.get("bind") or {}
        required = self._required(bind.get("required", ""), row)
        relevant = str(bind.get("relevant", "")).strip()
        if self.elsewhere and relevant and _parse_relevant(relevant) is None:
            # The collecting tool enforced its own skip logic: a condition we cannot
            # read is left to it, and the question is not required here.
            relevant, required = "", False
        item_type = self._type(question, kind, row)
        if item_type is None:
            return None
        choices, names = self._choices(question, row) if kind in _CHOICE_TYPES else ([], {})
        if kind in _CHOICE_TYPES and not question.get("choices"):
            self._add(
                "survey",
                row,
                "type",
                _("the choices must be on the choices sheet (lists from files are not supported)"),
            )
        planned = _PlannedItem(
            code=name,
            row=row,
            type=item_type,
            wording=self._texts(question.get("label"), "label", row),
            choices=choices,
            names=names,
            required=required,
            relevant=relevant,
        )
        self._meta(planned, question, row)
        return planned

    def _type(self, question: dict[str, Any], kind: str, row: int | None) -> str | None:
        written = str(question.get("convivencia_type", "")).strip()
        if kind in _CHOICE_TYPES:
            allowed = (
                {ItemType.MULTIPLE}
                if kind == "select all that apply"
                else {ItemType.SCALE, ItemType.SINGLE, ItemType.YES_NO}
            )
        elif kind in _NUMBER_TYPES:
            allowed = {ItemType.NUMBER}
        elif kind == "text":
            allowed = {ItemType.TEXT}
        else:
            self._add(
                "survey",
                row,
                "type",
                _(
                    "questions of type “%(type)s” are not supported: panel answers are choices, "
                    "numbers or text"
                )
                % {"type": kind},
            )
            return None
        if written:
            if written not in allowed:
                self._add(
                    "survey",
                    row,
                    "convivencia_type",
                    _(
                        "“%(written)s” does not fit a question of type “%(type)s” (expected: "
                        "%(allowed)s)"
                    )
                    % {"written": written, "type": kind, "allowed": ", ".join(sorted(allowed))},
                )
                return None
            return written
        if kind == "select all that apply":
            return ItemType.MULTIPLE
        if kind == "select one":
            return ItemType.SINGLE  # refined to yes/no once the choices are known
        return next(iter(allowed))

    def _choices(
        self, question: dict[str, Any], row: int | None
    ) -> tuple[list[tuple[int, dict[str, str]]], dict[str, int]]:
        list_name = str(question.get("list_name") or question.get("itemset") or "")
        choices: list[tuple[int, dict[str, str]]] = []
        names: dict[str, int] = {}
        seen: dict[int, str] = {}
        options = question.get("choices") or []
        numbered = _numbered(options)
        for option in options:
            choice_name = str(option.get("name", ""))
            choice_row = self.choice_rows.get((list_name, choice_name))
            if choice_name in names:
                # A list filtered by choice_filter may repeat a name (allow_choice_duplicates):
                # the same name is the same answer.
                continue
            value = numbered.get(choice_name) if numbered else _choice_value(choice_name)
            if value is None:
                self._add(
                    "choices",
                    choice_row,
                    "name",
                    _(
                        "choice “%(name)s” of list “%(list)s” is not a whole number (answers are "
                        "stored as numbers; yes/no, don't know and no answer are recognised)"
                    )
                    % {"name": choice_name, "list": list_name},
                )
                continue
            if value in seen:
                self._add(
                    "choices",
                    choice_row,
                    "name",
                    _(
                        "choices “%(first)s” and “%(second)s” of list “%(list)s” mean the same "
                        "answer (%(value)s)"
                    )
                    % {
                        "first": seen[value],
                        "second": choice_name,
                        "list": list_name,
                        "value": value,
                    },
                )
                continue
            seen[value] = choice_name
            names[choice_name] = value
            choices.append(
                (value, self._texts(option.get("label"), "label", choice_row, "choices"))
            )
        return choices, names

    def _scale(self, planned: _PlannedItem) -> None:
        """A form made elsewhere whose list is numbered 1, 2, 3… (at least three answers
        besides the missing codes) asks on a numeric scale."""
        if not self.elsewhere or planned.type != ItemType.SINGLE:
            return
        if not planned.names or not all(_is_integer(name) for name in planned.names):
            return
        answered = sorted(value for value, _label in planned.choices if value not in MISSING_CODES)
        if len(answered) >= 3 and answered == list(range(answered[0], answered[-1] + 1)):
            planned.type = ItemType.SCALE

    def _meta(self, planned: _PlannedItem, question: dict[str, Any], row: int | None) -> None:
        self._scale(planned)
        written = bool(str(question.get("convivencia_type", "")).strip())
        provider = str(question.get("convivencia_provider", "")).strip()
        if provider and provider not in Provider.values:
            self._add(
                "survey",
                row,
                "convivencia_provider",
                _("unknown provider “%(provider)s” (known: %(known)s)")
                % {"provider": provider, "known": ", ".join(Provider.values)},
            )
        else:
            planned.provider = provider
        planned.scale_min = self._integer(question, "convivencia_scale_min", row)
        planned.scale_max = self._integer(question, "convivencia_scale_max", row)
        planned.top_min = self._integer(question, "convivencia_top_min", row)
        planned.reverse_coded = self._flag(question, "convivencia_reverse", row)
        planned.is_local = self._flag(question, "convivencia_local", row)
        answered = sorted(value for value, _label in planned.choices if value not in MISSING_CODES)
        if not written and planned.type == ItemType.SINGLE and answered == [0, 1]:
            # A KoBoToolbox "yesno" list: a yes/no item, as the default questionnaire has.
            planned.type = ItemType.YES_NO
            planned.scale_min, planned.scale_max = 0, 1
        if planned.type == ItemType.SCALE and answered:
            if planned.scale_min is None:
                planned.scale_min = answered[0]
            if planned.scale_max is None:
                planned.scale_max = answered[-1]
        low, high = planned.scale_min, planned.scale_max
        if low is not None and high is not None and low >= high:
            self._add(
                "survey",
                row,
                "convivencia_scale_max",
                _("the scale maximum (%(high)s) must be above its minimum (%(low)s)")
                % {"low": low, "high": high},
            )
        elif (
            planned.top_min is not None
            and low is not None
            and high is not None
            and not (low <= planned.top_min <= high)
        ):
            self._add(
                "survey",
                row,
                "convivencia_top_min",
                _("the lowest favourable answer (%(top)s) is outside the scale %(low)s–%(high)s")
                % {"top": planned.top_min, "low": low, "high": high},
            )

    def _resolve_relevant(self, items: list[_PlannedItem]) -> None:
        by_code = {item.code: item for item in items}
        for item in items:
            if not item.relevant:
                continue
            parsed = _parse_relevant(item.relevant)
            source = by_code.get(parsed[0]) if parsed else None
            if self.elsewhere and (
                source is None
                or source is item
                or parsed is None
                or any(value not in source.names for value in parsed[1])
            ):
                # Left to the tool that collected it (see _item).
                item.relevant, item.required = "", False
                continue
            if parsed is None:
                self._add(
                    "survey",
                    item.row,
                    "relevant",
                    _(
                        "“%(expression)s” is not a condition that can be kept: write "
                        "${ITEM} = 'value' (several joined with “or”), or "
                        "selected(${ITEM}, 'value') for multiple choice"
                    )
                    % {"expression": item.relevant},
                )
                continue
            if source is None or source is item or not source.names:
                self._add(
                    "survey",
                    item.row,
                    "relevant",
                    _(
                        "“%(expression)s” refers to “%(name)s”, which is not a choice question "
                        "of this form"
                    )
                    % {"expression": item.relevant, "name": parsed[0]},
                )
                continue
            unknown = [value for value in parsed[1] if value not in source.names]
            if unknown:
                self._add(
                    "survey",
                    item.row,
                    "relevant",
                    _("“%(expression)s”: %(name)s has no choice %(values)s")
                    % {
                        "expression": item.relevant,
                        "name": source.code,
                        "values": ", ".join(unknown),
                    },
                )
                continue
            item.relevant_item = source.code
            item.relevant_values = [source.names[value] for value in parsed[1]]

    def _add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.extend([Problem(self.file, row, column, message, part=sheet)])

    # Cells.

    def _texts(
        self, value: Any, column: str, row: int | None = None, sheet: str = "survey"
    ) -> dict[str, str]:
        if not value:
            return {}
        if isinstance(value, str):
            return {self.default_language: value}
        texts: dict[str, str] = {}
        for language, text in value.items():
            code = (
                self.default_language
                if language == "default"
                else self._language(language, row, f"{column}::{language}", sheet)
            )
            if code and text:
                texts[code] = str(text)
        return texts

    def _language(
        self,
        name: str,
        row: int | None = None,
        column: str = "default_language",
        sheet: str = "settings",
    ) -> str | None:
        return language_code(name)

    def _required(self, value: Any, row: int | None) -> bool:
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        # A condition in a form made elsewhere was enforced by the tool that collected it.
        if text not in _FALSE and not self.elsewhere:
            self._add(
                "survey",
                row,
                "required",
                _("“%(value)s”: write yes or leave it empty (conditions are not supported here)")
                % {"value": value},
            )
        return False

    def _integer(self, question: dict[str, Any], column: str, row: int | None) -> int | None:
        text = str(question.get(column, "")).strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            self._add(
                "survey", row, column, _("“%(value)s” is not a whole number") % {"value": text}
            )
            return None

    def _flag(self, question: dict[str, Any], column: str, row: int | None) -> bool:
        text = str(question.get(column, "")).strip().lower()
        if text in _TRUE:
            return True
        if text not in _FALSE:
            self._add(
                "survey",
                row,
                column,
                _("“%(value)s”: write yes or leave it empty") % {"value": text},
            )
        return False


def language_code(name: str) -> str:
    """The language a label column names: "Español (es)" and "EN" and "English" are
    recognised ("es", "en", "en"); any other name is kept as written ("chinese")."""
    text = name.strip()
    match = _LANGUAGE_IN_PARENTHESES.search(text)
    if match:
        return match.group(1).lower()
    known = _LANGUAGE_NAMES.get(fold(text))
    if known:
        return known
    if text.lower() in LANG_INFO:
        return text.lower()
    folded = fold(text)
    for code, info in LANG_INFO.items():
        if fold(str(info.get("name", ""))) == folded:
            return code
    return text


def _questions(
    children: Iterable[dict[str, Any]], reader: _FormReader, prefix: str = ""
) -> Iterable[tuple[dict[str, Any], str]]:
    """The fields of a form with their paths ("group/question"), groups flattened and
    the form's own metadata group left out; a repeat is one field, kept whole."""
    for child in children:
        path = f"{prefix}{child.get('name', '')}"
        if child.get("type") == "group":
            if not (child.get("control") or {}).get("bodyless"):  # "meta" is bodyless
                yield from _questions(child.get("children", []), reader, f"{path}/")
            continue
        yield child, path


def _with_one_title(form: dict[str, Any]) -> dict[str, Any]:
    """The form as pyxform builds it, with one title.

    ``form_title::<language>`` columns (a title in several languages, as KoBoToolbox
    writes it) reach pyxform's reading as a dict, which its XForm writer cannot put in
    the one ``<h:title>`` an XForm has: it is built with the default language's title
    (else the first). The import keeps every language (``_FormReader.plan``).
    """
    title = form.get("title")
    if not isinstance(title, dict):
        return form
    default = str(form.get("default_language") or "default")
    texts = [str(text) for text in title.values() if text]
    chosen = str(title.get(default) or title.get("default") or (texts[0] if texts else ""))
    return {**form, "title": chosen or str(form.get("id_string") or "")}


def _is_integer(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


def _numbered(options: list[dict[str, Any]]) -> dict[str, int]:
    """Values for a list whose names are not all numbers or known words ("mucha",
    "robos"): 1, 2, 3… in order, "don't know" / "no answer" (by name or label) as
    their codes. Empty when every name already says its value."""
    by_name = {
        str(option.get("name", "")): _choice_value(str(option.get("name", "")))
        for option in options
    }
    values = list(by_name.values())
    if all(value is not None for value in values) and len(set(values)) == len(values):
        return {}
    numbered: dict[str, int] = {}
    following = 1
    for option in options:
        name = str(option.get("name", ""))
        if name in numbered:
            continue
        label = option.get("label")
        labels = label.values() if isinstance(label, dict) else [label or ""]
        missing = next(
            (
                code
                for text in [name, *labels]
                if (code := _NAMED_VALUES.get(fold(str(text)))) in MISSING_CODES
            ),
            None,
        )
        if missing is not None and missing not in numbered.values():
            numbered[name] = missing
        else:
            numbered[name] = following
            following += 1
    return numbered


def _choice_value(name: str) -> int | None:
    value: int | None
    try:
        value = int(name)
    except ValueError:
        value = _NAMED_VALUES.get(fold(name))
    if value is None or value not in _SMALL_INTEGER:
        return None
    return value


def _parse_relevant(expression: str) -> tuple[str, list[str]] | None:
    """(item name, [choice names]) for the conditions export writes; None otherwise."""
    names: set[str] = set()
    values: list[str] = []
    for term in _OR.split(expression.strip()):
        match = _EQUALS.fullmatch(term.strip()) or _SELECTED.fullmatch(term.strip())
        if match is None:
            return None
        names.add(match.group("name"))
        values.append(match.group("value"))
    if len(names) != 1:
        return None
    return names.pop(), values


def _write(plan: _Plan) -> Questionnaire:
    latest = Questionnaire.objects.filter(code=plan.code).aggregate(Max("version"))["version__max"]
    questionnaire = Questionnaire.objects.create(
        code=plan.code,
        version=(latest or 0) + 1,
        title=plan.title,
        form_id=plan.form_id,
        form_version=plan.form_version,
        default_language=plan.default_language,
    )
    created: dict[str, Item] = {}
    for position, planned in enumerate(plan.items, start=1):
        item = Item.objects.create(
            questionnaire=questionnaire,
            code=planned.code,
            position=position,
            type=planned.type,
            wording=planned.wording,
            provider=planned.provider,
            scale_min=planned.scale_min,
            scale_max=planned.scale_max,
            top_min=planned.top_min,
            reverse_coded=planned.reverse_coded,
            required=planned.required,
            is_local=planned.is_local,
        )
        names = {value: name for name, value in planned.names.items()}
        Choice.objects.bulk_create(
            Choice(item=item, value=value, label=label, position=index, name=names.get(value, ""))
            for index, (value, label) in enumerate(planned.choices)
        )
        created[planned.code] = item
    FieldMapping.objects.bulk_create(
        FieldMapping(
            questionnaire=questionnaire,
            name=planned_field.name,
            position=position,
            kind=planned_field.kind,
            label=planned_field.label,
            use=planned_field.use,
            item=created.get(planned_field.item_code),
        )
        for position, planned_field in enumerate(plan.fields)
    )
    # Conditions last: an item may depend on one further down the sheet.
    for planned in plan.items:
        if planned.relevant_item:
            item = created[planned.code]
            item.relevant_item = created[planned.relevant_item]
            item.relevant_values = planned.relevant_values
            item.save(update_fields=["relevant_item", "relevant_values"])
    return questionnaire
