"""Attachments are recognised by their content: documents, images and spreadsheets only."""

from __future__ import annotations

import io
import zipfile

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from convivencia.core import filetypes


@pytest.fixture(autouse=True)
def english(settings, spanish_by_default):
    """These tests read the English messages (tests/core defaults to Spanish)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# The start of a Windows program (DOS stub and PE header), as any .exe begins.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Acta de la sesión")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nombre", "Firma"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes], stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if stored_first:
            archive.writestr(stored_first, entries.pop(stored_first), zipfile.ZIP_STORED)
        for name, content in entries.items():
            archive.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def odf_bytes(mimetype: str) -> bytes:
    return zip_bytes(
        {"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"},
        stored_first="mimetype",
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


ACCEPTED = [
    ("acta.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("foto.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("foto.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    ("mapa.gif", b"GIF89a\x01\x00\x01\x00"),
    ("foto.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 "),
    ("acta.docx", docx_bytes()),
    ("asistencia.xlsx", xlsx_bytes()),
    ("acta.odt", odf_bytes("application/vnd.oasis.opendocument.text")),
    ("asistencia.ods", odf_bytes("application/vnd.oasis.opendocument.spreadsheet")),
    ("asistencia.csv", "nombre;firma\nLuz Caicedo;sí\n".encode()),
    ("notas.txt", "Reunión en el salón comunal — 8 personas".encode("cp1252")),
]


@pytest.mark.parametrize(("name", "content"), ACCEPTED, ids=[name for name, _ in ACCEPTED])
def test_documents_images_and_spreadsheets_are_accepted(name, content):
    filetypes.check_document(upload(name, content))


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("instalador.exe", EXE, "is not a file we accept"),
        ("acta.pdf", EXE, "is not a file we accept"),  # a program renamed
        ("acta.docx", zip_bytes({"payload.exe": EXE}), "is not a file we accept"),
        ("fotos.zip", zip_bytes({"foto.jpg": b"\xff\xd8\xff"}), "is not a file we accept"),
        ("acta.txt", b"texto\x00con nulos", "is not a file we accept"),
        ("vacio.pdf", b"", "is not a file we accept"),
        ("acta.exe", b"%PDF-1.4 real", "rename it to end in .pdf"),
        ("hoja.docx", xlsx_bytes(), "rename it to end in .xlsx"),
        ("acta", b"%PDF-1.4", "rename it to end in .pdf"),
    ],
)
def test_programs_archives_and_misnamed_files_are_refused_saying_why(name, content, words):
    with pytest.raises(ValidationError) as refused:
        filetypes.check_document(upload(name, content))
    assert words in refused.value.messages[0]
    assert name in refused.value.messages[0]


def test_sniffing_leaves_the_file_at_its_start_for_saving():
    handle = upload("acta.docx", docx_bytes())
    assert filetypes.sniff(handle) is filetypes.DOCX
    assert handle.read(2) == b"PK"
