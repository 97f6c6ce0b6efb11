"""A study's files for other programs: the codebook as REFI-QDA ``.qdc``, the whole
project as REFI-QDA ``.qdpx`` (for QualCoder, ATLAS.ti, MAXQDA, NVivo…), and the
segments as CSV and XLSX.

Only de-identified text leaves: the ``.qdpx`` carries each document's de-identified
text as its source, never the original. Users are named by their user name (the team
knows each other), positions count characters (code points) of the plain text.
"""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from convivencia.core.exchange import Export, Filters, Link
from convivencia.core.spreadsheets import CsvWriter, Echo, append_row
from convivencia.studies.models import Code, Document, Segment, Study

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "Convivencia"
# A stable GUID for each user of this installation, derived from their id.
_USERS = uuid.UUID("6f1e0c36-5d0a-4f4b-9a57-6c0e3c7a2b10")

CASE_VARIABLES = (
    ("kind", "Document kind"),
    ("language", "Language"),
    ("locality", "Locality"),
    ("actor_type", "Actor type"),
    ("sex", "Sex"),
    ("age_band", "Age band"),
)


def guid(value: uuid.UUID) -> str:
    return str(value).upper()


def user_guid(user: Any) -> str:
    return guid(uuid.uuid5(_USERS, str(user.pk)))


def _codes(parent: ET.Element, study: Study, tag: str) -> None:
    codes = list(study.codes.all())
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)

    def add(element: ET.Element, parent_id: int | None) -> None:
        for code in children.get(parent_id, []):
            node = ET.SubElement(
                element,
                f"{{{tag}}}Code",
                {
                    "guid": guid(code.guid),
                    "name": code.name,
                    "isCodable": "true",
                    "color": code.colour.upper(),
                },
            )
            description = _description(code)
            if description:
                ET.SubElement(node, f"{{{tag}}}Description").text = description
            add(node, code.pk)

    container = ET.SubElement(parent, f"{{{tag}}}Codes")
    add(container, None)


def _description(code: Code) -> str:
    """The definition, then the include and exclude rules under labels a person reads and
    ``importers.codebook`` splits again."""
    parts = [code.definition.strip()]
    if code.include_rule.strip():
        parts.append(f"{INCLUDE}{code.include_rule.strip()}")
    if code.exclude_rule.strip():
        parts.append(f"{EXCLUDE}{code.exclude_rule.strip()}")
    return "\n\n".join(part for part in parts if part)


INCLUDE = "Incluir: "
EXCLUDE = "Excluir: "


def _bytes(root: ET.Element, namespace: str) -> bytes:
    ET.register_namespace("", namespace)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def codebook_qdc(study: Study) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document. A study without codes is refused:
    the schema requires at least one code."""
    if not study.codes.exists():
        raise ValueError("the study has no codes")
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": ORIGIN})
    _codes(root, study, CODEBOOK_NS)
    return _bytes(root, CODEBOOK_NS)


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def project_qde(study: Study) -> bytes:
    """``project.qde``: users, codebook, case variables, sources with their codings."""
    ns = PROJECT_NS
    root = ET.Element(
        f"{{{ns}}}Project",
        {"name": study.title, "origin": ORIGIN, "creationDateTime": _stamp(timezone.now())},
    )
    documents = list(
        Document.objects.filter(study=study, status="ready").prefetch_related(
            "segments__codes", "segments__coder"
        )
    )
    people = {member.user for member in study.members.select_related("user")}
    people |= {segment.coder for document in documents for segment in document.segments.all()}
    if people:
        users = ET.SubElement(root, f"{{{ns}}}Users")
        for person in sorted(people, key=lambda p: p.pk):
            ET.SubElement(
                users, f"{{{ns}}}User", {"guid": user_guid(person), "name": person.get_username()}
            )
    if study.codes.exists():
        codebook = ET.SubElement(root, f"{{{ns}}}CodeBook")
        _codes(codebook, study, ns)
    variables = {name: uuid.uuid5(study.guid, f"variable:{name}") for name, _ in CASE_VARIABLES}
    variables_element = ET.SubElement(root, f"{{{ns}}}Variables")
    for name, label in CASE_VARIABLES:
        ET.SubElement(
            variables_element,
            f"{{{ns}}}Variable",
            {"guid": guid(variables[name]), "name": label, "typeOfVariable": "Text"},
        )
    if documents:
        sources = ET.SubElement(root, f"{{{ns}}}Sources")
        for document in documents:
            _source(sources, document, variables)
    if study.research_questions or study.methods:
        description = ET.SubElement(root, f"{{{ns}}}Description")
        description.text = "\n\n".join(
            part for part in (study.research_questions, study.methods) if part
        )
    return _bytes(root, ns)


def _source(sources: ET.Element, document: Document, variables: dict[str, uuid.UUID]) -> None:
    ns = PROJECT_NS
    attributes = {
        "guid": guid(document.guid),
        "name": document.title,
        "plainTextPath": f"internal://{guid(document.guid)}.txt",
        "creationDateTime": _stamp(document.uploaded_at),
    }
    if document.uploaded_by is not None:
        attributes["creatingUser"] = user_guid(document.uploaded_by)
    source = ET.SubElement(sources, f"{{{ns}}}TextSource", attributes)
    for segment in document.segments.all():
        selection = ET.SubElement(
            source,
            f"{{{ns}}}PlainTextSelection",
            {
                "guid": guid(segment.guid),
                "name": document.text[segment.start : segment.end][:80],
                "startPosition": str(segment.start),
                "endPosition": str(segment.end),
                "creatingUser": user_guid(segment.coder),
                "creationDateTime": _stamp(segment.created_at),
            },
        )
        if segment.memo:
            ET.SubElement(selection, f"{{{ns}}}Description").text = segment.memo
        for code in segment.codes.all():
            coding = ET.SubElement(
                selection,
                f"{{{ns}}}Coding",
                {
                    "guid": guid(uuid.uuid5(segment.guid, str(code.guid))),
                    "creatingUser": user_guid(segment.coder),
                },
            )
            ET.SubElement(coding, f"{{{ns}}}CodeRef", {"targetGUID": guid(code.guid)})
    for name, _label in CASE_VARIABLES:
        value = getattr(document, name)
        if value:
            variable_value = ET.SubElement(source, f"{{{ns}}}VariableValue")
            ET.SubElement(
                variable_value, f"{{{ns}}}VariableRef", {"targetGUID": guid(variables[name])}
            )
            ET.SubElement(variable_value, f"{{{ns}}}TextValue").text = str(value)


def project_qdpx(study: Study) -> bytes:
    """The ``.qdpx`` archive: ``project.qde`` and ``sources/<GUID>.txt`` per document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_qde(study))
        for document in study.documents.filter(status="ready"):
            archive.writestr(f"sources/{guid(document.guid)}.txt", document.text.encode("utf-8"))
    return buffer.getvalue()


