"""Every persona walks the demo by its visible links, on a desktop and on a phone.

From the home page, each persona of ``tests/personas.py`` (on the demo's people, who bear
the same usernames) follows only the links a person can see: same origin, no log-out, no
deletion, no download, never a form. The walk is breadth-first and capped per persona, so
it reaches every section without visiting every page of a long list. Spanish, the users'
language, is walked in full at 1366 px and 390 px; Portuguese and English are sampled.

A page fails the walk when:

- the browser logs an error to its console, or a script throws;
- the page scrolls sideways (``scrollingElement.scrollWidth`` wider than the window);
- a visible link leads to a 404 or a server error;
- a Spanish page shows an English sentence the catalogue translates (a msgid whose
  Spanish differs from it): a string left out of ``gettext``, or a catalogue not updated.

Screenshots of every page go to a temporary directory (``CRAWL_SCREENSHOTS`` to choose
it), never to the repository; the test prints where they are.
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from convivencia import demo
from tests.factories import make_user
from tests.personas import PERSONAS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The demo's user for each persona of tests/personas.py (the same usernames); "nobody"
# has no demo user and is made here without a role.
DEMO_USERS: dict[str, str | None] = {
    "anonymous": None,
    "nobody": "nadia.nadie",
    "admin": "admin",
    "coord_cauca": "coordinadora.cauca",
    "coord_narino": "coordinador.narino",
    "analyst": "analista",
    "enumerator": "encuestador.cauca",
    "police": "policia.popayan",
    "prosecutor": "fiscalia.popayan",
    "leader": "lider.popayan",
}
# Pages per persona: enough to reach every section linked from the home page and menus.
PAGES = int(os.environ.get("CRAWL_PAGES", "12"))
SAMPLED = 3  # pages per persona in Portuguese and in English
WIDTHS = (1366, 390)
SKIPPED_PATHS = re.compile(
    r"^/(admin|api|static|media)/|logout|delete|/remove|/revoke|/download|/export"
)
# Paths that differ only by an id or a code are pages of the same kind.
SAME_KIND = re.compile(r"/(\d+|demo-\d+|\d{4}-\d{2})(?=/|$)")
# A path whose last part has an extension is a file (CSV, XLSX, PDF, GeoJSON, ICS…).
FILE = re.compile(r"/[^/]+\.[a-z0-9]{2,5}$")
CATALOGUE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "convivencia"
    / "locale"
    / "es"
    / "LC_MESSAGES"
    / "django.po"
)


def _field(lines: list[str], keyword: str) -> str:
    """The text of one field of a .po entry, its continuation lines joined."""
    for index, line in enumerate(lines):
        if line.startswith(keyword):
            more = takewhile(lambda next_line: next_line.startswith('"'), lines[index + 1 :])
            return "".join(ast.literal_eval(part) for part in [line[len(keyword) :], *more])
    return ""


def english_sentences() -> list[str]:
    """English msgids the Spanish catalogue translates differently: none may show in Spanish.

    Only sentences of three words or more without placeholders: a word such as "Panel" or
    "Total" is also Spanish, and a placeholder's text is filled in at run time. Fuzzy,
    obsolete and plural entries are left out.
    """
    sentences = []
    for block in CATALOGUE.read_text(encoding="utf-8").split("\n\n"):
        lines = block.splitlines()
        if any(line.startswith(("#, fuzzy", "#~", "msgid_plural")) for line in lines):
            continue
        text, spanish = _field(lines, "msgid "), _field(lines, "msgstr ")
        if not text or not spanish or spanish == text:
            continue
        if "%" in text or "{" in text or "\n" in text or "<" in text:
            continue
        if len(text.split()) >= 3 and len(text) >= 15:
            sentences.append(text)
    return sentences


@dataclass
class Walk:
    """What the walk found; every problem names the persona, language, width and page."""

    problems: list[str] = field(default_factory=list)
    visited: int = 0

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")


def visible_links(page, origin: str) -> list[str]:
    hrefs = page.evaluate(
        """() => Array.from(document.querySelectorAll('a[href]'))
            .filter(a => !a.hasAttribute('download') && a.checkVisibility
                         && a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}))
            .map(a => a.href)"""
    )
    links = []
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if SKIPPED_PATHS.search(parts.path) or FILE.search(parts.path):
            continue
        links.append(url)
    return links


def check_page(page, walk: Walk, where: str, *, spanish: list[str] | None) -> None:
    wide = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    if wide[0] > wide[1]:
        walk.problem(where, f"the page scrolls sideways ({wide[0]} px in a {wide[1]} px window)")
    if spanish:
        text = page.evaluate("() => document.body.innerText")
        shown = [sentence for sentence in spanish if sentence in text]
        if shown:
            walk.problem(where, f"English on a Spanish page: {shown[:5]}")


def open_context(browser, live_server, width: int, language: str, state: dict | None):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="es-CO", storage_state=state
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def log_in(browser, live_server, username: str) -> dict:
    """The signed-in browser state of ``username``, to open every context with."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    state = context.storage_state()
    context.close()
    return state


