"""The OpenRosa endpoints against independent clients over a real socket (pytest-django's
``live_server``): ``requests``' HTTPDigestAuth and HTTPBasicAuth, and ``curl --digest``.

Digest is accepted over plain HTTP (the password never crosses the network); Basic is
refused over plain HTTP and accepted when the request is HTTPS — here, as in production,
behind a proxy whose ``X-Forwarded-Proto`` header the settings trust
(``SECURE_PROXY_SSL_HEADER``, set when DEBUG is off). The submissions are ODK Central's
own (``tests/data/odk-central``) on a panel of their form, and test_openrosa's instance on
the panel of the default questionnaire.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
from collections.abc import Iterator

import pytest
import requests
from defusedxml.ElementTree import fromstring
from django.db import connection
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from convivencia.panels import openrosa_auth
from convivencia.panels.models import Submission
from tests.factories import PASSWORD
from tests.panels import test_openrosa as base
from tests.panels import test_openrosa_odk_central_data as central
from tests.panels.test_openrosa import ANSWERS, url

places, panel, march, esteban, fresh_cache = (
    base.places,
    base.panel,
    base.march,
    base.esteban,
    base.fresh_cache,
)
simple = central.simple

RESPONSE_NS = "{http://openrosa.org/http/response}"
TIMEOUT = 30


def _sqlite_audit_triggers(*, on: bool) -> None:
    """Drop (or recreate) the SQLite triggers that keep the audit log append-only:
    the live server's tests are emptied with DELETE afterwards, which they refuse
    (PostgreSQL empties them with TRUNCATE, which they let through)."""
    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("convivencia.accounts.migrations.0002_audit_append_only")
    statements = migration.SQLITE_BACKWARD + (migration.SQLITE_FORWARD if on else [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _audit_log_flushable(transactional_db) -> Iterator[None]:
    """The triggers hold during each test and are lifted for the flush that follows it."""
    _sqlite_audit_triggers(on=True)
    yield
    _sqlite_audit_triggers(on=False)


@pytest.fixture(scope="module", autouse=True)
def _audit_triggers_back_after_the_module(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _sqlite_audit_triggers(on=True)


@pytest.fixture
def production_proxy(settings):
    """Basic only over HTTPS, and HTTPS known from the proxy's header, as with DEBUG off."""
    settings.OPENROSA_BASIC_OVER_HTTP = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def the_message(response: requests.Response) -> str:
    element = fromstring(response.content).find(f"{RESPONSE_NS}message")
    assert element is not None
    return element.text or ""


# --- requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "forwarded"),
    [("MD5", "http"), ("SHA-256", "http"), ("MD5", "https")],
)
def test_requests_digest_login_lists_the_form_and_submits(
    live_server, production_proxy, panel, march, esteban, algorithm, forwarded
):
    production_proxy.OPENROSA_DIGEST_ALGORITHM = algorithm
    password = openrosa_auth.issue(esteban)
    auth = HTTPDigestAuth("esteban", password)
    # Over HTTPS the challenge offers Basic too, in the same header, after Digest.
    proto = {"X-Forwarded-Proto": forwarded}
    challenge = requests.get(
        live_server.url + url("formlist", panel), headers=proto, timeout=TIMEOUT
    ).headers["WWW-Authenticate"]
    assert (", Basic realm=" in challenge) == (forwarded == "https")
    listing = requests.get(
        live_server.url + url("formlist", panel), auth=auth, headers=proto, timeout=TIMEOUT
    )
    assert listing.status_code == 200, listing.text
    assert "<formID>popayan</formID>" in listing.text
    assert listing.headers["X-OpenRosa-Version"] == "1.0"

    xml = base.instance(ANSWERS, end="2024-03-15T10:00:00.000-05:00")
    sent = requests.post(
        live_server.url + url("submission", panel),
        files={"xml_submission_file": ("submission.xml", xml, "text/xml")},
        headers={**proto, "X-OpenRosa-Version": "1.0", "Accept-Language": "en"},
        auth=auth,
        timeout=TIMEOUT,
    )
    assert sent.status_code == 201, sent.text
    assert Submission.objects.get().enumerator == esteban


