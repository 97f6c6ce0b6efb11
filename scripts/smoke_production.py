#!/usr/bin/env python3
"""Production smoke test: the site under gunicorn with DEBUG=false answers every main page.

Run it with the project's virtual environment (CI runs it after the test suites):

    .venv/bin/python scripts/smoke_production.py

In a temporary directory it migrates a fresh SQLite database, collects the static files with
the hashed-name storage, runs ``check --deploy`` and ``doctor``, then serves the site with
gunicorn (two workers, loopback, a free port) twice: on the fresh database without the
demo, and on a copy with the demo loaded. It asks for every main page, anonymously and logged
in, as a TLS proxy would (``X-Forwarded-Proto: https``), and fails on any 5xx, on a main
page that does not answer 200, and on a static file that is missing or not served under its
hashed name. It prints what it asked and how long it took; gunicorn's log is printed when
something fails.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from cryptography.fernet import Fernet

HOST = "127.0.0.1"
ADMIN, ADMIN_PASSWORD = "smoke-admin", secrets.token_urlsafe(16)
DEMO_ADMIN, DEMO_PASSWORD = "admin", "convivencia-demo"  # printed by load_demo (README)
STATIC_REFERENCE = re.compile(r"""(?:src|href)=["'](/static/[^"'?#]+)""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
# ManifestStaticFilesStorage names a file name.<12 hex digits>.ext.
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
REDIRECTS = (301, 302, 303, 307, 308)
STARTUP_SECONDS = 60
REQUEST_SECONDS = 60


class SmokeFailure(Exception):
    """What the smoke test found wrong (printed, exit status 1)."""


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Browser:
    """Just enough of a browser: cookies kept, CSRF token sent, redirects not followed."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_SECONDS)
        sent = {
            # What the TLS proxy in front of gunicorn adds (settings: SECURE_PROXY_SSL_HEADER).
            "X-Forwarded-Proto": "https",
            "Accept-Language": "es",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def log_in(self, username: str, password: str) -> None:
        form = self.get("/accounts/login/")
        token = self.cookies.get("csrftoken")
        if form.status != 200 or not token:
            raise SmokeFailure(f"the login page answered {form.status} without a CSRF cookie")
        response = self.request(
            "POST",
            "/accounts/login/",
            body=urlencode(
                {"username": username, "password": password, "csrfmiddlewaretoken": token}
            ).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}:{self.port}",
                "Referer": f"https://{HOST}:{self.port}/accounts/login/",
            },
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise SmokeFailure(f"logging in as {username} answered {response.status}")


@dataclass
class Checker:
    """Asks for pages and their static files, and remembers what it asked."""

    browser: Browser
    label: str
    static_seen: set[str] = field(default_factory=set)
    asked: int = 0

    def page(self, path: str, expected: tuple[int, ...] = (200,)) -> Response:
        """GET path, following the site's own redirects (at most five)."""
        response = self.browser.get(path)
        self.asked += 1
        for _hop in range(5):
            location = response.headers.get("Location", "")
            if response.status not in REDIRECTS or not location.startswith(
                ("/", f"https://{HOST}:{self.browser.port}/")
            ):
                break
            path = "/" + location.split("/", 3)[3] if location.startswith("https:") else location
            response = self.browser.get(path)
            self.asked += 1
        if response.status >= 500 or response.status not in expected:
            raise SmokeFailure(
                f"[{self.label}] GET {path} answered {response.status}, "
                f"expected {' or '.join(map(str, expected))}"
            )
        if response.headers.get_content_type() == "text/html":
            for reference in STATIC_REFERENCE.findall(response.text):
                self.static(reference, path)
        return response

    def static(self, reference: str, page: str) -> None:
        if reference in self.static_seen:
            return
        self.static_seen.add(reference)
        if not HASHED.search(reference):
            raise SmokeFailure(
                f"[{self.label}] {page} names {reference} without its hashed "
                "name: the file is missing from the manifest or not referenced "
                "through {% static %}"
            )
        response = self.browser.get(reference)
        self.asked += 1
        if response.status != 200:
            raise SmokeFailure(
                f"[{self.label}] static file {reference} (named by {page}) "
                f"answered {response.status}"
            )
        if reference.endswith(".css"):
            folder = reference.rsplit("/", 1)[0]
            for url in CSS_URL.findall(response.text):
                if url.startswith(("data:", "http:", "https:", "#")):
                    continue
                target = url if url.startswith("/") else os.path.normpath(f"{folder}/{url}")
                self.static(target.split("?")[0].split("#")[0], reference)

    def first_link(self, path: str, pattern: str) -> str:
        """The first link on a page matching pattern (a regular expression on the href)."""
        found = re.search(rf'href="({pattern})"', self.page(path).text)
        if found is None:
            raise SmokeFailure(f"[{self.label}] {path} links to nothing like {pattern}")
        return found.group(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def run(*commands: tuple[list[str], dict[str, str]], timeout: int = 300) -> None:
    """Run commands side by side (the machine has cores to spare while one waits on disk);
    fail with the output of the first that failed."""
    started = time.monotonic()
    running = [
        (
            command,
            subprocess.Popen(  # noqa: S603
                command,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            ),
        )
        for command, env in commands
    ]
    failures = []
    for command, process in running:
        output, _ = process.communicate(timeout=timeout)
        if process.returncode != 0:
            failures.append(
                f"{' '.join(command[3:])} failed ({process.returncode}):\n{output[-3000:]}"
            )
    if failures:
        raise SmokeFailure("\n".join(failures))
    names = ", ".join(command[3] for command, _ in commands)
    print(f"{names}: {time.monotonic() - started:.1f} s")


def convivencia(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "convivencia", *arguments]


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[int]:
    """gunicorn serving the site on a free loopback port, stopped on the way out."""
    port = free_port()
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "convivencia.wsgi",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "2",
                "--timeout",
                str(REQUEST_SECONDS),
                "--graceful-timeout",
                "5",
                "--no-control-socket",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if server.poll() is not None:
                    raise SmokeFailure(f"gunicorn stopped at start ({server.returncode})")
                try:
                    if Browser(port).get("/healthz").status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SmokeFailure(f"gunicorn did not answer within {STARTUP_SECONDS} s")
                time.sleep(0.3)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def anonymous_pages(check: Checker) -> None:
    check.page("/")
    check.page("/evidence/")
    check.page("/evidence/gap-map/")
    check.page("/indicators/")
    check.page("/indicators/?indicator=homicide_rate")
    check.page("/dialogues/")
    check.page("/territories/?q=a")
    check.page("/accounts/login/")
    check.page("/panels/")  # the login page, for a visitor
    check.page("/api/v1/")
    check.page("/api/v1/docs")
    schema = check.page("/api/v1/openapi.json")
    if b'"paths"' not in schema.body:
        raise SmokeFailure("/api/v1/openapi.json has no paths")
    check.page("/api/v1/indicators/")
    check.page("/api/v1/no-such-endpoint", expected=(404,))
    check.page("/no-such-page/", expected=(404,))


def administrator_pages(check: Checker) -> None:
    check.page("/setup/")
    check.page("/panels/")
    check.page("/accounts/me/")
    check.page("/territories/import/")
    check.page("/indicators/import/")
    check.page("/jobs/")
    check.page("/admin/")
    check.page("/admin/indicators/indicator/")
    check.page("/api/v1/me")
    check.page("/api/v1/panels/")


def demo_pages(check: Checker) -> None:
    """Pages that need data: the first of each kind the listings link to."""
    check.page(check.first_link("/evidence/", r"/evidence/\d+/"))
    check.page(check.first_link("/", r"/territories/\d+/"))
    check.page(check.first_link("/panels/", r"/panels/[a-z0-9-]+/"))
    check.page("/panels/map/")  # 404 while no panel exists
    process = check.first_link("/dialogues/", r"/dialogues/(?:process|territory)/\d+/")
    check.page(process)
    check.page("/indicators/?indicator=homicide_rate&type=year")


def smoke(
    site: str, env: dict[str, str], work: Path, *, username: str, password: str, with_demo: bool
) -> Checker:
    started = time.monotonic()
    log = work / f"gunicorn-{site}.log"
    try:
        with gunicorn(env, log) as port:
            check = Checker(Browser(port), site)
            anonymous_pages(check)
            if not check.page("/").headers.get("Strict-Transport-Security"):
                raise SmokeFailure(f"[{site}] no Strict-Transport-Security header over HTTPS")
            check.browser.log_in(username, password)
            administrator_pages(check)
            if with_demo:
                demo_pages(check)
    except (SmokeFailure, OSError) as problem:
        print(f"--- gunicorn log ({site}) ---\n{log.read_text()[-6000:]}", file=sys.stderr)
        raise SmokeFailure(str(problem)) from problem
    print(
        f"{site}: {check.asked} requests, {len(check.static_seen)} static files, "
        f"{time.monotonic() - started:.1f} s"
    )
    return check


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database in WAL mode (the backup API, not a file copy)."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary directory (databases, logs) and print it",
    )
    arguments = parser.parse_args()

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="convivencia-smoke-"))
    fresh_db, demo_db = work / "fresh.sqlite3", work / "demo.sqlite3"
    env = {
        **{
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DJANGO_", "DATABASE_", "CACHE_", "SECURE_"))
        },
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CONTACT_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "VAR_DIR": str(work),
        "CACHE_URL": "locmem://",
        "DATABASE_URL": f"sqlite:///{fresh_db}",
        "LOG_LEVEL": "WARNING",
    }
    demo_env = {**env, "DATABASE_URL": f"sqlite:///{demo_db}"}
    demo_loader: subprocess.Popen | None = None
    try:
        run(
            (convivencia("check", "--deploy", "--fail-level", "WARNING"), env),
            (convivencia("migrate", "--no-input", "-v", "0"), env),
        )
        copy_sqlite(fresh_db, demo_db)
        # The demo loads into the copy while the fresh database is being served.
        demo_log = work / "load_demo.log"
        with demo_log.open("w") as output:
            demo_loader = subprocess.Popen(  # noqa: S603
                convivencia("load_demo"),
                env=demo_env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        run(
            (convivencia("collectstatic", "--no-input", "-v", "0"), env),
            (
                convivencia(
                    "createsuperuser",
                    "--no-input",
                    "--username",
                    ADMIN,
                    "--email",
                    "smoke@example.org",
                ),
                {**env, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
            ),
        )
        run((convivencia("doctor"), env))
        print(f"prepared in {time.monotonic() - started:.1f} s")
        smoke("fresh", env, work, username=ADMIN, password=ADMIN_PASSWORD, with_demo=False)
        if demo_loader.wait(timeout=300) != 0:
            raise SmokeFailure(
                f"load_demo failed ({demo_loader.returncode}):\n{demo_log.read_text()[-3000:]}"
            )
        smoke("demo", demo_env, work, username=DEMO_ADMIN, password=DEMO_PASSWORD, with_demo=True)
    except (SmokeFailure, subprocess.TimeoutExpired) as problem:
        print(f"SMOKE TEST FAILED: {problem}", file=sys.stderr)
        return 1
    finally:
        if demo_loader is not None and demo_loader.poll() is None:
            demo_loader.kill()
            demo_loader.wait()
        if arguments.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"production smoke test passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
