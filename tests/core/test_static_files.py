"""Production's static files: collectstatic with the hashed-name storage used when
DEBUG is off (WhiteNoise's), which reads every CSS and JavaScript file it copies and
refuses a reference to a file that is not there."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_with_the_production_storage_passes_and_hashes_the_vendored_files(
    settings, tmp_path: Path
):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = PRODUCTION_STORAGES

    call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/chartjs/chart.umd.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/htmx/htmx.min.js",
        "ninja/swagger-ui-bundle.js",
    ):
        hashed = tmp_path / "static" / manifest[name]
        assert hashed.name != Path(name).name, name
        assert hashed.is_file(), name
        assert (hashed.parent / f"{hashed.name}.gz").is_file(), name


def test_no_vendored_file_names_a_source_map(settings):
    vendor = Path(settings.STATICFILES_DIRS[0]) / "vendor"
    named = [
        path.name
        for path in vendor.rglob("*")
        if path.suffix in (".js", ".css")
        and "sourceMappingURL=" in path.read_text(encoding="utf-8")
    ]
    assert named == [], "scripts/vendor.sh strips these references; re-run make vendor"
