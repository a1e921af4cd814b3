"""The audit trails are append-only in the database: no UPDATE, no DELETE."""

import pytest
from django.db import DatabaseError, transaction

from commandcenter.audit import access_record, security_record
from commandcenter.choices import SecurityEventKind, SecurityResult
from commandcenter.models import AccessRecord, SecurityEvent


@pytest.fixture
def records(users):
    return (
        access_record(
            actor=users.dispatcher,
            object_type="incidents.incident",
            object_id=7,
            fields=["caller_phone", "caller_name"],
        ),
        security_record(
            kind=SecurityEventKind.LOGIN_FAILED, username="nobody", result=SecurityResult.FAILURE
        ),
    )


@pytest.mark.parametrize("model", [AccessRecord, SecurityEvent])
def test_the_database_refuses_to_change_or_delete_an_audit_row(records, model):
    row = model.objects.get()
    for change in (
        lambda: model.objects.filter(pk=row.pk).update(path="/elsewhere"),
        lambda: model.objects.filter(pk=row.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    assert model.objects.filter(pk=row.pk, path=row.path).exists()


def test_an_access_record_names_actor_object_and_fields(records, users):
    record = AccessRecord.objects.get()
    assert (record.actor, record.object_type, record.object_id) == (
        users.dispatcher,
        "incidents.incident",
        "7",
    )
    assert record.fields == ["caller_name", "caller_phone"]
