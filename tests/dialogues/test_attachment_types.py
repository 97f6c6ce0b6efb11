"""A session's attachments and a commitment's evidence: documents, images, spreadsheets.

Personas (tests/dialogues/builders.make_world): Camila coordinates Cauca and runs the
Popayán process; Pablo is the police liaison who posts the commitment's evidence.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.dialogues.builders import make_commitment, make_world, status

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"


@pytest.fixture
def world(db):
    return make_world()


def attach(client, world, name: str, content: bytes):
    return client.post(
        reverse("dialogues:attachment_upload", args=[world.session.pk]),
        {"title": "Lista de asistencia", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_a_program_is_refused_with_a_message_and_nothing_is_kept(client, world):
    client.force_login(world.camila)
    page = attach(client, world, "lista.exe", EXE)
    assert "“lista.exe” is not a file we accept" in page.text
    assert world.session.attachments.count() == 0


def test_a_program_renamed_as_a_pdf_is_refused_too(client, world):
    client.force_login(world.camila)
    page = attach(client, world, "lista.pdf", EXE)
    assert "“lista.pdf” is not a file we accept" in page.text
    assert world.session.attachments.count() == 0


def test_a_spreadsheet_is_attached(client, world):
    client.force_login(world.camila)
    page = attach(client, world, "lista.csv", "nombre;firma\nLuz;sí\n".encode())
    assert "The file was attached." in page.text
    assert world.session.attachments.get().title == "Lista de asistencia"


def test_evidence_of_progress_refuses_a_program(client, world):
    commitment = make_commitment(world)
    client.force_login(world.pablo)
    response = client.post(
        reverse("dialogues:post_update", args=[commitment.pk]),
        {
            "status": status("in_progress").pk,
            "description": "Avance",
            "files": [SimpleUploadedFile("fotos.exe", EXE)],
        },
    )
    assert response.status_code in (200, 400)
    assert "“fotos.exe” is not a file we accept" in response.text
    assert commitment.updates.count() == 0
