"""Small helpers shared by the API tests."""

from typing import Any

from django.http import HttpResponse


def bearer(token: str) -> dict[str, Any]:
    """Client keyword arguments that send the token the documented way."""
    return {"headers": {"Authorization": f"Bearer {token}"}}


def error_of(response: HttpResponse) -> dict[str, Any]:
    """The ``error`` object of an API error body, checking the shape on the way."""
    payload = response.json()
    assert set(payload) == {"error"}
    assert set(payload["error"]) == {"code", "message", "details"}
    assert payload["error"]["message"]
    return payload["error"]
