"""The network's public pages in a real browser: the demo's real events, a visitor
filtering the archive, opening a Dialogue, registering for a coming workshop, and asking
"who has done this?" on a phone. The person without a public profile is never shown."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from convivencia.network import demo
from convivencia.network.models import Event, Registration
from tests.network.builders import make_event

pytestmark = pytest.mark.browser

HIDDEN = [specialist.name for specialist in demo.SPECIALISTS if not specialist.public]


def no_hidden_names(page) -> None:
    text = page.content()
    for name in HIDDEN:
        assert name not in text


def test_a_visitor_filters_the_archive_and_opens_a_dialogue(page, live_server, screenshot):
    demo.build()
    page.goto(f"{live_server.url}/network/")
    assert page.locator(".event-list li").count() == 7
    page.select_option("#id_country", "ZA")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    items = page.locator(".event-list li")
    assert items.count() == 1
    assert "25" in items.first.inner_text() and "2015" in items.first.inner_text()
    with page.expect_navigation():
        items.first.locator("a").click()
    assert "Cape Town" in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert "APCOF" in body and "IDRC" in body
    assert "Dispatches from South Africa" in body
    no_hidden_names(page)
    screenshot(page, "network-event")


def test_a_visitor_registers_for_a_coming_workshop(page, live_server):
    event = make_event(
        "Taller abierto",
        timezone.localdate() + datetime.timedelta(days=20),
        kind="workshop",
        registration_open=True,
    )
    page.goto(f"{live_server.url}/network/events/{event.pk}/")
    with page.expect_navigation():
        page.click(f"a[href='/network/events/{event.pk}/register/']")
    page.fill("#id_name", "Rosa Quintero")
    page.fill("#id_email", "rosa@example.org")
    page.check("input[name=name_visibility][value=public]")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "debe aceptar" in page.locator(".errorlist").inner_text()  # the box was not ticked
    assert not Registration.objects.exists()
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "Rosa Quintero" in page.locator("main").inner_text()
    assert Registration.objects.get().event == Event.objects.get(pk=event.pk)


def test_who_has_done_this_on_a_phone(phone, live_server, screenshot):
    demo.build()
    phone.goto(f"{live_server.url}/network/ask/")
    phone.fill("#id_description", "Los jóvenes desconfían de la policía")
    phone.select_option("#id_country", "BR")
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    first = phone.locator("#result-title ~ ol li").first
    assert "Rafael Nogueira Lima (demo)" in first.inner_text()
    assert "+3" in first.inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    no_hidden_names(phone)
    screenshot(phone, "network-ask-phone")
