"""A serving process freezes what it loaded, so full collections stay short."""

import json
import os
import subprocess
import sys


def test_the_wsgi_application_freezes_the_loaded_heap_out_of_the_collectors_sight():
    code = (
        "import gc, time; import convivencia.wsgi;"
        "frozen = gc.get_freeze_count();"
        "start = time.perf_counter(); gc.collect(); took = time.perf_counter() - start;"
        "print(frozen, len(gc.get_objects()), took)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "convivencia.settings"},
    )
    assert result.returncode == 0, result.stderr
    frozen, tracked, _seconds = result.stdout.split()
    # Every view module is loaded and frozen; what the collector still walks is what
    # the process made after start-up, a tiny fraction of it.
    assert int(frozen) > 100_000
    assert int(tracked) < int(frozen) / 20


def test_the_wsgi_application_builds_the_url_tables_in_every_language_and_parses_templates():
    code = (
        "import json; import convivencia.wsgi;"
        "from django.conf import settings; from django.template import engines;"
        "from django.urls import get_resolver;"
        "loader = engines['django'].engine.template_loaders[0];"
        "print(json.dumps({'languages': sorted(get_resolver()._reverse_dict),"
        " 'expected': sorted(code for code, _name in settings.LANGUAGES),"
        " 'templates': sorted(loader.get_template_cache)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "convivencia.settings"},
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    # The first request in each language would otherwise build these (~200 ms each) and
    # parse its templates while other requests queue behind it.
    assert set(loaded["expected"]) <= set(loaded["languages"])
    assert {"base.html", "core/home.html", "evidence/dashboard.html"} <= set(loaded["templates"])
