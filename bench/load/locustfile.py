"""The load test's simulated people, for locust (started by ``bench/load/run.py``).

Four kinds of people, each waiting a think time between requests:

- ``Visitor``: anonymous, on the home page, the evidence dashboard, its detail pages and gap
  map, the indicator explorer and territory pages;
- ``Analyst``: logged in as the demo's analyst, on panel dashboards and the national map,
  and on the API (panel results, interventions, indicator values) with a token;
- ``Provider``: logged in as the demo's police liaison, on the provider view and the
  commitments API;
- ``Enumerator``: ODK Collect sending new interviews over OpenRosa (Basic auth with an API
  token as the password), each with its own instanceID, every id written to a file before
  it is sent so that the run can check that every submission was stored once.

What to ask for (panel codes, ids, tokens, respondent slots) comes from the JSON file named
by ``LOAD_TARGETS``, written by ``run.py``. ``LOAD_THINK`` is the mean think time in seconds
(default 2; each wait is drawn between half and one and a half times it) and
``LOAD_MAX_REQUESTS`` stops the run after that many requests, whatever ``--run-time`` says.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import basic_auth, instance_xml

TARGETS: dict[str, Any] = (
    json.loads(Path(os.environ["LOAD_TARGETS"]).read_text())
    if os.environ.get("LOAD_TARGETS")
    else {}
)
THINK = float(os.environ.get("LOAD_THINK", "2"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "0"))
# What the TLS proxy in front of gunicorn adds (settings: SECURE_PROXY_SSL_HEADER).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "es"}
_requests_seen = itertools.count(1)
_slots_lock = threading.Lock()
_slots = iter(TARGETS.get("slots", []))


def next_slot() -> tuple[str, str] | None:
    """The next (panel, respondent) nobody has answered for yet; None once all are used."""
    with _slots_lock:
        return next(_slots, None)


@events.request.add_listener
def _stop_after_max_requests(**_kwargs: Any) -> None:
    if MAX_REQUESTS and next(_requests_seen) == MAX_REQUESTS:
        runner = _environment.runner if _environment else None
        if runner is not None:
            gevent.spawn(runner.quit)


# Every request's end time, name and duration, for the report's timeline (``run.py``);
# line-buffered, so that nothing is lost however locust stops.
_timeline = (
    open(os.environ["LOAD_TIMELINE"], "a", buffering=1)  # noqa: SIM115
    if os.environ.get("LOAD_TIMELINE")
    else None
)


@events.request.add_listener
def _write_timeline(
    request_type: str, name: str, response_time: float, exception: Any = None, **_kwargs: Any
) -> None:
    if _timeline is not None:
        failed = int(exception is not None)
        _timeline.write(
            f"{time.time():.3f}\t{request_type} {name}\t{response_time:.1f}\t{failed}\n"
        )


_environment: Environment | None = None


@events.init.add_listener
def _remember_environment(environment: Environment, **_kwargs: Any) -> None:
    global _environment
    _environment = environment


class Person(HttpUser):
    abstract = True
    wait_time = between(THINK * 0.5, THINK * 1.5)

    def on_start(self) -> None:
        self.client.headers.update(PROXY_HEADERS)

    def log_in(self, username: str, password: str) -> None:
        """The login form, as a browser fills it (CSRF cookie and token, same origin)."""
        self.client.get("/accounts/login/", name="/accounts/login/")
        self._cookies_over_http()
        origin = self.host.rstrip("/").replace("http://", "https://")
        with self.client.post(
            "/accounts/login/",
            name="/accounts/login/ (POST)",
            allow_redirects=False,
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Origin": origin, "Referer": f"{origin}/accounts/login/"},
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {username} answered {response.status_code}")
        self._cookies_over_http()

    def _cookies_over_http(self) -> None:
        # The site marks its cookies Secure (it believes it is behind TLS); the load test
        # talks plain HTTP on loopback, so the client must be told to send them anyway.
        for cookie in self.client.cookies:
            cookie.secure = False

    def api(self, path: str, name: str) -> None:
        self.client.get(
            path, name=name, headers={"Authorization": f"Bearer {TARGETS['tokens'][self.persona]}"}
        )

    persona = ""  # whose token (TARGETS["tokens"]) the API calls send


class Visitor(Person):
    weight = 30

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(3)
    def evidence(self) -> None:
        self.client.get("/evidence/", name="/evidence/")

    @task(2)
    def evidence_filtered(self) -> None:
        self.client.get("/evidence/?country=CO&focus=policing", name="/evidence/?filters")

    @task(2)
    def intervention(self) -> None:
        pk = random.choice(TARGETS["interventions"])
        self.client.get(f"/evidence/{pk}/", name="/evidence/[id]/")

    @task(1)
    def gap_map(self) -> None:
        self.client.get("/evidence/gap-map/", name="/evidence/gap-map/")

    @task(2)
    def indicators(self) -> None:
        self.client.get("/indicators/", name="/indicators/")

    @task(1)
    def territory(self) -> None:
        pk = random.choice(TARGETS["territories"])
        self.client.get(f"/territories/{pk}/", name="/territories/[id]/")


class Analyst(Person):
    weight = 8
    persona = "analyst"

    def on_start(self) -> None:
        super().on_start()
        self.log_in(TARGETS["analyst"], TARGETS["password"])

    @task(3)
    def dashboard(self) -> None:
        code = random.choice(TARGETS["panels"])
        self.client.get(f"/panels/{code}/", name="/panels/[code]/")

    @task(1)
    def national_map(self) -> None:
        self.client.get("/panels/map/", name="/panels/map/")

    @task(3)
    def results(self) -> None:
        code = random.choice(TARGETS["panels"])
        self.api(f"/api/v1/panels/{code}/results", "/api/v1/panels/[code]/results")

    @task(3)
    def interventions(self) -> None:
        self.api("/api/v1/interventions/", "/api/v1/interventions/")

    @task(2)
    def indicator_values(self) -> None:
        code = random.choice(TARGETS["indicators"])
        place = random.choice(TARGETS["municipalities"])
        year = random.choice(TARGETS["years"])
        self.api(
            f"/api/v1/indicators/{code}/values?territory=divipola:{place}&period={year}",
            "/api/v1/indicators/[code]/values",
        )


class Provider(Person):
    weight = 5
    persona = "provider"

    def on_start(self) -> None:
        super().on_start()
        self.log_in(TARGETS["provider"], TARGETS["password"])

    @task(3)
    def provider_view(self) -> None:
        self.client.get("/panels/provider/", name="/panels/provider/")

    @task(2)
    def commitments(self) -> None:
        self.api("/api/v1/dialogues/commitments/", "/api/v1/dialogues/commitments/")


class Enumerator(Person):
    weight = 7

    @task
    def submit(self) -> None:
        slot = next_slot()
        if slot is None:  # every respondent of the load panels has answered
            return
        panel, respondent = slot
        instance_id = f"uuid:{uuid.uuid4()}"
        # Written before sending: a submission lost on the way still counts as sent.
        with open(TARGETS["sent_file"], "a", encoding="utf-8") as sent:
            sent.write(f"{panel} {respondent} {instance_id}\n")
        xml = instance_xml(respondent, TARGETS["end"], instance_id, tuple(TARGETS["forms"][panel]))
        with self.client.post(
            f"/panels/collect/{panel}/openrosa/submission",
            name="/panels/collect/[code]/openrosa/submission",
            files={"xml_submission_file": ("submission.xml", xml, "text/xml")},
            headers={
                "Authorization": basic_auth(TARGETS["enumerator"], TARGETS["tokens"]["enumerator"]),
                "X-OpenRosa-Version": "1.0",
            },
            catch_response=True,
        ) as response:
            # Every answer, written as it comes: the run checks that each submission the
            # server acknowledged is stored once, and sends again (as ODK Collect does)
            # those that got no answer because the run ended while they were on the way.
            with open(TARGETS["answered_file"], "a", encoding="utf-8") as answered:
                answered.write(f"{instance_id} {response.status_code}\n")
            if response.status_code not in (201, 202):
                response.failure(f"{response.status_code}: {response.text[:200]}")
