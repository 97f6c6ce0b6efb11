"""The roster pages, the ODK entity list and the contact page of one respondent."""

from __future__ import annotations

import csv
import io
import types

import pytest
from django.urls import NoReverseMatch, include, path, reverse

from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import AuditEntry
from convivencia.panels.importers.roster import entity_list_csv
from tests.factories import grant, make_colombia, make_organisation, make_user
from tests.panels import add_respondent, make_default_panel, use_contact_key

PHONE = "3001234567"
NAME = "María Pérez Quilindo"


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


@pytest.fixture
def roster_urls(db, settings) -> None:
    """The site's URLs with the roster pages at /panels/roster/, where the site mounts them.

    Mounted here only while the site's own URLs lack them, so that these tests run
    before and after the site includes roster_urls.
    """
    try:
        reverse("panels:roster:roster", args=["x"])
    except NoReverseMatch:
        from convivencia import urls as site

        urlconf = types.ModuleType("roster_test_urls")
        urlconf.urlpatterns = [
            path("panels/roster/", include("convivencia.panels.roster_urls")),
            *site.urlpatterns,
        ]
        settings.ROOT_URLCONF = urlconf


@pytest.fixture
def world(db):
    """Camila coordinates Cauca, Esteban is an enumerator in Popayán, Carlos coordinates
    Nariño, Nadia has no role."""
    places = make_colombia()
    programme = make_organisation("Programa")
    camila = make_user("camila")
    grant(camila, programme, Role.COORDINATOR, [places.cauca])
    esteban = make_user("esteban")
    grant(esteban, programme, Role.ENUMERATOR, [places.popayan])
    carlos = make_user("carlos")
    grant(carlos, programme, Role.COORDINATOR, [places.narino])
    nadia = make_user("nadia")
    panel = make_default_panel(
        places.popayan, name="Panel Popayán", local_provider_name="la Guardia Indígena"
    )
    leader = add_respondent(
        panel,
        "POP-001",
        sex="female",
        age_band="30_44",
        role="jac",
        area="rural",
        contact={"name": NAME, "phone": PHONE},
    )
    add_respondent(panel, "POP-002", sex="male", role="indigenous", area="rural")
    return {
        "camila": camila,
        "esteban": esteban,
        "carlos": carlos,
        "nadia": nadia,
        "panel": panel,
        "leader": leader,
    }


def roster_url(world) -> str:
    return f"/panels/roster/{world['panel'].code}/"


def contact_url(world) -> str:
    return f"/panels/roster/{world['panel'].code}/respondents/{world['leader'].pk}/contact/"


# --- entity list ----------------------------------------------------------------------------


def test_the_entity_list_has_codes_roles_and_attributes_but_no_names_or_phones(world):
    text = entity_list_csv(world["panel"])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "name",
        "label",
        "__id",
        "__version",
        "sex",
        "age_band",
        "role",
        "area",
        "active",
    ]
    assert [row["name"] for row in rows] == ["POP-001", "POP-002"]
    assert rows[0]["label"].startswith("POP-001 · ")
    assert (
        rows[0]["sex"],
        rows[0]["age_band"],
        rows[0]["role"],
        rows[0]["area"],
        rows[0]["active"],
    ) == ("female", "30_44", "jac", "rural", "1")
    assert int(rows[0]["__version"]) > 0
    assert "María" not in text
    assert PHONE not in text


def test_an_entity_version_changes_when_its_row_changes_and_only_then(world):
    def versions():
        return {
            row["name"]: row["__version"]
            for row in csv.DictReader(io.StringIO(entity_list_csv(world["panel"])))
        }

    before = versions()
    assert versions() == before
    leader = world["leader"]
    leader.is_active = False
    leader.save()
    after = versions()
    assert after["POP-001"] != before["POP-001"]
    assert after["POP-002"] == before["POP-002"]


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("roster_urls")
def test_the_roster_page_never_shows_contact_data(client, world):
    client.force_login(world["camila"])
    page = client.get(roster_url(world)).content.decode()
    assert "POP-001" in page
    assert "María" not in page
    assert PHONE not in page
    assert contact_url(world) in page  # the coordinator gets a link to it


