"""Promising practices show the evidence registry's rating where they are promoted, and
its absence; and "who has done this?" ranks people and organisations, saying why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from convivencia.evidence.choices import Curation
from convivencia.evidence.models import Intervention
from convivencia.network import services
from convivencia.network.choices import Expertise, Language
from convivencia.network.models import Practice
from tests.network.builders import PUBLIC_NAME, make_network, make_specialist

pytestmark = pytest.mark.django_db


def test_a_practice_shows_its_intervention_s_rating_and_a_link_to_the_evidence():
    world = make_network()
    text = Client().get(reverse("network:practice", args=[world.practice.pk])).content.decode()
    assert "Effective" in text
    assert reverse("evidence:detail", args=[world.intervention.pk]) in text
    assert "Diálogo de Bogotá" in text and "Jóvenes y policía" in text
    assert PUBLIC_NAME in text and "A speaker (FIP)" in text
    assert "Informe final" in text


def test_a_practice_without_evidence_says_so_where_it_is_promoted():
    world = make_network()
    text = Client().get(reverse("network:practice", args=[world.unevaluated.pk])).content.decode()
    assert "Not in the evidence registry" in text
    listing = Client().get(reverse("network:practices")).content.decode()
    assert "Not in the evidence registry" in listing and "Effective" in listing


def test_an_unpublished_intervention_counts_as_no_evidence():
    world = make_network()
    Intervention.objects.filter(pk=world.intervention.pk).update(curation=Curation.DRAFT)
    practice = Practice.objects.select_related("intervention").get(pk=world.practice.pk)
    evidence = services.practice_evidence(practice)
    assert evidence.intervention is None and evidence.rating == ""
    answer = Client().get(f"/api/v1/network/practices/{world.practice.pk}/").json()
    assert answer["intervention_id"] is None and answer["rating"] is None


def test_the_focus_of_a_problem_is_found_in_its_words_in_three_languages():
    assert services.detect_focus("Los jóvenes desconfían de la policía") == [
        Expertise.POLICING,
        Expertise.YOUTH,
    ]
    assert services.detect_focus("Violência contra as mulheres") == [Expertise.VAWG]
    assert services.detect_focus("Crime data for the city") == [Expertise.DATA]
    assert services.detect_focus("nada que ver") == []


def test_suggestions_are_ranked_by_the_documented_points_with_their_reasons():
    world = make_network()
    other = make_specialist(
        "Pedro Policía", public=True, expertise=[Expertise.POLICING], countries=["MX"]
    )
    result = services.suggest(
        "Los jóvenes de la ciudad", expertise=[], country="CO", language=Language.PT
    )
    assert result.focus == [Expertise.YOUTH]
    [first] = result.specialists  # Pedro shares nothing with the problem
    assert first.target == world.public
    # youth (3) + Colombia (2) + Portuguese (1) + the practice (2) + rated effective (2)
    assert first.score == 10
    assert first.reasons[0].startswith("+3 expertise: Youth at risk")
    assert any("Escuelas seguras" in reason for reason in first.reasons)
    assert any("Effective" in reason for reason in first.reasons)
    assert other not in [s.target for s in result.specialists]
    organisations = {s.target.acronym: s.score for s in result.organisations}
    # All three organised the Dialogue where both youth practices were presented:
    # Escuelas seguras (2, +2 effective) and Papo de Responsa (2, not in the registry);
    # FIP is also based in Colombia (2).
    assert organisations == {"FIP": 8, "Igarapé": 6, "IDRC": 6}


def test_the_page_explains_each_suggestion_and_keeps_nothing():
    from convivencia.accounts.models import AuditEntry

    make_network()
    before = AuditEntry.objects.count()
    response = Client().get(reverse("network:ask") + "?description=jóvenes+en+riesgo&country=CO")
    text = response.content.decode()
    assert response.status_code == 200
    assert PUBLIC_NAME in text and "+3 expertise: Youth at risk" in text
    assert AuditEntry.objects.count() == before


def test_an_empty_request_is_refused_with_its_reason():
    response = Client().get(reverse("network:ask") + "?description=&country=ZZ")
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"description", "country"}
