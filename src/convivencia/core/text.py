"""Name folding, so that 'Bogotá', 'BOGOTA' and 'bogota d.c.' meet."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(name: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", without_marks.lower()).strip()
