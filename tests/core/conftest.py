import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def spanish_by_default(settings):
    """The shell's pages are checked in the product's default language, Spanish
    (the rest of the suite reads English messages: see convivencia/testing.py)."""
    settings.LANGUAGE_CODE = "es"
    with translation.override("es"):
        yield
