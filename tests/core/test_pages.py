"""The server-rendered pages: who sees them, in which language, and what they show."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry, Organisation, User
from convivencia.core.models import DemoDataset
from convivencia.jobs.choices import JobStatus
from convivencia.territories.models import Boundary
from tests.core.factories import make_coordinator, make_job, make_places, square
from tests.factories import make_user

pytestmark = pytest.mark.django_db

Places = SimpleNamespace  # what make_places() returns


@pytest.fixture
def places() -> Places:
    return make_places()


@pytest.fixture
def alice(places: Places) -> User:
    """Alice coordinates Cauca for an NGO."""
    return make_coordinator("alice", places.cauca)


@pytest.fixture
def bob() -> User:
    """Bob has an account and no role anywhere."""
    return make_user("bob", email="bob@example.org")


@pytest.fixture
def root() -> User:
    return User.objects.create_superuser("root", "root@example.org", "correct horse battery")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_home_page_is_in_spanish_by_default(client: Client, places: Places) -> None:
    assert settings.LANGUAGE_CODE == "es"
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="es"' in response.text
    assert "Diálogos de seguridad ciudadana" in response.text
    assert "Colombia" in response.text


def test_the_home_page_follows_accept_language(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "en"})
    assert 'lang="en"' in response.text
    assert "Citizen security dialogues" in response.text


def test_the_home_page_follows_the_language_cookie(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt"
    response = client.get("/")
    assert 'lang="pt"' in response.text
    assert "Diálogos de segurança cidadã" in response.text


def test_the_language_switcher_sets_the_language(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert "Citizen security dialogues" in response.text


def test_the_demo_mark_appears_only_with_demo_data(client: Client) -> None:
    assert 'data-testid="demo-mark"' not in client.get("/").text
    DemoDataset.objects.create(version="1")
    assert 'data-testid="demo-mark"' in client.get("/").text


def test_search_finds_popayan_by_name_without_accents(client: Client, places: Places) -> None:
    response = client.get(reverse("territories:search"), {"q": "popayan"})
    assert response.status_code == 200
    assert "<html" in response.text
    assert reverse("territories:detail", args=[places.popayan.pk]) in response.text
    assert "19001" in response.text
    assert "Cauca" in response.text  # the parent
    assert "Municipio" in response.text  # the level, translated


def test_search_finds_popayan_by_divipola_code(client: Client, places: Places) -> None:
    response = client.get(reverse("territories:search"), {"q": "19001"})
    assert reverse("territories:detail", args=[places.popayan.pk]) in response.text


def test_search_says_when_nothing_matches(client: Client, places: Places) -> None:
    response = client.get(reverse("territories:search"), {"q": "atlantida"})
    assert "Ningún territorio coincide con “atlantida”" in response.text


def test_an_htmx_search_returns_only_the_results_fragment(client: Client, places: Places) -> None:
    response = client.get(
        reverse("territories:search"), {"q": "popayan"}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "site-header" not in response.text
    assert "Popayán" in response.text


def test_the_territory_page_shows_codes_names_population_and_slots(
    client: Client, places: Places
) -> None:
    response = client.get(reverse("territories:detail", args=[places.popayan.pk]))
    text = response.text
    assert response.status_code == 200
    assert "19001" in text
    assert "Ciudad Blanca" in text
    assert 'id="population-data"' in text  # the chart's data, for Chart.js
    assert re.search(r"318\D{1,6}059", text)  # grouped the local way: "318 059", "318,059"
    assert text.count("DANE projections (CNPV 2018)") >= 3  # the source beside every figure
    assert "Paneles de percepción" in text
    assert "Indicadores de criminalidad y violencia" in text
    assert "Diálogos y compromisos" in text
    # Breadcrumb: Colombia › Cauca › Popayán
    crumbs = [">Colombia<", ">Cauca<", 'aria-current="page">Popayán']
    assert [text.index(crumb) for crumb in crumbs] == sorted(text.index(c) for c in crumbs)


def test_the_territory_page_explains_how_to_import_a_missing_boundary(
    client: Client, places: Places
) -> None:
    text = client.get(reverse("territories:detail", args=[places.popayan.pk])).text
    assert "data-map" not in text
    assert "convivencia import_boundaries FILE --scheme divipola" in text


def test_the_territory_page_has_a_map_when_a_boundary_exists(
    client: Client, places: Places
) -> None:
    Boundary.objects.create(territory=places.popayan, geometry=square(-76.7, 2.3, 0.2))
    text = client.get(reverse("territories:detail", args=[places.cauca.pk])).text
    assert "data-map" in text
    assert reverse("territories:boundary", args=[places.cauca.pk]) in text
    assert "vendor/leaflet/leaflet.js" in text


def test_the_login_page_renders(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_the_account_pages_require_login(client: Client) -> None:
    for name in (
        "accounts:profile",
        "accounts:password_change",
        "accounts:organisation_list",
        "jobs:list",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_profile_shows_memberships_and_a_new_token_once(alice: User, places: Places) -> None:
    client = logged_in(alice)
    text = client.get(reverse("accounts:profile")).text
    assert "Fundación Paz Cauca" in text
    assert "Coordinador" in text
    assert "Cauca" in text

    client.post(reverse("accounts:token_create"), {"name": "informe mensual"})
    text = client.get(reverse("accounts:profile")).text
    token = re.search(r'value="(cv_[^"]+)"', text)
    assert token is not None
    assert "no se volverá a mostrar" in text
    assert "informe mensual" in text

    text = client.get(reverse("accounts:profile")).text
    assert token.group(1) not in text
    assert "informe mensual" in text  # still listed, with a revoke button
    assert "Revocar" in text


def test_the_password_change_page_renders(bob: User) -> None:
    response = logged_in(bob).get(reverse("accounts:password_change"))
    assert response.status_code == 200
    assert 'name="new_password1"' in response.text


def test_organisations_are_listed_for_their_members(alice: User, bob: User) -> None:
    organisation = Organisation.objects.get(name="Fundación Paz Cauca")
    text = logged_in(alice).get(reverse("accounts:organisation_list")).text
    assert "Fundación Paz Cauca" in text
    text = logged_in(bob).get(reverse("accounts:organisation_list")).text
    assert "Fundación Paz Cauca" not in text
    url = reverse("accounts:organisation_detail", args=[organisation.pk])
    assert logged_in(bob).get(url).status_code == 404


def test_a_coordinator_sees_the_members_of_her_organisation(alice: User) -> None:
    organisation = Organisation.objects.get(name="Fundación Paz Cauca")
    response = logged_in(alice).get(reverse("accounts:organisation_detail", args=[organisation.pk]))
    assert response.status_code == 200
    assert "alice@example.org" in response.text


def test_the_audit_log_is_for_administrators_only(alice: User, root: User) -> None:
    assert logged_in(alice).get(reverse("accounts:audit_log")).status_code == 404
    response = logged_in(root).get(reverse("accounts:audit_log"))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.CREATE).exists()
    assert "creó" in response.text  # the action, translated


def test_a_running_job_polls_itself_and_shows_progress(bob: User) -> None:
    job = make_job(
        bob, status=JobStatus.RUNNING, progress_done=40, progress_total=100, message="Leyendo filas"
    )
    client = logged_in(bob)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert "<html" in page.text
    assert 'hx-trigger="every 2s"' in page.text
    assert 'value="40"' in page.text
    assert "Leyendo filas" in page.text

    fragment = client.get(reverse("jobs:detail", args=[job.pk]), headers={"hx-request": "true"})
    assert "<html" not in fragment.text
    assert 'id="job-status"' in fragment.text


def test_a_finished_job_stops_polling_and_shows_its_result(bob: User) -> None:
    job = make_job(
        bob, status=JobStatus.SUCCEEDED, progress_done=10, progress_total=10, result={"created": 7}
    )
    url = reverse("jobs:detail", args=[job.pk])
    text = logged_in(bob).get(url, headers={"hx-request": "true"}).text
    assert "hx-trigger" not in text
    assert "<dt>Created</dt><dd>7</dd>" in text


def test_a_failed_job_shows_its_error_as_an_alert(bob: User) -> None:
    job = make_job(bob, status=JobStatus.FAILED, error="Fila 12: código 99999 desconocido")
    text = logged_in(bob).get(reverse("jobs:detail", args=[job.pk])).text
    assert 'role="alert"' in text
    assert "Fila 12: código 99999 desconocido" in text


def test_jobs_of_others_are_not_found(alice: User, bob: User) -> None:
    job = make_job(alice)
    assert logged_in(bob).get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert "Importar población" in logged_in(alice).get(reverse("jobs:list")).text


def test_the_not_found_page_is_friendly_and_translated(client: Client) -> None:
    response = client.get("/territories/999999/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.text


def test_the_server_error_page_renders_without_a_request() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Algo salió mal" in html


def test_no_page_loads_assets_from_another_site(alice: User, places: Places, root: User) -> None:
    Boundary.objects.create(territory=places.popayan, geometry=square(-76.7, 2.3, 0.2))
    job = make_job(alice, status=JobStatus.RUNNING)
    organisation = Organisation.objects.get(name="Fundación Paz Cauca")
    urls = [
        "/",
        reverse("territories:search") + "?q=popayan",
        reverse("territories:detail", args=[places.popayan.pk]),
        reverse("territories:detail", args=[places.cauca.pk]),
        reverse("accounts:login"),
    ]
    member_urls = [
        reverse("accounts:profile"),
        reverse("accounts:password_change"),
        reverse("accounts:organisation_list"),
        reverse("accounts:organisation_detail", args=[organisation.pk]),
        reverse("jobs:list"),
        reverse("jobs:detail", args=[job.pk]),
    ]
    external = re.compile(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', re.IGNORECASE)
    pages = [Client().get(url) for url in urls]
    pages += [logged_in(alice).get(url) for url in member_urls]
    pages.append(logged_in(root).get(reverse("accounts:audit_log")))
    for page in pages:
        assert page.status_code == 200, page.request["PATH_INFO"]
        assert not external.search(page.text), page.request["PATH_INFO"]


@pytest.mark.parametrize(
    "path",
    [
        "convivencia/site.css",
        "convivencia/site.js",
        "vendor/htmx/htmx.min.js",
        "vendor/chartjs/chart.umd.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
    ],
)
def test_the_static_files_the_pages_load_are_found(path: str) -> None:
    from django.contrib.staticfiles import finders

    assert finders.find(path), (
        f"{path} is not found by the static files finders: settings.STATICFILES_DIRS "
        "must include PACKAGE_DIR / 'static'"
    )
