"""Reading a REFI-QDA codebook (``.qdc``) into a study's codebook.

Codes are matched by GUID first, then by name, so importing a codebook exported from
here (or one edited in QualCoder or ATLAS.ti and brought back) updates codes instead of
duplicating them. A name already used by another code of the study is refused by name.
Sets (ATLAS.ti's code groups) have no place in our codebook and are reported as skipped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from convivencia.studies.exchange import CODEBOOK_NS, EXCLUDE, INCLUDE, PROJECT_NS
from convivencia.studies.models import COLOUR, Code, Study

MAX_BYTES = 5 * 1024 * 1024


@dataclass
class CodebookImport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped_sets: int = 0


@dataclass
class _Read:
    guid: uuid.UUID
    name: str
    description: str
    colour: str
    children: list[_Read]


def parse(data: bytes) -> tuple[list[_Read], int]:
    """The code tree of a ``.qdc`` (or a ``project.qde``'s codebook) and its number of sets."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The codebook file is larger than 5 MB."))
    try:
        root = fromstring(data)
    # LookupError: a declaration naming an encoding Python does not know ("tf-8").
    except (ParseError, DefusedXmlException, LookupError) as exc:
        raise ValidationError(_("This is not a REFI-QDA codebook: %(e)s") % {"e": exc}) from exc
    for namespace in (CODEBOOK_NS, PROJECT_NS):
        if root.tag in (f"{{{namespace}}}CodeBook", f"{{{namespace}}}Project"):
            break
    else:
        raise ValidationError(
            _("This is not a REFI-QDA codebook (its root element is %(tag)s).") % {"tag": root.tag}
        )
    codes = root.find(f".//{{{namespace}}}Codes")
    if codes is None:
        raise ValidationError(_("The codebook has no Codes element."))
    sets = len(root.findall(f".//{{{namespace}}}Set"))
    return [_read(element, namespace) for element in codes.findall(f"{{{namespace}}}Code")], sets


def _read(element: Element, namespace: str) -> _Read:
    name = (element.get("name") or "").strip()
    raw_guid = (element.get("guid") or "").strip("{} ")
    if not name:
        raise ValidationError(_("A code without a name (guid %(g)s).") % {"g": raw_guid or "?"})
    try:
        code_guid = uuid.UUID(raw_guid)
    except ValueError as exc:
        raise ValidationError(
            _("The code %(name)s has no valid guid: %(g)s") % {"name": name, "g": raw_guid}
        ) from exc
    colour = (element.get("color") or "").strip()
    if len(colour) == 4:  # #RGB → #RRGGBB
        colour = "#" + "".join(ch * 2 for ch in colour[1:])
    description = element.findtext(f"{{{namespace}}}Description") or ""
    children = [_read(child, namespace) for child in element.findall(f"{{{namespace}}}Code")]
    return _Read(code_guid, name[:120], description.strip(), colour.upper(), children)


def _split(description: str) -> tuple[str, str, str]:
    definition, include, exclude = [], "", ""
    for part in description.split("\n\n"):
        if part.startswith(INCLUDE):
            include = part[len(INCLUDE) :]
        elif part.startswith(EXCLUDE):
            exclude = part[len(EXCLUDE) :]
        else:
            definition.append(part)
    return "\n\n".join(definition), include, exclude


def import_codebook(study: Study, data: bytes) -> CodebookImport:
    """Create or update the study's codes from a ``.qdc``; all or nothing."""
    tree, sets = parse(data)
    result = CodebookImport(skipped_sets=sets)
    with transaction.atomic():
        position = (max(study.codes.values_list("position", flat=True), default=0) or 0) + 10
        for node in tree:
            position = _store(study, node, None, result, position)
    return result


def _store(
    study: Study, node: _Read, parent: Code | None, result: CodebookImport, position: int
) -> int:
    definition, include, exclude = _split(node.description)
    code = study.codes.filter(guid=node.guid).first() or study.codes.filter(name=node.name).first()
    same_name = study.codes.filter(name=node.name)
    clash = (same_name.exclude(pk=code.pk) if code else same_name).first()
    if clash is not None:
        raise ValidationError(
            _(
                "The codebook names %(name)s for a code the study already has under another "
                "identifier."
            )
            % {"name": node.name}
        )
    if code is None:
        code = Code(study=study, guid=node.guid, position=position)
        position += 10
        result.created.append(node.name)
    else:
        result.updated.append(node.name)
    code.name = node.name
    code.parent = parent
    code.definition = definition
    code.include_rule = include or code.include_rule
    code.exclude_rule = exclude or code.exclude_rule
    if node.colour:
        try:
            COLOUR(node.colour)
            code.colour = node.colour
        except ValidationError:
            pass  # a colour we cannot show keeps the code's own; the code itself is kept
    code.save()
    for child in node.children:
        position = _store(study, child, code, result, position)
    return position
