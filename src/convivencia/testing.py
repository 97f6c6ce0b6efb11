"""pytest plugin (loaded with ``-p convivencia.testing``): test defaults set before
Django reads its settings. The suite runs with DEBUG on so that no secret key is
needed, and jobs run immediately inside the test."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
# pytest-django runs tests with DEBUG off, so contact encryption needs a key of its own.
os.environ.setdefault("CONTACT_ENCRYPTION_KEY", "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=")
# Assertions read English messages; the Spanish pages are tested with an explicit language.
os.environ.setdefault("LANGUAGE_CODE", "en")
