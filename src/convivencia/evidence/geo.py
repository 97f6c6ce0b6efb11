"""Where to put a country on the dashboard map, and what to call it.

The map has no tile layer (the site works offline), so each country is a
circle at an approximate centroid (latitude, longitude in degrees, rounded to
a tenth: enough to place a circle, not to draw a border). Countries missing
here are still counted; the dashboard lists them under the map.
"""

from __future__ import annotations

import gettext
from functools import cache, lru_cache

import pycountry
from django.utils.translation import get_language

# Latin America and the Caribbean first, then the countries whose programmes
# the region's evidence most often comes from.
CENTROIDS: dict[str, tuple[float, float]] = {
    "AG": (17.1, -61.8),
    "AR": (-34.0, -64.0),
    "BB": (13.2, -59.5),
    "BO": (-16.3, -63.6),
    "BR": (-10.8, -52.9),
    "BS": (24.7, -77.8),
    "BZ": (17.2, -88.7),
    "CL": (-33.5, -70.7),
    "CO": (4.6, -74.3),
    "CR": (9.9, -84.2),
    "CU": (21.5, -79.0),
    "DM": (15.4, -61.4),
    "DO": (18.8, -70.3),
    "EC": (-1.5, -78.4),
    "GD": (12.1, -61.7),
    "GF": (4.0, -53.1),
    "GT": (15.6, -90.4),
    "GY": (5.0, -58.9),
    "HN": (14.8, -86.6),
    "HT": (19.0, -72.6),
    "JM": (18.1, -77.3),
    "KN": (17.3, -62.7),
    "LC": (13.9, -61.0),
    "MX": (23.6, -102.6),
    "NI": (12.9, -85.2),
    "PA": (8.5, -80.4),
    "PE": (-9.2, -75.0),
    "PR": (18.2, -66.5),
    "PY": (-23.4, -58.4),
    "SR": (4.0, -56.0),
    "SV": (13.8, -88.9),
    "TT": (10.5, -61.3),
    "UY": (-32.8, -56.0),
    "VC": (13.2, -61.2),
    "VE": (7.1, -66.2),
    # Elsewhere
    "AU": (-25.3, 133.8),
    "BD": (23.7, 90.4),
    "BE": (50.6, 4.6),
    "CA": (56.1, -106.3),
    "CH": (46.8, 8.2),
    "CN": (35.9, 104.2),
    "DE": (51.2, 10.5),
    "DK": (56.0, 9.5),
    "EG": (26.8, 30.8),
    "ES": (40.2, -3.7),
    "ET": (9.1, 40.5),
    "FI": (62.0, 25.7),
    "FR": (46.6, 2.4),
    "GB": (53.0, -1.8),
    "GH": (7.9, -1.0),
    "ID": (-2.5, 117.9),
    "IE": (53.2, -8.1),
    "IL": (31.0, 34.9),
    "IN": (21.0, 78.9),
    "IT": (42.8, 12.6),
    "JP": (36.2, 138.3),
    "KE": (0.2, 37.9),
    "KR": (36.4, 127.8),
    "MA": (31.8, -7.1),
    "NG": (9.1, 8.7),
    "NL": (52.2, 5.5),
    "NO": (61.0, 8.5),
    "NZ": (-41.0, 174.0),
    "PH": (12.9, 121.8),
    "PK": (30.4, 69.3),
    "PT": (39.6, -8.0),
    "RU": (61.5, 99.0),
    "SE": (62.0, 15.6),
    "TR": (39.0, 35.2),
    "TZ": (-6.4, 34.9),
    "UG": (1.4, 32.3),
    "US": (39.8, -98.6),
    "ZA": (-29.0, 24.7),
}


def is_country_code(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code that exists (upper case)."""
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


@cache
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str, language: str | None = None) -> str:
    """The country's short name in the current language (pycountry's ISO 3166 catalogue)."""
    if not code:
        return code
    return _country_name(code, (language or get_language() or "en")[:2])


# A page names up to a hundred countries (table, map, filter): each name is worked out
# once per process and language, not looked up and translated on every call. Bounded,
# as codes may come from a query string.
@lru_cache(maxsize=2048)
def _country_name(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    translations = _translations(language)
    name = translations.gettext(country.name)
    if ", " not in name:
        return name
    # "Bolivia, Plurinational State of" reads badly on a map: prefer the common
    # name, translated when the catalogue has it, else the part before the comma.
    common = getattr(country, "common_name", None)
    if common and (language == "en" or translations.gettext(common) != common):
        return translations.gettext(common)
    return name.split(", ")[0]


def country_choices(codes: list[str], language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name, for a country picker."""
    pairs = [(code, country_name(code, language)) for code in codes if code]
    return sorted(pairs, key=lambda pair: pair[1])
