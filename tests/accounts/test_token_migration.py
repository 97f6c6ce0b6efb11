"""Migration 0004 gives the tokens issued before it an expiry: the default, from the day it runs."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import make_user

BEFORE = ("accounts", "0003_audit_locked_out")
AFTER = ("accounts", "0004_api_token_expiry")


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_tokens_issued_before_the_migration_expire_the_default_days_after_it(settings):
    settings.API_TOKEN_DAYS = 90
    user = make_user("nadia")
    try:
        apps = migrate(BEFORE)
        old_token = apps.get_model("accounts", "ApiToken")
        old_token.objects.create(
            user_id=user.pk,
            name="old script",
            prefix="cv_abcde",
            digest="0" * 64,
            created_at=timezone.now() - timedelta(days=400),
        )
        apps = migrate(AFTER)
        token = apps.get_model("accounts", "ApiToken").objects.get()
        left = (token.expires_at - timezone.now()) / timedelta(days=1)
        assert 89.9 < left <= 90
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("accounts")[0])
