"""GET /api/v1/me: the access layer as the API sees it."""

from convivencia.accounts.choices import Role
from convivencia.accounts.models import ApiToken
from tests.api.helpers import bearer
from tests.factories import grant, make_organisation, make_user


def test_me_lists_roles_and_memberships(client, places, camila, camila_token):
    police = make_organisation("Policía Cauca", "police")
    grant(camila, police, Role.ANALYST, [places.popayan, places.pasto])

    response = client.get("/api/v1/me", **bearer(camila_token))

    assert response.status_code == 200
    me = response.json()
    assert me["username"] == "camila"
    assert me["name"] == "Camila Muñoz"
    assert me["everywhere"] is False
    assert me["roles"] == ["analyst", "coordinator"]
    assert [
        (row["organisation"]["name"], row["role"], row["territories"]) for row in me["memberships"]
    ] == [
        ("Policía Cauca", "analyst", sorted([places.popayan.pk, places.pasto.pk])),
        ("Programa Convivencia", "coordinator", [places.cauca.pk]),
    ]


def test_me_for_a_user_without_roles_is_empty_but_authenticated(client, nadia):
    client.force_login(nadia)
    me = client.get("/api/v1/me").json()
    assert me["roles"] == []
    assert me["memberships"] == []


def test_me_says_when_an_administrator_covers_everywhere(client, programme):
    ana = make_user("ana")
    grant(ana, programme, Role.ADMINISTRATOR)
    _token, clear = ApiToken.issue(ana, "admin script")
    me = client.get("/api/v1/me", **bearer(clear)).json()
    assert me["everywhere"] is True
    assert me["memberships"][0]["territories"] == []
