"""De-identification, encryption at rest, audited reads, coding and text extraction."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.dialogues.models import Participation
from convivencia.studies import services
from convivencia.studies.models import Pseudonym
from tests.dialogues.builders import make_session
from tests.studies.builders import INTERVIEW, code, make_document, make_world

pytestmark = pytest.mark.django_db


def test_names_are_replaced_by_pseudonyms_and_the_original_is_only_stored_encrypted():
    world = make_world()
    document = world.document
    assert "Rosalba" not in document.text
    assert "Jhon" not in document.text and "Puelenje" not in document.text
    assert "[Persona 1]: Uno llama y no contestan." in document.text
    assert "A [Persona 2] lo amenazaron después de ir a la Fiscalía en [Lugar 1]." in document.text
    assert "Rosalba" not in document.original_encrypted
    assert services.read_original(document, actor=world.personas.coord_cauca) == INTERVIEW


def test_the_same_name_gets_the_same_pseudonym_in_every_document_of_the_study():
    world = make_world()
    second = make_document(
        world.study,
        world.personas.analyst,
        text="ROSALBA MOSQUERA volvió a llamar.\n\nJhon Fredy no.",
    )
    assert second.text == "[Persona 1] volvió a llamar.\n\n[Persona 2] no."
    assert Pseudonym.objects.filter(study=world.study).count() == 3
    other_study = make_document(world.pasto, world.personas.coord_narino)
    assert "[Persona 1]" in other_study.text  # numbering is per study


def test_accents_and_case_do_not_hide_a_name_but_a_longer_word_is_left_alone():
    text, counts = services.replace_names(
        "Ramon, RAMÓN y ramón llegaron; Ramonita no.", [("Ramón", "Persona 1")]
    )
    assert text == "[Persona 1], [Persona 1] y [Persona 1] llegaron; Ramonita no."
    assert counts == {"Ramón": 3}


def test_every_read_of_an_original_is_audited():
    world = make_world()
    before = AuditEntry.objects.filter(action=AuditAction.READ_PERSONAL).count()
    services.read_original(world.document, actor=world.personas.coord_cauca)
    entry = AuditEntry.objects.filter(action=AuditAction.READ_PERSONAL).latest("pk")
    assert AuditEntry.objects.filter(action=AuditAction.READ_PERSONAL).count() == before + 1
    assert entry.object_id == str(world.document.pk)
    assert entry.changes == {"fields": ["original"]}
    assert entry.actor == world.personas.coord_cauca


def test_suggestions_come_from_the_dialogue_participants_and_capitalised_names():
    world = make_world()
    session = make_session(world.process, title="Sesión comunitaria")
    Participation.objects.create(session=session, name="Jhon Fredy", role="community_leader")
    suggestions = services.suggest_names(world.document, INTERVIEW)
    assert "Jhon Fredy" in suggestions
    assert "Rosalba Mosquera" in suggestions
    assert "Puelenje" in suggestions
    assert "Policía" not in suggestions and "Entrevistadora" not in suggestions


def test_a_coded_document_cannot_be_de_identified_again():
    world = make_world()
    with pytest.raises(ValidationError, match="already coded"):
        services.deidentify(
            world.document, people=["Otro"], places=[], actor=world.personas.coord_cauca
        )


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [(5, 5, "outside"), (-1, 4, "outside"), (0, 10_000, "outside")],
)
def test_a_selection_outside_the_text_is_refused(start, end, problem):
    world = make_world()
    codes = [world.study.codes.first()]
    with pytest.raises(ValidationError, match=problem):
        services.code_segment(
            world.document, coder=world.personas.analyst, start=start, end=end, codes=codes
        )


def test_a_segment_needs_a_code_of_its_own_study():
    world = make_world()
    with pytest.raises(ValidationError, match="at least one code"):
        services.code_segment(
            world.document, coder=world.personas.analyst, start=0, end=5, codes=[]
        )
    with pytest.raises(ValidationError, match="another study"):
        services.code_segment(
            world.document,
            coder=world.personas.analyst,
            start=0,
            end=5,
            codes=[world.pasto.codes.first()],
        )


def test_a_pending_document_cannot_be_coded():
    world = make_world()
    pending = make_document(world.study, world.personas.analyst, ready=False)
    with pytest.raises(ValidationError, match="not de-identified"):
        services.code_segment(
            pending, coder=world.personas.analyst, start=0, end=5, codes=[world.study.codes.first()]
        )


def test_text_is_extracted_from_docx_and_pdf_and_bad_files_are_named():
    buffer = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("Primera línea de la entrevista.")
    word.add_paragraph("Segunda, con tildes: señora.")
    word.save(buffer)
    text, kind = services.extract_text(SimpleUploadedFile("e.docx", buffer.getvalue()))
    assert (text, kind) == (
        "Primera línea de la entrevista.\n\nSegunda, con tildes: señora.",
        "docx",
    )

    from pypdf import PdfWriter

    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(pdf)
    with pytest.raises(ValidationError, match="No text was found"):
        services.extract_text(SimpleUploadedFile("scan.pdf", pdf.getvalue()))
    with pytest.raises(ValidationError, match="not a readable Word"):
        services.extract_text(SimpleUploadedFile("x.docx", b"not a zip"))
    with pytest.raises(ValidationError, match=r"\.txt, \.docx or \.pdf"):
        services.extract_text(SimpleUploadedFile("x.odt", b"..."))
    with pytest.raises(ValidationError, match="not UTF-8"):
        services.extract_text(SimpleUploadedFile("x.txt", "señora".encode("latin-1")))


def test_text_is_extracted_from_a_pdf_with_text():
    from weasyprint import HTML

    pdf = HTML(string="<p>La patrulla llegó a las dos horas.</p>").write_pdf()
    text, kind = services.extract_text(SimpleUploadedFile("entrevista.pdf", pdf))
    assert kind == "pdf"
    assert "La patrulla llegó a las dos horas." in text


def test_runs_cut_the_text_where_segments_start_and_end():
    world = make_world()
    second = code(world.document, world.personas.coord_cauca, "llama y no", "Impunidad")
    runs = services.runs(world.document.text, [world.segment, second])
    assert "".join(run.text for run in runs) == world.document.text
    covered = [run for run in runs if run.segment_ids]
    assert {run.text for run in covered} == {"Uno ", "llama y no", " contestan"}
    assert next(run for run in covered if run.text == "llama y no").segment_ids == (
        world.segment.pk,
        second.pk,
    )


def test_originals_survive_a_key_rotation_and_are_unreadable_without_their_key(settings):
    from cryptography.fernet import Fernet
    from django.core.exceptions import ImproperlyConfigured

    from convivencia.panels import crypto

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    try:
        settings.CONTACT_ENCRYPTION_KEYS = [old]
        crypto._fernet.cache_clear()
        world = make_world()
        settings.CONTACT_ENCRYPTION_KEYS = [new, old]  # rotated: the new key encrypts
        crypto._fernet.cache_clear()
        assert services.read_original(world.document, actor=world.personas.coord_cauca) == INTERVIEW
        settings.CONTACT_ENCRYPTION_KEYS = [new]  # the old key dropped too early
        crypto._fernet.cache_clear()
        with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
            services.read_original(world.document, actor=world.personas.coord_cauca)
    finally:
        crypto._fernet.cache_clear()
