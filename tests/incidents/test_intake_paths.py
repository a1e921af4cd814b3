"""Intake's two ways of writing agree, and repeat calls hold up under races.

On PostgreSQL intake writes through one SQL function (migration incidents
0004); on SQLite through the ORM. Both run here, on PostgreSQL, over the same
calls, and must leave the same rows and events.
"""

import threading
import time
from datetime import datetime

import pytest
from django.db import transaction

from commandcenter.models import Event
from incidents import services
from incidents.models import Incident
from tests.concurrency import race

CALLS = [
    {"category": "criminal", "lat": 30.005, "lng": 120.005},  # police, post zone
    {"category": "dispute", "lat": 30.015, "lng": 120.005},  # diverted to street 1
    {"category": "misdial", "lat": 30.005, "lng": 120.0051},  # invalid
    {"category": "criminal", "lat": 30.0051, "lng": 120.0051},  # repeat of the first
    {"category": "dispute", "lat": 30.0151, "lng": 120.0051},  # repeat of the diverted
    {"category": "public_order", "lat": 30.0052, "lng": 120.005},  # other group: new
    {"category": "traffic", "lat": 31.5, "lng": 121.5},  # outside the district
]
SKIPPED_COLUMNS = {"id", "number", "received_at", "updated_at", "closed_at", "diverted_at"}


class Rollback(Exception):
    pass


def _write_portable(**arguments):
    services._intake_write_portable(**arguments)


def _record(monkeypatch, writer, actor) -> tuple[list, list]:
    """The calls written by `writer`, as comparable rows and events; then undone."""
    monkeypatch.setattr(services, "_intake_write", writer)
    try:
        with transaction.atomic():
            created = [
                services.incident_create(actor=actor, description="测试", **fields)
                for fields in CALLS
            ]
            result = _comparable(created)
            raise Rollback
    except Rollback:
        return result


def _comparable(created: list[Incident]) -> tuple[list, list]:
    ids = [incident.pk for incident in created]
    rows = list(Incident.objects.filter(pk__in=ids).order_by("pk").values())
    place = {row["id"]: f"#{index}" for index, row in enumerate(rows)}
    numbers = {row["number"]: f"#{index}" for index, row in enumerate(rows)}

    def named(value):
        """Numbers differ from run to run: name each incident by its place."""
        if isinstance(value, str):
            for number, name in numbers.items():
                value = value.replace(number, name)
        return value

    received = {row["id"]: row["received_at"] for row in rows}
    for row in rows:
        row["repeat_of_id"] = place.get(row["repeat_of_id"])
        row["routing_reason"] = named(row["routing_reason"])
        row["clocks"] = [name for name in ("closed_at", "diverted_at") if row[name]]
        for column in SKIPPED_COLUMNS:
            del row[column]
    events = []
    for event in Event.objects.filter(subject_id__in=[str(i) for i in ids]).order_by("seq"):
        subject = int(event.subject_id)
        payload = {key: named(value) for key, value in event.payload.items()}
        # The SQL builds this text itself: it must name the same moment.
        assert datetime.fromisoformat(payload.pop("received_at")) == received[subject]
        events.append(
            (
                event.kind,
                place[subject],
                payload,
                event.actor_id,
                event.station_id,
                event.post_id,
                event.street_id,
            )
        )
    return rows, events


def test_the_sql_function_and_the_orm_write_the_same_rows_and_events(monkeypatch, district, users):
    sql = _record(monkeypatch, services._intake_write, users.dispatcher)
    orm = _record(monkeypatch, _write_portable, users.dispatcher)
    rows, events = sql
    assert [row["status"] for row in rows] == [
        "received",
        "diverted",
        "invalid",
        "linked",
        "linked",
        "received",
        "received",
    ]
    assert [kind for kind, *_ in events].count("incident.repeat_call") == 2
    assert sql[0] == orm[0]
    assert sql[1] == orm[1]


def test_service_refuses_oversized_text_before_writing(district, users):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.incident_create(
            actor=users.dispatcher,
            category="criminal",
            description="x",
            address="路" * 201,
            lat=30.005,
            lng=120.005,
        )
    assert "address" in refused.value.message_dict
    assert not Incident.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_calls_racing_to_repeat_one_incident_are_all_linked_and_counted(district, users):
    original = services.incident_create(
        actor=users.dispatcher, category="criminal", description="抢劫", lat=30.005, lng=120.005
    )
    before = Event.objects.order_by("-seq").values_list("seq", flat=True).first()
    repeats = race(
        [
            lambda i=i: services.incident_create(
                actor=users.dispatcher,
                category="criminal",
                description=f"又一个报警 {i}",
                lat=30.0050 + i * 0.00001,
                lng=120.005,
            )
            for i in range(6)
        ]
    )
    assert all(r.status == "linked" and r.repeat_of_id == original.pk for r in repeats)
    original.refresh_from_db()
    assert original.call_count == 7
    counts = sorted(
        e.payload["call_count"]
        for e in Event.objects.filter(kind="incident.repeat_call", subject_id=str(original.pk))
    )
    assert counts == [2, 3, 4, 5, 6, 7]
    seqs = list(Event.objects.filter(seq__gt=before).values_list("seq", flat=True))
    assert seqs == list(range(before + 1, before + 13))


def _wait_until_someone_waits_for_a_lock() -> None:
    from django.db import connection

    for _ in range(500):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("the call never waited for the lock")


@pytest.mark.django_db(transaction=True)
def test_a_call_is_linked_past_an_incident_closed_while_it_waited(district, users):
    """The nearest open incident is checked again once its lock is granted."""

    def take(lat):
        return services.incident_create(
            actor=users.dispatcher, category="criminal", description="抢劫", lat=lat, lng=120.005
        )

    near = take(30.005)
    farther = take(30.009)  # 445 m north: an incident of its own
    Incident.objects.filter(pk=farther.pk).update(lat=30.0059)  # now 89 m from the next call
    taken = {}
    with transaction.atomic():
        Incident.objects.select_for_update().get(pk=near.pk)
        waiting = threading.Thread(target=lambda: taken.update(call=race([lambda: take(30.0051)])))
        waiting.start()
        _wait_until_someone_waits_for_a_lock()
        Incident.objects.filter(pk=near.pk).update(status="cancelled")
    waiting.join(timeout=30)
    [call] = taken["call"]
    assert call.status == "linked"
    assert call.repeat_of_id == farther.pk


def test_the_installed_intake_function_is_the_one_python_generates(db):
    """Status list and payload live in Python; the function in the database must say the same
    (a change to either needs a migration that installs intake_function_sql() again)."""
    from django.db import connection

    from incidents.intake_sql import intake_function_sql

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prosrc FROM pg_proc WHERE proname = 'incidents_intake'",
        )
        installed = cursor.fetchone()[0]
    generated = intake_function_sql()
    body = generated[generated.index("$$") + 2 : generated.rindex("$$")]
    assert installed == body


def test_the_open_point_index_covers_exactly_the_open_statuses(db):
    import re

    from django.db import connection

    from incidents.choices import OPEN_STATUSES

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'incident_open_point'")
        definition = cursor.fetchone()[0]
    assert set(re.findall(r"'(\w+)'::", definition)) == set(OPEN_STATUSES)
