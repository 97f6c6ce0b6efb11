"""The upload page and the import job it starts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from convivencia.accounts.choices import OrganisationType, Role
from convivencia.accounts.models import Membership, Organisation, User
from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job
from convivencia.territories.models import Territory
from tests.territories.conftest import database_counts

GOOD = "cod_mpio,cod_dpto,nom_dpto,nom_mpio,area_km2\n19001,19,CAUCA,POPAYÁN,480.18\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice(db) -> User:
    """An administrator everywhere."""
    user = User.objects.create_user("alice", password="x")
    organisation = Organisation.objects.create(name="Ministry", type=OrganisationType.DONOR)
    Membership.objects.create(user=user, organisation=organisation, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def bob(db) -> User:
    """An analyst: may read, may not import."""
    user = User.objects.create_user("bob", password="x")
    organisation = Organisation.objects.create(name="University", type=OrganisationType.ACADEMIA)
    Membership.objects.create(user=user, organisation=organisation, role=Role.ANALYST)
    return user


def url() -> str:
    return reverse("territories:import")


def upload(client, content: bytes, format: str = "divipola", name: str = "divipola.csv"):
    return client.post(
        url(),
        {"format": format, "file": SimpleUploadedFile(name, content)},
        headers={"accept-language": "en"},
    )


def test_it_shows_the_form_to_an_administrator(client, alice):
    client.force_login(alice)
    response = client.get(url())
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b'value="population-worldbank"' in response.content


def test_it_is_404_for_someone_who_is_not_an_administrator(client, bob):
    client.force_login(bob)
    assert client.get(url()).status_code == 404
    assert upload(client, GOOD.encode()).status_code == 404
    assert not Job.objects.exists()


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_upload_runs_the_job_which_succeeds_with_counts(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, GOOD.encode())
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.params == {"format": "divipola"}
    assert job.created_by == alice
    assert (job.result["created"], job.result["updated"], job.result["unchanged"]) == (3, 0, 0)
    assert Territory.objects.with_code("divipola", "19001").get().name == "Popayán"


def test_a_bad_upload_fails_the_job_with_the_problems_and_writes_nothing(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    before = database_counts()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, b"cod_mpio,cod_dpto,nom_mpio\n77001,77,X\n", name="bad.csv")
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert "bad.csv, row 2, column “cod_dpto”: unknown department code 77" in job.error
    assert database_counts() == before


def test_boundary_uploads_carry_their_scheme(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, GOOD.encode())
        upload(
            client,
            b'{"type": "FeatureCollection", "features": []}',
            format="boundaries-divipola",
            name="b.geojson",
        )
    job = Job.objects.get(params__format="boundaries")
    assert job.params == {"format": "boundaries", "scheme": "divipola"}
    assert job.status == JobStatus.FAILED
    assert "has no features" in job.error


def test_an_upload_over_the_size_limit_is_refused_on_the_page_and_starts_no_job(
    client,
    alice,
    settings,
):
    settings.IMPORT_MAX_FILE_MB = 1
    client.force_login(alice)
    response = upload(client, GOOD.encode() + b"19001,19,CAUCA,POPAYAN,1\n" * 50_000)
    assert response.status_code == 200
    assert "IMPORT_MAX_FILE_MB" in response.content.decode()
    assert not Job.objects.exists()
    assert not list(settings.MEDIA_ROOT.rglob("*"))  # nothing stored


def test_a_zip_bomb_upload_fails_its_job_with_the_limit_and_writes_nothing(
    client, alice, tmp_path, django_capture_on_commit_callbacks
):
    from tests.territories.workbooks import MAIN, write_zip_bomb

    bomb = tmp_path / "poblacion.xlsx"
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
    write_zip_bomb(
        bomb,
        f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(),
        row * 20_000,
        100,
        b"</sheetData></worksheet>",
    )
    client.force_login(alice)
    before = database_counts()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, bomb.read_bytes(), format="population-dane", name="poblacion.xlsx")
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert "poblacion.xlsx" in job.error and "IMPORT_MAX_ZIP_RATIO" in job.error
    assert database_counts() == before
