"""upsert_territory and ensure_country: codes win, conflicts are refused."""

from __future__ import annotations

import pytest

from convivencia.territories import services
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Territory


@pytest.mark.django_db
def test_upsert_finds_a_territory_by_any_of_its_codes_and_adds_the_others():
    colombia = services.ensure_country("CO")
    cauca, outcome = services.upsert_territory(
        parent=colombia,
        level=Level.REGION,
        name="Cauca",
        codes={Scheme.ISO: "CO-CAU"},
    )
    assert outcome == "created"
    again, outcome = services.upsert_territory(
        parent=colombia,
        level=Level.REGION,
        name="Cauca",
        codes={Scheme.DIVIPOLA: "19", Scheme.ISO: "CO-CAU"},
    )
    assert (again, outcome) == (cauca, "updated")
    assert cauca.code(Scheme.DIVIPOLA) == "19"
    _same, outcome = services.upsert_territory(
        parent=colombia,
        level=Level.REGION,
        name="Cauca",
        codes={Scheme.DIVIPOLA: "19"},
    )
    assert outcome == "unchanged"


@pytest.mark.django_db
def test_upsert_refuses_codes_that_point_at_two_different_territories():
    colombia = services.ensure_country("CO")
    services.upsert_territory(
        parent=colombia, level=Level.REGION, name="A", codes={Scheme.ISO: "CO-CAU"}
    )
    services.upsert_territory(
        parent=colombia, level=Level.REGION, name="B", codes={Scheme.DIVIPOLA: "19"}
    )
    with pytest.raises(services.TerritoryConflict, match="2 different territories"):
        services.upsert_territory(
            parent=colombia,
            level=Level.REGION,
            name="Cauca",
            codes={Scheme.ISO: "CO-CAU", Scheme.DIVIPOLA: "19"},
        )
    assert set(Territory.objects.regions().values_list("name", flat=True)) == {"A", "B"}


@pytest.mark.django_db
def test_upsert_without_codes_is_refused_rather_than_matching_anything():
    services.ensure_country("CO")
    with pytest.raises(ValueError, match="at least one code"):
        services.upsert_territory(parent=None, level=Level.COUNTRY, name="X", codes={})


@pytest.mark.django_db
def test_upsert_country_says_what_happened():
    assert services.upsert_country("co")[1] == "created"
    assert services.upsert_country("CO")[1] == "unchanged"
    with pytest.raises(ValueError, match="alpha-2"):
        services.upsert_country("XX")
