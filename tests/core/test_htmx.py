"""The two meanings of an htmx request."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from convivencia.core.htmx import is_htmx, wants_fragment


@pytest.mark.parametrize(
    ("headers", "htmx", "fragment"),
    [
        ({}, False, False),
        ({"HX-Request": "true"}, True, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, True, True),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, True, False),
        ({"HX-History-Restore-Request": "true"}, False, False),
    ],
)
def test_a_request_is_htmx_and_wants_a_fragment_only_as_its_headers_say(
    headers: dict[str, str], htmx: bool, fragment: bool
) -> None:
    request = RequestFactory().get("/", headers=headers)
    assert is_htmx(request) is htmx
    assert wants_fragment(request) is fragment