# --- segments as a table ------------------------------------------------------------------

SEGMENT_COLUMNS = (
    "document",
    "kind",
    "locality",
    "actor_type",
    "sex",
    "age_band",
    "coder",
    "start",
    "end",
    "codes",
    "text",
    "memo",
)


def segment_rows(study: Study) -> Iterator[list[Any]]:
    segments = (
        Segment.objects.filter(document__study=study)
        .select_related("document", "coder")
        .prefetch_related("codes")
        .order_by("document__title", "start", "pk")
    )
    for segment in segments:
        document = segment.document
        yield [
            document.title,
            document.kind,
            document.locality,
            document.actor_type,
            document.sex,
            document.age_band,
            segment.coder.get_username(),
            segment.start,
            segment.end,
            "; ".join(code.name for code in segment.codes.all()),
            segment.quote,
            segment.memo,
        ]


def segments_csv(study: Study) -> Iterator[str]:
    writer = CsvWriter(Echo())
    yield writer.writerow(SEGMENT_COLUMNS)
    for row in segment_rows(study):
        yield writer.writerow(row)


def segments_xlsx(study: Study) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("segments")
    append_row(sheet, SEGMENT_COLUMNS)
    for row in segment_rows(study):
        append_row(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def exports(user, filters: Filters) -> list[Export]:
    """The data exchange page's entries: one per study on the reader's team.

    Only team members may download a study's files (the access rule of the files
    themselves), so nobody else sees the entries.
    """
    from convivencia.studies import permissions

    studies = permissions.team_studies(user).select_related("territory")
    if filters.territory is not None:
        studies = studies.filter(territory__path__startswith=filters.territory.path)
    found = []
    for study in studies.order_by("territory__name", "title")[:200]:
        found.append(
            Export(
                section=_("Characterization studies"),
                title=_("%(study)s (%(territory)s)")
                % {"study": study.title, "territory": study.territory.name},
                description=_(
                    "The codebook, and the whole project (de-identified documents, codes, "
                    "coded segments) to continue in QualCoder, ATLAS.ti or NVivo; the coded "
                    "segments as a table."
                ),
                standard=_("REFI-QDA (.qdc, .qdpx); tidy table (CSV, XLSX)"),
                links=[
                    Link(_("Codebook (.qdc)"), reverse("studies:codebook_export", args=[study.pk])),
                    Link(_("Project (.qdpx)"), reverse("studies:project_export", args=[study.pk])),
                    Link(_("Segments (CSV)"), reverse("studies:segments_csv", args=[study.pk])),
                    Link(_("Segments (XLSX)"), reverse("studies:segments_xlsx", args=[study.pk])),
                ],
                audience=_("The study's team"),
            )
        )
    return found
