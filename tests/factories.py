"""Test data built in code, with named personas (no fixtures with magic keys).

The territory tree: Colombia > Cauca (19) > Popayán (19001), Colombia > Nariño (52) > Pasto (52001).
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password

from convivencia.accounts import services as account_services
from convivencia.accounts.choices import OrganisationType
from convivencia.accounts.models import Membership, Organisation, User
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Territory
from convivencia.territories.services import ensure_country, upsert_territory

PASSWORD = "a-long-test-password"


@cache
def _password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run.
    return make_password(PASSWORD)


def make_user(username: str, **fields) -> User:
    """A user whose password is PASSWORD (hashed with the real Argon2 hasher)."""
    return User.objects.create(username=username, password=_password_hash(), **fields)


def make_organisation(name: str, type: str = OrganisationType.CIVIL_SOCIETY) -> Organisation:
    return Organisation.objects.create(name=name, type=type)


def grant(user: User, organisation: Organisation, role: str, territories=()) -> Membership:
    return account_services.grant(user, organisation, role, list(territories))


def make_territory(parent: Territory | None, level: int, name: str, **codes: str) -> Territory:
    territory, _ = upsert_territory(parent=parent, level=level, name=name, codes=codes)
    return territory


def make_colombia() -> SimpleNamespace:
    colombia = ensure_country("CO")
    cauca = make_territory(colombia, Level.REGION, "Cauca", divipola="19", iso="CO-CAU")
    popayan = make_territory(cauca, Level.MUNICIPALITY, "Popayán", divipola="19001")
    narino = make_territory(colombia, Level.REGION, "Nariño", divipola="52", iso="CO-NAR")
    pasto = make_territory(narino, Level.MUNICIPALITY, "Pasto", divipola="52001")
    return SimpleNamespace(
        colombia=colombia, cauca=cauca, popayan=popayan, narino=narino, pasto=pasto, scheme=Scheme
    )
