"""The catalogues are complete, and words that English uses twice are told apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

import convivencia
from convivencia.dialogues.choices import Phase
from convivencia.dialogues.models import AgendaItem, Session
from convivencia.panels.choices import WaveStatus

LOCALE = Path(convivencia.__file__).parent / "locale"


def untranslated_or_fuzzy(path: Path) -> list[str]:
    """msgids whose msgstr is empty or marked fuzzy (a minimal reader of the .po format)."""
    problems: list[str] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        msgid = "".join(_strings(lines, "msgid "))
        if not msgid:
            continue  # the header
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            problems.append(f"fuzzy: {msgid}")
        plural = [line for line in lines if line.startswith("msgstr[")]
        strings = ["".join(_strings(lines, f"msgstr[{i}] ")) for i in range(len(plural))]
        if not plural:
            strings = ["".join(_strings(lines, "msgstr "))]
        if not all(strings):
            problems.append(f"untranslated: {msgid}")
    return problems


def _strings(lines: list[str], keyword: str) -> list[str]:
    found, taking = [], False
    for line in lines:
        if line.startswith(keyword):
            taking = True
            found.append(line[len(keyword) :].strip()[1:-1])
        elif taking and line.startswith('"'):
            found.append(line[1:-1])
        else:
            taking = False
    return found


@pytest.mark.parametrize("language", ["es", "pt"])
def test_every_message_is_translated_and_none_is_fuzzy(language):
    assert untranslated_or_fuzzy(LOCALE / language / "LC_MESSAGES" / "django.po") == []


def test_spanish_tells_apart_words_english_uses_twice():
    with translation.override("es"):
        assert str(WaveStatus.OPEN.label) == "Abierta"
        assert str(WaveStatus.CLOSED.label) == "Cerrada"
        assert str(Phase.CLOSED.label) == "Cerrado"
        assert str(Session._meta.get_field("minutes").verbose_name) == "acta"
        assert str(AgendaItem._meta.get_field("duration_minutes").verbose_name) == "minutos"
        assert translation.pgettext("verb: open a survey wave", "Open") == "Abrir"
        assert translation.pgettext("regions", "All") == "Todas"
        assert translation.pgettext("commitments", "All") == "Todos"
