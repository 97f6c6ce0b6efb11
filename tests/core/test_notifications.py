import pytest
from django.core import mail

from convivencia.core.models import Notification
from convivencia.core.notifications import notify
from tests.factories import make_user


@pytest.mark.django_db
def test_a_notification_is_shown_in_the_inbox_and_sent_by_email(client):
    camila = make_user("camila", email="camila@example.org")
    notify([camila], "Wave closed", "Trust in the police fell", "/panels/")
    assert mail.outbox[0].to == ["camila@example.org"]
    client.force_login(camila)
    page = client.get("/notifications/").content.decode()
    assert "Wave closed" in page
    assert 'class="badge"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_reading_a_notification_marks_it_and_follows_only_local_links(client):
    camila = make_user("camila")
    local, foreign = notify([camila], "A", "", "/territories/") + notify(
        [camila], "B", "", "https://evil.example/"
    )
    client.force_login(camila)
    assert client.post(f"/notifications/{local.pk}/read/")["Location"] == "/territories/"
    assert client.post(f"/notifications/{foreign.pk}/read/")["Location"] == "/notifications/"
    assert Notification.objects.unread().count() == 0


@pytest.mark.django_db
def test_nobody_reads_someone_elses_notification(client):
    camila, nadia = make_user("camila"), make_user("nadia")
    [note] = notify([camila], "Private", "")
    client.force_login(nadia)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    assert client.get("/notifications/").content.decode().count("Private") == 0
