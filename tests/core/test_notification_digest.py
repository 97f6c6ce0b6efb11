"""Notifications by e-mail as each person chose: each one, a daily digest, or never."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from convivencia.core.choices import EmailFrequency
from convivencia.core.models import Notification
from convivencia.core.notifications import notify, send_digests
from tests.factories import make_user


@pytest.fixture(autouse=True)
def english(settings, spanish_by_default):
    """These tests read the English messages (tests/core defaults to Spanish)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def people(db):
    return {
        "camila": make_user("camila", email="camila@example.org"),
        "luz": make_user("luz", email="luz@example.org", email_notifications=EmailFrequency.DAILY),
        "pablo": make_user("pablo", email="pablo@example.org", email_notifications="none"),
        "nadia": make_user("nadia", email="", email_notifications=EmailFrequency.DAILY),
    }


def test_each_person_gets_the_email_as_they_chose_and_everyone_sees_it_on_the_site(people):
    notify(people.values(), "C-1: done?", "Confirm it", "/dialogues/commitments/1/")
    assert [message.to for message in mail.outbox] == [["camila@example.org"]]
    assert Notification.objects.count() == 4
    assert list(
        Notification.objects.filter(email_pending=True).values_list("user__username", flat=True)
    ) == ["luz"]


def test_the_daily_digest_sends_one_email_per_person_with_every_waiting_notification(
    people, settings
):
    settings.SITE_URL = "https://convivencia.example.org"
    notify([people["luz"]], "C-1: done?", "Line one\nLine two", "/dialogues/commitments/1/")
    notify([people["luz"]], "C-2: assigned", "", "/dialogues/commitments/2/")
    mail.outbox.clear()
    run = send_digests()
    assert (run.sent, run.notifications) == (1, 2)
    [digest] = mail.outbox
    assert digest.to == ["luz@example.org"]
    assert "C-1: done?" in digest.body and "C-2: assigned" in digest.body
    assert "  Line two" in digest.body
    assert "https://convivencia.example.org/dialogues/commitments/2/" in digest.body
    assert "2" in digest.subject


def test_a_second_run_sends_nothing_twice(people):
    notify([people["luz"]], "C-1: done?", "")
    send_digests()
    assert send_digests().sent == 0
    assert len(mail.outbox) == 1


def test_nobody_without_an_address_or_who_chose_never_gets_a_digest(people):
    notify([people["nadia"], people["pablo"]], "C-1", "")
    luz_waiting = notify([people["luz"]], "C-2", "")[0]
    # Luz changes her mind after the notification was queued: nothing is e-mailed.
    people["luz"].email_notifications = EmailFrequency.NONE
    people["luz"].save()
    assert send_digests().sent == 0
    assert mail.outbox == []
    luz_waiting.refresh_from_db()
    assert not luz_waiting.email_pending  # dropped from e-mail, still on the site


def test_a_failed_send_leaves_the_notifications_for_the_next_run(people, monkeypatch):
    notify([people["luz"]], "C-1: done?", "")

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("convivencia.core.notifications.send_mail", broken)
    with pytest.raises(ConnectionError):
        send_digests()
    assert Notification.objects.filter(email_pending=True).count() == 1
    monkeypatch.undo()
    assert send_digests().sent == 1


def test_the_command_sends_the_digest_and_says_how_many(people, capsys):
    notify([people["luz"]], "C-1: done?", "", "/dialogues/commitments/1/")
    call_command("send_notification_digest", "--site-url", "https://x.example")
    assert "https://x.example" in mail.outbox[0].body
    assert "1" in capsys.readouterr().out


def test_the_profile_page_sets_the_digest_option(client, people):
    client.force_login(people["camila"])
    page = client.get(reverse("accounts:profile"))
    assert 'name="email_notifications"' in page.text
    response = client.post(
        reverse("accounts:notification_settings"), {"email_notifications": "daily"}
    )
    assert response.status_code == 302
    people["camila"].refresh_from_db()
    assert people["camila"].email_notifications == EmailFrequency.DAILY


def test_an_unknown_option_is_refused_and_nothing_changes(client, people):
    client.force_login(people["camila"])
    response = client.post(
        reverse("accounts:notification_settings"), {"email_notifications": "hourly"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose how you want to receive notifications by e-mail." in response.text
    people["camila"].refresh_from_db()
    assert people["camila"].email_notifications == EmailFrequency.IMMEDIATE