def test_requests_digest_with_a_wrong_password_is_refused(live_server, panel, esteban):
    openrosa_auth.issue(esteban)
    response = requests.get(
        live_server.url + url("formlist", panel),
        auth=HTTPDigestAuth("esteban", "not-the-password"),
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Digest realm="Convivencia"')


def test_requests_basic_is_refused_over_plain_http_even_with_the_right_password(
    live_server, production_proxy, panel, esteban
):
    response = requests.get(
        live_server.url + url("formlist", panel),
        auth=HTTPBasicAuth("esteban", PASSWORD),
        timeout=TIMEOUT,
    )
    assert response.status_code == 401
    assert the_message(response) == (
        "Basic login is accepted over HTTPS only: use the server's https:// address, "
        "or log in with your ODK Collect password."
    )
    assert "Basic" not in response.headers["WWW-Authenticate"]


def test_requests_basic_is_accepted_over_https_behind_the_trusted_proxy(
    live_server, production_proxy, simple, esteban
):
    https = {"X-Forwarded-Proto": "https"}
    auth = HTTPBasicAuth("esteban", PASSWORD)
    listing = requests.get(
        live_server.url + url("formlist", simple), auth=auth, headers=https, timeout=TIMEOUT
    )
    assert listing.status_code == 200, listing.text
    # Collect downloads the form from the address the list gives: https, as it was asked.
    assert "<downloadUrl>https://" in listing.text

    sent = requests.post(
        live_server.url + url("submission", simple),
        files={
            "xml_submission_file": ("submission.xml", central.artefact("submission-simple-one.xml"))
        },
        auth=auth,
        headers={**https, "Accept-Language": "en"},
        timeout=TIMEOUT,
    )
    assert sent.status_code == 201, sent.text
    assert Submission.objects.get().respondent.code == "Alice"


def test_a_forwarded_proto_header_is_not_trusted_when_the_settings_name_no_proxy(
    live_server, settings, panel, esteban
):
    settings.OPENROSA_BASIC_OVER_HTTP = False
    settings.SECURE_PROXY_SSL_HEADER = None
    response = requests.get(
        live_server.url + url("formlist", panel),
        auth=HTTPBasicAuth("esteban", PASSWORD),
        headers={"X-Forwarded-Proto": "https"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 401


# --- curl ----------------------------------------------------------------------------------------

CURL = shutil.which("curl")
needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed on this machine")


def curl(*args: str) -> tuple[int, str]:
    """(HTTP status, body) of a curl run."""
    assert CURL is not None
    done = subprocess.run(
        [
            CURL,
            "--silent",
            "--show-error",
            "--max-time",
            str(TIMEOUT),
            "-w",
            "\n%{http_code}",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    body, _newline, status = done.stdout.rpartition("\n")
    return int(status), body


@needs_curl
def test_curl_digest_lists_the_form_and_submits_an_odk_central_submission(
    live_server, production_proxy, simple, esteban, tmp_path
):
    password = openrosa_auth.issue(esteban)
    login = ["--digest", "--user", f"esteban:{password}", "-H", "X-OpenRosa-Version: 1.0"]
    status, body = curl(*login, live_server.url + url("formlist", simple))
    assert status == 200, body
    assert "<formID>central-simple</formID>" in body
    # Over HTTPS the challenge offers Basic after Digest: curl still answers the Digest one.
    https = ["-H", "X-Forwarded-Proto: https"]
    status, body = curl(*login, *https, live_server.url + url("formlist", simple))
    assert status == 200, body

    submission = tmp_path / "submission.xml"
    submission.write_bytes(central.artefact("submission-simple-two.xml"))
    status, body = curl(
        *login,
        "-H",
        "Accept-Language: en",
        "-F",
        f"xml_submission_file=@{submission};type=text/xml",
        live_server.url + url("submission", simple),
    )
    assert status == 201, body
    assert Submission.objects.get().respondent.code == "Bob"


@needs_curl
def test_curl_basic_over_plain_http_is_refused(live_server, production_proxy, simple, esteban):
    status, body = curl(
        "--basic", "--user", f"esteban:{PASSWORD}", live_server.url + url("formlist", simple)
    )
    assert status == 401
    assert "Basic login is accepted over HTTPS only" in body
