"""Country names in the reader's language, from pycountry's ISO 3166-1 catalogues.

``name("CO", "es")`` is "Colombia", ``name("ZAF", "pt")`` "África do Sul". The everyday
name is used where pycountry has one ("Bolivia", not "Bolivia, Plurinational State of"),
translated through the same catalogue. Codes are alpha-2 or alpha-3, in any case.
"""

from __future__ import annotations

import gettext
from functools import cache
from typing import Any

from django.utils.translation import get_language

from convivencia.core.text import fold

DOMAIN = "iso3166-1"


class UnknownCountry(ValueError):
    """The code is not an ISO 3166-1 alpha-2 or alpha-3 code."""


def record(code: str) -> Any:
    """pycountry's record for an alpha-2 or alpha-3 code; UnknownCountry otherwise."""
    import pycountry

    cleaned = (code or "").strip().upper()
    found = None
    if len(cleaned) == 2:
        found = pycountry.countries.get(alpha_2=cleaned)
    elif len(cleaned) == 3:
        found = pycountry.countries.get(alpha_3=cleaned)
    if found is None:
        raise UnknownCountry(f"{code!r} is not an ISO 3166-1 alpha-2 or alpha-3 country code")
    return found


def alpha2(code: str) -> str:
    """The alpha-2 code of an alpha-2 or alpha-3 code ("COL" → "CO")."""
    return str(record(code).alpha_2)


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    import pycountry

    # fallback: a language pycountry has no catalogue for reads the English names.
    return gettext.translation(DOMAIN, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def name(code: str, language: str | None = None) -> str:
    """The country's everyday name in ``language`` (default: the active language)."""
    found = record(code)
    english = getattr(found, "common_name", None) or found.name
    language = (language or get_language() or "es").split("-")[0]
    if language == "en":
        return str(english)
    return _catalogue(language).gettext(english)


def choices(codes: list[str] | None = None, language: str | None = None) -> list[tuple[str, str]]:
    """(alpha-2, name) pairs sorted by name in ``language``: every country, or ``codes``."""
    import pycountry

    if codes is None:
        codes = [country.alpha_2 for country in pycountry.countries]
    pairs = [(alpha2(code), name(code, language)) for code in codes]
    return sorted(pairs, key=lambda pair: fold(pair[1]))


@cache
def _code_of(english_name: str) -> str | None:
    import pycountry

    try:
        return str(pycountry.countries.lookup(english_name.strip()).alpha_2)
    except LookupError:
        return None


def localized(stored_name: str, language: str | None = None) -> str:
    """A country's name as stored (its English, official or common name, or a code) in
    ``language`` (default: the active one); a name ISO 3166-1 does not know is kept."""
    code = _code_of(stored_name)
    return name(code, language) if code else stored_name
