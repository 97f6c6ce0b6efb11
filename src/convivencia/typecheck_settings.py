"""Settings the type checker loads (``[tool.django-stubs]`` in pyproject.toml).

The django-stubs plugin imports the settings to learn the installed apps and models. Outside
debug mode they refuse to load without a secret key and allowed hosts, so ``mypy src`` would
fail on a clean clone; like the test suite (``convivencia.testing``), the check runs with
DEBUG on unless the environment says otherwise. Nothing serves with these settings.
"""

import os

os.environ.setdefault("DEBUG", "true")

from convivencia.settings import *  # noqa: F403  (the settings, unchanged, with that default)
