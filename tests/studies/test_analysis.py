"""Agreement, frequencies and co-occurrence, checked against computations by hand.

The unit is the paragraph (see ``studies.analysis``). The document below has six
paragraphs; Camila and Andrea code them as in this table (X and Y are the codes):

    paragraph   1   2   3   4   5   6
    Camila      X   X   X   .   Y   .
    Andrea      .   X   X   X   Y   .
"""

from __future__ import annotations

import pytest

from convivencia.studies import analysis, services
from convivencia.studies.choices import StudyRole
from convivencia.studies.models import Code, Study
from tests.personas import make_personas
from tests.studies.builders import code, make_document

pytestmark = pytest.mark.django_db

PARAGRAPHS = [f"Párrafo {n}: la gente cuenta lo que vivió." for n in range(1, 7)]


def kappa_by_hand(both: int, a_only: int, b_only: int, neither: int) -> float:
    """Cohen (1960): (p_o − p_e) / (1 − p_e), with p_e from each coder's own rate."""
    n = both + a_only + b_only + neither
    observed = (both + neither) / n
    a_yes, b_yes = (both + a_only) / n, (both + b_only) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    return (observed - expected) / (1 - expected)


@pytest.fixture
def coded():
    personas = make_personas()
    camila, andrea = personas.coord_cauca, personas.analyst
    study = Study.objects.create(territory=personas.places.popayan, title="Kappa")
    study.members.create(user=camila, role=StudyRole.COORDINATOR)
    study.members.create(user=andrea, role=StudyRole.ANALYST)
    Code.objects.create(study=study, name="X")
    Code.objects.create(study=study, name="Y")
    document = make_document(study, camila, text="\n\n".join(PARAGRAPHS), ready=False)
    services.deidentify(document, people=[], places=[], actor=camila)
    document.refresh_from_db()
    for coder, x_paragraphs in ((camila, (1, 2, 3)), (andrea, (2, 3, 4))):
        for number in x_paragraphs:
            code(document, coder, f"Párrafo {number}: la gente", "X")
        code(document, coder, "Párrafo 5: la gente", "Y")
    return study, camila, andrea


def test_kappa_per_code_and_overall_match_a_computation_by_hand(coded):
    study, camila, andrea = coded
    per_code, overall, units = analysis.agreement(study, camila, andrea)
    by_name = {row.code.name: row for row in per_code}
    assert units == 6
    assert by_name["X"].table == [[2, 1], [1, 2]]
    assert by_name["X"].kappa == pytest.approx(kappa_by_hand(2, 1, 1, 2))
    assert by_name["X"].kappa == pytest.approx(1 / 3)
    assert by_name["Y"].kappa == pytest.approx(kappa_by_hand(1, 0, 0, 5)) == pytest.approx(1.0)
    # Pooled: X's and Y's decisions in one table.
    assert overall.table == [[3, 1], [1, 7]]
    assert overall.kappa == pytest.approx(kappa_by_hand(3, 1, 1, 7))


def test_kappa_is_undefined_when_both_coders_never_use_a_code(coded):
    study, camila, andrea = coded
    Code.objects.create(study=study, name="Z")
    per_code, _overall, _units = analysis.agreement(study, camila, andrea)
    z = next(row for row in per_code if row.code.name == "Z")
    assert z.kappa is None and z.observed == 1.0


def test_paragraph_units_skip_blank_lines_and_fall_back_to_lines():
    assert analysis.units("a\n\n\nb\n\n") == [(0, 1), (4, 5)]
    assert analysis.units("uno\ndos") == [(0, 3), (4, 7)]


def test_frequencies_count_segments_and_documents_per_attribute_value(coded):
    study, _camila, _andrea = coded
    study.documents.update(actor_type="youth")
    table = analysis.frequencies(study, "actor_type")
    assert table["columns"] == ["Young person"]
    x = next(row for row in table["rows"] if row["code"].name == "X")
    assert x["cells"] == [{"segments": 6, "documents": 1}] and x["total"] == 6


def test_cooccurrence_counts_paragraphs_where_two_codes_meet(coded):
    study, _camila, andrea = coded
    document = study.documents.get()
    code(document, andrea, "Párrafo 2: la gente", "Y")
    pairs = analysis.cooccurrence(study)
    assert [(a.name, b.name, n) for a, b, n in pairs] == [("X", "Y", 1)]


def test_segments_are_listed_under_each_code_they_carry(coded):
    study, _camila, _andrea = coded
    listing = {code.name: segments for code, segments in analysis.segments_by_code(study)}
    assert set(listing) == {"X", "Y"}
    assert len(listing["X"]) == 6 and len(listing["Y"]) == 2
    assert listing["Y"][0].quote == "Párrafo 5: la gente"
