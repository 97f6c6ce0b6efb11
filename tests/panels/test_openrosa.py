"""The OpenRosa server ODK Collect talks to: form list, form download, submissions.

Personas: Esteban is an enumerator in Popayán; Carlos coordinates Nariño; Nadia
holds no role. The panel uses the default questionnaire, whose XLSForm is what
ODK Collect downloads.
"""

from __future__ import annotations

import base64
import hashlib
import os
from xml.etree.ElementTree import Element, SubElement, tostring

import pytest
from defusedxml.ElementTree import fromstring
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from convivencia.accounts.choices import Role
from convivencia.accounts.models import ApiToken, User
from convivencia.panels import openrosa, services
from convivencia.panels.choices import SubmissionSource
from convivencia.panels.models import Panel, Respondent, Submission
from convivencia.panels.questionnaire_default import ensure_default_questionnaire
from tests.factories import PASSWORD, grant, make_colombia, make_organisation, make_user

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
RESPONSE_NS = "{http://openrosa.org/http/response}"
INSTANCE_ID = "uuid:6f1c1a5e-3b8d-4f0e-9a57-2d4c8b1e0a11"
# Every required item of the default questionnaire, answered; VIC1 = 1 asks VIC1_REPORT.
ANSWERS = {
    "B18": "6",
    "B12": "5",
    "B10A": "3",
    "B32": "4",
    "PROSEC": "2",
    "JUDGES": "88",
    "LOCALPROV": "7",
    "AOJ11": "2",
    "AOJ12": "3",
    "UNSAFE_WALK": "1",
    "VIC1": "1",
    "VIC1_REPORT": "0",
    "POLRESPECT": "2",
    "POLTIME": "3",
    "SAFER": "2",
    "ROADS": "1",
    "PROBLEMS": "1 3",
}


@pytest.fixture(autouse=True)
def fresh_cache():
    # The XForm cache outlives a test's database; ids are reused after a rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def places(db):
    return make_colombia()


@pytest.fixture
def panel(places):
    panel = Panel.objects.create(
        code="popayan",
        territory=places.popayan,
        questionnaire=ensure_default_questionnaire(),
        local_provider_name="la Guardia Indígena",
    )
    for number in range(1, 4):
        Respondent.objects.create(panel=panel, code=f"R{number:03d}", role="jac")
    return panel


@pytest.fixture
def march(panel):
    return services.open_wave(panel, "2024-03", None)


@pytest.fixture
def esteban(places):
    user = make_user("esteban")
    grant(user, make_organisation("Programa"), Role.ENUMERATOR, [places.popayan])
    return user


@pytest.fixture
def carlos(places):
    user = make_user("carlos")
    grant(user, make_organisation("Programa Nariño"), Role.COORDINATOR, [places.narino])
    return user


def basic(username: str, secret: str = PASSWORD) -> dict[str, str]:
    encoded = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return {"authorization": f"Basic {encoded}"}


def url(name: str, panel: Panel, *args: str) -> str:
    return reverse(f"panels:collection:{name}", args=[panel.code, *args])


def instance(
    answers: dict[str, str],
    *,
    respondent: str = "R001",
    end: str | None = None,
    instance_id: str = INSTANCE_ID,
) -> bytes:
    """An instance as ODK Collect sends it; some answers nested in a group."""
    root = Element("data", id="popayan", version="1")
    SubElement(root, "respondent").text = respondent
    group = SubElement(root, "grupo_confianza")
    for code, value in answers.items():
        parent = group if code.startswith("B") else root
        SubElement(parent, code).text = value
    if end:
        SubElement(root, "end").text = end
    meta = SubElement(root, "meta")
    SubElement(meta, "instanceID").text = instance_id
    return tostring(root, encoding="utf-8", xml_declaration=True)


def submit(client: Client, panel: Panel, xml: bytes, user: str = "esteban"):
    upload = SimpleUploadedFile("submission.xml", xml, content_type="text/xml")
    return client.post(
        url("submission", panel),
        {"xml_submission_file": upload},
        headers={**basic(user), "accept-language": "en"},
    )


