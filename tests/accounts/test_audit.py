import pytest
from django.db import DatabaseError, connection, transaction

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction, Role
from convivencia.accounts.models import AppendOnlyError, AuditEntry
from tests.factories import PASSWORD, grant, make_colombia, make_organisation, make_user


@pytest.fixture
def entry(db):
    user = make_user("camila")
    return audit.record(AuditAction.UPDATE, user, actor=user, changes={"x": [1, 2]})


def test_an_audit_entry_cannot_be_changed_through_the_model(entry):
    entry.object_repr = "something else"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_an_audit_entry_cannot_be_deleted_through_the_model_or_a_queryset(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(action="delete")


def test_the_database_refuses_to_change_or_delete_audit_entries_even_from_raw_sql(entry):
    for statement in (
        "UPDATE accounts_auditentry SET action = 'delete'",
        "DELETE FROM accounts_auditentry",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditAction.UPDATE


def test_logging_in_and_failing_to_log_in_are_recorded_without_the_password(client, db):
    make_user("camila")
    client.post("/accounts/login/", {"username": "camila", "password": "wrong-password"})
    client.post("/accounts/login/", {"username": "camila", "password": PASSWORD})
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN]
    assert "wrong-password" not in str(list(AuditEntry.objects.values()))


def test_granting_a_role_records_who_gave_what_where(db):
    places = make_colombia()
    ana = make_user("ana")
    camila = make_user("camila")
    from convivencia.accounts import services

    membership = services.grant(
        camila, make_organisation("Programa"), Role.COORDINATOR, [places.cauca], actor=ana
    )
    entry = AuditEntry.objects.about(membership).get()
    assert entry.actor == ana
    assert entry.action == AuditAction.CREATE
    assert entry.changes["territories"] == [[], [places.cauca.pk]]


def test_reading_an_organisations_members_is_recorded_as_a_read_of_personal_data(client, db):
    places = make_colombia()
    programme = make_organisation("Programa")
    camila = make_user("camila")
    grant(camila, programme, Role.COORDINATOR, [places.cauca])
    client.force_login(camila)
    response = client.get(f"/accounts/organisations/{programme.pk}/")
    assert response.status_code == 200
    read = AuditEntry.objects.reads_of_personal_data().get()
    assert read.actor == camila
    assert read.object_id == str(programme.pk)
