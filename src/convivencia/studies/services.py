"""What can be done with a study: plain functions called by the pages, the API, the
commands and the demo alike. Every change writes its audit entry; every read of an
original text writes a read entry.

De-identification: the uploader lists the names of people and places found in the
original (the page suggests them); each is replaced everywhere in the text by a
pseudonym that is stable within the study ("Persona 3" in every document). Only the
result is stored readable; the original stays encrypted with the contact data's keys.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils.translation import gettext as _

from convivencia.accounts import access, audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.core.text import fold
from convivencia.dialogues.models import Participation
from convivencia.panels import crypto
from convivencia.studies.choices import (
    ROOT_CAUSES_TEMPLATE,
    DocumentStatus,
    NameKind,
    SourceFormat,
    StudyRole,
)
from convivencia.studies.models import Code, Document, Finding, Pseudonym, Segment, Study

# Uploads larger than this are refused before they are read (a transcript is text).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARS = 500_000

PSEUDONYM_PREFIX = {NameKind.PERSON: "Persona", NameKind.PLACE: "Lugar"}


# --- who may do what ----------------------------------------------------------------------


def study_role(user, study: Study) -> str | None:
    """The user's role on the study's team, or None."""
    if user is None or not user.is_authenticated:
        return None
    member = study.members.filter(user=user).first()
    return member.role if member else None


def is_on_team(user, study: Study) -> bool:
    return study_role(user, study) is not None


def is_study_coordinator(user, study: Study) -> bool:
    return study_role(user, study) == StudyRole.COORDINATOR


def can_manage(user, study: Study) -> bool:
    """Change the study and its team: its coordinators, and the territory's coordinators
    (who set studies up but read no document unless they join the team)."""
    return is_study_coordinator(user, study) or access.has_role(
        user, study.territory, Role.COORDINATOR
    )


# --- studies and teams --------------------------------------------------------------------


def create_study(*, actor, request: HttpRequest | None = None, **fields: Any) -> Study:
    """A new study; its creator is its first coordinator and the codebook starts from the
    root-causes template."""
    with transaction.atomic():
        study = Study.objects.create(created_by=actor, **fields)
        study.members.create(user=actor, role=StudyRole.COORDINATOR)
        seed_codebook(study)
        audit.record(AuditAction.CREATE, study, actor=actor, request=request)
    return study


def update_study(study: Study, *, actor, request: HttpRequest | None = None) -> None:
    study.save()
    audit.record(AuditAction.UPDATE, study, actor=actor, request=request)


def add_member(study: Study, user, role: str, *, actor, request: HttpRequest | None = None) -> None:
    """Put ``user`` on the team (or change their role). Team members must work in the
    study's territory: nobody outside it reads its transcripts."""
    if not access.scope(user).covers(study.territory):
        raise ValidationError(
            {
                "username": _("%(user)s has no role in %(territory)s.")
                % {"user": user.get_username(), "territory": study.territory}
            }
        )
    others = study.members.filter(role=StudyRole.COORDINATOR).exclude(user=user)
    if role != StudyRole.COORDINATOR and not others.exists():
        raise ValidationError({"role": _("A study keeps at least one coordinator.")})
    study.members.update_or_create(user=user, defaults={"role": role})
    audit.record(
        AuditAction.UPDATE,
        study,
        actor=actor,
        request=request,
        changes={"team": [None, f"{user.get_username()}: {role}"]},
    )


def remove_member(study: Study, user, *, actor, request: HttpRequest | None = None) -> None:
    coordinators = study.members.filter(role=StudyRole.COORDINATOR).exclude(user=user)
    if is_study_coordinator(user, study) and not coordinators.exists():
        raise ValidationError(_("A study keeps at least one coordinator."))
    study.members.filter(user=user).delete()
    audit.record(
        AuditAction.UPDATE,
        study,
        actor=actor,
        request=request,
        changes={"team": [user.get_username(), None]},
    )


# --- the codebook -------------------------------------------------------------------------


