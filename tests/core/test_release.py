"""Cache keys carry the running code's fingerprint, so an upgrade never reads old pickles."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from convivencia.core import release


def test_the_fingerprint_changes_when_a_source_file_changes(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("y = 2\n")
    before = release.fingerprint(tmp_path)
    assert release.fingerprint(tmp_path) == before  # the same code, the same keys
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")
    assert release.fingerprint(tmp_path) != before


def test_every_cache_key_is_prefixed_with_the_code_fingerprint():
    # Read when the settings were loaded (the files may have been edited since).
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert len(prefix) == 12 and int(prefix, 16) >= 0
    assert cache.make_key("evidence:counts:abc").startswith(prefix)
