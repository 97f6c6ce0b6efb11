"""The documented rating rule, case by case, and its bookkeeping in the database."""

import pytest
from django.core.exceptions import ValidationError

from convivencia.accounts.choices import Role
from convivencia.evidence import services
from convivencia.evidence.choices import Design, Direction, EvidenceContext, Rating, Scale, Status
from convivencia.evidence.models import Evaluation, Intervention, Outcome
from convivencia.evidence.ratings import Finding, map_external, rate
from tests.factories import grant, make_colombia, make_organisation, make_user

RCT, QUASI, QUAL = Design.RCT, Design.QUASI, Design.QUALITATIVE
GOOD, NULL, BAD, MIXED = Direction.DESIRABLE, Direction.NULL, Direction.UNDESIRABLE, Direction.MIXED


def finding(direction, sms=4, design=RCT, independent=True, country=""):
    return Finding(direction, sms, design, independent, country)


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], Rating.NOT_EVALUATED),
        ([finding(GOOD, sms=2), finding(GOOD, sms=1)], Rating.INSUFFICIENT),
        ([finding(GOOD, sms=5, design=QUAL)], Rating.INSUFFICIENT),
        ([finding(GOOD), finding(GOOD, sms=3, independent=False)], Rating.EFFECTIVE),
        ([finding(GOOD, sms=3), finding(GOOD, sms=3)], Rating.PROMISING),  # none at SMS 4
        ([finding(GOOD, independent=False), finding(GOOD, independent=False)], Rating.PROMISING),
        ([finding(GOOD)], Rating.PROMISING),  # a single study
        ([finding(GOOD), finding(GOOD), finding(NULL)], Rating.PROMISING),
        ([finding(GOOD), finding(NULL)], Rating.MIXED),
        ([finding(GOOD), finding(BAD)], Rating.MIXED),
        ([finding(NULL), finding(NULL, sms=3)], Rating.NO_EFFECT),
        ([finding(BAD), finding(NULL)], Rating.HARMFUL),
        ([finding(MIXED)], Rating.MIXED),
        ([finding(BAD, sms=2), finding(NULL, sms=4)], Rating.NO_EFFECT),  # weak study ignored
    ],
)
def test_the_rating_rule(findings, expected):
    assert rate(findings).rating == expected


def test_strength_of_evidence_counts_studies_and_independent_ones():
    verdict = rate([finding(GOOD, sms=5), finding(GOOD, sms=2, independent=False)])
    assert (verdict.best_sms, verdict.studies, verdict.independent_studies) == (5, 2, 1)


@pytest.mark.parametrize(
    ("countries", "expected"),
    [
        (["CO"], EvidenceContext.SAME_COUNTRY),
        (["MX"], EvidenceContext.SAME_REGION),
        (["US"], EvidenceContext.ELSEWHERE),
        ([""], EvidenceContext.UNKNOWN),
    ],
)
def test_the_evidence_says_where_it_comes_from(countries, expected):
    assert rate([finding(GOOD, country=c) for c in countries], "CO").context == expected


@pytest.mark.parametrize(
    ("source", "label", "expected"),
    [
        ("crimesolutions", "Effective", Rating.EFFECTIVE),
        ("crimesolutions", "No Effects", Rating.NO_EFFECT),
        ("crt", "Overall reduced crime", Rating.EFFECTIVE),
        ("blueprints", "Model Plus", Rating.EFFECTIVE),
        ("idb", "Something new", None),
    ],
)
def test_external_labels_map_to_our_scale(source, label, expected):
    assert map_external(source, label) == expected


@pytest.fixture
def intervention(db):
    places = make_colombia()
    return services.save_intervention(
        Intervention(
            name="Cuadrantes",
            country=places.colombia,
            scale=Scale.NATIONAL,
            status=Status.COMPLETED,
        ),
        tags={"focus": ["policing"], "problem": ["homicide"]},
    )


def add_evaluation(intervention, direction, sms=4, independent=True, outcome="homicide"):
    evaluation = Evaluation.objects.create(
        intervention=intervention,
        citation="Study",
        year=2015,
        design=RCT,
        sms_level=sms,
        independent=independent,
        country=intervention.country,
    )
    Outcome.objects.create(evaluation=evaluation, outcome=outcome, direction=direction)
    return evaluation


def test_ratings_are_recomputed_per_outcome_and_the_best_is_kept_on_the_intervention(
    intervention,
):
    add_evaluation(intervention, GOOD)
    add_evaluation(intervention, GOOD, sms=3)
    add_evaluation(intervention, NULL, outcome="robbery")
    services.recompute_ratings(intervention)
    by_outcome = {r.outcome: r.value for r in intervention.ratings.all()}
    assert by_outcome == {"homicide": Rating.EFFECTIVE, "robbery": Rating.NO_EFFECT}
    intervention.refresh_from_db()
    assert intervention.best_rating == Rating.EFFECTIVE
    assert intervention.ratings.get(outcome="homicide").context == EvidenceContext.SAME_COUNTRY
    assert set(Intervention.objects.rated([Rating.NO_EFFECT])) == {intervention}


def test_a_reviewer_overrides_a_rating_only_with_a_reason_and_the_rule_is_kept(intervention):
    add_evaluation(intervention, GOOD)
    services.recompute_ratings(intervention)
    rating = intervention.ratings.get()
    reviewer = make_user("camila")
    grant(reviewer, make_organisation("Programa"), Role.COORDINATOR, [])
    with pytest.raises(ValidationError):
        services.override_rating(rating, Rating.MIXED, "  ", reviewer)
    services.override_rating(rating, Rating.MIXED, "Context differs", reviewer)
    rating.refresh_from_db()
    assert (rating.computed, rating.value) == (Rating.PROMISING, Rating.MIXED)
    services.recompute_ratings(intervention)
    rating.refresh_from_db()
    assert rating.value == Rating.MIXED


def test_an_intervention_must_end_after_it_starts_and_cost_something_or_nothing(intervention):
    intervention.start_year, intervention.end_year = 2020, 2019
    with pytest.raises(ValidationError):
        services.save_intervention(intervention)
    intervention.end_year = 2021
    intervention.budget_amount = -5
    with pytest.raises(ValidationError):
        services.save_intervention(intervention)