@pytest.mark.usefixtures("roster_urls")
def test_an_enumerator_sees_no_link_to_contact_data(client, world):
    client.force_login(world["esteban"])
    page = client.get(roster_url(world)).content.decode()
    assert "POP-001" in page
    assert "/contact/" not in page


@pytest.mark.usefixtures("roster_urls")
def test_each_view_of_the_contact_page_is_written_to_the_audit_log(client, world):
    client.force_login(world["camila"])
    for _time in range(2):
        response = client.get(contact_url(world))
        assert PHONE in response.content.decode()
        assert NAME in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    entries = AuditEntry.objects.filter(
        action=AuditAction.READ_PERSONAL, object_id=str(world["leader"].pk)
    )
    assert entries.count() == 2
    entry = entries.first()
    assert entry.actor == world["camila"]
    assert entry.object_type == "panels.respondent"
    assert entry.changes == {"fields": ["contact.name", "contact.phone"]}


@pytest.mark.usefixtures("roster_urls")
def test_refused_contact_views_leave_no_read_in_the_log(client, world):
    client.force_login(world["esteban"])
    client.get(contact_url(world))
    assert not AuditEntry.objects.filter(action=AuditAction.READ_PERSONAL).exists()


@pytest.mark.usefixtures("roster_urls")
def test_a_respondent_of_another_panel_is_not_found_under_this_one(client, world):
    other = make_default_panel(world["panel"].territory, code="popayan-2")
    stranger = add_respondent(other, "X-1", contact={"phone": "3110000000"})
    client.force_login(world["camila"])
    url = f"/panels/roster/{world['panel'].code}/respondents/{stranger.pk}/contact/"
    assert client.get(url).status_code == 404


@pytest.mark.usefixtures("roster_urls")
def test_the_entity_list_downloads_as_csv(client, world):
    client.force_login(world["esteban"])
    response = client.get(roster_url(world) + "entities.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "popayan-respondents.csv" in response["Content-Disposition"]
    assert response.content.decode().startswith("name,label,__id,__version,")


# --- reads of the roster are audited ----------------------------------------------------------


def roster_reads(world):
    return AuditEntry.objects.filter(
        action=AuditAction.READ_PERSONAL,
        object_type="panels.panel",
        object_id=str(world["panel"].pk),
    )


@pytest.mark.usefixtures("roster_urls")
@pytest.mark.parametrize("persona", ["camila", "esteban"])
def test_each_view_of_the_roster_page_is_written_to_the_audit_log(client, world, persona):
    client.force_login(world[persona])
    for _time in range(2):
        response = client.get(roster_url(world))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
    entries = roster_reads(world)
    assert entries.count() == 2
    entry = entries.first()
    assert entry.actor == world[persona]
    assert "respondents.code" in entry.changes["fields"]
    assert "respondents.role" in entry.changes["fields"]


@pytest.mark.usefixtures("roster_urls")
@pytest.mark.parametrize("persona", ["camila", "esteban"])
def test_each_download_of_the_entity_list_is_written_to_the_audit_log(client, world, persona):
    client.force_login(world[persona])
    response = client.get(roster_url(world) + "entities.csv")
    assert response.status_code == 200
    entry = roster_reads(world).get()
    assert entry.actor == world[persona]
    assert entry.changes["fields"] == [
        "respondents.code",
        "respondents.label",
        "respondents.sex",
        "respondents.age_band",
        "respondents.role",
        "respondents.area",
        "respondents.active",
    ]


@pytest.mark.usefixtures("roster_urls")
@pytest.mark.parametrize("persona", [None, "nadia", "carlos"])
def test_refused_roster_views_leave_no_read_in_the_log(client, world, persona):
    if persona:
        client.force_login(world[persona])
    client.get(roster_url(world))
    client.get(roster_url(world) + "entities.csv")
    assert not AuditEntry.objects.filter(action=AuditAction.READ_PERSONAL).exists()
