"""What an htmx request asks for, read from the headers htmx sends.

Two meanings, each named once:
- ``is_htmx``: htmx made the request (any of them: polling, a search box, a button);
- ``wants_fragment``: htmx made it to swap a part of the page. Not so for a history
  restore: after the back button, on a URL htmx pushed and no longer has in its
  cache, htmx asks for the whole page.
"""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_fragment(request: HttpRequest) -> bool:
    return is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"
