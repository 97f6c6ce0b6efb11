"""A bounded load test on loopback: gunicorn (2 workers) + PostgreSQL (+ Redis) + one job worker.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/load \\
    CACHE_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/load/run.py --users 50 --run-time 180 --max-requests 20000 --import

What it does, in order, and undoes at the end whatever happens:

1. the database named by ``DATABASE_URL`` (PostgreSQL only) is created if missing, migrated,
   and given the demo's data when it has none; with ``--scale national`` the national data
   is added once (``national.py``: 1,122 panels × 50 leaders × 36 waves, ~10 M crime values)
   and reused by later runs (``--build-only`` stops there);
2. ``collectstatic`` into a temporary ``VAR_DIR``; the cache named by ``CACHE_URL`` is
   emptied (give the run a Redis database of its own); production settings (``DEBUG=false``,
   a fresh ``SECRET_KEY`` and ``CONTACT_ENCRYPTION_KEY``, ``ALLOWED_HOSTS=127.0.0.1``);
3. panels for the load (``carga-NN``, 50 respondents each, this month's wave open) and one
   for the freshness probe (``carga-frescura``); API tokens for the demo's analyst,
   provider, enumerator and administrator;
4. gunicorn with 2 workers on a free loopback port and one ``convivencia worker``;
5. locust, headless, with ``--users``, ``--spawn-rate``, a hard ``--run-time`` and a stop
   after ``--max-requests``; with ``--import``, at the same moment, a job importing a
   KoBoToolbox-shaped CSV of ``--import-rows`` interviews into a panel of its own;
6. meanwhile the freshness probe: one submission at a time to ``carga-frescura``, by
   OpenRosa, the web form and a one-row import job in turn, then the panel's results API
   and its dashboard page are read until both show it (time from acceptance to the first
   read of each that does);
7. checks: every instanceID sent over OpenRosa was acknowledged (those the time limit
   cut off unanswered are sent again first, as ODK Collect does) and is stored exactly
   once; the import job finished and stored its rows;
8. writes ``report.md`` and ``report.json`` (``--output``, default ``bench/load/``): per
   endpoint requests, errors, median, p95, max and throughput; freshness; every 10 s of
   the run; the CPU each part used (``cpu.py``); the checks.

Everything listens on 127.0.0.1 and stops by itself. The process exits 1 when a target is
missed (an endpoint's p95 ≥ 300 ms, an error, a submission not acknowledged or not stored
once, freshness p95 ≥ 1 s).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cpu  # noqa: E402
from instances import ANSWERS, basic_auth, instance_xml  # noqa: E402

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
LOAD_PANELS = 40
LEADERS = 50
# Panels of one run are named after it: a panel with answers cannot be deleted.
RUN = uuid.uuid4().hex[:6]
FRESHNESS_PANEL = f"carga-{RUN}-frescura"
IMPORT_PANEL = f"carga-{RUN}-importacion"
P95_TARGET_MS = 300
FRESHNESS_TARGET_S = 1.0
STARTUP_SECONDS = 120
DEMO_PASSWORD = "convivencia-demo"  # noqa: S105 — every demo login's, printed by load_demo
PEOPLE = ["Visitor", "Analyst", "Provider", "Enumerator"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        choices=["demo", "national"],
        default="demo",
        help="the data served: the demo's, or national (built once on top of it: 1,122 "
        "panels × 50 leaders × 36 waves and ~10 M crime values; see national.py)",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="prepare the database (and the national data) and stop before serving",
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=2,
        help="users started per second (default 2: the 50 arrive over 25 s, while the "
        "import runs; at 10 the 13 logins fall within the import's first seconds, see "
        "bench/README.md)",
    )
    parser.add_argument("--run-time", type=int, default=180, help="seconds, a hard limit")
    parser.add_argument(
        "--max-requests", type=int, default=20000, help="stop once this many requests were made"
    )
    parser.add_argument("--think", type=float, default=2.0, help="mean think time, seconds")
    parser.add_argument(
        "--people",
        nargs="+",
        default=PEOPLE,
        choices=PEOPLE,
        help="which simulated people (default all; without Enumerator the run is read-only)",
    )
    parser.add_argument(
        "--import",
        dest="with_import",
        action="store_true",
        help="run a large import job at the same time",
    )
    parser.add_argument("--import-rows", type=int, default=5000)
    parser.add_argument(
        "--freshness-interval", type=float, default=3.0, help="seconds between two freshness probes"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="gunicorn threads per worker (1: gunicorn's sync workers)",
    )
    parser.add_argument(
        "--wsgi",
        default="convivencia.wsgi",
        help="the WSGI module gunicorn serves (to compare another start-up)",
    )
    parser.add_argument("--output", type=Path, default=HERE)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_env(work: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgresql://", "postgres://")):
        raise SystemExit(
            "DATABASE_URL must name a PostgreSQL database "
            "(postgresql://user@127.0.0.1:5432/name); it is created if missing"
        )
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "CONTACT_ENCRYPTION_KEY": os.environ.get("CONTACT_ENCRYPTION_KEY")
        or Fernet.generate_key().decode(),
        "VAR_DIR": str(work),
        "CACHE_URL": os.environ.get("CACHE_URL", "locmem://"),
        "LOG_LEVEL": "WARNING",
    }


def ensure_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')  # the operator's own URL
            print(f"created database {name}")


def convivencia(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [str(BIN / "convivencia"), *arguments], env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepare(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """Database, static files, load panels and tokens; the targets the locustfile reads."""
    started = time.perf_counter()
    ensure_database(env["DATABASE_URL"])
    convivencia(env, "migrate", "--no-input")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivencia.settings")
    import django

    django.setup()
    from convivencia.evidence.models import Intervention

    if not Intervention.objects.exists():
        print("loading the demo's data …")
        convivencia(env, "load_demo")
    if args.scale == "national":
        import national

        if national.is_built():
            print("national data: already built, reused")
        else:
            print("building the national data (once; later runs reuse it) …")
            built = time.perf_counter()
            seconds = national.build()
            print(f"national data built in {time.perf_counter() - built:,.0f} s: {seconds}")
    convivencia(env, "collectstatic", "--no-input")
    from django.core.cache import cache

    # Every run starts cold, and entries pickled by another version of the code are gone.
    cache.clear()
    if args.build_only:
        return {}
    targets = build_targets(args)
    print(f"prepared in {time.perf_counter() - started:.0f} s")
    return targets


def build_targets(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from convivencia.accounts.models import ApiToken
    from convivencia.evidence.models import Intervention
    from convivencia.indicators.models import DataValue, Indicator
    from convivencia.panels.models import Panel
    from convivencia.territories.models import Territory

    users = get_user_model().objects
    names = {
        # At national scale the analyst sees the whole country (every panel, the map of
        # 1,122 municipalities); the demo's analyst sees five departments.
        "analyst": "analista.nacional" if args.scale == "national" else "analista",
        "provider": "policia.popayan",
        "enumerator": "encuestador.cauca",
        "admin": "admin",
    }
    tokens = {
        key: ApiToken.issue(users.get(username=name), "load test", days=1)[1]
        for key, name in names.items()
    }
    popayan = Territory.objects.get(codes__scheme="divipola", codes__code="19001")
    load_panels = [
        make_panel(f"carga-{RUN}-{number:02d}", popayan) for number in range(LOAD_PANELS)
    ]
    make_panel(FRESHNESS_PANEL, popayan, leaders=1000)
    demo_panels = list(
        Panel.objects.exclude(code__startswith="carga-").values_list("code", flat=True)
    )
    return {
        **names,
        "password": DEMO_PASSWORD,
        "tokens": tokens,
        "panels": demo_panels,
        "interventions": list(Intervention.objects.published().values_list("pk", flat=True)),
        "territories": list(
            Territory.objects.filter(codes__scheme="divipola")
            .values_list("pk", flat=True)
            .distinct()
        ),
        "indicators": list(Indicator.objects.values_list("code", flat=True)),
        "municipalities": list(
            Panel.objects.filter(
                code__startswith="nacional-" if args.scale == "national" else "demo-"
            )
            .values_list("territory__codes__code", flat=True)
            .filter(territory__codes__scheme="divipola")
        ),
        "years": sorted({value.year for value in DataValue.objects.dates("start", "year")}),
        "slots": [
            (panel.code, respondent)
            for panel in load_panels
            for respondent in respondent_codes(LEADERS)
        ],
        # Each panel's form id and version, as ODK Collect reads them from the form list.
        "forms": {
            panel.code: form_of(panel)
            for panel in [*load_panels, Panel.objects.get(code=FRESHNESS_PANEL)]
        },
        "end": now_in_site_zone(),
    }


def form_of(panel: Any) -> tuple[str, str]:
    from convivencia.panels import openrosa

    form = openrosa.xform_for(panel)
    return form.form_id, form.version


def respondent_codes(count: int) -> list[str]:
    return [f"L{number:05d}" for number in range(1, count + 1)]


def make_panel(code: str, territory: Any, leaders: int = LEADERS) -> Any:
    """A fresh panel of ``leaders`` respondents with this month's wave open."""
    from convivencia.panels import services
    from convivencia.panels.models import Panel, Respondent
    from convivencia.panels.questionnaire_default import ensure_default_questionnaire

    panel = Panel.objects.create(
        code=code, territory=territory, questionnaire=ensure_default_questionnaire()
    )
    Respondent.objects.bulk_create(
        Respondent(panel=panel, code=respondent, role="jac")
        for respondent in respondent_codes(leaders)
    )
    services.open_wave(panel, this_month(), None)
    return panel


