"""Writes of the shared core: the event log, document numbers, the worker heartbeat."""

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Max, Model
from django.utils import timezone

from commandcenter.models import Event, RelayProgress, WorkerHeartbeat

# Any constant: the key of the advisory lock that orders event numbers.
EVENT_SEQUENCE_LOCK = 7_110_110


def _append_on_postgresql(event: Event) -> None:
    """Number and insert in one round trip (migration 0004's function).

    A transaction-scoped advisory lock is held from here to commit, so two
    transactions can't take the same number, a later number never commits
    before an earlier one, and a rolled-back transaction gives its number
    back: readers resuming from "the last number I saw" miss nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT commandcenter_event_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                EVENT_SEQUENCE_LOCK,
                event.occurred_at,
                event.actor_id,
                event.kind,
                event.subject_type,
                event.subject_id,
                json.dumps(event.payload, cls=DjangoJSONEncoder),
                event.station_id,
                event.post_id,
                event.street_id,
            ],
        )
        event.seq = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


def event_record(
    *,
    kind: str,
    subject: Model,
    actor=None,
    payload: dict | None = None,
    station_id: int | None = None,
    post_id: int | None = None,
    street_id: int | None = None,
) -> Event:
    """Append an event inside the caller's transaction.

    Call it last in a service's transaction: the ordering lock is held from
    here until commit, so the shorter that stretch, the better.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change it records")
    event = Event(
        occurred_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        payload=payload or {},
        station_id=station_id,
        post_id=post_id,
        street_id=street_id,
    )
    if connection.vendor == "postgresql":
        _append_on_postgresql(event)
    else:
        # SQLite serialises writers already (IMMEDIATE transactions).
        event.seq = (Event.objects.aggregate(last=Max("seq"))["last"] or 0) + 1
        event.save(force_insert=True)
    return event


def daily_number(*, series: str, prefix: str = "", now=None) -> str:
    """The next readable number of a series for the local day: 20261123-0042.

    On PostgreSQL each series and day has its own sequence: taking a number
    holds no lock, so concurrent intakes don't queue behind each other until
    commit (a number taken by a transaction that rolls back is skipped).
    SQLite, which serialises writers anyway, keeps a counter row per day.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("daily_number must run inside the transaction that uses the number")
    day = timezone.localdate(now or timezone.now())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [day_sequence(series, day)])
            running = cursor.fetchone()[0]
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO commandcenter_dailycounter (series, day, last) VALUES (%s, %s, 1) "
                "ON CONFLICT (series, day) DO UPDATE "
                "SET last = commandcenter_dailycounter.last + 1 RETURNING last",
                [series, day],
            )
            running = cursor.fetchone()[0]
    return f"{prefix}{day:%Y%m%d}-{running:04d}"


# Day sequences this process has seen exist.
_known_sequences: set[str] = set()


def day_sequence(series: str, day) -> str:
    """The name of the PostgreSQL sequence of a series' numbers on `day`, which exists."""
    name = f"{series}_number_{day:%Y%m%d}"
    if name not in _known_sequences:
        _ensure_sequence(name)
        _known_sequences.add(name)
    return name


def _ensure_sequence(name: str) -> None:
    """Create the day's sequence, committed at once on a connection of its own.

    A sequence created inside this transaction would not exist for other
    transactions until it commits, and one created by another transaction
    after this one looked would stay invisible to it until it ends: so the
    check and the creation happen outside, before the first nextval.
    """
    current = connections[DEFAULT_DB_ALIAS]
    side = type(current)(dict(current.settings_dict), alias=current.alias)
    try:
        with side.cursor() as cursor:
            try:
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
            except IntegrityError:
                pass  # another process created it at the same moment
    finally:
        side.close()


# Values a JSON document carries as they are; anything else goes through the
# field's own conversion for the database.
_PLAIN = (str, int, float, bool, type(None))


def row_values(instance: Model) -> dict:
    """A new row's columns as the ORM would insert them (defaults and auto_now
    applied), in JSON-ready form, for SQL functions that insert rows."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.pre_save(instance, True)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif not isinstance(value, _PLAIN):
            value = field.get_db_prep_save(value, connection)
        values[field.column] = value
    return values


@transaction.atomic
def worker_heartbeat_record(*, name: str = "celery") -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now()}
    )
    return heartbeat


def relay_progress_record(*, name: str, last_seq: int) -> None:
    """Note that relay `name` has published every event up to `last_seq`."""
    updated = RelayProgress.objects.filter(name=name).update(
        last_seq=last_seq, published_at=timezone.now()
    )
    if not updated:
        RelayProgress.objects.update_or_create(
            name=name, defaults={"last_seq": last_seq, "published_at": timezone.now()}
        )
