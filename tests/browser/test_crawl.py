"""Every persona walks the demo by its visible links, on a desktop and on a phone.

From the home page, each persona of ``tests/personas.py`` (on the demo's people, who bear
the same usernames) follows only the links a person can see: same origin, no log-out, no
deletion, no download, never a form. Paths that differ only by an id or a code are pages
of one *kind* (two sessions, two commitments). In Spanish at 1366 px the walk reaches
every kind of page the persona can reach: kinds not yet visited first, breadth-first;
then the same kind in another state (a link whose row shows another status tag: a
commitment awaiting the community's verdict after a confirmed one). A sample of the
kinds is walked again at 390 px, and in Portuguese and English. Each persona must
reach the pages its part of the core loop needs (``REQUIRED``: the enumerator's
data-entry form, the leader's verdict form…).

A page fails the walk when:

- the browser logs an error to its console, or a script throws;
- the page scrolls sideways (``scrollingElement.scrollWidth`` wider than the window);
- a visible link leads to a 404 or a server error;
- a Spanish page shows an English sentence the catalogue translates (a msgid whose
  Spanish differs from it): a string left out of ``gettext``, or a catalogue not updated.

Screenshots of every page go to a temporary directory (``CRAWL_SCREENSHOTS`` to choose
it), never to the repository, with ``kinds.txt``: the kinds each persona reached; the
test prints where they are. ``CRAWL_PHONE_KINDS=0`` walks every kind on the phone too;
``CRAWL_PERSONAS=leader,prosecutor`` walks only those personas.
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
import time
from collections import Counter
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
# Pages per persona at 1366 px in Spanish: a bound on a walk that reaches every kind of
# page well before it (the test fails when kinds are left unvisited at the bound).
PAGES = int(os.environ.get("CRAWL_PAGES", "160"))
# Pages of one kind at most: the first, then others in another state.
PER_KIND = int(os.environ.get("CRAWL_PER_KIND", "6"))
# Kinds per persona walked again at 390 px (0: every kind), and in pt and en.
PHONE_KINDS = int(os.environ.get("CRAWL_PHONE_KINDS", "12"))
SAMPLED = 3
ONLY = [name for name in os.environ.get("CRAWL_PERSONAS", "").split(",") if name]
WIDTHS = (1366, 390)
SKIPPED_PATHS = re.compile(
    r"^/(admin|api|static|media)/|logout|delete|/remove|/revoke|/download|/export"
)
# Paths that differ only by an id or a code are pages of the same kind.
SAME_KIND = re.compile(r"/(\d+|demo-\d+|\d{4}-\d{2})(?=/|$)")
# A path whose last part has an extension is a file (CSV, XLSX, PDF, GeoJSON, ICS…).
FILE = re.compile(r"/[^/]+\.[a-z0-9]{2,5}$")
# What is looked for on every page: the forms of the core loop.
LANDMARKS = {
    "verdict-form": "form[data-testid=verify-form]",
    "update-form": "form[data-testid=update-form]",
}
# What each persona must reach by visible links for the core loop (issue #15): a kind, or
# a kind and a landmark seen on one of its pages.
REQUIRED: dict[str, set[str]] = {
    "enumerator": {"/panels/collect/<n>/", "/panels/collect/<n>/form/", "/panels/roster/<n>/"},
    "leader": {"/dialogues/commitment/<n>/ verdict-form"},
    "police": {"/dialogues/commitment/<n>/ update-form"},
    "prosecutor": {"/dialogues/commitment/<n>/ update-form"},
    "coord_cauca": {
        "/panels/collect/<n>/mapping/",
        "/panels/roster/<n>/",
        "/panels/collect/<n>/upload/",
        "/panels/questionnaires/import/",
        "/indicators/import/",
        "/evidence/manage/import/",
    },
    "analyst": {"/studies/", "/studies/<n>/"},
    "anonymous": {"/reports/briefs/<n>/<n>/"},
}
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
    # persona -> kind (or "kind landmark") -> pages of it visited at 1366 px in Spanish
    reached: dict[str, Counter[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")


@dataclass
class Link:
    url: str
    path: str
    kind: str
    # The kind and the state tags shown beside the link (a commitment "awaiting the
    # community's verdict", another "confirmed"): the same kind in another state.
    variant: str
    linked_from: str


class Frontier:
    """The links waiting to be followed: every kind of page, then its other states.

    A kind never visited comes first, in the order found (breadth-first); then a page of
    a kind already visited whose link showed other state tags, up to ``PER_KIND`` pages
    of one kind. Two pages of a kind in the same state show what all show: the walk
    ends when no kind and no state is left.
    """

    def __init__(self, start: list[Link]) -> None:
        self.links: list[Link] = []
        self.sightings: set[tuple[str, str]] = set()
        self.visited: set[str] = set()
        self.kinds: Counter[str] = Counter()
        self.variants: Counter[str] = Counter()
        for link in start:
            self.add(link)

    def add(self, link: Link) -> None:
        # A page linked from a plain list and from a table of states is kept once for
        # each: the second sighting tells which state it is in.
        if link.path not in self.visited and (link.path, link.variant) not in self.sightings:
            self.sightings.add((link.path, link.variant))
            self.links.append(link)

    def pop(self) -> Link | None:
        self.links = [link for link in self.links if link.path not in self.visited]
        waiting = [
            (self.kinds[link.kind] > 0, index)
            for index, link in enumerate(self.links)
            if not self.kinds[link.kind]
            or (not self.variants[link.variant] and self.kinds[link.kind] < PER_KIND)
        ]
        if not waiting:
            return None
        link = self.links.pop(min(waiting)[-1])
        self.visited.add(link.path)
        self.kinds[link.kind] += 1
        self.variants[link.variant] += 1
        return link

    def unseen_kinds(self) -> set[str]:
        return {link.kind for link in self.links if not self.kinds[link.kind]}


def kind_of(path: str) -> str:
    return SAME_KIND.sub("/<n>", path)


def visible_links(page, origin: str, linked_from: str) -> list[Link]:
    found = page.evaluate(
        """() => Array.from(document.querySelectorAll('a[href]'))
            .filter(a => !a.hasAttribute('download') && a.checkVisibility
                         && a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}))
            .map(a => {
                const row = a.closest('tr, li, article');
                const tags = row ? Array.from(row.querySelectorAll('.tag'))
                    .flatMap(tag => Array.from(tag.classList))
                    .filter(name => name.startsWith('tag')) : [];
                return [a.href, [...new Set(tags)].sort().join(' ')];
            })"""
    )
    links = []
    for href, tags in found:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if SKIPPED_PATHS.search(parts.path) or FILE.search(parts.path):
            continue
        kind = kind_of(parts.path)
        links.append(Link(url, parts.path, kind, f"{kind} {tags}".strip(), linked_from))
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


# Counts the page's own requests (fetch and XMLHttpRequest: htmx, charts, maps), so that
# the walk waits for them to end rather than for a fixed quiet time on every page.
COUNT_REQUESTS = """(() => {
    let open = 0;
    window.__crawlOpenRequests = () => open;
    const fetch = window.fetch;
    window.fetch = function (...args) {
        open += 1;
        return fetch.apply(this, args).finally(() => { open -= 1; });
    };
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (...args) {
        open += 1;
        this.addEventListener('loadend', () => { open -= 1; }, {once: true});
        return send.apply(this, args);
    };
})();"""


def open_context(browser, live_server, width: int, language: str, state: dict | None):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="es-CO", storage_state=state
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    context.add_init_script(COUNT_REQUESTS)
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


def visit(page, link: Link, walk: Walk, label: str, spanish: list[str] | None, shots: Path):
    """Open one page and check it; False when it answers 404 or a server error."""
    where = f"{label} {link.path}"
    response = page.goto(link.url, wait_until="load")
    # A page that keeps polling is checked as it stands.
    with suppress(PlaywrightTimeout):
        page.wait_for_timeout(50)
        page.wait_for_function("() => window.__crawlOpenRequests() === 0", timeout=5_000)
    status = response.status if response else 0
    if status == 404 or status >= 500:
        walk.problem(where, f"answers {status} (linked from {link.linked_from})")
        return False
    walk.visited += 1
    check_page(page, walk, where, spanish=spanish)
    name = re.sub(r"[^a-z0-9]+", "-", f"{label}-{link.path}".lower()).strip("-")
    # The whole page on a phone, where a person scrolls to read it; the window on a desktop.
    phone = page.viewport_size["width"] < WIDTHS[0]
    page.screenshot(path=str(shots / f"{name}.png"), full_page=phone)
    return True


def crawl(page, live_server, walk: Walk, persona: str, *, spanish: list[str], shots: Path):
    """Breadth-first from the home page, every kind of page; the first page of each kind."""
    errors: list[str] = []
    page.on("console", lambda message: record_console(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    origin = live_server.url
    label = f"{persona} es {WIDTHS[0]}"
    frontier = Frontier([Link(origin + "/", "/", "/", "/", "the start")])
    reached = walk.reached.setdefault(persona, Counter())
    first_of_kind: dict[str, Link] = {}
    pages = 0
    while pages < PAGES and (link := frontier.pop()):
        errors.clear()
        if not visit(page, link, walk, label, spanish, shots):
            continue
        pages += 1
        for error in errors:
            walk.problem(f"{label} {link.path}", f"console error: {error}")
        first_of_kind.setdefault(link.kind, link)
        reached[link.kind] += 1
        for landmark in page.evaluate(
            "(marks) => marks.filter(([name, selector]) => document.querySelector(selector))"
            ".map(([name]) => name)",
            list(LANDMARKS.items()),
        ):
            reached[f"{link.kind} {landmark}"] += 1
        for found in visible_links(page, origin, link.path):
            frontier.add(found)
    left = sorted(frontier.unseen_kinds())
    if left:
        walk.problem(
            label, f"the walk stopped at {PAGES} pages before reaching {len(left)} kinds: {left}"
        )
    return list(first_of_kind.values())


def revisit(
    page,
    live_server,
    walk: Walk,
    label: str,
    links: list[Link],
    *,
    spanish: list[str] | None,
    shots: Path,
) -> None:
    """The given pages again, at another width or in another language."""
    errors: list[str] = []
    page.on("console", lambda message: record_console(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    for link in links:
        errors.clear()
        if visit(page, link, walk, label, spanish, shots):
            for error in errors:
                walk.problem(f"{label} {link.path}", f"console error: {error}")


def sample(links: list[Link], count: int, persona: str) -> list[Link]:
    """``count`` pages spread over the walk (0: all), the pages the loop needs among them."""
    if count <= 0 or len(links) <= count:
        return links
    needed = {item.split(" ")[0] for item in REQUIRED.get(persona, ())}
    chosen = [link for link in links if link.kind in needed]
    others = [link for link in links if link.kind not in needed]
    room = max(count - len(chosen), 1)
    chosen += others[:: max(len(others) // room, 1)][:room]
    return sorted(chosen, key=links.index)


def report(walk: Walk, shots: Path) -> str:
    """Each persona's kinds of pages, written beside the screenshots; a summary returned."""
    lines, summary = [], []
    for persona, reached in walk.reached.items():
        kinds = sorted(kind for kind in reached if " " not in kind)
        marks = sorted(kind for kind in reached if " " in kind)
        summary.append(
            f"{persona}: {len(kinds)} kinds, {sum(reached[k] for k in kinds)} pages at "
            f"1366 px in Spanish; {walk.seconds[persona]:.0f} s at every width and language"
        )
        lines.append(f"{persona} ({len(kinds)} kinds)")
        lines += [f"  {kind}  ×{reached[kind]}" for kind in kinds]
        lines += [f"  {mark}  ×{reached[mark]}" for mark in marks]
    (shots / "kinds.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "\n".join(summary)


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
    loaded = time.monotonic()
    for persona, username in DEMO_USERS.items():
        if ONLY and persona not in ONLY:
            continue
        began = time.monotonic()
        state = log_in(browser, live_server, username) if username else None
        context, page = open_context(browser, live_server, WIDTHS[0], "es", state)
        kinds = crawl(page, live_server, walk, persona, spanish=spanish, shots=shots)
        context.close()
        # A sample of the kinds on a phone and in the other two languages.
        runs = [(WIDTHS[1], "es", sample(kinds, PHONE_KINDS, persona), spanish)]
        runs += [
            (WIDTHS[0], language, sample(kinds, SAMPLED, persona), None)
            for language in ("pt", "en")
        ]
        for width, language, links, check in runs:
            context, page = open_context(browser, live_server, width, language, state)
            revisit(
                page,
                live_server,
                walk,
                f"{persona} {language} {width}",
                links,
                spanish=check,
                shots=shots,
            )
            context.close()
        walk.seconds[persona] = time.monotonic() - began
        reached = walk.reached[persona]
        for needed in sorted(REQUIRED.get(persona, ())):
            if not reached[needed]:
                walk.problem(f"{persona} es {WIDTHS[0]}", f"never reached {needed}")
    summary = report(walk, shots)
    with capsys.disabled():
        print(
            f"\ncrawl: {walk.visited} pages in {time.monotonic() - loaded:.0f} s "
            f"(demo loaded in {loaded - started:.0f} s), screenshots and each persona's "
            f"kinds of pages in {shots}\n{summary}"
        )
    assert not walk.problems, "\n".join(walk.problems)
