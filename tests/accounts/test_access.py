"""The access layer: who sees what, where. Personas:
- Camila coordinates Cauca; Carlos coordinates Nariño;
- Pablo is a police liaison (provider) for Popayán only;
- Nadia is logged in but holds no role; Ana administers everything.
"""

import pytest
from django.http import Http404

from convivencia.accounts import access, services
from convivencia.accounts.choices import OrganisationType, Role
from convivencia.territories.models import Territory
from tests.factories import grant, make_colombia, make_organisation, make_user


@pytest.fixture
def world(db):
    places = make_colombia()
    programme = make_organisation("Programa")
    police = make_organisation("Policía Cauca", OrganisationType.POLICE)
    camila = make_user("camila")
    grant(camila, programme, Role.COORDINATOR, [places.cauca])
    carlos = make_user("carlos")
    grant(carlos, programme, Role.COORDINATOR, [places.narino])
    pablo = make_user("pablo")
    grant(pablo, police, Role.PROVIDER, [places.popayan])
    nadia = make_user("nadia")
    ana = make_user("ana")
    grant(ana, programme, Role.ADMINISTRATOR)
    return places, camila, carlos, pablo, nadia, ana


def test_a_coordinator_covers_every_municipality_below_her_department(world):
    places, camila, *_ = world
    assert access.has_role(camila, places.popayan, Role.COORDINATOR)
    assert access.has_role(camila, places.cauca, Role.COORDINATOR)


def test_a_coordinator_holds_nothing_in_another_department(world):
    places, camila, *_ = world
    assert not access.has_role(camila, places.pasto, Role.COORDINATOR)
    assert access.roles_in(camila, places.narino) == set()


def test_a_coordinator_is_not_a_coordinator_of_the_country_above_her(world):
    places, camila, *_ = world
    assert not access.has_role(camila, places.colombia, Role.COORDINATOR)


def test_a_provider_scope_is_only_his_municipality(world):
    _places, _camila, _carlos, pablo, *_ = world
    scope = access.scope(pablo, Role.PROVIDER)
    visible = set(scope.territories().values_list("name", flat=True))
    assert visible == {"Popayán"}


def test_a_role_filter_excludes_memberships_of_other_roles(world):
    _places, _camila, _carlos, pablo, *_ = world
    assert access.scope(pablo, Role.COORDINATOR).is_empty


def test_a_user_without_role_and_the_anonymous_visitor_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    places, *_rest = world
    nadia = world[4]
    for user in (nadia, AnonymousUser(), None):
        assert access.scope(user).is_empty
        assert access.scope(user).territories().count() == 0
        assert access.roles_in(user, places.popayan) == set()


def test_an_administrator_without_territories_covers_everything(world):
    places, *_rest, ana = world
    assert access.scope(ana).everywhere
    assert access.roles_in(ana, places.pasto) == set(access.ALL_ROLES)
    assert access.is_administrator(ana)


def test_an_object_outside_the_scope_is_a_404_not_a_403(world):
    places, camila, *_ = world
    territories = Territory.objects.all()
    found = access.get_in_scope_or_404(
        territories, camila, [Role.COORDINATOR], territory_field="", pk=places.popayan.pk
    )
    assert found == places.popayan
    with pytest.raises(Http404):
        access.get_in_scope_or_404(
            territories, camila, [Role.COORDINATOR], territory_field="", pk=places.pasto.pk
        )


def test_a_revoked_membership_stops_counting_at_once(world):
    _places, camila, *_ = world
    membership = camila.memberships.get()
    services.revoke(membership)
    assert access.scope(camila).is_empty


def test_an_inactive_user_holds_no_role(world):
    _places, camila, *_ = world
    camila.is_active = False
    camila.save()
    access.forget(camila)
    assert access.scope(camila).is_empty


def test_scoping_a_queryset_is_one_query(world, django_assert_num_queries):
    _places, camila, *_ = world
    scope = access.scope(camila, Role.COORDINATOR)
    with django_assert_num_queries(1):
        names = sorted(scope.territories().values_list("name", flat=True))
    assert names == ["Cauca", "Popayán"]


def test_moving_a_territory_moves_its_descendants_paths(world):
    places, camila, *_ = world
    places.popayan.parent = places.narino
    places.popayan.save()
    places.popayan.refresh_from_db()
    assert places.popayan.path.startswith(places.narino.path)
    access.forget(camila)
    assert not access.has_role(camila, places.popayan, Role.COORDINATOR)
