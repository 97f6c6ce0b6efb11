"""Every signed-in role sees the whole menu on one row at 1366 px, in every language, and a
table too wide for a phone says that it scrolls (issue 15)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from convivencia.accounts.models import ApiToken
from convivencia.core.notifications import notify
from tests.personas import PERSONAS, make_personas

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
# One row of the header: the brand's line and the bar's padding; two rows are ~100 px.
ONE_ROW_PX = 64


def signed_in(browser, live_server, user, viewport, language="es"):
    """A browser context with the user's session (no login form: nine logins are slow)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="es-CO")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    return context


def header_height(context, url: str) -> float:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    height = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    # One row that overflows is no better: the menu must not run under the language switcher.
    overflow = page.evaluate(
        "(() => { const m = document.querySelector('.site-menu');"
        " const s = document.querySelector('.language-switcher').getBoundingClientRect();"
        " const u = document.querySelector('.site-user').getBoundingClientRect();"
        " return Math.max(m.scrollWidth - m.clientWidth, u.right - s.left); })()"
    )
    assert not errors, errors
    return height if overflow <= 1 else 1000 + overflow


@pytest.mark.usefixtures("_audit_log_flushable")
def test_the_header_is_one_row_at_1366_px_for_every_role(browser, live_server):
    world = make_personas()
    heights = {}
    for persona in PERSONAS:
        user = world.people[persona]
        if user is None:
            continue
        notify([user], "Aviso", "", "/", email=False)  # the unread badge takes room too
        for language in ("es", "pt", "en"):
            context = signed_in(browser, live_server, user, WIDE, language)
            heights[(persona, language)] = header_height(context, f"{live_server.url}/panels/")
            context.close()
    too_tall = {key: height for key, height in heights.items() if height > ONE_ROW_PX}
    assert not too_tall, f"header taller than one row, or overflowing (1000 + px): {too_tall}"


@pytest.mark.usefixtures("_audit_log_flushable")
def test_a_table_wider_than_a_phone_says_it_scrolls_and_takes_the_keyboard(
    browser, live_server, screenshot
):
    world = make_personas()
    user = world.people["coord_cauca"]
    ApiToken.issue(user, "informe mensual de la coordinación", 30)
    context = signed_in(browser, live_server, user, PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/me/")
    wrap = page.locator(".table-wrap.is-scrollable").first
    wrap.wait_for()
    assert wrap.get_attribute("tabindex") == "0"
    assert wrap.get_attribute("role") == "region"
    assert "Desplácese hacia los lados" in (wrap.get_attribute("aria-label") or "")
    assert page.locator(".scroll-hint").first.is_visible()
    screenshot(page, "d1-profile-phone")
    # The page itself does not scroll sideways: only the table does.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
