"""The follow-up loop in a real browser, walked by the three people who make it work.

The coordinator prepares a session from the data (accepting an agenda item the
perception panel proposed) and records a commitment; the police liaison posts
progress and then claims it done; the community leader disputes the claim, and
confirms it once a new claim comes with what was missing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE
from tests.dialogues.builders import make_session, make_world, status
from tests.dialogues.test_agenda import trust_falls_in_august
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@contextmanager
def signed_in(browser, live_server, username: str, viewport=DESKTOP) -> Iterator:
    """A page in a browser context of its own, logged in as ``username``."""
    context = browser.new_context(viewport=viewport, locale="es-CO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def post_update(page, status_code: str, description: str, progress: str = "") -> None:
    form = page.locator("[data-testid=update-form]")
    form.locator("#id_status").select_option(str(status(status_code).pk))
    if progress:
        form.locator("#id_progress").fill(progress)
    form.locator("#id_description").fill(description)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def give_verdict(page, verdict: str, comment: str) -> None:
    form = page.locator("[data-testid=verify-form]")
    form.locator(f"input[name=verdict][value={verdict}]").check()
    form.locator("#id_comment").fill(comment)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_the_follow_up_loop_from_the_data_to_the_communitys_confirmation(
    browser, live_server, _audit_log_flushable, screenshot
):
    world = make_world()
    trust_falls_in_august(world.places.popayan)
    session = make_session(world.process, title="Diálogo de seguimiento", days=10, capacity=30)
    session_url = f"{live_server.url}/dialogues/session/{session.pk}/"

    # 1. The coordinator prepares the session from the data and records a commitment.
    with signed_in(browser, live_server, "camila") as page:
        page.goto(session_url)
        page.click("[data-testid=propose]")  # htmx swaps the agenda section in place
        proposal = page.locator("[data-testid=proposal]", has_text="60% → 30%")
        proposal.wait_for()
        assert "Wilcoxon" in proposal.locator("[data-testid=evidence]").inner_text()
        assert page.url == session_url  # no page load
        proposal.locator("[data-testid=accept]").click()
        accepted = page.locator("[data-testid=agenda-items] li", has_text="60% → 30%")
        accepted.wait_for()
        assert page.locator("[data-testid=proposal]", has_text="60% → 30%").count() == 0
        assert "20" in page.locator("[data-testid=agenda-total]").inner_text()  # minutes
        screenshot(page, "dialogue-session-desktop")

        with page.expect_navigation():
            page.click("[data-testid=record-commitment]")
        page.fill("#id_reference", "C-1")
        page.fill("#id_title", "Patrullajes nocturnos en el parque Caldas")
        page.select_option("#id_responsible", label="Policía Cauca")
        page.fill("#id_due_date", (timezone.localdate() + datetime.timedelta(days=60)).isoformat())
        page.fill("#id_verification", "Recorrido nocturno con la JAC")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        errors = page.locator(".errorlist").all_inner_texts()
        assert "Patrullajes nocturnos en el parque Caldas" in page.locator("h1").inner_text(), (
            errors
        )
        commitment_url = page.url

    # 2. The police liaison posts progress, then claims it done.
    with signed_in(browser, live_server, "pablo") as page:
        page.goto(commitment_url)
        post_update(page, "in_progress", "Dos noches por semana desde el lunes.", "40")
        assert page.locator("[data-testid=progress]").inner_text() == "40%"
        post_update(page, "reported_done", "Tres noches por semana, con ronda en el parque.")
        assert page.locator("[data-testid=progress]").inner_text() == "100%"
        assert page.locator("[data-testid=verify-form]").count() == 0  # not theirs to verify

    # 3. The community leader disputes the claim.
    with signed_in(browser, live_server, "luz") as page:
        page.goto(commitment_url)
        assert page.locator("[data-testid=update-form]").count() == 0
        give_verdict(page, "disputed", "En el parque no se ha visto la ronda.")
        assert page.locator("[data-testid=verification] .tag-disputed").is_visible()

    # 4. A new claim answers the dispute; the leader confirms it.
    with signed_in(browser, live_server, "pablo") as page:
        page.goto(commitment_url)
        post_update(page, "reported_done", "Ronda en el parque a las 10 p. m. desde el jueves.")
    with signed_in(browser, live_server, "luz") as page:
        page.goto(commitment_url)
        give_verdict(page, "confirmed", "Ahora sí pasan por el parque.")
        assert page.locator("[data-testid=verification] .tag-confirmed").is_visible()
        assert page.locator("[data-testid=update-form]").count() == 0
        timeline = page.locator("[data-testid=timeline] > li")
        assert timeline.count() == 3
        screenshot(page, "dialogue-commitment-desktop")

    commitment = world.process.commitments.get(reference="C-1")
    assert (commitment.status.code, commitment.progress) == ("verified", 100)

    # The board shows it, beside the fall in trust, on a desktop and on a phone.
    board_url = f"{live_server.url}/dialogues/territory/{world.places.popayan.pk}/board/"
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        with signed_in(browser, live_server, "camila", viewport) as page:
            page.goto(board_url)
            row = page.locator("[data-testid=board-row]", has_text="Policía Cauca")
            assert "60% →" in row.locator("[data-testid=trust]").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            screenshot(page, f"dialogue-board-{name}")
            page.goto(commitment_url)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            screenshot(page, f"dialogue-commitment-{name}")
            page.goto(session_url)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            screenshot(page, f"dialogue-session-{name}")


def test_the_agenda_can_be_prepared_without_javascript(browser, live_server, _audit_log_flushable):
    world = make_world()
    trust_falls_in_august(world.places.popayan)
    session = make_session(world.process, days=10)
    context = browser.new_context(java_script_enabled=False, locale="es-CO")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "camila")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/dialogues/session/{session.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=propose]")
    proposal = page.locator("[data-testid=proposal]", has_text="60% → 30%")
    with page.expect_navigation():
        proposal.locator("[data-testid=discard]").click()
    assert page.locator("[data-testid=proposal]", has_text="60% → 30%").count() == 0
    assert session.agenda.get(origin="panel").status == "discarded"
    context.close()
