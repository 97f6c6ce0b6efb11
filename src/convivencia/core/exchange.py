"""What the data exchange page lists: one descriptor per export the site offers.

Each app describes its own exports (``<app>/exchange.py``) and registers the function
from its ``AppConfig.ready()`` under ``core.slots.DATA_EXCHANGE``; the page (``reports``)
lists whatever is registered. A function receives the reader and the page's filters and
returns only the exports that reader may download, with links narrowed by the filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Link:
    """One file of an export: its format's name (CSV, XLSX, JSON…) and its URL."""

    label: str
    url: str


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the page to: a territory (and everything below it) and
    a year; None when not narrowed."""

    territory: Any = None
    year: int | None = None


@dataclass
class Export:
    """One export: what it holds, the standard it follows, who may have it, its files."""

    section: str | Promise
    title: str | Promise
    description: str | Promise
    standard: str
    links: list[Link] = field(default_factory=list)
    # Who it is for, in words ("public", "coordinators of the panel's territory"…).
    audience: str | Promise = ""