def message(response) -> tuple[str, str]:
    root = fromstring(response.content)
    assert root.tag == f"{RESPONSE_NS}OpenRosaResponse"
    element = root.find(f"{RESPONSE_NS}message")
    return element.get("nature", ""), element.text


# --- form list and download ------------------------------------------------------------


def test_the_form_list_names_the_panel_form_with_its_hash_and_download_url(client, panel, esteban):
    response = client.get(url("formlist", panel), headers=basic("esteban"))
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Content-Type"].startswith("text/xml")
    root = fromstring(response.content)
    assert root.tag == f"{LIST_NS}xforms"
    [form] = root.findall(f"{LIST_NS}xform")
    fields = {child.tag.removeprefix(LIST_NS): child.text for child in form}
    assert set(fields) == {"formID", "name", "version", "hash", "downloadUrl"}
    assert fields["formID"] == "popayan"
    assert fields["version"].startswith("1.")
    assert fields["downloadUrl"] == "http://testserver" + url("xform", panel, "popayan")
    download = client.get(fields["downloadUrl"], headers=basic("esteban"))
    assert download.status_code == 200 and download["X-OpenRosa-Version"] == "1.0"
    assert (
        fields["hash"] == "md5:" + hashlib.md5(download.content, usedforsecurity=False).hexdigest()
    )
    xform = download.content.decode()
    assert 'id="popayan"' in xform and "la Guardia Indígena" in xform


def test_an_unknown_form_id_is_not_found(client, panel, esteban):
    response = client.get(url("xform", panel, "otro"), headers=basic("esteban"))
    assert response.status_code == 404 and response["X-OpenRosa-Version"] == "1.0"


def test_the_form_is_built_once_per_version_and_again_when_the_roster_changes(panel, monkeypatch):
    from convivencia.panels.importers import xlsform

    calls = []
    real = xlsform.export_xlsform

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(xlsform, "export_xlsform", counting)
    first = openrosa.xform_for(panel)
    assert openrosa.xform_for(panel) == first
    assert len(calls) == 1
    Respondent.objects.create(panel=panel, code="R004")
    changed = openrosa.xform_for(panel)
    assert len(calls) == 2 and changed.md5 != first.md5 and changed.version != first.version


# --- the submission endpoint -------------------------------------------------------------


def test_head_on_the_submission_url_answers_204_with_the_accepted_size(client, panel, esteban):
    response = client.head(url("submission", panel), headers=basic("esteban"))
    assert response.status_code == 204
    assert response["X-OpenRosa-Version"] == "1.0"
    assert int(response["X-OpenRosa-Accept-Content-Length"]) >= 1024 * 1024


def test_a_valid_submission_is_stored_and_answered_201(client, panel, march, esteban):
    response = submit(client, panel, instance(ANSWERS, end="2024-03-20T10:00:00.000-05:00"))
    assert response.status_code == 201, response.content
    assert response["X-OpenRosa-Version"] == "1.0"
    nature, text = message(response)
    assert nature == "submit_success" and "R001" in text and "2024-03" in text
    stored = Submission.objects.get()
    assert (stored.instance_id, stored.source, stored.enumerator) == (
        INSTANCE_ID,
        SubmissionSource.OPENROSA,
        esteban,
    )
    assert stored.wave == march
    assert stored.answers.filter(item__code="B18").get().number == 6.0


def test_the_same_submission_sent_again_is_answered_202_and_stored_once(
    client, panel, march, esteban
):
    xml = instance(ANSWERS, end="2024-03-20T10:00:00.000-05:00")
    assert submit(client, panel, xml).status_code == 201
    again = submit(client, panel, xml)
    assert again.status_code == 202
    assert message(again)[0] == "submit_success"
    assert Submission.objects.count() == 1


def test_an_interview_finished_in_march_goes_to_march_even_when_sent_in_april(
    client, panel, march, esteban
):
    april = services.open_wave(panel, "2024-04", None)
    # Finished on 31 March at 23:50 on the phone: already April in UTC.
    response = submit(client, panel, instance(ANSWERS, end="2024-03-31T23:50:00.000-05:00"))
    assert response.status_code == 201
    assert Submission.objects.get().wave == march
    assert not april.submissions.exists()


