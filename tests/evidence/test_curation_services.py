"""The curation rules as services: what views, the API and the importer all call."""

from __future__ import annotations

import pytest

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.evidence import services
from convivencia.evidence.choices import Curation, Direction, Problem, Rating
from convivencia.evidence.models import Evaluation, Outcome
from tests.evidence.builders import add_evaluation, make_intervention
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_published_intervention_whose_content_changed_goes_back_to_draft():
    published = make_intervention("Publicada")
    assert services.back_to_draft_if_changed(published, changed=True)
    assert published.curation == Curation.DRAFT


@pytest.mark.parametrize("changed", [False, True])
def test_a_draft_or_an_unchanged_intervention_keeps_its_state(changed):
    draft = make_intervention("Borrador", published=False)
    published = make_intervention("Publicada")
    assert not services.back_to_draft_if_changed(draft, changed=changed)
    assert not services.back_to_draft_if_changed(published, changed=False)
    assert draft.curation == Curation.DRAFT
    assert published.curation == Curation.PUBLISHED


def test_deleting_an_evaluation_writes_the_history_and_rates_again():
    editor = make_user("editora")
    intervention = make_intervention("Con estudio")
    evaluation = add_evaluation(
        intervention, Problem.HOMICIDE, Direction.DESIRABLE, citation="Smith 2019"
    )
    services.recompute_ratings(intervention)
    assert intervention.ratings.get().value == Rating.PROMISING
    described = services.describe_evaluation(evaluation)

    services.delete_evaluation(evaluation, editor)

    assert not Evaluation.objects.filter(pk=evaluation.pk).exists()
    assert not Outcome.objects.filter(evaluation_id=evaluation.pk).exists()
    assert not intervention.ratings.exists()
    entry = AuditEntry.objects.about(intervention).filter(actor=editor).get()
    assert entry.action == AuditAction.UPDATE
    assert entry.changes == {"evaluation": [described, ""]}
    assert described.startswith("Smith 2019 (2018, SMS 4) homicide:")


def test_a_saved_evaluation_is_in_the_history_and_the_ratings_follow():
    editor = make_user("editora")
    intervention = make_intervention("Sin estudio")
    evaluation = add_evaluation(intervention, Problem.HOMICIDE, Direction.DESIRABLE)

    ratings = services.evaluation_saved(evaluation, "", editor)

    assert [rating.value for rating in ratings] == [Rating.PROMISING]
    entry = AuditEntry.objects.about(intervention).filter(actor=editor).get()
    assert entry.changes == {"evaluation": ["", services.describe_evaluation(evaluation)]}
