"""The Content-Security-Policy: sent with every page, and no template needs it loosened.

The browser tests (tests/browser/test_csp.py) load the main pages under the policy; this
module guards the templates no browser test opens, by reading them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import convivencia

TEMPLATES = sorted(Path(convivencia.__file__).parent.glob("**/templates/**/*.html"))
# An attribute that runs script: onclick=, onchange=, … and htmx's hx-on (evaluated code).
HANDLER = re.compile(r"""<[^>]*?\s(on[a-z]+|hx-on[:\w-]*)\s*=""", re.IGNORECASE | re.DOTALL)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "core:home",
        "evidence:dashboard",
        "indicators:explorer",
        "dialogues:index",
        "territories:search",
        "accounts:login",
    ],
)
def test_every_page_sends_a_policy_that_allows_only_our_own_scripts(client, url):
    policy = directives(client.get(reverse(url)))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe-eval" in values for values in policy.values())


def test_the_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_has_an_inline_handler_an_inline_script_or_a_javascript_url(template):
    text = template.read_text(encoding="utf-8")
    assert not HANDLER.search(text), HANDLER.search(text).group(0)
    assert not JAVASCRIPT_URL.search(text)
    for attributes in SCRIPT_TAG.findall(text):
        # A script is either a static file or data for one (json_script writes these).
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
