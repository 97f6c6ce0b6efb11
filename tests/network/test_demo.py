"""The demo's events are the real ones: dates, cities and partners as published."""

from __future__ import annotations

import pytest
from django.test import Client

from convivencia.network import demo
from convivencia.network.models import Event, Specialist

pytestmark = pytest.mark.django_db

DIALOGUE_PARTNERS = {
    ("Igarapé", "promoter"),
    ("IDRC", "funder"),
    ("FIP", "partner"),
    ("insyde", "partner"),
    ("APCOF", "partner"),
}

# city, first day, last day, organisations and roles
EXPECTED = [
    ("Brasília", "2012-10-08", "2012-10-09", {("UNDP", "promoter")}),
    ("Rio de Janeiro", "2014-03-20", "2014-03-21", DIALOGUE_PARTNERS),
    # The issue says 11 October 2014; the seventh World Urban Forum met in Medellín
    # from 5 to 11 April 2014 (see network/demo.py).
    (
        "Medellín",
        "2014-04-11",
        "2014-04-11",
        {("Igarapé", "promoter"), ("IDB", "partner"), ("GIZ", "partner"), ("UN-Habitat", "host")},
    ),
    ("Ciudad de México", "2014-11-07", "2014-11-08", DIALOGUE_PARTNERS),
    ("Cape Town", "2015-02-25", "2015-02-27", DIALOGUE_PARTNERS),
    ("Bogotá", "2015-04-16", "2015-04-17", DIALOGUE_PARTNERS),
    (
        "Quito",
        "2015-10-19",
        "2015-10-23",
        {("IDB", "promoter"), ("Ministerio del Interior del Ecuador", "host")},
    ),
]


def test_the_events_api_gives_the_real_dates_cities_and_partners():
    demo.build()
    results = Client().get("/api/v1/network/events/").json()["results"]
    found = [
        (
            event["city"],
            event["start_date"],
            event["end_date"],
            {(o["acronym"] or o["name"], o["role"]) for o in event["organisations"]},
        )
        for event in results
    ]
    assert found == EXPECTED


def test_the_quito_week_has_its_four_parts_and_brasilia_its_documents():
    demo.build()
    quito = Event.objects.get(city="Quito")
    assert [s.title for s in quito.sessions.all()] == [
        "Third Regional Policy Dialogue on Citizen Security",
        "Sub-regional meetings",
        "Seventh Intensive Training Clinic",
        "Advisory Group and Donors meeting of the Citizen Security Initiative",
    ]
    brasilia = Event.objects.get(city="Brasília")
    assert {d.kind for d in brasilia.documents.all()} == {
        "concept_note",
        "participant_list",
        "report",
        "presentation",
    }
    assert not brasilia.documents.get(kind="participant_list").is_public
    papo = Client().get("/api/v1/network/practices/").json()["results"][0]
    assert papo["name"] == "Papo de Responsa" and papo["events"] == [brasilia.pk]
    assert papo["rating"] == "not_evaluated"


def test_the_four_special_issues_of_stability_come_from_the_four_dialogues():
    demo.build()
    from convivencia.network.models import Publication

    issues = Publication.objects.filter(kind="special_issue").order_by("event__start_date")
    assert [(p.title, p.event.city) for p in issues] == [
        ("Making Brazilian Cities Safer", "Rio de Janeiro"),
        ("Dispatches from Mexico", "Ciudad de México"),
        ("Dispatches from South Africa", "Cape Town"),
        ("Dispatches from Colombia", "Bogotá"),
    ]


def test_the_demo_is_safe_to_run_twice_and_its_hidden_people_stay_hidden():
    demo.build()
    demo.build()
    assert Event.objects.count() == 7
    assert Specialist.objects.count() == len(demo.SPECIALISTS)
    hidden = [s.name for s in demo.SPECIALISTS if not s.public]
    for url in [
        "/network/",
        "/network/specialists/",
        "/network/publications/",
        "/api/v1/network/specialists/",
    ] + [f"/network/events/{event.pk}/" for event in Event.objects.all()]:
        text = Client().get(url).content.decode()
        for name in hidden:
            assert name not in text, (name, url)
