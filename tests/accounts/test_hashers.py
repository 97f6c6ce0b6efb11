"""Passwords are hashed with Argon2id at OWASP's cost; older hashes still log in and are remade."""

from __future__ import annotations

import argon2
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _parameters(encoded: str) -> argon2.Parameters:
    return argon2.extract_parameters("$" + encoded.split("$", 1)[1])


def test_a_new_password_is_hashed_with_argon2id_19_mib_two_passes_one_lane() -> None:
    parameters = _parameters(make_password(PASSWORD))
    assert parameters.type is argon2.Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        19456,
        2,
        1,
    )


def test_a_hash_made_with_djangos_defaults_still_logs_in_and_is_remade() -> None:
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert _parameters(old).memory_cost == 102400
    teresa = make_user("teresa.tesorera")
    teresa.password = old
    teresa.save(update_fields=["password"])

    assert authenticate(username="teresa.tesorera", password=PASSWORD) == teresa

    teresa.refresh_from_db()
    assert _parameters(teresa.password).memory_cost == 19456
    assert check_password(PASSWORD, teresa.password)


def test_a_hash_made_with_the_earlier_46_mib_one_pass_still_logs_in_and_is_remade() -> None:
    earlier = argon2.PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)
    old = "argon2" + earlier.hash(PASSWORD)
    rosa = make_user("rosa.relatora")
    rosa.password = old
    rosa.save(update_fields=["password"])

    assert authenticate(username="rosa.relatora", password=PASSWORD) == rosa

    rosa.refresh_from_db()
    assert (_parameters(rosa.password).memory_cost, _parameters(rosa.password).time_cost) == (
        19456,
        2,
    )


def test_a_wrong_password_is_refused() -> None:
    assert not check_password("not-the-password", make_password(PASSWORD))
