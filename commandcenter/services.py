"""Writes of the shared core: the event log and the worker heartbeat."""

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from commandcenter.models import Event, WorkerHeartbeat

# Any constant: the key of the advisory lock that orders event numbers.
EVENT_SEQUENCE_LOCK = 7_110_110


def _next_event_seq() -> int:
    """The next dense sequence number, in commit order.

    On PostgreSQL a transaction-scoped advisory lock is held from here to
    commit, so two transactions can't take the same number, a later number
    never commits before an earlier one, and a rolled-back transaction gives
    its number back: readers that resume from "the last number I saw" miss
    nothing. SQLite serialises writers already (IMMEDIATE transactions).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENT_SEQUENCE_LOCK])
            cursor.execute('SELECT COALESCE(MAX(seq), 0) + 1 FROM "commandcenter_event"')
            return cursor.fetchone()[0]
    return (Event.objects.aggregate(last=Max("seq"))["last"] or 0) + 1


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
        seq=_next_event_seq(),
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
    event.save(force_insert=True)
    return event


def daily_number(*, series: str, prefix: str = "", now=None) -> str:
    """The next readable number of a series for the local day: 20261123-0042.

    One upsert; its row lock serialises concurrent numbering until commit.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("daily_number must run inside the transaction that uses the number")
    day = timezone.localdate(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO commandcenter_dailycounter (series, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (series, day) DO UPDATE SET last = commandcenter_dailycounter.last + 1 "
            "RETURNING last",
            [series, day],
        )
        running = cursor.fetchone()[0]
    return f"{prefix}{day:%Y%m%d}-{running:04d}"


@transaction.atomic
def worker_heartbeat_record(*, name: str = "celery") -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now()}
    )
    return heartbeat
