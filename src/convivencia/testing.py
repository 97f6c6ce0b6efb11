"""pytest plugin (loaded with ``-p convivencia.testing``): test defaults set before
Django reads its settings. The suite runs with DEBUG on so that no secret key is
needed, and jobs run immediately inside the test."""

import os

import pytest

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
# pytest-django runs tests with DEBUG off, so contact encryption needs a key of its own.
os.environ.setdefault("CONTACT_ENCRYPTION_KEY", "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=")
# Assertions read English messages; the Spanish pages are tested with an explicit language.
os.environ.setdefault("LANGUAGE_CODE", "en")


@pytest.fixture(autouse=True, scope="session")
def _media_root_of_the_run(tmp_path_factory):
    """Uploads made by tests land in a temporary folder, never in the developer's var/."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _an_empty_cache_for_every_test():
    """Cached pages and figures are keyed by data versions; a test's rolled-back data
    (and SQLite reusing its row ids) must not leave an entry the next test could read."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _the_default_language_for_every_test():
    """A test that activated a language (a page asked for in Spanish) must not hand it on:
    commands and services speak the active language, and assertions read English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
