"""Coding a de-identified interview in a real browser: with the mouse (a selection made
by the page's own Selection API, as a drag or a long press would make it) and with the
keyboard alone (Shift+arrows, a digit to tick a code, Enter to apply)."""

from __future__ import annotations

import pytest

from convivencia.studies.models import Segment
from tests.browser.conftest import PHONE
from tests.browser.test_dialogues import signed_in
from tests.studies.builders import make_world

pytestmark = pytest.mark.browser

SELECT_PHRASE = """(phrase) => {
  const runs = [...document.querySelectorAll('#doc-text .run')];
  for (const run of runs) {
    const node = run.firstChild;
    const at = node ? node.textContent.indexOf(phrase) : -1;
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + phrase.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


def test_a_coder_selects_a_span_and_codes_it(
    browser, live_server, _audit_log_flushable, screenshot
):
    world = make_world()
    document = world.document
    phrase = "La patrulla llegó a las dos horas"
    with signed_in(browser, live_server, world.personas.analyst.username) as page:
        page.goto(f"{live_server.url}/studies/document/{document.pk}/")
        assert "Rosalba" not in page.inner_text("#doc-text")
        assert page.evaluate(SELECT_PHRASE, phrase)
        page.wait_for_function("document.getElementById('id_start').value !== ''")
        page.get_by_label("Impunidad").check()
        page.fill("#id_memo", "espera larga")
        screenshot(page, "studies-coding-desktop")
        with page.expect_navigation():
            page.click("#apply-codes")
        segment = Segment.objects.latest("pk")
        assert segment.quote == phrase
        assert [code.name for code in segment.codes.all()] == ["Impunidad"]
        assert segment.memo == "espera larga" and segment.coder == world.personas.analyst
        assert page.locator("[data-testid=segment]").count() == 2


def test_a_coder_codes_with_the_keyboard_alone(
    browser, live_server, _audit_log_flushable, screenshot
):
    world = make_world()
    document = world.document
    with signed_in(
        browser, live_server, world.personas.coord_cauca.username, viewport=PHONE
    ) as page:
        page.goto(f"{live_server.url}/studies/document/{document.pk}/")
        page.focus("#doc-text")
        for _ in range(len("Entrevistadora")):
            page.keyboard.press("Shift+ArrowRight")
        impunity_key = page.locator("label.code-choice", has_text="Impunidad").locator("input")
        key = impunity_key.get_attribute("data-key")
        assert key is not None and int(key) < 10
        page.keyboard.press(key)
        assert impunity_key.is_checked()
        screenshot(page, "studies-coding-phone")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        segment = Segment.objects.latest("pk")
        assert (segment.start, segment.end) == (0, len("Entrevistadora"))
        assert segment.quote == "Entrevistadora"
        assert [code.name for code in segment.codes.all()] == ["Impunidad"]
