"""Settings come from the environment; a bad value stops the start and names the variable."""

import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 30 + "-production-secret-key-for-the-test-only-0123456789",
    "ALLOWED_HOSTS": "convivencia.example.org",
    "CONTACT_ENCRYPTION_KEY": "q9Qe1f3bH2oXb0Zr6m5x3c1vE7sJd0kA4nL8pT2uW6Y=",
}


def run_convivencia(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "TIME_ZONE",
            "LANGUAGE_CODE",
            "CONTACT_ENCRYPTION_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "convivencia", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("DATABASE_URL", "not a url"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("LANGUAGE_CODE", "de"),
        ("MIN_CELL_SIZE", "five"),
        ("MIN_CELL_SIZE", "0"),
        ("UPLOAD_RETENTION_DAYS", "-3"),
        ("CACHE_URL", "memcached://127.0.0.1:11211"),
        ("CONTACT_ENCRYPTION_KEY", "not-a-key"),
        ("SITE_URL", "convivencia.example.org"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(variable, value):
    result = run_convivencia("check", **{"DEBUG": "true", variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_without_debug_a_secret_key_is_required():
    env = dict(PRODUCTION)
    del env["SECRET_KEY"]
    result = run_convivencia("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_without_debug_a_contact_encryption_key_is_required():
    env = dict(PRODUCTION)
    del env["CONTACT_ENCRYPTION_KEY"]
    result = run_convivencia("check", **env)
    assert result.returncode != 0
    assert "CONTACT_ENCRYPTION_KEY is required" in result.stderr


def test_without_debug_allowed_hosts_are_required():
    env = dict(PRODUCTION)
    del env["ALLOWED_HOSTS"]
    result = run_convivencia("check", **env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION["SECRET_KEY"])
    env = dict(PRODUCTION)
    del env["SECRET_KEY"]
    result = run_convivencia("check", SECRET_KEY_FILE=str(secret), **env)
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_check():
    result = run_convivencia("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_console_script_is_manage_py():
    result = run_convivencia("help", DEBUG="true")
    assert result.returncode == 0
    for command in ("migrate", "runserver", "load_demo", "worker"):
        assert command in result.stdout


def test_the_cache_comes_from_cache_url():
    from convivencia import env

    os.environ.pop("CONVIVENCIA_TEST_CACHE", None)
    assert env.cache("CONVIVENCIA_TEST_CACHE", "locmem://")["BACKEND"].endswith("LocMemCache")
    os.environ["CONVIVENCIA_TEST_CACHE"] = "redis://127.0.0.1:6379/3"
    try:
        config = env.cache("CONVIVENCIA_TEST_CACHE", "locmem://")
    finally:
        del os.environ["CONVIVENCIA_TEST_CACHE"]
    assert config == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
    }


def test_the_site_runs_with_redis_as_its_cache_when_redis_is_there():
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379")
    code = (
        "import django; django.setup();"
        "from django.core.cache import cache;"
        "cache.set('convivencia-test', 'sí', 30); print(cache.get('convivencia-test'));"
        "cache.delete('convivencia-test')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **os.environ,
            "DEBUG": "true",
            "CACHE_URL": "redis://127.0.0.1:6379/3",
            "DJANGO_SETTINGS_MODULE": "convivencia.settings",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sí"


def test_sqlite_databases_open_in_wal_mode_without_waiting_for_the_disk_on_commit(tmp_path):
    from convivencia import env

    config = env.database("CONVIVENCIA_TEST_DB", f"sqlite:///{tmp_path}/site.sqlite3")
    import sqlite3

    connection = sqlite3.connect(config["NAME"])
    try:
        connection.executescript(config["OPTIONS"]["init_command"])
        pragmas = {
            name: connection.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "cache_size")
        }
    finally:
        connection.close()
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "cache_size": -65536}
