"""Pages of accounts, probed as anonymous, no role, right role and other territory."""

import pytest

from convivencia.accounts.choices import OrganisationType, Role
from convivencia.accounts.models import ApiToken
from tests.factories import PASSWORD, grant, make_colombia, make_organisation, make_user


@pytest.fixture
def world(db):
    places = make_colombia()
    police_cauca = make_organisation("Policía Cauca", OrganisationType.POLICE)
    police_narino = make_organisation("Policía Nariño", OrganisationType.POLICE)
    pablo = make_user("pablo", email="pablo@example.org")
    grant(pablo, police_cauca, Role.PROVIDER, [places.popayan])
    pedro = make_user("pedro")
    grant(pedro, police_narino, Role.PROVIDER, [places.pasto])
    camila = make_user("camila")
    grant(camila, make_organisation("Programa"), Role.COORDINATOR, [places.cauca])
    nadia = make_user("nadia")
    return {
        "police_cauca": police_cauca,
        "police_narino": police_narino,
        "pablo": pablo,
        "pedro": pedro,
        "camila": camila,
        "nadia": nadia,
    }


@pytest.mark.parametrize(
    ("persona", "organisation", "expected"),
    [
        (None, "police_cauca", 302),  # anonymous: to the login page
        ("nadia", "police_cauca", 404),  # no role
        ("camila", "police_cauca", 200),  # coordinator of the territory
        ("camila", "police_narino", 404),  # other territory
        ("pablo", "police_cauca", 200),  # own organisation
        ("pedro", "police_cauca", 404),  # other territory's provider
    ],
)
def test_organisation_page_access_matrix(client, world, persona, organisation, expected):
    if persona:
        client.force_login(world[persona])
    response = client.get(f"/accounts/organisations/{world[organisation].pk}/")
    assert response.status_code == expected


def test_a_coordinator_sees_member_emails_but_a_provider_does_not(client, world):
    client.force_login(world["camila"])
    assert (
        "pablo@example.org"
        in client.get(f"/accounts/organisations/{world['police_cauca'].pk}/").content.decode()
    )
    client.force_login(world["pablo"])
    assert (
        "pablo@example.org"
        not in client.get(f"/accounts/organisations/{world['police_cauca'].pk}/").content.decode()
    )


def test_the_audit_log_is_only_for_administrators(client, world):
    client.force_login(world["camila"])
    assert client.get("/accounts/audit/").status_code == 404
    ana = make_user("ana", is_superuser=True)
    client.force_login(ana)
    assert client.get("/accounts/audit/").status_code == 200


def test_a_user_logs_in_changes_password_and_logs_out(client, world):
    response = client.post("/accounts/login/", {"username": "nadia", "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "otra-clave-bastante-larga",
            "new_password2": "otra-clave-bastante-larga",
        },
    )
    assert response.status_code == 302
    client.post("/accounts/logout/")
    assert client.login(username="nadia", password="otra-clave-bastante-larga")


def test_passwords_are_hashed_with_argon2(world):
    assert world["nadia"].password.startswith("argon2")


def test_an_api_token_is_shown_once_and_stored_only_as_a_digest(client, world):
    client.force_login(world["nadia"])
    client.post("/accounts/me/tokens/", {"name": "laptop"})
    first = client.get("/accounts/me/").content.decode()
    token = ApiToken.objects.get()
    clear = next(word for word in first.split() if "cv_" in word)
    assert token.prefix in clear
    assert clear.split("cv_")[1][:10] not in token.digest
    second = client.get("/accounts/me/").content.decode()
    assert "cv_" + clear.split("cv_")[1][:20] not in second


def test_a_user_cannot_revoke_someone_elses_token(client, world):
    token, _clear = ApiToken.issue(world["pablo"], "phone")
    client.force_login(world["nadia"])
    assert client.post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