def test_a_closed_wave_refuses_the_submission_naming_it(client, panel, march, esteban):
    services.close_wave(march, None)
    response = submit(client, panel, instance(ANSWERS, end="2024-03-20T10:00:00.000-05:00"))
    assert response.status_code == 400
    assert "2024-03" in message(response)[1] and "closed" in message(response)[1]
    assert not Submission.objects.exists()


def test_a_month_without_a_wave_refuses_the_submission_naming_it(client, panel, march, esteban):
    response = submit(client, panel, instance(ANSWERS, end="2024-05-02T10:00:00.000-05:00"))
    assert response.status_code == 400
    assert "2024-05" in message(response)[1]


def test_a_wrong_answer_is_refused_with_the_problem_in_the_message(client, panel, march, esteban):
    xml = instance({**ANSWERS, "B18": "9"}, end="2024-03-20T10:00:00.000-05:00")
    response = submit(client, panel, xml)
    assert response.status_code == 400
    assert "B18" in message(response)[1] and "outside the scale" in message(response)[1]
    assert not Submission.objects.exists()


def test_a_request_without_an_xml_file_or_with_broken_xml_is_refused(client, panel, march, esteban):
    assert client.post(url("submission", panel), {}, headers=basic("esteban")).status_code == 400
    assert submit(client, panel, b"<data><B18>6</data>").status_code == 400


# --- who may talk to it ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["formlist", "submission"])
def test_without_credentials_the_answer_is_401_asking_for_digest_or_basic(client, panel, name):
    response = client.get(url(name, panel)) if name == "formlist" else client.head(url(name, panel))
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Digest realm="Convivencia", qop="auth", algorithm=MD5, nonce="')
    # Basic is offered too here: the tests run with DEBUG (see test_openrosa_central).
    assert challenge.endswith(', Basic realm="Convivencia", charset="UTF-8"')
    assert response["X-OpenRosa-Version"] == "1.0"


def test_a_wrong_password_is_401_too(client, panel, esteban):
    response = client.get(url("formlist", panel), headers=basic("esteban", "not-the-password"))
    assert response.status_code == 401


def test_an_api_token_works_as_the_password_for_its_owner_only(
    client, panel, march, esteban, carlos
):
    _token, secret = ApiToken.issue(esteban, "ODK Collect")
    assert (
        client.head(url("submission", panel), headers=basic("esteban", secret)).status_code == 204
    )
    assert client.head(url("submission", panel), headers=basic("carlos", secret)).status_code == 401


@pytest.mark.parametrize("persona", ["carlos", "nadia"])
def test_someone_who_does_not_collect_in_the_territory_gets_404(
    client, panel, march, esteban, carlos, persona
):
    if persona == "nadia":
        make_user("nadia")
    for response in (
        client.get(url("formlist", panel), headers=basic(persona)),
        client.head(url("submission", panel), headers=basic(persona)),
        submit(client, panel, instance(ANSWERS, end="2024-03-20T10:00:00.000-05:00"), user=persona),
    ):
        assert response.status_code == 404
        assert response["X-OpenRosa-Version"] == "1.0"
    assert not Submission.objects.exists()


def test_the_endpoints_need_no_csrf_token(panel, march, esteban):
    strict = Client(enforce_csrf_checks=True)
    response = submit(strict, panel, instance(ANSWERS, end="2024-03-20T10:00:00.000-05:00"))
    assert response.status_code == 201


def test_wave_rule_without_end_uses_today_then_the_current_month():
    with_today = openrosa.parse_instance(
        b"<data><today>2024-02-29</today><B18>5</B18></data>", {"b18"}
    )
    assert openrosa.submission_period(with_today).isoformat() == "2024-02-01"
    assert with_today.values == {"b18": "5"}
    bare = openrosa.parse_instance(b"<data><B18>5</B18></data>", {"b18"})
    assert openrosa.submission_period(bare).day == 1


# --- login throttling and token expiry -----------------------------------------------------


@pytest.fixture
def throttle_limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    settings.LOGIN_LOCKOUT_MINUTES = 15


