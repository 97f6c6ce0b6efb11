"""The DHIS2 mapping table as a page for coordinators: who may, adding, editing and
deleting rows, refusals with clear messages, and the DHIS2 import's report naming the
file's unmapped identifiers with a link that adds them."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import AuditEntry
from convivencia.indicators import presets
from convivencia.indicators.choices import AgeGroup, Dhis2Kind, Sex
from convivencia.indicators.models import DataElement, Dhis2Mapping
from tests.factories import grant, make_colombia, make_organisation, make_user

pytestmark = pytest.mark.usefixtures("english")

INDEX = reverse("indicators:manage:dhis2_index")
UPLOAD = reverse("indicators:import:upload")


def new_url(kind: str) -> str:
    return reverse("indicators:manage:dhis2_create", args=[kind])


def edit_url(mapping: Dhis2Mapping, action: str = "edit") -> str:
    return reverse(f"indicators:manage:dhis2_{action}", args=[mapping.pk])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db) -> SimpleNamespace:
    """The presets; Colombia; Nadia without a role, Ana the administrator, Camila the
    coordinator of Cauca, Andrea the analyst, and a coordinator of Nariño (definitions
    and their mappings are national: her territory does not matter)."""
    presets.ensure_presets()
    places = make_colombia()
    organisation = make_organisation("Programa")
    people = {
        "nobody": make_user("nadia"),
        "admin": make_user("ana", is_superuser=True, is_staff=True),
    }
    for key, role, territory in (
        ("coordinator", Role.COORDINATOR, places.cauca),
        ("analyst", Role.ANALYST, places.cauca),
        ("other_coordinator", Role.COORDINATOR, places.narino),
        ("enumerator", Role.ENUMERATOR, places.cauca),
    ):
        people[key] = make_user(key)
        grant(people[key], organisation, role, [territory])
    homicides = DataElement.objects.get(code="homicides")
    return SimpleNamespace(places=places, homicides=homicides, **people)


def as_(client, user):
    client.force_login(user)
    return client


def element_row(world, identifier: str = "Kx3vXa1b2C4", scheme: str = "UID") -> Dhis2Mapping:
    return Dhis2Mapping.objects.create(
        kind=Dhis2Kind.DATA_ELEMENT, scheme=scheme, identifier=identifier, element=world.homicides
    )


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "list_status", "add_status"),
    [
        ("anonymous", 302, 302),
        ("nobody", 404, 404),
        ("enumerator", 404, 404),
        ("analyst", 200, 403),
        ("coordinator", 200, 200),
        ("other_coordinator", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_who_may_read_and_who_may_change_the_mapping_table(
    client, world, who, list_status, add_status
):
    mapping = element_row(world)
    if who != "anonymous":
        as_(client, getattr(world, who))
    assert client.get(INDEX).status_code == list_status
    assert client.get(new_url(Dhis2Kind.ORG_UNIT)).status_code == add_status
    assert client.get(edit_url(mapping)).status_code == add_status
    deleted = client.post(edit_url(mapping, "delete"))
    assert deleted.status_code == (302 if add_status == 200 else add_status)
    assert Dhis2Mapping.objects.filter(pk=mapping.pk).exists() == (add_status != 200)
    if who == "anonymous":
        assert client.get(INDEX)["Location"].startswith(reverse("accounts:login"))


def test_the_management_and_import_pages_link_to_the_table(client, world):
    as_(client, world.coordinator)
    assert INDEX in client.get(reverse("indicators:manage:index")).text
    page = client.get(UPLOAD)
    assert f'href="{INDEX}" data-testid="dhis2-mapping-link"' in page.text
    as_(client, world.analyst)
    assert INDEX in client.get(reverse("indicators:manage:index")).text


def test_an_unknown_kind_or_row_is_404(client, world):
    as_(client, world.coordinator)
    assert client.get(new_url("attribute_option_combo")).status_code == 404
    assert client.get(reverse("indicators:manage:dhis2_edit", args=[999])).status_code == 404


# --- adding, editing, deleting -------------------------------------------------------------------


def test_a_coordinator_maps_a_data_element_and_it_is_audited(client, world):
    as_(client, world.coordinator)
    response = client.post(
        new_url(Dhis2Kind.DATA_ELEMENT),
        {"scheme": "code", "identifier": "  DE_HOMICIDIOS ", "element": world.homicides.pk},
    )
    assert response.status_code == 302, response.text
    mapping = Dhis2Mapping.objects.get()
    assert (mapping.kind, mapping.scheme, mapping.identifier, mapping.element) == (
        Dhis2Kind.DATA_ELEMENT,
        "CODE",
        "DE_HOMICIDIOS",
        world.homicides,
    )
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type__icontains="dhis2")
    assert (
        entry.changes["identifier"] == "DE_HOMICIDIOS" and entry.changes["element"] == "homicides"
    )
    listing = client.get(INDEX).text
    assert "DE_HOMICIDIOS" in listing and "(homicides)" in listing


def test_an_org_unit_is_mapped_to_the_territory_of_a_code_and_a_missing_code_is_named(
    client, world
):
    as_(client, world.coordinator)
    url = new_url(Dhis2Kind.ORG_UNIT)
    missing = client.post(
        url,
        {
            "scheme": "UID",
            "identifier": "DiszpKrYNg8",
            "territory_scheme": "divipola",
            "territory_code": "99999",
        },
    )
    assert missing.status_code == 400
    assert "No territory has the DIVIPOLA (Colombia, DANE) code “99999”." in missing.text
    assert "Choose the territory" not in missing.text
    assert not Dhis2Mapping.objects.exists()

    saved = client.post(
        url,
        {
            "scheme": "UID",
            "identifier": "DiszpKrYNg8",
            "territory_scheme": "divipola",
            "territory_code": "19001",
        },
    )
    assert saved.status_code == 302
    mapping = Dhis2Mapping.objects.get()
    assert mapping.territory == world.places.popayan
    # The edit page shows the territory by its code.
    page = client.get(edit_url(mapping)).text
    assert 'value="19001"' in page


def test_a_category_option_combo_maps_to_a_sex_and_an_age_group_or_to_the_default(client, world):
    as_(client, world.admin)
    url = new_url(Dhis2Kind.CATEGORY_OPTION_COMBO)
    client.post(
        url, {"scheme": "UID", "identifier": "rCMUTmcreqP", "sex": "female", "age_group": "18_plus"}
    )
    client.post(url, {"scheme": "UID", "identifier": "bRowv6yZOF2", "sex": "", "age_group": ""})
    rows = {row.identifier: (row.sex, row.age_group) for row in Dhis2Mapping.objects.order_by("pk")}
    assert rows == {"rCMUTmcreqP": (Sex.FEMALE, AgeGroup.ADULTS), "bRowv6yZOF2": ("", "")}
    listing = client.get(INDEX).text
    assert (
        "Female, Adults (18+)" in listing and "Not disaggregated (DHIS2&#x27;s default)" in listing
    )


def test_a_duplicate_is_refused_naming_the_row_that_holds_the_identifier(client, world):
    element_row(world, identifier="Kx3vXa1b2C4")
    as_(client, world.coordinator)
    response = client.post(
        new_url(Dhis2Kind.DATA_ELEMENT),
        {"scheme": "uid", "identifier": "Kx3vXa1b2C4", "element": world.homicides.pk},
    )
    assert response.status_code == 400
    assert (
        "UID “Kx3vXa1b2C4” is already in the mapping table, as Intentional homicides (homicides): "
        "edit that row instead."
    ) in response.context["form"].errors["identifier"]
    assert "already exists" not in response.text
    assert Dhis2Mapping.objects.count() == 1
    # The same identifier under another scheme, or as another kind, is another row.
    other_scheme = client.post(
        new_url(Dhis2Kind.DATA_ELEMENT),
        {"scheme": "CODE", "identifier": "Kx3vXa1b2C4", "element": world.homicides.pk},
    )
    assert other_scheme.status_code == 302
    assert Dhis2Mapping.objects.count() == 2


def test_a_bad_scheme_a_missing_target_or_identifier_is_refused_field_by_field(client, world):
    as_(client, world.coordinator)
    response = client.post(
        new_url(Dhis2Kind.DATA_ELEMENT), {"scheme": "SHORTNAME", "identifier": " ", "element": ""}
    )
    assert response.status_code == 400
    text = response.text
    assert "“SHORTNAME” is not a DHIS2 id scheme (UID, CODE, NAME or ATTRIBUTE:&lt;uid&gt;)" in text
    assert text.count("This field is required.") == 2  # identifier and element
    unknown = client.post(
        new_url(Dhis2Kind.DATA_ELEMENT), {"scheme": "UID", "identifier": "x", "element": "99999"}
    )
    assert unknown.status_code == 400
    assert "Select a valid choice" in unknown.text
    assert not Dhis2Mapping.objects.exists()


def test_a_row_is_edited_and_deleted_with_the_audit_log_keeping_both(client, world):
    mapping = element_row(world, identifier="Kx3vXa1b2C4")
    robbery = DataElement.objects.exclude(pk=world.homicides.pk).first()
    as_(client, world.coordinator)
    response = client.post(
        edit_url(mapping),
        {"scheme": "ATTRIBUTE:l1VmqIHKk6t", "identifier": "HOM-01", "element": robbery.pk},
    )
    assert response.status_code == 302
    mapping.refresh_from_db()
    assert (mapping.scheme, mapping.identifier, mapping.element) == (
        "ATTRIBUTE:l1VmqIHKk6t",
        "HOM-01",
        robbery,
    )
    update = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert update.changes["identifier"] == ["Kx3vXa1b2C4", "HOM-01"]
    assert client.post(edit_url(mapping, "delete")).status_code == 302
    assert not Dhis2Mapping.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE).count() == 1
    assert client.get(edit_url(mapping, "delete")).status_code == 405


# --- the DHIS2 import's report -------------------------------------------------------------------

VALUE_SET = {
    "dataSet": "pBOMPrpg1QX",
    "orgUnitIdScheme": "UID",
    "categoryOptionComboIdScheme": "UID",
    "dataValues": [
        {
            "dataElement": "homicides",
            "period": "202403",
            "orgUnit": "DiszpKrYNg8",
            "categoryOptionCombo": "rCMUTmcreqP",
            "value": "4",
        },
        {
            "dataElement": "homicides",
            "period": "202404",
            "orgUnit": "DiszpKrYNg8",
            "categoryOptionCombo": "rCMUTmcreqP",
            "value": "5",
        },
        {
            "dataElement": "fbfJHSPpUQD",
            "period": "202403",
            "orgUnit": "DiszpKrYNg8",
            "categoryOptionCombo": "HllvX50cXC0",
            "value": "1",
        },
    ],
}


def check(client, payload: dict) -> object:
    upload = SimpleUploadedFile("sierra-leone.json", json.dumps(payload).encode())
    return client.post(UPLOAD, {"format": "dhis2", "file": upload, "source": "health"})


def test_the_report_lists_the_unmapped_identifiers_with_links_that_add_them(client, world):
    as_(client, world.coordinator)
    report = check(client, VALUE_SET)
    assert report.status_code == 200
    unmapped = report.context["unmapped"]
    assert [
        (entry.kind, entry.scheme, entry.identifier, entry.values)
        for entry, _label, _url in unmapped
    ] == [
        (Dhis2Kind.DATA_ELEMENT, "UID", "fbfJHSPpUQD", 1),
        (Dhis2Kind.ORG_UNIT, "UID", "DiszpKrYNg8", 3),
        (Dhis2Kind.CATEGORY_OPTION_COMBO, "UID", "rCMUTmcreqP", 2),
    ]
    assert 'data-testid="unmapped-identifiers"' in report.text
    link = new_url(Dhis2Kind.ORG_UNIT) + "?scheme=UID&amp;identifier=DiszpKrYNg8"
    assert link in report.text

    # The link opens the form filled in; mapping all three makes the same file pass.
    form = client.get(new_url(Dhis2Kind.ORG_UNIT) + "?scheme=UID&identifier=DiszpKrYNg8")
    assert 'value="DiszpKrYNg8"' in form.text
    Dhis2Mapping.objects.create(
        kind=Dhis2Kind.ORG_UNIT, identifier="DiszpKrYNg8", territory=world.places.popayan
    )
    Dhis2Mapping.objects.create(
        kind=Dhis2Kind.CATEGORY_OPTION_COMBO, identifier="rCMUTmcreqP", sex=Sex.FEMALE
    )
    element_row(world, identifier="fbfJHSPpUQD")
    passed = check(client, VALUE_SET)
    assert passed.context["problems"] == [] and passed.context["unmapped"] == []
    assert passed.context["preview"]["values"] == 3


def test_an_analyst_sees_the_unmapped_identifiers_without_links_and_whom_to_ask(client, world):
    as_(client, world.analyst)
    report = check(client, VALUE_SET)
    assert "DiszpKrYNg8" in report.text and "Add to the mapping table" not in report.text
    assert "Administrators and coordinators add rows to the mapping table" in report.text


def test_other_problems_show_no_unmapped_table(client, world):
    as_(client, world.coordinator)
    payload = {
        "dataValues": [{"dataElement": "homicides", "period": "2024", "orgUnit": "x", "value": "4"}]
    }
    report = client.post(
        UPLOAD,
        {
            "format": "dhis2",
            "file": SimpleUploadedFile("x.json", json.dumps(payload).encode()),
            "source": "health",
            "org_unit_scheme": "divipola",
        },
    )
    assert [entry.identifier for entry, *_rest in report.context["unmapped"]] == ["x"]
    broken = client.post(
        UPLOAD,
        {
            "format": "dhis2",
            "file": SimpleUploadedFile("x.json", b"{not json"),
            "source": "health",
        },
    )
    assert broken.context["problems"] and broken.context["unmapped"] == []
