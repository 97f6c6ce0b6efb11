import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_home_page_answers(client):
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_no_migration_is_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