@pytest.fixture
def fast_passwords(settings, esteban, carlos):
    """A fast hasher: these tests check dozens of wrong passwords (the first keeps Argon2)."""
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.filter(pk__in=[esteban.pk, carlos.pk]).update(password=make_password(PASSWORD))


def head(
    client: Client, panel: Panel, user: str, secret: str = PASSWORD, address: str = "127.0.0.1"
):
    return client.head(url("submission", panel), headers=basic(user, secret), REMOTE_ADDR=address)


def fail(client: Client, panel: Panel, user: str, times: int, address: str = "127.0.0.1"):
    for _attempt in range(times):
        assert head(client, panel, user, "not-the-password", address).status_code in {401, 429}


def test_thirty_wrong_passwords_then_the_right_one_are_answered_429_with_retry_after(
    client, panel, march, esteban, throttle_limits
):
    fail(client, panel, "esteban", 30)
    response = client.get(url("formlist", panel), headers=basic("esteban"))
    assert response.status_code == 429
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    assert message(response)[1] == "Too many failed attempts. Try again in 15 minutes."
    assert response["X-OpenRosa-Version"] == "1.0"
    locked = submit(client, panel, instance(ANSWERS, end="2024-03-20T10:00:00.000-05:00"))
    assert locked.status_code == 429
    assert not Submission.objects.exists()


def test_the_lock_is_for_the_account_at_that_address_then_for_the_address(
    client, panel, march, esteban, carlos, throttle_limits, fast_passwords
):
    grant(carlos, make_organisation("Programa Cauca"), Role.ENUMERATOR, [panel.territory])
    fail(client, panel, "esteban", 5)
    assert head(client, panel, "esteban").status_code == 429
    assert head(client, panel, "carlos").status_code == 204  # another account, same address
    assert head(client, panel, "esteban", address="10.0.0.2").status_code == 204  # elsewhere
    for name in ("ghost1", "ghost2", "ghost3"):
        fail(client, panel, name, 5)  # 20 failures from this address
    assert head(client, panel, "carlos").status_code == 429


def test_the_lock_lifts_once_the_failures_are_older_than_the_cool_off(
    client, panel, march, esteban, throttle_limits, fast_passwords
):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.db.models import F

    fail(client, panel, "esteban", 5)
    assert head(client, panel, "esteban").status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert head(client, panel, "esteban").status_code == 204


def test_a_success_clears_the_failures_of_that_account_at_that_address(
    client, panel, march, esteban, throttle_limits, fast_passwords
):
    fail(client, panel, "esteban", 4)
    assert head(client, panel, "esteban").status_code == 204
    fail(client, panel, "esteban", 4)
    assert head(client, panel, "esteban").status_code == 204


def test_a_lock_out_at_the_openrosa_door_is_in_the_audit_log(
    client, panel, march, esteban, throttle_limits, fast_passwords
):
    from convivencia.accounts.choices import AuditAction
    from convivencia.accounts.models import AuditEntry

    fail(client, panel, "esteban", 12)
    entry = AuditEntry.objects.get(action=AuditAction.LOCKED_OUT)
    assert (entry.object_repr, entry.ip_address, entry.changes["failures"]) == (
        "esteban",
        "127.0.0.1",
        5,
    )


def test_an_expired_token_is_refused_with_a_message_saying_so(client, panel, march, esteban):
    from datetime import timedelta

    from django.utils import timezone

    token, secret = ApiToken.issue(esteban, "ODK Collect")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = client.get(url("formlist", panel), headers=basic("esteban", secret))
    assert response.status_code == 401
    assert "expired" in message(response)[1] and token.prefix in message(response)[1]


# --- concurrency ---------------------------------------------------------------------------


def test_phones_sending_the_same_submission_at_once_on_sqlite_get_201_or_202_never_500(
    tmp_path,
):
    """Eight threads post one instance at the same moment against a SQLite file (in a
    fresh process: the suite's own SQLite database is in memory, which locks otherwise)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).with_name("concurrent_openrosa.py")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    finished = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "openrosa.sqlite3"), "8"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    outcome = json.loads(finished.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["statuses"] == [201] + [202] * 7, finished.stderr[-3000:]
    assert outcome["stored"] == 1