def this_month() -> str:
    from django.utils import timezone

    return timezone.localdate().strftime("%Y-%m")


def now_in_site_zone() -> str:
    from django.utils import timezone

    return timezone.localtime().isoformat(timespec="milliseconds")


def enqueue_import(
    rows: int,
    work: Path,
    *,
    panel_code: str | None = None,
    respondents: list[str] | None = None,
    name: str = "kobo-export",
) -> str:
    """A job importing ``rows`` interviews, as the upload page's confirmation creates it:
    into a new panel of ``rows`` leaders, or for ``respondents`` of ``panel_code``."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import UploadedFile

    from convivencia.jobs import services as jobs
    from convivencia.panels.jobs import IMPORT_JOB
    from convivencia.territories.models import Territory

    if panel_code is None:
        popayan = Territory.objects.get(codes__scheme="divipola", codes__code="19001")
        panel_code = make_panel(IMPORT_PANEL, popayan, leaders=rows).code
        respondents = respondent_codes(rows)
    assert respondents is not None
    path = work / f"{name}-{uuid.uuid4().hex[:8]}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "respondent",
                *(f"grupo_confianza/{code}" if code.startswith("B") else code for code in ANSWERS),
                "end",
                "_uuid",
            ]
        )
        end = now_in_site_zone()
        for respondent in respondents:
            writer.writerow([respondent, *ANSWERS.values(), end, str(uuid.uuid4())])
    with path.open("rb") as handle:
        job = jobs.enqueue(
            IMPORT_JOB,
            f"Load test import of {len(respondents)} interviews",
            {
                "panel": panel_code,
                "wave": this_month(),
                "file_name": path.name,
                "accept_valid": False,
            },
            # The job checks that whoever started it still collects for the panel.
            user=get_user_model().objects.get(username="admin"),
            upload=UploadedFile(handle, name=path.name),
        )
    return str(job.pk)


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A child process in its own group, stopped (and its children) on the way out."""
    with log.open("wb") as output:
        child = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield child
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(
            method, path, body=body, headers={"X-Forwarded-Proto": "https", **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start ({server.returncode})")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer within {STARTUP_SECONDS} s")


def multipart(xml: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
            f'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n'
        ).encode()
        + xml
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


RETENTION_ROW = re.compile(
    r'<th scope="row">(?P<wave>[0-9-]+)</th>\s*<td>[^<]*</td>\s*'
    r'<td class="num">\d+</td>\s*<td class="num">(?P<answered>\d+)</td>'
)
CHANNELS = ("openrosa", "web", "file")


class FreshnessProbe(threading.Thread):
    """One submission at a time, then the results API and the dashboard page read until
    both count it.

    Submissions take the three ways in, in turn: OpenRosa (accepted at its 201), the web
    form (accepted at the redirect after its POST) and a file import job of one interview
    (accepted when the job has committed: its ``finished_at``). For each, the time from
    acceptance to the first read of the API (``/api/v1/panels/<code>/results``, B18's n)
    and of the dashboard page (``/panels/<code>/``, the wave's "Answered" in the
    retention table) that shows it.
    """

    def __init__(
        self,
        port: int,
        targets: dict[str, Any],
        interval: float,
        stop: threading.Event,
        work: Path | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.targets, self.interval, self.stop = port, targets, interval, stop
        self.work = work
        self.samples: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.stored = 0
        self.session: Any = None

    @property
    def delays(self) -> list[float]:
        """The later of the two delays of each probe (what "fresh everywhere" waited)."""
        return [max(sample["api_s"], sample["page_s"]) for sample in self.samples]

    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_in(self) -> None:
        import requests

        session = requests.Session()
        session.headers.update({"X-Forwarded-Proto": "https", "Accept-Language": "es"})
        session.get(f"{self.base()}/accounts/login/", timeout=60)
        self.session = session
        self.unsecure_cookies()
        origin = self.base().replace("http://", "https://")
        answer = session.post(
            f"{self.base()}/accounts/login/",
            data={
                "username": self.targets["admin"],
                "password": self.targets["password"],
                "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
            },
            headers={"Origin": origin, "Referer": f"{origin}/accounts/login/"},
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"the probe's login answered {answer.status_code}")
        self.unsecure_cookies()

    def unsecure_cookies(self) -> None:
        # The site marks cookies Secure (it believes it is behind TLS): sent anyway here.
        for cookie in self.session.cookies:
            cookie.secure = False

    def get(self, path: str) -> Any:
        self.unsecure_cookies()
        return self.session.get(f"{self.base()}{path}", timeout=60, allow_redirects=False)

    def counted_by_api(self) -> int:
        status, body = request(
            self.port,
            "GET",
            f"/api/v1/panels/{FRESHNESS_PANEL}/results",
            headers={"Authorization": f"Bearer {self.targets['tokens']['admin']}"},
        )
        if status != 200:
            raise RuntimeError(f"results answered {status}: {body[:200]!r}")
        results = json.loads(body)["results"]
        b18 = next(result for result in results if result["item"] == "B18")
        return b18["n"] or 0

    def counted_by_page(self) -> int:
        answer = self.get(f"/panels/{FRESHNESS_PANEL}/")
        if answer.status_code != 200:
            raise RuntimeError(f"the dashboard answered {answer.status_code}")
        month = this_month()
        for row in RETENTION_ROW.finditer(answer.text):
            if row["wave"] == month:
                return int(row["answered"])
        return 0

    def submit_openrosa(self, respondent: str) -> float | None:
        auth = basic_auth(self.targets["enumerator"], self.targets["tokens"]["enumerator"])
        body, content_type = multipart(
            instance_xml(
                respondent,
                self.targets["end"],
                f"uuid:{uuid.uuid4()}",
                tuple(self.targets["forms"][FRESHNESS_PANEL]),
            )
        )
        status, _answer = request(
            self.port,
            "POST",
            f"/panels/collect/{FRESHNESS_PANEL}/openrosa/submission",
            body,
            {"Content-Type": content_type, "Authorization": auth, "X-OpenRosa-Version": "1.0"},
        )
        accepted = time.perf_counter()
        if status != 201:
            self.problems.append(f"OpenRosa submission answered {status}")
            return None
        return accepted

    def submit_web(self, respondent: str) -> float | None:
        path = f"/panels/collect/{FRESHNESS_PANEL}/form/"
        page = self.get(f"{path}?wave={this_month()}")
        token = self.session.cookies.get("csrftoken", "")
        data: dict[str, Any] = {
            "csrfmiddlewaretoken": token,
            "wave": this_month(),
            "respondent": respondent,
            "instance_id": f"uuid:{uuid.uuid4()}",
        }
        for code, value in ANSWERS.items():
            data[code] = value.split() if code == "PROBLEMS" else value
        origin = self.base().replace("http://", "https://")
        self.unsecure_cookies()
        answer = self.session.post(
            f"{self.base()}{path}",
            data=data,
            headers={"Origin": origin, "Referer": f"{origin}{path}"},
            allow_redirects=False,
            timeout=60,
        )
        accepted = time.perf_counter()
        if page.status_code != 200 or answer.status_code != 302:
            self.problems.append(f"web form answered {page.status_code} then {answer.status_code}")
            return None
        return accepted

    def submit_file(self, respondent: str) -> float | None:
        """A job importing one interview; accepted when the job committed."""
        from convivencia.jobs.models import Job

        assert self.work is not None
        job_id = enqueue_import(
            1, self.work, panel_code=FRESHNESS_PANEL, respondents=[respondent], name="probe"
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = Job.objects.get(pk=job_id)
            if job.is_finished:
                if job.status != "succeeded" or job.finished_at is None:
                    self.problems.append(f"probe import job {job.status}")
                    return None
                # finished_at is the worker's clock (same machine) when it committed.
                behind = time.time() - job.finished_at.timestamp()
                return time.perf_counter() - max(behind, 0.0)
            time.sleep(0.02)
        self.problems.append("probe import job not finished after 60 s")
        return None

    def run(self) -> None:
        respondents = iter(respondent_codes(1000))
        channels = itertools.cycle(CHANNELS)
        try:
            self.log_in()
        except (OSError, RuntimeError) as error:
            self.problems.append(f"login: {error}")
            return
        while not self.stop.wait(self.interval):
            respondent = next(respondents, None)
            if respondent is None:
                return
            channel = next(channels)
            try:
                submit = {
                    "openrosa": self.submit_openrosa,
                    "web": self.submit_web,
                    "file": self.submit_file,
                }[channel]
                accepted = submit(respondent)
                if accepted is None:
                    continue
                self.stored += 1
                sample = self.wait_until_counted(channel, accepted)
                if sample is None:
                    return
                self.samples.append(sample)
            except Exception as error:  # a probe's failure is reported, not raised
                self.problems.append(f"{channel}: {error}")

    def wait_until_counted(self, channel: str, accepted: float) -> dict[str, Any] | None:
        sample: dict[str, Any] = {"channel": channel, "api_reads": 0, "page_reads": 0}
        while "api_s" not in sample or "page_s" not in sample:
            if time.perf_counter() - accepted > 30:
                self.problems.append(f"{channel} submission {self.stored} not shown after 30 s")
                return None
            for where, read in (("api", self.counted_by_api), ("page", self.counted_by_page)):
                if f"{where}_s" in sample:
                    continue
                sample[f"{where}_reads"] += 1
                if read() >= self.stored:
                    sample[f"{where}_s"] = time.perf_counter() - accepted
            time.sleep(0.01)
        return sample


def freshness_summary(samples: list[dict[str, Any]], problems: list[str]) -> dict[str, Any]:
    """Median, p95 and max for each place (api, page) and way in, and overall."""

    def figures(values: list[float]) -> dict[str, float]:
        return {
            "median_s": statistics.median(values) if values else 0.0,
            "p95_s": percentile(values, 0.95) if values else 0.0,
            "max_s": max(values, default=0.0),
        }

    overall = [max(sample["api_s"], sample["page_s"]) for sample in samples]
    by: dict[str, Any] = {}
    for channel in CHANNELS:
        chosen = [sample for sample in samples if sample["channel"] == channel]
        by[channel] = {
            "samples": len(chosen),
            "api": figures([sample["api_s"] for sample in chosen]),
            "page": figures([sample["page_s"] for sample in chosen]),
        }
    return {
        "samples": len(samples),
        **figures(overall),
        "counted_on_first_read": sum(
            1 for sample in samples if sample["api_reads"] == 1 and sample["page_reads"] == 1
        ),
        "by_channel": by,
        "problems": problems[:10],
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    rows = []
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                {
                    "method": row["Type"],
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "errors": int(row["Failure Count"]),
                    "median_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "max_ms": float(row["Max Response Time"] or 0),
                    "rps": float(row["Requests/s"] or 0),
                }
            )
    return rows


TIMELINE_WINDOW_S = 10


def read_timeline(path: Path, window: int = TIMELINE_WINDOW_S) -> list[dict[str, Any]]:
    """Requests by ``window``-second stretch of the run: count, median, p95, max, slowest endpoint.

    A p95 over the whole run hides when the slow requests came: users arriving and
    logging in, the import job, a cold cache; this says which stretch they fell in.
    """
    if not path.exists():
        return []
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.count("\t") == 3]
    if not rows:
        return []
    start = min(float(row[0]) for row in rows)
    windows: dict[int, list[tuple[str, float]]] = {}
    for ended, name, milliseconds, _failed in rows:
        windows.setdefault(int((float(ended) - start) // window), []).append(
            (name, float(milliseconds))
        )
    summary = []
    for index in sorted(windows):
        times = sorted(ms for _name, ms in windows[index])
        slowest_name, slowest_ms = max(windows[index], key=lambda pair: pair[1])
        summary.append(
            {
                "from_s": index * window,
                "to_s": (index + 1) * window,
                "requests": len(times),
                "median_ms": statistics.median(times),
                "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
                "max_ms": slowest_ms,
                "slowest": slowest_name,
            }
        )
    return summary


def resend_unanswered(port: int, targets: dict[str, Any], sent: Path, answered: Path) -> int:
    """Send again the submissions that got no answer, as ODK Collect does; how many.

    The run's time limit stops simulated enumerators wherever they are, sometimes with
    a submission written down as sent but never answered. Collect keeps such a form
    as not sent and sends it again; the server must then store it once (or say it has
    it already, if the first attempt got through).
    """
    statuses = _answers(answered)
    auth = basic_auth(targets["enumerator"], targets["tokens"]["enumerator"])
    again = 0
    for line in sent.read_text().splitlines() if sent.exists() else []:
        panel, respondent, instance_id = line.split()
        if instance_id in statuses:
            continue
        body, content_type = multipart(
            instance_xml(respondent, targets["end"], instance_id, tuple(targets["forms"][panel]))
        )
        status, _answer = request(
            port,
            "POST",
            f"/panels/collect/{panel}/openrosa/submission",
            body,
            {"Content-Type": content_type, "Authorization": auth, "X-OpenRosa-Version": "1.0"},
        )
        with answered.open("a", encoding="utf-8") as handle:
            handle.write(f"{instance_id} {status}\n")
        again += 1
    return again


def _answers(answered: Path) -> dict[str, str]:
    """{instance id: the last status the server answered}."""
    if not answered.exists():
        return {}
    return dict(line.split() for line in answered.read_text().splitlines() if line.strip())


def stored_once(sent_file: Path, answered_file: Path, sent_again: int = 0) -> dict[str, Any]:
    """Every submission sent: acknowledged (201, or 202 for one already there), and stored once."""
    from django.db.models import Count

    from convivencia.panels.models import Submission

    sent = (
        [line.split()[2] for line in sent_file.read_text().splitlines()]
        if sent_file.exists()
        else []
    )
    statuses = _answers(answered_file)
    stored = (
        Submission.objects.filter(instance_id__in=sent)
        .values("instance_id")
        .annotate(copies=Count("pk"))
    )
    copies = {row["instance_id"]: row["copies"] for row in stored}
    return {
        "sent": len(sent),
        "stored": sum(copies.values()),
        "missing": len([instance for instance in sent if instance not in copies]),
        "duplicated": len([n for n in copies.values() if n > 1]),
        "not_acknowledged": len(
            [instance for instance in sent if statuses.get(instance) not in ("201", "202")]
        ),
        "sent_again": sent_again,
    }


def import_outcome(job_id: str | None, rows: int) -> dict[str, Any] | None:
    if job_id is None:
        return None
    from convivencia.jobs.models import Job
    from convivencia.panels.models import Submission

    job = Job.objects.get(pk=job_id)
    seconds = (
        (job.finished_at - job.started_at).total_seconds()
        if job.finished_at and job.started_at
        else None
    )
    return {
        "rows": rows,
        "status": job.status,
        "seconds": seconds,
        "stored": Submission.objects.filter(wave__panel__code=IMPORT_PANEL).count(),
    }


def write_report(output: Path, summary: dict[str, Any]) -> list[str]:
    """report.json and report.md; the targets missed, in words."""
    missed = []
    for row in summary["endpoints"]:
        if row["name"] == "Aggregated":
            continue
        if row["p95_ms"] >= P95_TARGET_MS:
            missed.append(f"{row['method']} {row['name']}: p95 {row['p95_ms']:.0f} ms")
        if row["errors"]:
            missed.append(f"{row['method']} {row['name']}: {row['errors']} errors")
    checks = summary["submissions"]
    if (
        checks["sent"] != checks["stored"]
        or checks["duplicated"]
        or checks["missing"]
        or checks.get("not_acknowledged")
    ):
        missed.append(
            f"OpenRosa: sent {checks['sent']}, stored {checks['stored']}, "
            f"not acknowledged {checks.get('not_acknowledged', 0)}"
        )
    fresh = summary["freshness"]
    probed = checks["sent"] > 0  # the probe runs only beside enumerators
    if (
        (probed and not fresh["samples"])
        or fresh["p95_s"] >= FRESHNESS_TARGET_S
        or fresh["problems"]
    ):
        missed.append(f"freshness: {fresh}")
    job = summary["import"]
    if job is not None and (job["status"] != "succeeded" or job["stored"] != job["rows"]):
        missed.append(f"import job: {job}")
    summary["missed"] = missed
    output.mkdir(parents=True, exist_ok=True)
    (output / "report.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    lines = [
        "# Load test report",
        "",
        f"{summary['started']}; {summary['settings']}",
        "",
        "| endpoint | requests | errors | median ms | p95 ms | max ms | req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary["endpoints"]:
        lines.append(
            f"| {row['method']} {row['name']} | {row['requests']} | {row['errors']} | "
            f"{row['median_ms']:.0f} | {row['p95_ms']:.0f} | {row['max_ms']:.0f} | "
            f"{row['rps']:.2f} |"
        )
    lines += [
        "",
        f"OpenRosa submissions: sent {checks['sent']}, stored {checks['stored']}, "
        f"missing {checks['missing']}, stored twice {checks['duplicated']}, "
        f"not acknowledged {checks.get('not_acknowledged', 0)}; sent again after the run "
        f"because the time limit cut them off unanswered: {checks.get('sent_again', 0)}.",
        "",
        f"Freshness (accepted → shown by both the results API and the dashboard page), "
        f"{fresh['samples']} probes: median {fresh['median_s']:.3f} s, "
        f"p95 {fresh['p95_s']:.3f} s, max {fresh['max_s']:.3f} s; shown by the first read "
        f"of each after acceptance in {fresh.get('counted_on_first_read', 0)} of "
        f"{fresh['samples']}; problems: {fresh['problems'] or 'none'}.",
    ]
    if fresh.get("by_channel"):
        lines += [
            "",
            "| way in | probes | API median s | API p95 s | page median s | page p95 s |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for channel, figures in fresh["by_channel"].items():
            lines.append(
                f"| {channel} | {figures['samples']} | {figures['api']['median_s']:.3f} | "
                f"{figures['api']['p95_s']:.3f} | {figures['page']['median_s']:.3f} | "
                f"{figures['page']['p95_s']:.3f} |"
            )
    if job is not None:
        lines += ["", f"Import job during the run: {job}."]
    if summary.get("timeline"):
        lines += [
            "",
            "| seconds into the run | requests | median ms | p95 ms | max ms | slowest request |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        lines += [
            f"| {row['from_s']}–{row['to_s']} | {row['requests']} | {row['median_ms']:.0f} | "
            f"{row['p95_ms']:.0f} | {row['max_ms']:.0f} | {row['slowest']} |"
            for row in summary["timeline"]
        ]
    if summary.get("cpu"):
        lines += ["", cpu.describe(summary["cpu"])]
    lines += ["", "Targets missed: " + ("; ".join(missed) if missed else "none.")]
    (output / "report.md").write_text("\n".join(lines) + "\n")
    return missed


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="convivencia-load-"))
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> int:
    env = production_env(work)
    targets = prepare(env, args)
    if args.build_only:
        return 0
    sent_file = work / "sent.txt"
    answered_file = work / "answered.txt"
    targets["sent_file"] = str(sent_file)
    targets["answered_file"] = str(answered_file)
    (work / "targets.json").write_text(json.dumps(targets))
    port = free_port()
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    with ExitStack() as stack:
        server = stack.enter_context(
            process(
                [
                    str(BIN / "gunicorn"),
                    args.wsgi,
                    "--workers",
                    "2",
                    "--threads",
                    str(args.threads),
                    "--bind",
                    f"{HOST}:{port}",
                    "--access-logfile",
                    "/dev/null",
                ],
                env,
                work / "gunicorn.log",
            )
        )
        # Niced as deploy/systemd/convivencia-worker.service runs it (Nice=10).
        worker = stack.enter_context(
            process(
                ["nice", "-n", "10", str(BIN / "convivencia"), "worker"], env, work / "worker.log"
            )
        )
        wait_until_serving(port, server)
        job_id = enqueue_import(args.import_rows, work) if args.with_import else None
        stop = threading.Event()
        probe = FreshnessProbe(port, targets, args.freshness_interval, stop, work)
        if "Enumerator" in args.people:
            probe.start()
        ledger = cpu.Ledger(web=server.pid, worker=worker.pid, stop=stop)
        ledger.start()
        locust_env = {
            **env,
            "LOAD_TARGETS": str(work / "targets.json"),
            "LOAD_THINK": str(args.think),
            "LOAD_MAX_REQUESTS": str(args.max_requests),
            "LOAD_TIMELINE": str(work / "timeline.tsv"),
        }
        print(
            f"locust: {args.users} users for at most {args.run_time} s "
            f"or {args.max_requests} requests …"
        )
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--host",
                f"http://{HOST}:{port}",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.run_time}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
                *args.people,
            ],
            env=locust_env,
            timeout=args.run_time + 120,
            check=False,
        )
        stop.set()
        ledger.join(timeout=30)
        if probe.ident is not None:
            probe.join(timeout=60)
        if job_id is not None:
            wait_for_job(job_id)
        summary = {
            "started": started,
            "settings": (
                f"scale {args.scale}, {args.users} users, think {args.think} s, "
                f"gunicorn 2 workers × {args.threads} threads ({args.wsgi}), "
                f"run time ≤ {args.run_time} s, ≤ {args.max_requests} requests, "
                f"cache {env['CACHE_URL'].split('://')[0]}, {' '.join(args.people)}, "
                f"import {'on' if job_id else 'off'}; locust exit {locust.returncode}"
            ),
            "endpoints": read_stats(work / "locust"),
            "submissions": stored_once(
                sent_file,
                answered_file,
                resend_unanswered(port, targets, sent_file, answered_file),
            ),
            "freshness": freshness_summary(probe.samples, probe.problems),
            "import": import_outcome(job_id, args.import_rows),
            "cpu": ledger.summary(),
            "timeline": read_timeline(work / "timeline.tsv"),
        }
        if (work / "timeline.tsv").exists():
            # Every request, for a closer look (kept out of git: .gitignore).
            args.output.mkdir(parents=True, exist_ok=True)
            shutil.copy(work / "timeline.tsv", args.output / "timeline.tsv")
    missed = write_report(args.output, summary)
    print((args.output / "report.md").read_text())
    remove_load_panels()
    return 1 if missed else 0


def remove_load_panels() -> None:
    """Delete this run's panels and what was stored in them, after the checks read it.

    Every run adds 42 panels to Popayán; kept, they piled up run after run in the pages
    that list Popayán's panels (the provider's, the territory's), which the next runs then
    measured. Leaves, answers and aggregates go first: their keys protect the rest.
    """
    from django.db import transaction

    from convivencia.panels.models import Aggregate, Panel, Respondent, Submission, Wave

    panels = Panel.objects.filter(code__startswith=f"carga-{RUN}-")
    with transaction.atomic():
        Aggregate.objects.filter(wave__panel__in=panels).delete()
        Submission.objects.filter(wave__panel__in=panels).delete()
        Wave.objects.filter(panel__in=panels).delete()
        Respondent.objects.filter(panel__in=panels).delete()
        removed, _ = panels.delete()
    print(f"removed this run's {removed} load panels")


def wait_for_job(job_id: str, seconds: int = 600) -> None:
    from convivencia.jobs.models import Job

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Job.objects.get(pk=job_id).is_finished:
            return
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