def seed_codebook(study: Study) -> int:
    """Add the root-causes-of-mistrust template's codes the study lacks; how many."""
    added = 0
    position = 0
    for name, definition, include, exclude, colour, children in ROOT_CAUSES_TEMPLATE:
        position += 10
        parent, created = Code.objects.get_or_create(
            study=study,
            name=name,
            defaults={
                "definition": definition,
                "include_rule": include,
                "exclude_rule": exclude,
                "colour": colour,
                "position": position,
            },
        )
        added += created
        for child_name in children:
            position += 1
            _child, created = Code.objects.get_or_create(
                study=study,
                name=child_name,
                defaults={"parent": parent, "colour": colour, "position": position},
            )
            added += created
    return added


def next_position(study: Study) -> int:
    highest = study.codes.aggregate(highest=Max("position"))["highest"]
    return (highest or 0) + 10


def codebook_tree(study: Study) -> list[tuple[Code, int]]:
    """The codes depth first, each with its depth (0 for a top-level code)."""
    codes = list(study.codes.all())
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    ordered: list[tuple[Code, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for code in children.get(parent_id, []):
            ordered.append((code, depth))
            walk(code.pk, depth + 1)

    walk(None, 0)
    return ordered


# --- documents ----------------------------------------------------------------------------


def extract_text(upload: UploadedFile) -> tuple[str, str]:
    """The text of an uploaded .txt, .docx or .pdf file and its format; a clear error for
    anything else (a scanned PDF without text included)."""
    name = (upload.name or "").lower()
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}}
        )
    data = upload.read()
    if name.endswith(".docx"):
        text, kind = _docx_text(data), SourceFormat.DOCX
    elif name.endswith(".pdf"):
        text, kind = _pdf_text(data), SourceFormat.PDF
    elif name.endswith((".txt", ".text", ".md")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                {"file": _("The text file is not UTF-8: save it as UTF-8 and upload it again.")}
            ) from exc
        kind = SourceFormat.TEXT
    else:
        raise ValidationError({"file": _("Upload a .txt, .docx or .pdf file.")})
    text = normalise_text(text)
    if not text.strip():
        raise ValidationError(
            {"file": _("No text was found in the file (a scanned PDF has only images).")}
        )
    return text, kind


def _docx_text(data: bytes) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError({"file": _("This is not a readable Word (.docx) file.")}) from exc
    return "\n\n".join(paragraph.text for paragraph in document.paragraphs)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError) as exc:
        raise ValidationError({"file": _("This is not a readable PDF file.")}) from exc


