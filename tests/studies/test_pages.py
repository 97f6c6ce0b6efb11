"""The studies pages walked by their people: upload, de-identify, code, find; and who may
reach what (the full matrix of every route is in tests/access_table.py)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.studies.choices import DocumentStatus
from convivencia.studies.models import Document, Finding, Segment, Study
from tests.studies.builders import make_document, make_world

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def test_a_coordinator_creates_a_study_seeded_with_the_root_causes_codebook(client):
    world = make_world()
    response = as_user(client, world.personas.coord_cauca).post(
        reverse("studies:create"),
        {
            "territory": world.personas.places.popayan.pk,
            "title": "Estudio nuevo",
            "process": world.process.pk,
        },
    )
    study = Study.objects.get(title="Estudio nuevo")
    assert response.status_code == 302
    assert study.members.get().user == world.personas.coord_cauca
    assert study.codes.filter(name="Impunidad").exists()


def test_a_study_in_another_territory_cannot_be_created(client):
    world = make_world()
    response = as_user(client, world.personas.coord_cauca).post(
        reverse("studies:create"), {"territory": world.personas.places.pasto.pk, "title": "No"}
    )
    assert response.status_code == 400
    assert not Study.objects.filter(title="No").exists()


def test_an_upload_stays_closed_to_the_team_until_its_names_are_replaced(client):
    world = make_world()
    camila, andrea = world.personas.coord_cauca, world.personas.analyst
    upload = SimpleUploadedFile("e.txt", "Marleny Ordóñez: nadie vino.\n\nOtra línea.".encode())
    response = as_user(client, camila).post(
        reverse("studies:document_upload", args=[world.study.pk]),
        {"title": "Entrevista 9", "kind": "interview", "language": "es", "file": upload},
    )
    document = Document.objects.get(title="Entrevista 9")
    assert response["Location"] == reverse("studies:deidentify", args=[document.pk])
    assert document.status == DocumentStatus.PENDING

    andrea_client = as_user(type(client)(), andrea)
    page = andrea_client.get(reverse("studies:document", args=[document.pk]))
    assert page.status_code == 200 and b"Marleny" not in page.content
    assert andrea_client.get(reverse("studies:deidentify", args=[document.pk])).status_code == 403

    form = client.get(reverse("studies:deidentify", args=[document.pk]))
    assert "Marleny Ordóñez" in form.context["form"].initial["people"]
    refused = client.post(
        reverse("studies:deidentify", args=[document.pk]), {"people": "Marleny Ordóñez"}
    )
    assert refused.status_code == 400  # the confirmation box is required
    client.post(
        reverse("studies:deidentify", args=[document.pk]),
        {"people": "Marleny Ordóñez", "confirm": "on"},
    )
    page = andrea_client.get(reverse("studies:document", args=[document.pk]))
    assert "[Persona 3]: nadie vino." in page.content.decode()
    assert b"Marleny" not in page.content


def test_reading_an_original_is_for_study_coordinators_and_is_audited(client):
    world = make_world()
    url = reverse("studies:original", args=[world.document.pk])
    assert as_user(client, world.personas.analyst).get(url).status_code == 403
    client.logout()
    before = AuditEntry.objects.filter(action=AuditAction.READ_PERSONAL).count()
    response = as_user(client, world.personas.coord_cauca).get(url)
    assert response.status_code == 200 and "Rosalba Mosquera" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.READ_PERSONAL).count() == before + 1


@pytest.mark.parametrize("persona", ["nobody", "coord_narino", "police", "leader", "enumerator"])
def test_nobody_outside_the_team_reaches_a_document_or_its_original(client, persona):
    world = make_world()
    as_user(client, world.personas.people[persona])
    for name in ("document", "original", "deidentify"):
        assert client.get(reverse(f"studies:{name}", args=[world.document.pk])).status_code == 404
    assert client.get(reverse("studies:project_export", args=[world.study.pk])).status_code == 404
    assert client.get(f"/api/v1/studies/{world.study.pk}/segments").status_code == 404


def test_the_administrator_outside_the_team_sees_the_study_but_no_document(client):
    world = make_world()
    as_user(client, world.personas.admin)
    assert client.get(reverse("studies:study", args=[world.study.pk])).status_code == 200
    assert client.get(reverse("studies:document", args=[world.document.pk])).status_code == 403
    assert client.get(reverse("studies:original", args=[world.document.pk])).status_code == 403


def test_a_coder_codes_a_selection_and_a_bad_selection_is_explained(client):
    world = make_world()
    as_user(client, world.personas.analyst)
    text = world.document.text
    start = text.index("La patrulla")
    impunity = world.study.codes.get(name="Impunidad")
    slow = world.study.codes.get(name="Ausencia o respuesta lenta")
    url = reverse("studies:segment_create", args=[world.document.pk])
    client.post(
        url,
        {"start": start, "end": start + 11, "codes": [impunity.pk, slow.pk], "memo": "dos horas"},
    )
    segment = Segment.objects.latest("pk")
    assert segment.quote == "La patrulla" and segment.coder == world.personas.analyst
    assert set(segment.codes.all()) == {impunity, slow} and segment.memo == "dos horas"
    response = client.post(url, {"start": 5, "end": 99999, "codes": [impunity.pk]}, follow=True)
    assert "outside the text" in response.content.decode()
    assert Segment.objects.count() == 2


def test_only_its_coder_or_a_coordinator_deletes_a_segment(client):
    world = make_world()
    other = make_document(world.study, world.personas.coord_cauca, title="Otra")
    from tests.studies.builders import code

    camilas = code(other, world.personas.coord_cauca, "Uno llama", "Impunidad")
    url = reverse("studies:segment_delete", args=[camilas.pk])
    assert as_user(client, world.personas.analyst).post(url).status_code == 403
    client.logout()
    andreas = reverse("studies:segment_delete", args=[world.segment.pk])
    assert as_user(client, world.personas.coord_cauca).post(andreas).status_code == 302
    assert not Segment.objects.filter(pk=world.segment.pk).exists()


def test_a_finding_links_codes_segments_and_the_dialogues_concerns(client):
    world = make_world()
    as_user(client, world.personas.analyst)
    url = reverse("studies:finding_create", args=[world.study.pk])
    form = client.get(url).context["form"]
    assert form.fields["is_publishable"].disabled  # analysts do not publish
    client.post(
        url,
        {
            "statement": "Nadie contesta de noche.",
            "is_root_cause": "on",
            "is_publishable": "on",
            "codes": [world.segment.codes.first().pk],
            "segments": [world.segment.pk],
            "concerns": [world.concern.pk],
        },
    )
    finding = Finding.objects.get(statement="Nadie contesta de noche.")
    assert finding.is_root_cause and not finding.is_publishable
    assert list(finding.concerns.all()) == [world.concern]
    assert list(finding.segments.all()) == [world.segment]


def test_the_analysis_page_shows_kappa_frequencies_and_co_occurrence(client):
    world = make_world()
    from tests.studies.builders import code

    code(
        world.document,
        world.personas.coord_cauca,
        "Uno llama y no contestan",
        "Ausencia o respuesta lenta",
    )
    response = as_user(client, world.personas.analyst).get(
        reverse("studies:analysis", args=[world.study.pk]) + "?by=sex"
    )
    assert response.status_code == 200
    assert response.context["agreement"] is not None
    assert response.context["frequencies"]["attribute"] == "sex"
    assert "«Uno llama y no contestan»" in response.content.decode()


def test_segments_export_as_csv_and_xlsx_without_names(client):
    world = make_world()
    as_user(client, world.personas.analyst)
    csv = b"".join(
        client.get(reverse("studies:segments_csv", args=[world.study.pk])).streaming_content
    )
    assert b"Uno llama y no contestan" in csv and b"Rosalba" not in csv
    xlsx = client.get(reverse("studies:segments_xlsx", args=[world.study.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_api_lists_studies_and_gives_the_team_de_identified_segments(client):
    world = make_world()
    as_user(client, world.personas.analyst)
    listed = client.get("/api/v1/studies/").json()
    assert [study["title"] for study in listed["results"]] == [world.study.title]
    segments = client.get(f"/api/v1/studies/{world.study.pk}/segments").json()["results"]
    assert segments[0]["text"] == "Uno llama y no contestan"
    assert "Rosalba" not in str(client.get(f"/api/v1/studies/{world.study.pk}/segments").json())
    codes = client.get(f"/api/v1/studies/{world.study.pk}/codes").json()
    assert any(code["name"] == "Impunidad" for code in codes)
    findings = client.get(f"/api/v1/studies/{world.study.pk}/findings").json()
    assert findings == []


def test_a_word_file_uploads_and_an_unreadable_one_is_refused_with_nothing_kept(client):
    import io

    import docx

    world = make_world()
    as_user(client, world.personas.analyst)
    url = reverse("studies:document_upload", args=[world.study.pk])
    buffer = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("Entrevistador: ¿Y la Fiscalía?")
    word.add_paragraph("Luz Caicedo: Nunca llamaron.")
    word.save(buffer)
    upload = SimpleUploadedFile("entrevista.docx", buffer.getvalue())
    client.post(url, {"title": "Word", "kind": "interview", "language": "es", "file": upload})
    document = Document.objects.get(title="Word")
    assert document.source_format == "docx" and document.uploaded_by == world.personas.analyst
    bad = SimpleUploadedFile("roto.docx", b"not a word file")
    response = client.post(
        url, {"title": "Roto", "kind": "interview", "language": "es", "file": bad}
    )
    assert response.status_code == 400
    assert "not a readable Word" in response.content.decode()
    assert not Document.objects.filter(title="Roto").exists()


def test_the_team_takes_people_of_the_territory_only(client):
    world = make_world()
    as_user(client, world.personas.coord_cauca)
    url = reverse("studies:team", args=[world.study.pk])
    refused = client.post(
        url, {"username": world.personas.coord_narino.username, "role": "analyst"}
    )
    assert refused.status_code == 400 and "has no role in" in refused.content.decode()
    client.post(url, {"username": world.personas.enumerator.username, "role": "analyst"})
    assert world.study.members.filter(user=world.personas.enumerator).exists()
    demoted = client.post(url, {"username": world.personas.coord_cauca.username, "role": "analyst"})
    assert (
        demoted.status_code == 400 and "keeps at least one coordinator" in demoted.content.decode()
    )
    last = world.study.members.get(user=world.personas.coord_cauca)
    response = client.post(url, {"remove": last.pk}, follow=True)
    assert "keeps at least one coordinator" in response.content.decode()
    assert world.study.members.filter(pk=last.pk).exists()


def test_a_coder_sees_only_their_own_segments_until_asking_to_compare(client):
    world = make_world()
    as_user(client, world.personas.coord_cauca)
    url = reverse("studies:document", args=[world.document.pk])
    assert list(client.get(url).context["segments"]) == []  # Andrea coded the only one
    assert list(client.get(url + "?all=1").context["segments"]) == [world.segment]
