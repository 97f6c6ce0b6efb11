"""Texts stored per language (JSON fields such as ``{"es": "…", "en": "…"}``)."""

from __future__ import annotations

from django.utils.translation import get_language


def translated(texts: dict[str, str], language: str | None = None) -> str:
    """The text in the active language, falling back to Spanish, then anything."""
    language = (language or get_language() or "es")[:2]
    return texts.get(language) or texts.get("es") or next(iter(texts.values()), "")