def normalise_text(text: str) -> str:
    """One kind of line break, no trailing spaces: offsets must mean the same everywhere."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            {
                "file": _("The text is longer than %(n)d characters: split it.")
                % {"n": MAX_TEXT_CHARS}
            }
        )
    return text


def add_document(
    study: Study,
    *,
    text: str,
    source_format: str,
    actor,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Document:
    """Store a new document: its original encrypted, nothing readable until de-identified."""
    document = Document.objects.create(
        study=study,
        original_encrypted=crypto.encrypt_json({"text": text}),
        source_format=source_format,
        uploaded_by=actor,
        **fields,
    )
    audit.record(AuditAction.CREATE, document, actor=actor, request=request)
    return document


def read_original(document: Document, *, request: HttpRequest | None = None, actor=None) -> str:
    """The original text; every read is audited (who, which document)."""
    text = crypto.decrypt_json(document.original_encrypted)["text"]
    if request is not None:
        audit.record_read(request, document, ["original"])
    else:
        audit.record(
            AuditAction.READ_PERSONAL, document, actor=actor, changes={"fields": ["original"]}
        )
    return text


# --- pseudonyms ---------------------------------------------------------------------------

# Words that begin sentences or name institutions, not people: never suggested alone.
_NOT_NAMES = frozenset(
    fold(word)
    for word in (
        "El La Los Las Un Una Unos Unas Y O Pero Porque Cuando Donde Que Qué Como Cómo Si Sí "
        "No Ya Yo Él Ella Ellos Ellas Nosotros Usted Ustedes Ahí Allí Aquí Entonces Después "
        "Antes Hay Eso Esa Ese Esto Esta Este Pues Bueno Mire Claro También Nadie Nunca Todo "
        "Todos De Del En Con Por Para Al A Mi Su Sus Nos Le Les Lo Se Es Era Fue Son "
        "Policía Fiscalía Ejército Alcaldía Defensoría Personería Gobierno Estado Dios "
        "Entrevistador Entrevistadora Entrevistado Entrevistada Participante Moderador "
        "Moderadora Persona Lugar Señor Señora Don Doña P R E"
    ).split()
)
_CAPITALISED = re.compile(
    r"\b[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+(?:\s+(?:de\s+|del\s+|de\s+la\s+)?[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+)*"
)


def suggest_names(document: Document, original: str) -> list[str]:
    """Names a person should look at before anyone else reads the text: the participants
    of the study's dialogue sessions found in it, then capitalised words and phrases that
    do not start a sentence (a light heuristic: it over-suggests rather than misses)."""
    found: dict[str, str] = {}
    folded_text = fold(original)
    process = document.study.process
    if process is not None:
        names = Participation.objects.filter(session__process=process).values_list(
            "name", flat=True
        )
        for name in names:
            if name and f" {fold(name)} " in f" {folded_text} ":
                found.setdefault(fold(name), name)
    for match in _CAPITALISED.finditer(original):
        phrase = match.group(0)
        words = phrase.split()
        if len(words) == 1:
            before = original[: match.start()].rstrip()
            starts_sentence = not before or before[-1] in '.!?:\n-–—¿¡"«'
            if starts_sentence or fold(phrase) in _NOT_NAMES:
                continue
        else:
            while words and fold(words[0]) in _NOT_NAMES:
                words = words[1:]
            phrase = " ".join(words)
            if not phrase or fold(phrase) in _NOT_NAMES:
                continue
        found.setdefault(fold(phrase), phrase)
    return sorted(found.values(), key=fold)


def _digest(study: Study, name: str) -> str:
    key = f"studies.pseudonym:{study.pk}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, fold(name).encode(), hashlib.sha256).hexdigest()


def pseudonym_for(study: Study, name: str, kind: str) -> Pseudonym:
    """The study's pseudonym of ``name``, made on first use ("Persona 1", "Lugar 1"…)."""
    digest = _digest(study, name)
    existing = study.pseudonyms.filter(digest=digest).first()
    if existing is not None:
        return existing
    prefix = PSEUDONYM_PREFIX[NameKind(kind)]
    number = study.pseudonyms.filter(kind=kind).count() + 1
    return Pseudonym.objects.create(
        study=study,
        kind=kind,
        digest=digest,
        name_encrypted=crypto.encrypt_json({"name": name}),
        label=f"{prefix} {number}",
    )


@dataclass(frozen=True)
class Replacement:
    name: str
    label: str
    count: int


def parse_names(text: str) -> list[str]:
    """One name per line; blank lines and repeats dropped."""
    seen: dict[str, str] = {}
    for line in text.splitlines():
        name = " ".join(line.split())
        if name and fold(name):
            seen.setdefault(fold(name), name)
    return list(seen.values())


def replace_names(text: str, pairs: Sequence[tuple[str, str]]) -> tuple[str, dict[str, int]]:
    """``text`` with every whole-word occurrence of each name replaced by ``[label]``,
    longest names first (so "Luz Caicedo" goes before "Luz"), ignoring case and accents."""
    counts: dict[str, int] = {}
    for name, label in sorted(pairs, key=lambda pair: -len(pair[0])):
        pattern = _accent_insensitive(name)
        text, count = pattern.subn(f"[{label}]", text)
        counts[name] = count
    return text, counts


_ACCENTS = {
    "a": "aáàâä",
    "e": "eéèêë",
    "i": "iíìîï",
    "o": "oóòôö",
    "u": "uúùûü",
    "n": "nñ",
    "c": "cç",
}


def _accent_insensitive(name: str) -> re.Pattern[str]:
    parts = []
    for char in fold(name):
        if char == " ":
            parts.append(r"\s+")
        elif char in _ACCENTS:
            parts.append(f"[{_ACCENTS[char]}]")
        else:
            parts.append(re.escape(char))
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)


