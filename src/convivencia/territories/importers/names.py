"""Territory names as publishers write them: checked, and official upper case made readable."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from convivencia.core.text import fold


def check_name(name: str, max_length: int = 200) -> str:
    """A territory name as stored: present, one line, short enough. Raises ValueError."""
    name = " ".join(name.split())
    if not name:
        raise ValueError(_("the name is empty"))
    if len(name) > max_length:
        raise ValueError(_("the name is longer than %(max)s characters") % {"max": max_length})
    if not fold(name):
        raise ValueError(_("“%(name)s” has no letters or digits") % {"name": name})
    return name


# Spanish and Portuguese particles stay lower-case inside a name: "San José de Cúcuta".
_PARTICLES = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "y",
        "el",
        "e",
        "da",
        "das",
        "do",
        "dos",
    }
)
_WORD_START = re.compile(r"(^|[-(/'’])(\w)")


def readable_name(name: str) -> str:
    """Official upper-case names in title case, keeping accents: "SAN JOSÉ DE CÚCUTA" →
    "San José de Cúcuta". Names already in mixed case are left as published."""
    if any(character.islower() for character in name):
        return name
    words = []
    for position, word in enumerate(name.split()):
        lower = word.lower()
        if "." in word and len(word.replace(".", "")) <= 3:
            words.append(word)  # abbreviations such as D.C.
        elif position > 0 and lower in _PARTICLES:
            words.append(lower)
        else:
            words.append(_WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), lower))
    return " ".join(words)
