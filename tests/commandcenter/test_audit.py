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


def test_administrators_read_both_trails_filtered_by_actor_and_kind(api_client_for, users, records):
    admin = api_client_for(users.administrator)
    access = admin.get("/api/v1/audit/access/", {"actor": "dispatcher"})
    assert access.status_code == 200
    assert [row["object_id"] for row in access.json()["results"]] == ["7"]
    assert admin.get("/api/v1/audit/access/", {"actor": "nobody"}).json()["results"] == []
    security = admin.get("/api/v1/audit/security/", {"kind": "login_failed"})
    assert [row["username"] for row in security.json()["results"]] == ["nobody"]


def test_nobody_else_reads_the_audit_trails_and_the_refusal_is_logged(api_client_for, users):
    for user in (users.dispatcher, users.supervisor, users.partner):
        for path in ("/api/v1/audit/access/", "/api/v1/audit/security/"):
            assert api_client_for(user).get(path).status_code == 403
    refusals = SecurityEvent.objects.filter(kind=SecurityEventKind.FORBIDDEN)
    assert refusals.count() == 6
    assert set(refusals.values_list("actor__username", flat=True)) == {
        "dispatcher",
        "supervisor",
        "partner",
    }


def test_a_console_refused_to_a_role_is_logged(client, users):
    client.force_login(users.partner)
    assert client.get("/dispatch/").status_code == 403
    event = SecurityEvent.objects.get(kind=SecurityEventKind.FORBIDDEN)
    assert (event.actor, event.path) == (users.partner, "/dispatch/")