def deidentify(
    document: Document,
    *,
    people: Iterable[str],
    places: Iterable[str],
    actor,
    request: HttpRequest | None = None,
) -> list[Replacement]:
    """Replace the listed names by the study's pseudonyms and open the document to the
    team. Run again, it starts from the original, so a missed name can be added later
    only while nobody has coded the text (offsets would move)."""
    if document.segments.exists():
        raise ValidationError(_("This document is already coded: its text can no longer change."))
    original = crypto.decrypt_json(document.original_encrypted)["text"]
    pairs: list[tuple[str, str]] = []
    with transaction.atomic():
        for kind, names in ((NameKind.PERSON, people), (NameKind.PLACE, places)):
            for name in names:
                pairs.append((name, pseudonym_for(document.study, name, kind).label))
        text, counts = replace_names(original, pairs)
        document.text = text
        document.status = DocumentStatus.READY
        document.save(update_fields=["text", "status"])
        audit.record(
            AuditAction.UPDATE,
            document,
            actor=actor,
            request=request,
            changes={"de-identified": [None, f"{len(pairs)} names"]},
        )
    return [Replacement(name, label, counts[name]) for name, label in pairs]


# --- coding -------------------------------------------------------------------------------


def code_segment(
    document: Document,
    *,
    coder,
    start: int,
    end: int,
    codes: Sequence[Code],
    memo: str = "",
) -> Segment:
    """One coder's segment: a span of the de-identified text with one or more codes."""
    if not document.is_ready:
        raise ValidationError(_("The document is not de-identified yet."))
    if not 0 <= start < end <= len(document.text):
        raise ValidationError(
            _("The selection %(start)s–%(end)s is outside the text (0–%(length)s).")
            % {"start": start, "end": end, "length": len(document.text)}
        )
    if not document.text[start:end].strip():
        raise ValidationError(_("Select some text, not only spaces."))
    if not codes:
        raise ValidationError(_("Choose at least one code."))
    foreign = [code.name for code in codes if code.study_id != document.study_id]
    if foreign:
        raise ValidationError(
            _("Codes of another study: %(codes)s") % {"codes": ", ".join(foreign)}
        )
    with transaction.atomic():
        segment = Segment.objects.create(
            document=document, coder=coder, start=start, end=end, memo=memo.strip()
        )
        segment.codes.set(codes)
    return segment


@dataclass(frozen=True)
class Run:
    """A stretch of text covered by the same segments, for drawing highlights."""

    start: int
    text: str
    colours: tuple[str, ...]
    segment_ids: tuple[int, ...]


def runs(text: str, segments: Sequence[Segment]) -> list[Run]:
    """``text`` cut wherever a segment starts or ends, each piece with the colours of the
    codes covering it; offsets in characters, as the segments count them."""
    cuts = {0, len(text)}
    for segment in segments:
        cuts.update((segment.start, segment.end))
    points = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    result = []
    for start, end in itertools.pairwise(points):
        covering = [s for s in segments if s.start <= start and s.end >= end]
        colours = tuple(dict.fromkeys(c.colour for s in covering for c in s.codes.all()))
        result.append(Run(start, text[start:end], colours, tuple(s.pk for s in covering)))
    return result


def delete_segment(segment: Segment, *, actor, request: HttpRequest | None = None) -> None:
    audit.record(AuditAction.DELETE, segment, actor=actor, request=request)
    segment.delete()


# --- findings -----------------------------------------------------------------------------


def save_finding(
    finding: Finding,
    *,
    codes: Iterable[Code],
    segments: Iterable[Segment],
    concerns: Iterable[Any],
    actor,
    request: HttpRequest | None = None,
) -> Finding:
    """Save a finding with its links; concerns must belong to the study's territory."""
    concerns = list(concerns)
    outside = [
        str(concern)
        for concern in concerns
        if not concern.process.territory.path.startswith(finding.study.territory.path)
    ]
    if outside:
        raise ValidationError(
            {"concerns": _("Concerns of another territory: %(c)s") % {"c": ", ".join(outside)}}
        )
    created = finding.pk is None
    with transaction.atomic():
        if created:
            finding.created_by = actor
        finding.save()
        finding.codes.set(list(codes))
        finding.segments.set(list(segments))
        finding.concerns.set(concerns)
        audit.record(
            AuditAction.CREATE if created else AuditAction.UPDATE,
            finding,
            actor=actor,
            request=request,
        )
    return finding


def segment_choices(study: Study) -> Any:
    return Segment.objects.filter(document__study=study).select_related("document", "coder")
