"""API tokens on the account page: expiry chosen at creation, shown, revoked.

Personas: Nadia has an account and tokens; Pablo has another account.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import ApiToken, AuditEntry
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "otra-clave-bastante-larga"


@pytest.fixture
def nadia(db, settings):
    settings.API_TOKEN_DAYS = 90
    settings.API_TOKEN_MAX_DAYS = 365
    return make_user("nadia")


def days_left(token: ApiToken) -> float:
    return (token.expires_at - timezone.now()) / timedelta(days=1)


def test_a_new_token_expires_after_the_default_days(client, nadia):
    client.force_login(nadia)
    client.post("/accounts/me/tokens/", {"name": "laptop"})
    assert 89.9 < days_left(ApiToken.objects.get(user=nadia)) <= 90


def test_the_owner_chooses_a_shorter_life_at_creation(client, nadia):
    client.force_login(nadia)
    client.post("/accounts/me/tokens/", {"name": "one week", "days": "7"})
    assert 6.9 < days_left(ApiToken.objects.get(user=nadia)) <= 7


@pytest.mark.parametrize("days", ["0", "366", "many"])
def test_a_life_beyond_the_maximum_or_not_a_number_is_refused_with_a_message(client, nadia, days):
    client.force_login(nadia)
    response = client.post("/accounts/me/tokens/", {"name": "forever", "days": days}, follow=True)
    assert not ApiToken.objects.exists()
    assert "A token is valid for 1 to 365 days." in response.content.decode()


def test_issuing_a_token_beyond_the_maximum_raises(nadia):
    with pytest.raises(ValueError, match="1 to 365 days"):
        ApiToken.issue(nadia, "forever", 1000)


def test_the_account_page_shows_each_tokens_expiry_and_last_use(client, nadia):
    ApiToken.issue(nadia, "laptop", 30)
    old, _clear = ApiToken.issue(nadia, "old script")
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(nadia)
    page = client.get("/accounts/me/").content.decode()
    assert page.count('data-testid="token-expiry"') == 2
    assert "Expired" in page  # the old one is listed, so it can be recognised and revoked
    assert "Never" in page  # neither was used yet


def test_the_owner_revokes_a_token_and_a_stranger_cannot(client, nadia):
    token, _clear = ApiToken.issue(nadia, "laptop")
    pablo = make_user("pablo")
    client.force_login(pablo)
    assert client.post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(nadia)
    client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_changing_the_password_revokes_every_token_and_says_so(client, nadia):
    ApiToken.issue(nadia, "laptop")
    ApiToken.issue(nadia, "ODK Collect")
    client.post("/accounts/login/", {"username": "nadia", "password": PASSWORD})
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "Your API tokens were revoked." in response.content.decode()
    assert not ApiToken.objects.usable().exists()
    assert (
        AuditEntry.objects.about(nadia)
        .filter(action=AuditAction.UPDATE, changes__api_tokens_revoked=2)
        .exists()
    )


def test_an_argon2_hash_upgrade_at_login_does_not_revoke_tokens(client, nadia, settings):
    # Logging in with a password stored under an older hasher rewrites the hash: the
    # password did not change, so the tokens stay.
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    nadia.password = make_password(PASSWORD, hasher="md5")
    nadia.save()
    ApiToken.issue(nadia, "laptop")
    assert client.login(username="nadia", password=PASSWORD)
    nadia.refresh_from_db()
    assert nadia.password.startswith("argon2")
    assert ApiToken.objects.usable().count() == 1


def test_logging_out_leaves_tokens_working(client, nadia):
    ApiToken.issue(nadia, "ODK Collect")
    client.post("/accounts/login/", {"username": "nadia", "password": PASSWORD})
    client.post("/accounts/logout/")
    assert ApiToken.objects.usable().count() == 1
