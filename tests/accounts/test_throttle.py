"""Login throttling on the login form: failures by account and address, by address alone.

Personas: Nadia and Esteban have accounts; "ghost" is a name nobody holds. Addresses:
the test client's 127.0.0.1, and 10.0.0.2 for someone elsewhere.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db.models import F

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry, User
from tests.factories import PASSWORD, make_user

LOGIN = "/accounts/login/"
ELSEWHERE = "10.0.0.2"


@pytest.fixture
def people(db, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    settings.LOGIN_LOCKOUT_MINUTES = 15
    return {"nadia": make_user("nadia"), "esteban": make_user("esteban")}


@pytest.fixture
def fast_people(people, settings):
    """The same people with a fast hasher: these tests check dozens of wrong passwords,
    and Argon2 takes a good part of a second each (the first test keeps Argon2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in people.values():
        User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD))
    return people


def log_in(client, username: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username: str, times: int, address: str = "127.0.0.1") -> None:
    for _attempt in range(times):
        response = log_in(client, username, "wrong-password", address)
        assert response.status_code in {200, 429}


def lockout_alert(response) -> str:
    found = re.search(r'<div[^>]*data-testid="lockout".*?</div>', response.content.decode(), re.S)
    assert found is not None
    return found.group(0)


def logged_in(response) -> bool:
    return response.status_code == 302


def age_failures(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, people):
    fail(client, "nadia", 30)
    response = log_in(client, "nadia")
    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in response.content.decode()
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    assert client.get("/accounts/me/").status_code == 302  # still not logged in


def test_four_failures_do_not_lock_the_account_and_five_do(client, fast_people):
    fail(client, "nadia", 4)
    assert logged_in(log_in(client, "nadia"))
    client.post("/accounts/logout/")
    fail(client, "esteban", 5)
    assert log_in(client, "esteban").status_code == 429


def test_the_lock_is_for_the_account_at_that_address(client, fast_people):
    fail(client, "nadia", 5)
    assert log_in(client, "nadia").status_code == 429
    assert logged_in(log_in(client, "esteban"))  # another account from the same address
    client.post("/accounts/logout/")
    assert logged_in(log_in(client, "nadia", address=ELSEWHERE))  # Nadia elsewhere


def test_an_address_that_tries_many_accounts_is_locked_for_every_account(client, fast_people):
    for name in ("ghost1", "ghost2", "ghost3", "ghost4", "ghost5"):
        fail(client, name, 4)
    assert log_in(client, "esteban").status_code == 429
    assert logged_in(log_in(client, "esteban", address=ELSEWHERE))


def test_the_lock_lifts_once_the_failures_are_older_than_the_cool_off(client, fast_people):
    fail(client, "nadia", 5)
    age_failures(14)
    assert log_in(client, "nadia").status_code == 429
    age_failures(2)
    assert logged_in(log_in(client, "nadia"))


def test_refused_attempts_do_not_push_the_end_of_the_lock_back(client, fast_people):
    fail(client, "nadia", 5)
    age_failures(10)
    fail(client, "nadia", 10)  # refused while locked
    age_failures(6)
    assert logged_in(log_in(client, "nadia"))


def test_a_success_clears_the_failures_of_that_account_at_that_address_only(client, fast_people):
    fail(client, "ghost", 3)
    fail(client, "nadia", 4)
    assert logged_in(log_in(client, "nadia"))
    client.post("/accounts/logout/")
    assert not AccessAttempt.objects.filter(username="nadia").exists()
    assert AccessAttempt.objects.get(username="ghost").failures_since_start == 3
    fail(client, "nadia", 4)  # four more, not eight
    assert logged_in(log_in(client, "nadia"))


def test_an_unknown_account_is_locked_like_a_real_one(client, fast_people):
    fail(client, "ghost", 5)
    fail(client, "nadia", 5)
    ghost, nadia = log_in(client, "ghost"), log_in(client, "nadia")
    assert ghost.status_code == nadia.status_code == 429
    assert lockout_alert(ghost) == lockout_alert(nadia)


def test_the_lock_out_is_written_once_to_the_audit_log(client, fast_people):
    fail(client, "nadia", 30)
    entries = AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.object_repr == "nadia"
    assert entry.ip_address == "127.0.0.1"
    assert entry.changes["failures"] == 5
    assert entry.changes["until"]
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 30


def test_an_administrator_unlocks_an_account_with_the_reset_command(client, fast_people):
    fail(client, "nadia", 5)
    call_command("axes_reset_username", "nadia")
    assert logged_in(log_in(client, "nadia"))


def test_the_limits_come_from_the_settings(client, fast_people, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    fail(client, "nadia", 2)
    assert log_in(client, "nadia").status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is the client's own words
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # what our proxy saw
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
    ],
)
def test_the_address_is_the_one_the_trusted_proxies_saw(rf, settings, proxies, forwarded, expected):
    from convivencia.accounts.network import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