def record_console(message, errors: list[str]) -> None:
    if message.type == "error":
        errors.append(message.text)


def crawl(
    page,
    live_server,
    walk: Walk,
    label: str,
    *,
    urls: list[str] | None,
    limit: int,
    spanish: list[str] | None,
    shots: Path,
) -> list[str]:
    """Breadth-first from the home page (or through ``urls``); returns the pages visited."""
    errors: list[str] = []
    page.on("console", lambda message: record_console(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    origin = live_server.url
    queue: deque[tuple[str, str]] = deque(
        [(url, "the walk") for url in urls] if urls else [(origin + "/", "the start")]
    )
    seen_paths = {urlsplit(url).path for url, _from in queue}
    kinds: dict[str, int] = {}
    visited: list[str] = []
    while queue and len(visited) < limit:
        url, linked_from = queue.popleft()
        where = f"{label} {urlsplit(url).path}"
        errors.clear()
        response = page.goto(url, wait_until="load")
        with suppress(PlaywrightTimeout):  # a page that keeps polling is checked as it stands
            page.wait_for_load_state("networkidle", timeout=3_000)
        status = response.status if response else 0
        if status == 404 or status >= 500:
            walk.problem(where, f"answers {status} (linked from {linked_from})")
            continue
        visited.append(url)
        walk.visited += 1
        check_page(page, walk, where, spanish=spanish)
        for error in errors:
            walk.problem(where, f"console error: {error}")
        name = re.sub(r"[^a-z0-9]+", "-", f"{label}-{urlsplit(url).path}".lower()).strip("-")
        page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
        if urls is not None:
            continue
        for link in visible_links(page, origin):
            path = urlsplit(link).path
            kind = SAME_KIND.sub("/<n>", path)
            # Two pages of a kind (two evidence records, two sessions) show what all show;
            # the cap is better spent on other sections.
            if path not in seen_paths and kinds.get(kind, 0) < 2:
                seen_paths.add(path)
                kinds[kind] = kinds.get(kind, 0) + 1
                queue.append((link, urlsplit(url).path))
    return visited


@pytest.fixture
def shots() -> Iterator[Path]:
    chosen = os.environ.get("CRAWL_SCREENSHOTS")
    if chosen:
        path = Path(chosen)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    # Kept after the test (in the system's temporary directory, never the repository), so
    # that a person can look at the pages of a failed walk.
    yield Path(tempfile.mkdtemp(prefix="convivencia-crawl-"))


# The demo takes minutes to load on a busy machine; the walk itself a few more.
@pytest.mark.timeout(1800)
def test_every_persona_walks_the_visible_links_without_an_error(
    browser, live_server, _audit_log_flushable, shots, capsys
):
    if connection.vendor != "sqlite":
        pytest.skip("the walk checks pages, not the database: CI runs it once, on SQLite")
    assert tuple(DEMO_USERS) == PERSONAS
    started = time.monotonic()
    call_command("load_demo", verbosity=0)
    nobody = make_user("nadia.nadie", first_name="Nadia", last_name="Nadie")
    nobody.set_password(demo.DEMO_PASSWORD)
    nobody.save(update_fields=["password"])
    spanish = english_sentences()
    walk = Walk()
    for persona, username in DEMO_USERS.items():
        state = log_in(browser, live_server, username) if username else None
        context, page = open_context(browser, live_server, WIDTHS[0], "es", state)
        visited = crawl(
            page,
            live_server,
            walk,
            f"{persona} es {WIDTHS[0]}",
            urls=None,
            limit=PAGES,
            spanish=spanish,
            shots=shots,
        )
        context.close()
        # The same pages on a phone; a sample of them in the other two languages.
        runs = [(WIDTHS[1], "es", visited, spanish)]
        runs += [(WIDTHS[0], language, visited[:SAMPLED], None) for language in ("pt", "en")]
        for width, language, urls, check in runs:
            context, page = open_context(browser, live_server, width, language, state)
            crawl(
                page,
                live_server,
                walk,
                f"{persona} {language} {width}",
                urls=urls,
                limit=len(urls),
                spanish=check,
                shots=shots,
            )
            context.close()
    with capsys.disabled():
        print(
            f"\ncrawl: {walk.visited} pages in {time.monotonic() - started:.0f} s, "
            f"screenshots in {shots}"
        )
    assert not walk.problems, "\n".join(walk.problems)
