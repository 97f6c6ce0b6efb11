"""The management pages of data elements and indicators: who may, creating, editing,
refusing to delete what values depend on, the audit log, and the explorer showing a new
indicator."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from convivencia.accounts.choices import AuditAction, OrganisationType, Role
from convivencia.accounts.models import AuditEntry
from convivencia.dialogues.models import Process
from convivencia.indicators import caching, periods, presets, rollup
from convivencia.indicators.models import DataElement, Indicator
from convivencia.territories.models import Population
from tests.dialogues.builders import commitment_in
from tests.factories import grant, make_colombia, make_organisation, make_user
from tests.indicators.test_explorer import store

pytestmark = pytest.mark.usefixtures("english")

INDEX = reverse("indicators:manage:index")
NEW_ELEMENT = reverse("indicators:manage:element_create")
NEW_INDICATOR = reverse("indicators:manage:indicator_create")


def element_url(code: str, action: str = "edit") -> str:
    return reverse(f"indicators:manage:element_{action}", args=[code])


def indicator_url(code: str, action: str = "edit") -> str:
    return reverse(f"indicators:manage:indicator_{action}", args=[code])


@pytest.fixture
def world(db) -> SimpleNamespace:
    """The presets; Colombia; homicides with values in Popayán; one person per role."""
    presets.ensure_presets()
    places = make_colombia()
    homicides = DataElement.objects.get(code="homicides")
    store(homicides, places.popayan, "2023-01", 3)
    organisation = make_organisation("Programa")
    people = {
        "nobody": make_user("nadia"),
        "admin": make_user("ana", is_superuser=True, is_staff=True),
    }
    for key, role in (
        ("coordinator", Role.COORDINATOR),
        ("analyst", Role.ANALYST),
        ("enumerator", Role.ENUMERATOR),
        ("leader", Role.COMMUNITY_LEADER),
    ):
        people[key] = make_user(key)
        grant(people[key], organisation, role, [places.cauca])
    return SimpleNamespace(places=places, homicides=homicides, **people)


def as_(client, user):
    client.force_login(user)
    return client


ELEMENT = {
    "code": "threats_to_journalists",
    "name_es": "Amenazas a periodistas",
    "name_en": "Threats to journalists",
    "name_pt": "",
    "value_type": "integer",
    "aggregation_type": "sum",
    "dhis2_uid": "",
    "description": "Fundación para la Libertad de Prensa",
}


def indicator_form(**changes) -> dict[str, object]:
    data = {
        "code": "journalist_threat_rate",
        "name_es": "Tasa de amenazas a periodistas",
        "name_en": "",
        "name_pt": "",
        "numerator": "",
        "denominator_kind": "population",
        "denominator": "",
        "factor": 100_000,
        "description": "",
    }
    data.update(changes)
    return data


# --- who may --------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["nobody", "enumerator", "leader"])
def test_people_without_an_editor_role_do_not_learn_the_pages_exist(client, world, who):
    as_(client, getattr(world, who))
    for url in (INDEX, NEW_ELEMENT, element_url("homicides"), NEW_INDICATOR):
        assert client.get(url).status_code == 404, url
    assert client.post(NEW_ELEMENT, ELEMENT).status_code == 404
    assert not DataElement.objects.filter(code=ELEMENT["code"]).exists()


def test_an_analyst_reads_the_definitions_but_may_not_change_them(client, world):
    as_(client, world.analyst)
    page = client.get(INDEX)
    assert page.status_code == 200
    assert "homicide_rate" in page.content.decode()
    assert NEW_ELEMENT not in page.content.decode()
    assert client.get(NEW_ELEMENT).status_code == 403
    assert client.get(indicator_url("homicide_rate")).status_code == 403
    assert client.post(NEW_ELEMENT, ELEMENT).status_code == 403
    assert client.post(indicator_url("theft_rate", "delete")).status_code == 403
    assert not DataElement.objects.filter(code=ELEMENT["code"]).exists()
    assert Indicator.objects.filter(code="theft_rate").exists()


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinators_and_administrators_create_data_elements(client, world, who):
    as_(client, getattr(world, who))
    assert NEW_ELEMENT in client.get(INDEX).content.decode()
    response = client.post(NEW_ELEMENT, ELEMENT)
    assert response.status_code == 302
    element = DataElement.objects.get(code="threats_to_journalists")
    assert element.name == {"es": "Amenazas a periodistas", "en": "Threats to journalists"}
    entry = AuditEntry.objects.get(object_type="indicators.dataelement", object_id=str(element.pk))
    assert entry.action == AuditAction.CREATE
    assert entry.actor == getattr(world, who)


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_codes_names_formulas_and_how_many_values(client, world):
    as_(client, world.coordinator)
    html = client.get(INDEX, headers={"Accept-Language": "es"}).content.decode()
    assert "Tasa de homicidios por 100.000 habitantes" in html  # the active language's name
    row = html[html.index("<code>homicides</code></a>") :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">1</td>' in row  # one value stored
    formula = html[html.index("<code>homicide_rate</code>") :]
    formula = formula[: formula.index("</tr>")]
    assert "<code>homicides</code>" in formula and "100000" in formula


def test_the_search_ignores_accents_and_case_and_looks_at_the_numerator(client, world):
    as_(client, world.analyst)
    html = client.get(INDEX, {"q": "EXTORSION"}, headers={"Accept-Language": "es"}).content.decode()
    assert "<code>extortion</code>" in html and "<code>extortion_rate</code>" in html
    assert "<code>homicides</code>" not in html and "homicide_rate" not in html
    html = client.get(INDEX, {"q": "no such thing"}).content.decode()
    assert "No indicator matches." in html and "No data element matches." in html


# --- creating and editing -------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, message",
    [
        ("Homicidios", "Use lower-case letters"),
        ("tasa homicidios", "Use lower-case letters"),
        ("extorsión", "Use lower-case letters"),
        ("homicides", "already exists"),
        ("", "This field is required"),
    ],
)
def test_a_bad_or_taken_code_is_refused_with_a_clear_message(client, world, code, message):
    as_(client, world.coordinator)
    before = DataElement.objects.count()
    response = client.post(NEW_ELEMENT, {**ELEMENT, "code": code})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert DataElement.objects.count() == before


def test_a_spanish_name_is_required_and_a_dhis2_uid_is_checked(client, world):
    as_(client, world.coordinator)
    response = client.post(NEW_ELEMENT, {**ELEMENT, "name_es": "", "dhis2_uid": "abc"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"name_es", "dhis2_uid"}


def test_the_code_of_an_element_with_values_cannot_change(client, world):
    as_(client, world.coordinator)
    page = client.get(element_url("homicides"))
    assert "it can no longer change" in page.content.decode()
    response = client.post(
        element_url("homicides"), {**ELEMENT, "code": "homicidios", "name_es": "Homicidios dolosos"}
    )
    assert response.status_code == 302
    world.homicides.refresh_from_db()
    assert world.homicides.code == "homicides"
    assert world.homicides.name["es"] == "Homicidios dolosos"
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="indicators.dataelement")
    assert entry.changes["name"][1]["es"] == "Homicidios dolosos"
    assert "code" not in entry.changes


def test_the_code_of_an_element_without_values_can_still_be_corrected(client, world):
    as_(client, world.coordinator)
    client.post(NEW_ELEMENT, {**ELEMENT, "code": "threats_to_journalist"})
    response = client.post(element_url("threats_to_journalist"), ELEMENT)
    assert response.status_code == 302
    assert DataElement.objects.filter(code="threats_to_journalists").exists()
    assert not DataElement.objects.filter(code="threats_to_journalist").exists()


def test_saving_a_definition_replaces_the_explorers_data_version(client, world):
    as_(client, world.coordinator)
    before = caching.version()
    client.post(
        indicator_url("theft_rate"),
        indicator_form(
            code="theft_rate",
            name_es="Tasa de hurto",
            numerator=DataElement.objects.get(code="theft").pk,
        ),
    )
    assert caching.version() != before


def test_saving_without_a_change_writes_nothing_to_the_audit_log(client, world):
    as_(client, world.coordinator)
    theft = Indicator.objects.get(code="theft_rate")
    form = client.get(indicator_url("theft_rate")).context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields)}
    data = {key: "" if value is None else value for key, value in data.items()}
    assert client.post(indicator_url("theft_rate"), data).status_code == 302
    assert not AuditEntry.objects.filter(
        object_type="indicators.indicator", object_id=str(theft.pk)
    ).exists()


def test_an_indicators_denominator_element_must_be_chosen_and_only_then(client, world):
    as_(client, world.coordinator)
    homicides, theft = world.homicides.pk, DataElement.objects.get(code="theft").pk
    response = client.post(
        NEW_INDICATOR, indicator_form(numerator=homicides, denominator_kind="element")
    )
    assert response.status_code == 400
    assert "Choose the data element to divide by." in response.content.decode()
    response = client.post(NEW_INDICATOR, indicator_form(numerator=homicides, denominator=theft))
    assert response.status_code == 400
    assert "Another data element" in response.content.decode()
    response = client.post(
        NEW_INDICATOR,
        indicator_form(numerator=homicides, denominator_kind="element", denominator=homicides),
    )
    assert "must differ from the numerator" in response.content.decode()
    response = client.post(NEW_INDICATOR, indicator_form(numerator=homicides, factor=0))
    assert response.status_code == 400
    assert not Indicator.objects.filter(code="journalist_threat_rate").exists()
    response = client.post(
        NEW_INDICATOR,
        indicator_form(
            numerator=homicides, denominator_kind="element", denominator=theft, factor=100
        ),
    )
    assert response.status_code == 302
    ratio = Indicator.objects.get(code="journalist_threat_rate")
    assert (ratio.numerator_id, ratio.denominator_id, ratio.factor) == (homicides, theft, 100)


def test_the_code_and_numerator_of_an_indicator_whose_numerator_has_values_stay(client, world):
    as_(client, world.coordinator)
    theft = DataElement.objects.get(code="theft").pk
    response = client.post(
        indicator_url("homicide_rate"),
        indicator_form(
            code="tasa_homicidios", name_es="Tasa de homicidios", numerator=theft, factor=1000
        ),
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="homicide_rate")
    assert indicator.numerator == world.homicides
    assert indicator.factor == 1000


# --- deleting -------------------------------------------------------------------------------


def test_an_element_with_values_is_not_deleted_and_the_page_says_why(client, world):
    as_(client, world.coordinator)
    page = client.get(element_url("homicides")).content.decode()
    assert "It cannot be deleted. It has values" in page
    assert element_url("homicides", "delete") not in page
    response = client.post(element_url("homicides", "delete"))
    assert response.status_code == 409
    assert "was not deleted" in response.content.decode()
    assert DataElement.objects.filter(code="homicides").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


def test_an_element_an_indicator_counts_is_not_deleted_either(client, world):
    as_(client, world.coordinator)
    response = client.post(element_url("theft", "delete"))
    assert response.status_code == 409
    assert "Indicators use it: theft_rate." in response.content.decode()
    assert DataElement.objects.filter(code="theft").exists()


def test_an_unused_element_is_deleted_and_the_deletion_audited(client, world):
    as_(client, world.admin)
    client.post(NEW_ELEMENT, ELEMENT)
    element = DataElement.objects.get(code=ELEMENT["code"])
    assert (
        element_url(element.code, "delete")
        in client.get(element_url(element.code)).content.decode()
    )
    response = client.post(element_url(element.code, "delete"))
    assert response.status_code == 302
    assert not DataElement.objects.filter(code=ELEMENT["code"]).exists()
    entry = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert (entry.object_type, entry.object_id) == ("indicators.dataelement", str(element.pk))
    assert entry.changes["code"] == ELEMENT["code"]


def test_an_indicator_a_commitment_follows_is_not_deleted(client, world):
    process = Process.objects.create(territory=world.places.popayan, title="Diálogo")
    police = make_organisation("Policía Cauca", OrganisationType.POLICE)
    commitment_in(
        process,
        SimpleNamespace(police=police, places=world.places),
        indicator=Indicator.objects.get(code="theft_rate"),
    )
    as_(client, world.coordinator)
    response = client.post(indicator_url("theft_rate", "delete"))
    assert response.status_code == 409
    assert "It is followed by 1 commitment." in response.content.decode()
    assert Indicator.objects.filter(code="theft_rate").exists()


def test_an_indicator_of_our_own_that_nothing_follows_is_deleted(client, world):
    Indicator.objects.create(
        code="journalist_threat_rate", name={"es": "Tasa"}, numerator=world.homicides
    )
    as_(client, world.coordinator)
    response = client.post(indicator_url("journalist_threat_rate", "delete"))
    assert response.status_code == 302
    assert not Indicator.objects.filter(code="journalist_threat_rate").exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.DELETE, object_type="indicators.indicator"
    ).exists()


@pytest.mark.parametrize(
    "url", [indicator_url("theft_rate", "delete"), element_url("femicide", "delete")]
)
def test_the_standard_definitions_every_installation_shares_are_kept(client, world, url):
    as_(client, world.admin)
    response = client.post(url)
    assert response.status_code == 409
    assert "one of the standard definitions" in response.content.decode()
    assert Indicator.objects.filter(code="theft_rate").exists()
    assert DataElement.objects.filter(code="femicide").exists()


# --- links and the explorer -----------------------------------------------------------------


def test_the_explorer_links_here_for_those_who_may_read_only(client, world):
    explorer = reverse("indicators:explorer")
    assert INDEX not in client.get(explorer, follow=True).content.decode()
    as_(client, world.leader)
    assert INDEX not in client.get(explorer, follow=True).content.decode()
    as_(client, world.analyst)
    assert INDEX in client.get(explorer, follow=True).content.decode()


def test_the_first_run_page_links_here(client, world):
    as_(client, world.admin)
    assert INDEX in client.get(reverse("core:setup")).content.decode()


def test_a_new_indicator_shows_its_rate_in_the_explorer_once_values_and_population_exist(
    client, world
):
    as_(client, world.coordinator)
    client.post(NEW_ELEMENT, ELEMENT)
    element = DataElement.objects.get(code=ELEMENT["code"])
    response = client.post(NEW_INDICATOR, indicator_form(numerator=element.pk))
    assert response.status_code == 302
    places = world.places
    for month in range(1, 13):
        store(element, places.popayan, f"2023-{month:02d}", 1)
    Population.objects.create(territory=places.popayan, year=2023, value=400_000, source="DANE")
    rollup.refresh([element.pk], ["police"], periods.parse("2023").start, periods.parse("2023").end)
    client.logout()
    page = client.get(
        reverse("indicators:explorer"),
        {
            "indicator": "journalist_threat_rate",
            "parent": places.cauca.pk,
            "type": "year",
            "from": "2023",
            "to": "2023",
            "source": "police",
        },
        headers={"Accept-Language": "es"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tasa de amenazas a periodistas" in html
    row = html[html.index(f'data-territory="{places.popayan.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "DANE, 2023" in row
    assert "3,0" in row or "3.0" in row  # 12 / 400,000 × 100,000
