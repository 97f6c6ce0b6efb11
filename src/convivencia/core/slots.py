"""Slots: what each domain app contributes to a page composed from several apps.

The territory page is drawn by ``territories`` but filled by the domain apps that know
something of the territory. A lower layer must not import a higher one, so each domain
app registers its contribution here from its ``AppConfig.ready()`` and the page merges
whatever is registered, in the order of ``INSTALLED_APPS``. A contribution may name the
template that draws it (kept by the app that registers it); the page includes those
templates in the same order (``templates(page)``), so it never names the apps filling it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Contribution = Callable[..., Mapping[str, Any]]

TERRITORY_PAGE = "territory"

_registry: dict[str, list[Contribution]] = {}
_templates: dict[str, dict[Contribution, str]] = {}


def register(page: str, contribution: Contribution, template: str | None = None) -> None:
    """Add a function returning template context for ``page`` (once, however often called),
    and the template that draws its part of the page, if it draws one."""
    contributions = _registry.setdefault(page, [])
    if contribution not in contributions:
        contributions.append(contribution)
    if template:
        _templates.setdefault(page, {})[contribution] = template


def templates(page: str) -> list[str]:
    """The templates of ``page``'s contributions, in the order they were registered."""
    drawn = _templates.get(page, {})
    return [
        drawn[contribution] for contribution in _registry.get(page, ()) if contribution in drawn
    ]


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


# Pages that list things rather than fill template variables: each contribution returns a
# list and the page shows them one after the other, in the order of INSTALLED_APPS.

# The data exchange page (``reports``): every export the site offers. Each app registers
# ``exports(user, filters) -> list[core.exchange.Export]``; see docs/architecture.md.
DATA_EXCHANGE = "data_exchange"

Listing = Callable[..., Sequence[Any]]

_listings: dict[str, list[Listing]] = {}


def register_listing(page: str, contribution: Listing) -> None:
    """Add a function returning a list for ``page`` (once, however often called)."""
    contributions = _listings.setdefault(page, [])
    if contribution not in contributions:
        contributions.append(contribution)


def listing(page: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Every contribution's list for ``page``, one after the other."""
    found: list[Any] = []
    for contribution in _listings.get(page, ()):
        found.extend(contribution(*args, **kwargs))
    return found
