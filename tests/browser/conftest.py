"""Playwright against Debian's chromium and pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, which trips Django's
async-unsafe check on every ORM call made by the test itself; the test thread
never runs async code of its own, so the check is switched off here.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    "Debian's chromium is not installed (apt-get install chromium): browser tests skipped"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from django.contrib.staticfiles import finders
    from playwright.sync_api import sync_playwright

    if finders.find("convivencia/site.css") is None:
        pytest.fail(
            "the live server cannot serve static files: STATICFILES_DIRS must name "
            "the package's static/ directory (see tests/core/test_pages.py)"
        )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _sqlite_audit_triggers(*, on: bool) -> None:
    """Drop (or recreate) the SQLite triggers that keep the audit log append-only.

    transactional_db empties the tables after each test with DELETE, which those
    triggers refuse; PostgreSQL empties them with TRUNCATE, which they let through.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("convivencia.accounts.migrations.0002_audit_append_only")
    statements = migration.SQLITE_BACKWARD + (migration.SQLITE_FORWARD if on else [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture(scope="module", autouse=True)
def _audit_triggers_back_after_the_module(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _sqlite_audit_triggers(on=True)


@pytest.fixture
def _audit_log_flushable(transactional_db) -> Iterator[None]:
    """The triggers hold during the test and are lifted for the flush that follows it."""
    _sqlite_audit_triggers(on=True)
    yield
    _sqlite_audit_triggers(on=False)


def _open_page(browser, viewport: dict[str, int]) -> Iterator:
    context = browser.new_context(viewport=viewport, locale="es-CO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser, live_server, _audit_log_flushable) -> Iterator:
    """A desktop-sized page in a fresh browser context (no cookies)."""
    yield from _open_page(browser, DESKTOP)


@pytest.fixture
def phone(browser, live_server, _audit_log_flushable) -> Iterator:
    """A 390-pixel-wide page, the width of a common phone."""
    yield from _open_page(browser, PHONE)


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves screenshots/name.png (the directory is gitignored)."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
