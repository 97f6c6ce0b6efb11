"""Curation pages: who may do what, the review workflow, and the forms' messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.evidence.choices import Curation, Direction, Rating
from convivencia.evidence.models import Evaluation, ExternalRating, Intervention
from tests.evidence.builders import add_evaluation, make_intervention
from tests.personas import make_personas


@pytest.fixture
def world(db, client):
    """Camila and Carlos coordinate Cauca and Nariño (both edit and review), Andrea is an
    analyst (edits, cannot review): the personas of ``tests/personas.py``. Who may open
    which curation page is in ``tests/evidence/test_permissions.py``."""
    # Messages are compared in English, the language they are written in.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    personas = make_personas()
    draft = make_intervention("Cuadrantes de policía", published=False)
    return {
        "camila": personas.coord_cauca,
        "carlos": personas.coord_narino,
        "andrea": personas.analyst,
        "places": personas.places,
        "draft": draft,
        "client": client,
    }


def intervention_data(**overrides) -> dict[str, str]:
    """A valid intervention form, sources formset included."""
    data = {
        "name": "Escuelas de convivencia",
        "name_language": "es",
        "name_en": "Coexistence schools",
        "summary": "Talleres en colegios.",
        "scale": "municipal",
        "status": "ongoing",
        "focus": ["youth"],
        "problem": ["homicide", "assault"],
        "population": ["age_12_17"],
        "territories": "divipola:19001",
        "start_year": "2019",
        "end_year": "2022",
        "budget_amount": "1200000",
        "budget_currency": "cop",
        "budget_year": "2019",
        "sources-TOTAL_FORMS": "2",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
        "sources-0-citation": "Alcaldía de Popayán (2020)",
        "sources-0-url": "",
        "sources-1-citation": "",
        "sources-1-url": "",
    }
    data.update(overrides)
    return data


def test_the_list_shows_every_curation_state_and_filters_by_state_mine_and_search(world):
    client = world["client"]
    make_intervention("Publicada", published=True)
    client.force_login(world["andrea"])
    client.post(reverse("evidence:curation:create"), intervention_data(name="Mía"))
    page = client.get(reverse("evidence:curation:list")).content.decode()
    assert "Cuadrantes de policía" in page and "Publicada" in page and "Mía" in page
    drafts = client.get(reverse("evidence:curation:list"), {"state": "published"}).content
    assert b"Publicada" in drafts and b"Cuadrantes" not in drafts
    mine = client.get(reverse("evidence:curation:list"), {"mine": "1"}).content
    assert b"M\xc3\xada" in mine and b"Cuadrantes" not in mine
    found = client.get(reverse("evidence:curation:list"), {"q": "cuadrantes"}).content
    assert b"Cuadrantes" in found and b"Publicada" not in found


def test_an_analyst_creates_an_intervention_with_tags_territories_translations_and_sources(world):
    client = world["client"]
    client.force_login(world["andrea"])
    response = client.post(reverse("evidence:curation:create"), intervention_data())
    intervention = Intervention.objects.get(name="Escuelas de convivencia")
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:curation:detail", args=[intervention.pk])
    assert intervention.curation == Curation.DRAFT
    assert intervention.name_translations == {"en": "Coexistence schools"}
    assert intervention.codes("problem") == ["assault", "homicide"]
    assert list(intervention.territories.all()) == [world["places"].popayan]
    assert intervention.budget_currency == "COP"
    assert [s.citation for s in intervention.sources.all()] == ["Alcaldía de Popayán (2020)"]
    entry = AuditEntry.objects.about(intervention).get()
    assert (entry.action, entry.actor) == (AuditAction.CREATE, world["andrea"])


def test_a_draft_is_submitted_reviewed_and_published_and_each_step_is_in_the_history(world):
    client = world["client"]
    client.force_login(world["andrea"])
    client.post(reverse("evidence:curation:create"), intervention_data(submit="1"))
    intervention = Intervention.objects.get(name="Escuelas de convivencia")
    assert intervention.curation == Curation.SUBMITTED
    assert intervention.submitted_by == world["andrea"]

    client.force_login(world["camila"])
    for action in ("review", "publish"):
        response = client.post(
            reverse("evidence:curation:transition", args=[intervention.pk, action])
        )
        assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.curation == Curation.PUBLISHED
    assert (intervention.reviewed_by, intervention.published_by) == (
        world["camila"],
        world["camila"],
    )
    analyst, coordinator = world["andrea"].username, world["camila"].username
    steps = [
        (entry.actor.username, entry.changes.get("curation"))
        for entry in AuditEntry.objects.about(intervention).order_by("at", "id")
    ]
    assert steps == [
        (analyst, [None, "draft"]),  # created as a draft…
        (analyst, ["draft", "submitted"]),
        (coordinator, ["submitted", "reviewed"]),
        (coordinator, ["reviewed", "published"]),
    ]
    page = client.get(reverse("evidence:curation:detail", args=[intervention.pk])).content
    assert b"submitted \xe2\x86\x92 reviewed" in page


def test_an_analyst_can_edit_and_submit_but_not_review_or_publish(world):
    client = world["client"]
    draft = world["draft"]
    client.force_login(world["andrea"])
    client.post(reverse("evidence:curation:transition", args=[draft.pk, "submit"]))
    draft.refresh_from_db()
    assert draft.curation == Curation.SUBMITTED
    response = client.post(reverse("evidence:curation:transition", args=[draft.pk, "review"]))
    assert response.status_code == 403
    Intervention.objects.filter(pk=draft.pk).update(curation=Curation.REVIEWED)
    response = client.post(reverse("evidence:curation:transition", args=[draft.pk, "publish"]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.curation == Curation.REVIEWED
    page = client.get(reverse("evidence:curation:detail", args=[draft.pk])).content.decode()
    assert ">Publish<" not in page


def test_a_coordinator_can_publish(world):
    client = world["client"]
    draft = world["draft"]
    Intervention.objects.filter(pk=draft.pk).update(curation=Curation.REVIEWED)
    client.force_login(world["carlos"])
    response = client.post(
        reverse("evidence:curation:transition", args=[draft.pk, "publish"]), follow=True
    )
    assert "Published: it is now public." in response.content.decode()
    draft.refresh_from_db()
    assert draft.curation == Curation.PUBLISHED


def test_a_reviewer_cannot_review_their_own_submission_and_is_told_why(world):
    client = world["client"]
    draft = world["draft"]
    client.force_login(world["camila"])
    client.post(reverse("evidence:curation:transition", args=[draft.pk, "submit"]))
    response = client.post(
        reverse("evidence:curation:transition", args=[draft.pk, "review"]), follow=True
    )
    assert "Someone other than the person who submitted it must review it." in (
        response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.curation == Curation.SUBMITTED
    client.force_login(world["carlos"])
    client.post(reverse("evidence:curation:transition", args=[draft.pk, "review"]))
    draft.refresh_from_db()
    assert draft.curation == Curation.REVIEWED


def test_an_unknown_curation_action_is_404(world):
    client = world["client"]
    client.force_login(world["camila"])
    url = reverse("evidence:curation:transition", args=[world["draft"].pk, "delete"])
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"start_year": "2020", "end_year": "2019"},
            "end_year",
            "The end year cannot be before the start year.",
        ),
        ({"budget_amount": "-5"}, "budget_amount", "A budget cannot be negative."),
        (
            {"budget_currency": "XYZ"},
            "budget_currency",
            "“XYZ” is not an ISO 4217 currency code (e.g. COP, USD, EUR).",
        ),
        ({"budget_year": ""}, "budget_year", "Give the year the budget amount is expressed in."),
        ({"territories": "Atlantis"}, "territories", "No territory is called “Atlantis” in CO"),
        ({"name_es": "Otro nombre"}, "name_es", "The name is already in this language"),
    ],
)
def test_the_form_explains_what_is_wrong_and_saves_nothing(world, overrides, field, message):
    client = world["client"]
    client.force_login(world["andrea"])
    data = intervention_data(country=str(world["places"].colombia.pk), **overrides)
    response = client.post(reverse("evidence:curation:create"), data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert not Intervention.objects.filter(name="Escuelas de convivencia").exists()


def test_a_draft_may_have_no_source_but_submitting_needs_one(world):
    client = world["client"]
    client.force_login(world["andrea"])
    no_source = {"sources-0-citation": ""}
    response = client.post(
        reverse("evidence:curation:create"), intervention_data(submit="1", **no_source)
    )
    assert response.status_code == 200
    assert "Add at least one source (a link or a citation) before submitting for review." in (
        response.content.decode()
    )
    assert not Intervention.objects.filter(name="Escuelas de convivencia").exists()
    response = client.post(reverse("evidence:curation:create"), intervention_data(**no_source))
    assert response.status_code == 302
    assert Intervention.objects.get(name="Escuelas de convivencia").curation == Curation.DRAFT


def test_editing_a_published_intervention_makes_it_a_draft_again(world):
    client = world["client"]
    published = make_intervention("Publicada")
    client.force_login(world["andrea"])
    form_page = client.get(reverse("evidence:curation:edit", args=[published.pk]))
    data = {
        key: value
        for key, value in form_page.context["form"].initial.items()
        if value not in (None, [])
    }
    data.update(
        {
            "name": "Publicada, corregida",
            "country": published.country_id,
            "sources-TOTAL_FORMS": "3",
            "sources-INITIAL_FORMS": "1",
            "sources-MIN_NUM_FORMS": "0",
            "sources-MAX_NUM_FORMS": "1000",
            "sources-0-citation": "Registry test source",
        }
    )
    response = client.post(
        reverse("evidence:curation:edit", args=[published.pk]), data, follow=True
    )
    published.refresh_from_db()
    assert published.name == "Publicada, corregida"
    assert published.curation == Curation.DRAFT
    assert "it is a draft again" in response.content.decode()


def test_an_evaluation_with_outcomes_recomputes_the_ratings_and_is_in_the_history(world):
    client = world["client"]
    draft = world["draft"]
    client.force_login(world["andrea"])
    data = {
        "citation": "Mejía et al. (2016)",
        "year": "2016",
        "design": "rct",
        "sms_level": "5",
        "independent": "on",
        "country": str(world["places"].colombia.pk),
        "outcomes-TOTAL_FORMS": "2",
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
        "outcomes-0-outcome": "homicide",
        "outcomes-0-direction": "desirable",
        "outcomes-0-effect_size": "-0.18",
        "outcomes-0-effect_measure": "% change",
    }
    response = client.post(reverse("evidence:curation:evaluation_create", args=[draft.pk]), data)
    assert response.status_code == 302
    rating = draft.ratings.get()
    assert (rating.outcome, rating.value) == ("homicide", Rating.PROMISING)
    draft.refresh_from_db()
    assert draft.best_rating == Rating.PROMISING
    assert AuditEntry.objects.about(draft).filter(changes__has_key="evaluation").exists()

    evaluation = Evaluation.objects.get()
    client.post(reverse("evidence:curation:evaluation_delete", args=[draft.pk, evaluation.pk]))
    draft.refresh_from_db()
    assert draft.best_rating == Rating.NOT_EVALUATED


def test_an_evaluation_needs_at_least_one_outcome(world):
    client = world["client"]
    client.force_login(world["andrea"])
    data = {
        "citation": "Sin resultados",
        "year": "2016",
        "design": "rct",
        "sms_level": "5",
        "outcomes-TOTAL_FORMS": "2",
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
    }
    response = client.post(
        reverse("evidence:curation:evaluation_create", args=[world["draft"].pk]), data
    )
    assert response.status_code == 200
    assert "Record at least one outcome" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_reviewer_overrides_a_rating_only_with_a_reason_and_an_analyst_cannot(world):
    client = world["client"]
    draft = world["draft"]
    add_evaluation(draft, "homicide", Direction.DESIRABLE)
    from convivencia.evidence import services

    services.recompute_ratings(draft)
    rating = draft.ratings.get()
    url = reverse("evidence:curation:rating_override", args=[draft.pk, rating.pk])
    prefix = f"rating-{rating.pk}"
    client.force_login(world["camila"])
    response = client.post(url, {f"{prefix}-rating": "mixed", f"{prefix}-reason": " "})
    assert response.status_code == 400
    assert "Say why you rate it differently from the rule." in response.content.decode()
    client.post(url, {f"{prefix}-rating": "mixed", f"{prefix}-reason": "Contexto distinto"})
    rating.refresh_from_db()
    assert (rating.computed, rating.value) == (Rating.PROMISING, Rating.MIXED)
    client.force_login(world["andrea"])
    response = client.post(url, {f"{prefix}-rating": "", f"{prefix}-reason": ""})
    assert response.status_code == 403
    rating.refresh_from_db()
    assert rating.value == Rating.MIXED


def test_an_external_rating_is_added_with_its_own_label(world):
    client = world["client"]
    draft = world["draft"]
    client.force_login(world["andrea"])
    url = reverse("evidence:curation:external_rating_create", args=[draft.pk])
    client.post(url, {"source": "crimesolutions", "label": "Promising", "outcome": "homicide"})
    external = ExternalRating.objects.get()
    assert external.mapped_rating == Rating.PROMISING
    page = client.get(reverse("evidence:curation:detail", args=[draft.pk])).content.decode()
    assert "Promising" in page
    response = client.post(url, {"source": "crimesolutions", "label": ""})
    assert response.status_code == 400


def test_the_territory_search_offers_codes_to_add(world):
    client = world["client"]
    client.force_login(world["andrea"])
    response = client.get(reverse("evidence:curation:territory_search"), {"territory_q": "popayan"})
    assert "divipola:19001" in response.content.decode()
