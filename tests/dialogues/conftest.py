import pytest


@pytest.fixture
def client(client, settings):
    """Pages in English, so that assertions on text do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
