"""Slots: what each domain app contributes to a page composed from several apps.

The territory page is drawn by ``territories`` but filled by the domain apps that know
something of the territory. A lower layer must not import a higher one, so each domain
app registers its contribution here from its ``AppConfig.ready()`` and the page merges
whatever is registered, in the order of ``INSTALLED_APPS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Contribution = Callable[..., Mapping[str, Any]]

TERRITORY_PAGE = "territory"

_registry: dict[str, list[Contribution]] = {}


def register(page: str, contribution: Contribution) -> None:
    """Add a function returning template context for ``page`` (once, however often called)."""
    contributions = _registry.setdefault(page, [])
    if contribution not in contributions:
        contributions.append(contribution)


def registered(page: str) -> list[Contribution]:
    return list(_registry.get(page, ()))


def context(page: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The merged context of every contribution to ``page``.

    Two apps writing the same template variable would silently hide one of them, so a
    clash stops the page with the names of both.
    """
    merged: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for contribution in _registry.get(page, ()):
        name = f"{contribution.__module__}.{contribution.__qualname__}"
        for key, value in contribution(*args, **kwargs).items():
            if key in merged:
                raise ImproperlyConfigured(
                    f"{name} and {owners[key]} both set {key!r} on the {page} page."
                )
            merged[key] = value
            owners[key] = name
    return merged
