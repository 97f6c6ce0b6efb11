"""The crime-data upload page: who may use it, the dry run, the job it starts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from convivencia.accounts.choices import Role
from convivencia.indicators.models import DataValue, Extraction
from convivencia.jobs.choices import JobStatus
from convivencia.jobs.models import Job
from tests.factories import grant, make_colombia, make_organisation, make_user
from tests.indicators.conftest import data_counts

pytestmark = [pytest.mark.usefixtures("english")]

HEADER = "territory_code;scheme;period;data_element;value;source\n"
GOOD = HEADER + "19001;divipola;2023;homicides;36;police\n52001;divipola;2023;homicides;24;police\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def places(db):
    return make_colombia()


@pytest.fixture
def analyst(places):
    """Andrea analyses data for Cauca only: a national file is still hers to import."""
    user = make_user("andrea")
    grant(user, make_organisation("Observatorio"), Role.ANALYST, [places.cauca])
    return user


@pytest.fixture
def enumerator(places):
    """Enrique collects panel answers: no imports."""
    user = make_user("enrique")
    grant(user, make_organisation("Encuestas"), Role.ENUMERATOR, [places.cauca])
    return user


def url(name: str = "upload") -> str:
    return reverse(f"indicators:import:{name}")


def check(client, content: str, *, format: str = "tidy", name: str = "cifras.csv", **fields):
    return client.post(
        url(),
        {
            "format": format,
            "file": SimpleUploadedFile(name, content.encode()),
            **fields,
        },
        headers={"accept-language": "en"},
    )


def confirm(client, token: str):
    return client.post(url("confirm"), {"token": token}, headers={"accept-language": "en"})


@pytest.mark.parametrize("role", [Role.ANALYST, Role.COORDINATOR, Role.ADMINISTRATOR])
def test_coordinators_analysts_and_administrators_see_the_form(client, places, role):
    user = make_user("someone")
    grant(user, make_organisation("Org"), role, [places.narino])
    client.force_login(user)
    response = client.get(url(), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    for key in (b'value="policia-co"', b'value="sesnsp-mx"', b'value="tidy"', b'value="dhis2"'):
        assert key in response.content
    assert b"territory_code" in response.content  # the tidy format's description


def test_it_is_404_for_other_roles(client, enumerator):
    client.force_login(enumerator)
    assert client.get(url()).status_code == 404
    assert check(client, GOOD).status_code == 404
    assert client.post(url("confirm"), {"token": "x"}).status_code == 404
    assert not Job.objects.exists()


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_dry_run_lists_every_problem_by_row_and_column_and_writes_nothing(client, analyst):
    client.force_login(analyst)
    before = data_counts()
    response = check(
        client,
        HEADER + "19001;divipola;2023;homicides;tres;police\n"
        "77777;divipola;2023;homicides;3;police\n",
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "2 problems found. Nothing was imported." in content
    assert '<td class="num">2</td><td>value</td><td>“tres” is not a number</td>' in content
    assert "<td>territory_code</td><td>no territory has the divipola code 77777</td>" in content
    assert "Confirm and import" not in content
    assert data_counts() == before
    assert not Job.objects.exists()


def test_a_good_file_is_previewed_then_imported_by_a_job(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    response = check(client, GOOD)
    content = response.content.decode()
    assert "No problem found. Nothing has been written yet." in content
    assert "tidy:cifras" in content and "first extraction" in content
    assert not DataValue.objects.exists()
    token = response.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = confirm(client, token)
    job = Job.objects.get()
    assert confirmed.status_code == 302
    assert confirmed.url == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.params == {"format": "tidy", "file_name": "cifras.csv", "language": "en"}
    assert job.created_by == analyst
    extraction = Extraction.objects.get()
    assert (job.result["extraction"], job.result["total"]) == (extraction.pk, 60)
    assert extraction.imported_by == analyst
    assert DataValue.objects.filter(stored_by=analyst).count() == 2


def test_a_replacement_is_previewed_with_its_largest_differences(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, check(client, GOOD).context["token"])
    revised = GOOD.replace(";36;", ";40;").replace(";24;", ";23;")
    response = check(client, revised)
    content = response.content.decode()
    assert "It will replace extraction" in content
    differences = response.context["preview"]["differences"]
    assert [(row["territory"], row["old"], row["new"], row["change"]) for row in differences] == [
        ("Popayán", 36, 40, 4),
        ("Pasto", 24, 23, -1),
    ]
    assert "<td>Popayán</td><td>2023</td>" in content
    assert response.context["preview"]["summary"]["changed"] == 2


def test_the_same_file_again_is_shown_as_changing_nothing(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, check(client, GOOD).context["token"])
    content = check(client, GOOD).content.decode()
    assert "importing it again changes nothing" in content
    assert "Confirm and import" not in content


def test_options_travel_to_the_job(client, analyst, django_capture_on_commit_callbacks):
    client.force_login(analyst)
    no_source = "territory_code;scheme;period;data_element;value\n19001;divipola;2023;theft;5\n"
    response = check(client, no_source, source="forensic", dataset="observatorio:hurto")
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, response.context["token"])
    job = Job.objects.get()
    assert job.params == {
        "format": "tidy",
        "file_name": "cifras.csv",
        "language": "en",
        "source": "forensic",
        "dataset": "observatorio:hurto",
    }
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert DataValue.objects.get().source == "forensic"


def test_a_stale_confirmation_asks_for_the_file_again(client, analyst):
    client.force_login(analyst)
    response = client.post(url("confirm"), {"token": "gone"})
    assert response.status_code == 302 and response.url == url()
    assert not Job.objects.exists()


def test_a_checked_file_deleted_by_the_retention_must_be_chosen_again(client, analyst):
    from datetime import timedelta

    from convivencia.jobs import retention

    client.force_login(analyst)
    token = check(client, GOOD).context["token"]
    retention.purge(staged_older_than=timedelta(0), jobs_older_than=timedelta(days=30))
    response = confirm(client, token)
    assert response.status_code == 302 and response.url == url()
    assert not Job.objects.exists() and not DataValue.objects.exists()


def test_the_job_fails_with_the_problems_when_the_database_changed_meanwhile(
    client, analyst, places, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    token = check(client, GOOD).context["token"]
    places.pasto.codes.all().delete()  # between the dry run and the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, token)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert (
        "cifras.csv, row 3, column “territory_code”: no territory has the divipola code "
        "52001" in job.error
    )
    assert not DataValue.objects.exists()
