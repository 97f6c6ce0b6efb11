"""A fingerprint of the code that is running, for keys that must not outlive it.

The caches hold pickled objects (the evidence registry's counts, the indicators'
maps). After an upgrade, an entry written by the old code may name a class that has
moved or changed shape; with a cache shared between deploys (Redis) that was a 500
on every page that read it until the cache was emptied. Prefixing every cache key
with this fingerprint makes an upgrade start from an empty cache, without anyone
having to remember to flush it. Servers running the same code compute the same
fingerprint, so they still share their entries.

Only the package's Python source is hashed (about 250 files, read once per process at
start-up, a few milliseconds): templates and translations are never cached as objects.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def fingerprint(root: Path = PACKAGE) -> str:
    """Twelve hex digits that change whenever any ``.py`` file of ``root`` changes."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
