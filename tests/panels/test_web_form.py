"""The web form enumerators type answers into: one submission per page, nothing lost.

Personas: Esteban is an enumerator in Popayán, Camila coordinates Cauca, Carlos
coordinates Nariño, Nadia holds no role.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from convivencia.accounts.choices import Role
from convivencia.panels import services
from convivencia.panels.choices import ItemType, SubmissionSource
from convivencia.panels.models import Item, Submission
from tests.factories import grant, make_colombia, make_organisation, make_user
from tests.panels.builders import make_panel


@pytest.fixture
def places(db):
    return make_colombia()


@pytest.fixture
def panel(places):
    panel = make_panel(places.popayan, size=4)
    panel.local_provider_name = "la Guardia Indígena"
    panel.save()
    Item.objects.create(
        questionnaire=panel.questionnaire,
        code="LOCALPROV",
        position=6,
        type=ItemType.NUMBER,
        wording={
            "es": "¿Cuántas veces acudió a {local_provider}?",
            "en": "How often did you go to {local_provider}?",
        },
    )
    return panel


@pytest.fixture
def wave(panel):
    return services.open_wave(panel, "2024-03", None)


@pytest.fixture
def esteban(places):
    user = make_user("esteban")
    grant(user, make_organisation("Programa"), Role.ENUMERATOR, [places.popayan])
    return user


def form_url(panel) -> str:
    return reverse("panels:collection:form", args=[panel.code])


def instance_id_of(content: bytes) -> str:
    return re.search(rb'name="instance_id" value="([^"]+)"', content).group(1).decode()


def checked(content: bytes, name: str, value: str) -> bool:
    pattern = rf'name="{name}" value="{value}" checked'.encode()
    return pattern in content


def post(client, panel, instance_id: str, **answers):
    data = {"instance_id": instance_id, "wave": "2024-03", **answers}
    return client.post(form_url(panel), data, headers={"accept-language": "en"})


def test_the_form_shows_every_question_with_the_roster_codes_and_the_local_provider(
    client, panel, wave, esteban
):
    client.force_login(esteban)
    response = client.get(form_url(panel), headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert all(f'<option value="R00{n}"' in page for n in range(1, 5))
    for code in ("B18", "AOJ11", "VIC1", "VIC1_REPORT", "PROBLEMS", "LOCALPROV"):
        assert f'id="q-{code}"' in page
    assert "How often did you go to la Guardia Indígena?" in page
    assert ">Nada<" in page and ">Mucho<" in page  # the scale's two ends
    assert 'name="B18" value="88"' in page and 'name="B18" value="98"' in page
    assert "Only if the answer to VIC1 (“¿Fue víctima?”) is: Yes" in page  # VIC1_REPORT
    assert instance_id_of(response.content).startswith("uuid:")


def test_a_valid_submission_is_stored_and_a_fresh_form_follows(client, panel, wave, esteban):
    client.force_login(esteban)
    instance_id = instance_id_of(client.get(form_url(panel)).content)
    response = post(
        client,
        panel,
        instance_id,
        respondent="R001",
        B18="6",
        AOJ11="2",
        VIC1="1",
        VIC1_REPORT="0",
        PROBLEMS=["1", "3"],
        LOCALPROV="2",
    )
    assert response.status_code == 302
    stored = Submission.objects.get()
    assert (stored.instance_id, stored.source, stored.enumerator, stored.wave) == (
        instance_id,
        SubmissionSource.WEB,
        esteban,
        wave,
    )
    assert stored.answers.count() == 7
    fresh = client.get(response.url)
    assert b"Saved: respondent R001" in fresh.content
    assert instance_id_of(fresh.content) != instance_id
    assert b'value="R001" disabled' in fresh.content  # already answered this wave


def test_an_invalid_answer_is_shown_next_to_its_question_and_nothing_entered_is_lost(
    client, panel, wave, esteban
):
    client.force_login(esteban)
    instance_id = instance_id_of(client.get(form_url(panel)).content)
    response = post(
        client,
        panel,
        instance_id,
        respondent="R002",
        B18="9",
        AOJ11="2",
        VIC1="0",
        VIC1_REPORT="1",
        PROBLEMS=["1", "3"],
        LOCALPROV="4",
    )
    assert response.status_code == 400
    content = response.content
    page = content.decode()
    assert re.search(r'id="e-B18"><li>9 is outside the scale', page)
    assert re.search(r'id="e-VIC1_REPORT"><li>answered although the question does not apply', page)
    assert 'id="e-AOJ11"' not in page
    assert b'<option value="R002" selected>' in content
    for name, value in (
        ("AOJ11", "2"),
        ("VIC1", "0"),
        ("VIC1_REPORT", "1"),
        ("PROBLEMS", "1"),
        ("PROBLEMS", "3"),
    ):
        assert checked(content, name, value), (name, value)
    assert b'name="LOCALPROV" value="4"' in content
    assert instance_id_of(content) == instance_id  # the same submission, still unsaved
    assert not Submission.objects.exists()
    # The conditional question offers a way back to "not answered", without JavaScript.
    assert b'name="VIC1_REPORT" value=""' in content
    fixed = post(
        client,
        panel,
        instance_id,
        respondent="R002",
        B18="7",
        AOJ11="2",
        VIC1="0",
        VIC1_REPORT="",
        PROBLEMS=["1", "3"],
        LOCALPROV="4",
    )
    assert fixed.status_code == 302 and Submission.objects.count() == 1


def test_a_double_submit_is_stored_once(client, panel, wave, esteban):
    client.force_login(esteban)
    instance_id = instance_id_of(client.get(form_url(panel)).content)
    answers = {"respondent": "R003", "B18": "5", "AOJ11": "3"}
    assert post(client, panel, instance_id, **answers).status_code == 302
    again = post(client, panel, instance_id, **answers)
    assert again.status_code == 302
    assert b"already been saved" in client.get(again.url).content
    assert Submission.objects.count() == 1


def test_an_unknown_respondent_is_shown_beside_the_respondent_list(client, panel, wave, esteban):
    client.force_login(esteban)
    response = post(
        client, panel, "uuid:4b7e6c1d-0f0e-4c4a-8a55-7f1f3c0d9e21", respondent="R999", B18="5"
    )
    assert response.status_code == 400
    assert re.search(rb'id="respondent-errors"><li>unknown respondent code', response.content)
    assert checked(response.content, "B18", "5")


def test_no_respondent_chosen_asks_for_one_and_keeps_the_answers(client, panel, wave, esteban):
    client.force_login(esteban)
    response = post(
        client, panel, "uuid:4b7e6c1d-0f0e-4c4a-8a55-7f1f3c0d9e23", respondent="", B18="5"
    )
    assert response.status_code == 400
    assert re.search(rb'id="respondent-errors"><li>Choose a respondent.</li>', response.content)
    assert b"unknown respondent code" not in response.content
    assert checked(response.content, "B18", "5")
    assert Submission.objects.count() == 0


def test_a_closed_wave_accepts_nothing_and_says_so(client, panel, wave, esteban):
    services.close_wave(wave, None)
    client.force_login(esteban)
    response = post(
        client, panel, "uuid:4b7e6c1d-0f0e-4c4a-8a55-7f1f3c0d9e22", respondent="R001", B18="5"
    )
    assert response.status_code == 400
    assert b"wave 2024-03 is closed" in response.content
    assert not Submission.objects.exists()
    assert b"No wave is open" in client.get(form_url(panel)).content


@pytest.mark.parametrize(
    ("persona", "status"),
    [("nadia", 404), ("carlos", 404), ("camila", 200), ("esteban", 200)],
)
def test_only_enumerators_and_coordinators_of_the_territory_see_the_form(
    client, places, panel, wave, esteban, persona, status
):
    if persona == "esteban":
        user = esteban
    else:
        user = make_user(persona)
        territory = {"carlos": places.narino, "camila": places.cauca}.get(persona)
        if territory is not None:
            grant(user, make_organisation(f"Org {persona}"), Role.COORDINATOR, [territory])
    client.force_login(user)
    assert client.get(form_url(panel)).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, panel, wave):
    response = client.get(form_url(panel))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_collection_index_lists_only_the_panels_one_collects_for(
    client, places, panel, wave, esteban
):
    client.force_login(esteban)
    response = client.get(reverse("panels:collection:list"))
    assert response.status_code == 200
    assert reverse("panels:collection:panel", args=[panel.code]).encode() in response.content
    client.force_login(make_user("nadia"))
    assert panel.code.encode() not in client.get(reverse("panels:collection:list")).content
