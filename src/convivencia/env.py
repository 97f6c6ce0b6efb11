"""Typed readers for environment variables.

A bad value stops the start with a message that names the variable: a
misconfigured production server must not come up half-working.
Any variable can also be read from a file named by ``NAME_FILE`` (Docker and
systemd secrets).
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from dj_database_url import DBConfig

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def raw(name: str) -> str | None:
    """The variable's value, or the contents of the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r}: {exc}") from exc
    return os.environ.get(name)


def string(name: str, default: str | None = None) -> str | None:
    value = raw(name)
    if value is None or value == "":
        return default
    return value


def boolean(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None or value == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of {sorted(TRUE_WORDS | FALSE_WORDS)}"
    )


def integer(name: str, default: int, minimum: int | None = None) -> int:
    value = raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}")
    return number


def string_list(name: str, default: list[str]) -> list[str]:
    value = raw(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def url(name: str, default: str) -> str:
    value = string(name, default) or default
    if value and not value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name}={value!r} must start with https:// or http://")
    return value.rstrip("/")


def choice(name: str, default: str, allowed: list[str]) -> str:
    value = string(name, default) or default
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {allowed}")
    return value


def time_zone(name: str, default: str) -> str:
    value = string(name, default) or default
    if value not in zoneinfo.available_timezones():
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a known time zone (e.g. America/Bogota)"
        )
    return value


def cache(name: str, default: str) -> dict:
    """A cache from a URL: locmem:// (one per process), redis://host:port/db, dummy://."""
    value = string(name, default) or default
    scheme = value.split(":", 1)[0]
    if value.rstrip("/") == "locmem:":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if value.rstrip("/") == "dummy:":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in {"redis", "rediss"} and "://" in value and value.split("://", 1)[1]:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}
    raise ImproperlyConfigured(f"{name}={value!r}: use locmem://, redis://host:6379/0 or dummy://")


# WAL lets the web process read while the worker writes. With WAL, synchronous=NORMAL
# cannot corrupt the database; after a power cut the last commits may be lost, and in
# exchange a commit no longer waits for the disk (it was a sixth of a panel import).
# A 64 MB page cache keeps the indexes that imports write into in memory.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
    "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
)


def database(name: str, default: str) -> DBConfig:
    import dj_database_url

    value = string(name, default) or default
    scheme = value.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}={value!r}: use sqlite:///path/to/file.sqlite3 or "
            "postgresql://user@host:port/database"
        )
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a database URL: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # IMMEDIATE: a transaction takes the write lock when it begins, waiting up to
        # `timeout` seconds for it. SQLite's default (DEFERRED) reads first and asks for the
        # lock at the first write; if another connection wrote in between, it fails at
        # once with "database is locked" instead of waiting (two phones sending the same
        # OpenRosa submission did exactly that).
        config["OPTIONS"] = {
            "init_command": SQLITE_PRAGMAS,
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
        if not config["NAME"]:
            raise ImproperlyConfigured(f"{name}={value!r} names no SQLite file")
    return config


def check_fernet_keys(name: str, keys: list[str]) -> None:
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (32 url-safe base64-encoded bytes; "
                "make one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)"
            ) from exc
