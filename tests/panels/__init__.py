"""Panel tests. The helpers here build a panel on the default questionnaire
(tests.panels.builders has the small questionnaire of the collection tests)."""

from __future__ import annotations

from collections.abc import Iterator

from cryptography.fernet import Fernet

from convivencia.panels import crypto
from convivencia.panels.models import Panel, Respondent
from convivencia.panels.questionnaire_default import ensure_default_questionnaire
from convivencia.territories.models import Territory


def make_default_panel(territory: Territory, code: str = "popayan", **fields) -> Panel:
    fields.setdefault("questionnaire", ensure_default_questionnaire())
    return Panel.objects.create(code=code, territory=territory, **fields)


def add_respondent(
    panel: Panel, code: str, contact: dict[str, str] | None = None, **fields
) -> Respondent:
    respondent = Respondent(panel=panel, code=code, **fields)
    if contact:
        respondent.contact = contact
    respondent.save()
    return respondent


CONTACT_KEY = Fernet.generate_key().decode()


def use_contact_key(settings) -> Iterator[None]:
    """Encrypt contact data with a test key, for a fixture to yield from.

    Tests run with DEBUG off, where a key is required; the cached cipher is reset
    on both sides so no other test sees this key.
    """
    settings.CONTACT_ENCRYPTION_KEYS = [CONTACT_KEY]
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()
