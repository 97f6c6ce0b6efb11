"""What a long-running process does once it has loaded: warm up, then settle the heap.

Warming up. A web process pays, on its first request in each language, for building the
URL resolver's reverse tables in that language (Django keys them by language: ~200 ms on a
2-core server, measured with pyinstrument on the first ``reverse`` of the interventions
API), and on the first use of each template for parsing it (~150 ms for the home page's
three). Under load those first requests queue everything behind them: a load test of 50
users saw p95 above a second on ``/`` and ``/api/v1/interventions/`` from the first
minutes of fresh workers. ``warm_up`` pays both before the process takes any request.

Settling the heap. Python's full garbage collection walks every container object the
process holds. Once Django, the apps and the URLconf are loaded that is about 180,000
objects, and on a 2-core server a full collection of them measured 110–130 ms. A national
map allocates enough long-lived objects to set one off every request or two, so a page
that computes in 90 ms took 200 ms now and then. ``gc.freeze`` moves what exists at
start-up (modules, classes, functions, and what ``warm_up`` built: never garbage) out of
the collector's sight; a later full collection walks only what was made since.
"""

from __future__ import annotations

import gc
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def warm_up() -> None:
    """Build the reverse URL tables in every site language and parse the project's templates."""
    from django.conf import settings
    from django.template import engines
    from django.urls import get_resolver, reverse
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 — importing every view module is the point
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            reverse("core:home")  # loads the catalog and the resolver's tables in it
    engine = engines["django"]
    for path in sorted(PACKAGE_DIR.glob("*/templates/**/*.html")) + sorted(
        PACKAGE_DIR.glob("templates/**/*.html")
    ):
        root = next(parent for parent in path.parents if parent.name == "templates")
        engine.get_template(path.relative_to(root).as_posix())


def settle_heap() -> None:
    """Load the URLconf (and with it every view), collect once, freeze what is left."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — importing every view module is the point
    gc.collect()
    gc.freeze()
