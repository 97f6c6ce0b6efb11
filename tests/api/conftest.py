"""Personas for the API tests.

- Camila coordinates Cauca for the Programa (she uses an API token);
- Pablo is a police liaison (provider) for Popayán only;
- Nadia is logged in but holds no role;
- anonymous callers hold nothing at all.
"""

from types import SimpleNamespace

import pytest
from django.test import Client

from convivencia.accounts.choices import OrganisationType, Role
from convivencia.accounts.models import ApiToken, User
from tests.factories import grant, make_colombia, make_organisation, make_user


@pytest.fixture
def places(db) -> SimpleNamespace:
    return make_colombia()


@pytest.fixture
def programme(db):
    return make_organisation("Programa Convivencia")


@pytest.fixture
def camila(places, programme) -> User:
    user = make_user("camila", first_name="Camila", last_name="Muñoz")
    grant(user, programme, Role.COORDINATOR, [places.cauca])
    return user


@pytest.fixture
def pablo(places) -> User:
    user = make_user("pablo")
    police = make_organisation("Policía Metropolitana de Popayán", OrganisationType.POLICE)
    grant(user, police, Role.PROVIDER, [places.popayan])
    return user


@pytest.fixture
def nadia(db) -> User:
    return make_user("nadia")


@pytest.fixture
def camila_token(camila) -> str:
    _token, clear = ApiToken.issue(camila, "reporting script")
    return clear


@pytest.fixture
def strict_client() -> Client:
    """A client that does not skip CSRF checks, as browsers cannot either."""
    return Client(enforce_csrf_checks=True)
