"""Helpers for tests that compare whole rendered pages."""

from __future__ import annotations

import re

# The only bytes of a page that change from one request to the next.
CSRF = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*"')


def page_text(response) -> str:
    """The page's HTML with its form tokens blanked, to compare two renderings."""
    return CSRF.sub(r'\1"', response.content.decode())
