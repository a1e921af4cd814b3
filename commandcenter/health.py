"""What /healthz reports: database, Redis (when configured), Celery worker,
and the event relay of the live stream (when it runs apart from the web)."""

import time

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from commandcenter.models import Event, RelayProgress, WorkerHeartbeat
from commandcenter.stream import EVENT_RELAY_PROGRESS, latest_seq


class CheckFailed(Exception):
    """A part that answered but is not well, with the figures that say so."""

    def __init__(self, message: str, detail: dict) -> None:
        super().__init__(message)
        self.detail = detail


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check() or {}
        result = {"ok": True, **detail}
    except CheckFailed as error:
        result = {"ok": False, "error": str(error), **error.detail}
    except Exception as error:  # a health probe reports every failure, whatever it is
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _check_redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _check_worker() -> dict:
    heartbeat = WorkerHeartbeat.objects.filter(name="celery").first()
    if heartbeat is None:
        raise RuntimeError("no heartbeat from a Celery worker yet")
    age = (timezone.now() - heartbeat.beat_at).total_seconds()
    if age > settings.HEALTH_WORKER_STALE_SECONDS:
        raise RuntimeError(f"last heartbeat {age:.0f} s ago")
    return {"last_beat_seconds_ago": round(age, 1)}


def _check_relay() -> dict:
    """How far the publishing relay is behind the log: events not yet
    published, seconds since it last published and the age of the oldest
    event it has not published (the lag a live map sees)."""
    latest = latest_seq()
    progress = RelayProgress.objects.filter(name=EVENT_RELAY_PROGRESS).first()
    if progress is None:
        if latest:
            raise CheckFailed("no relay has published yet", {"events_behind": latest})
        return {"events_behind": 0}
    now = timezone.now()
    behind = max(0, latest - progress.last_seq)
    detail = {
        "last_seq": progress.last_seq,
        "events_behind": behind,
        "seconds_since_publish": round((now - progress.published_at).total_seconds(), 1),
        "lag_seconds": 0.0,
    }
    if behind:
        oldest = (
            Event.objects.filter(seq__gt=progress.last_seq)
            .order_by("seq")
            .values_list("occurred_at", flat=True)
            .first()
        )
        lag = (now - oldest).total_seconds()
        detail["lag_seconds"] = round(max(0.0, lag), 1)
    else:
        lag = 0.0
    if behind > settings.HEALTH_RELAY_MAX_EVENTS_BEHIND:
        raise CheckFailed(f"{behind} events behind the log", detail)
    if lag > settings.HEALTH_RELAY_MAX_LAG_SECONDS:
        raise CheckFailed(f"oldest unpublished event {detail['lag_seconds']:g} s old", detail)
    return detail


def health_summary(body: dict) -> dict:
    """The report without details (errors, versions, timings): what anonymous
    callers see, up or down per part, nothing an exception text would reveal."""
    return {
        "status": body["status"],
        "time": body["time"],
        "checks": {
            name: {"ok": check["ok"], "required": check["required"]}
            for name, check in body["checks"].items()
        },
    }


def health_report() -> tuple[bool, dict]:
    """Run every check; healthy only when each required part is up."""
    checks = {"database": (_timed(_check_database), True)}
    if settings.REDIS_URL:
        checks["redis"] = (_timed(_check_redis), True)
    if checks["database"][0]["ok"]:
        checks["celery_worker"] = (_timed(_check_worker), settings.HEALTH_REQUIRE_WORKER)
    else:
        checks["celery_worker"] = (
            {"ok": False, "error": "unknown: the database is down"},
            settings.HEALTH_REQUIRE_WORKER,
        )
    if not settings.EVENT_RELAY_EMBEDDED:
        # The embedded web process relays for itself: nothing apart to watch.
        if checks["database"][0]["ok"]:
            checks["relay"] = (_timed(_check_relay), settings.HEALTH_REQUIRE_RELAY)
        else:
            checks["relay"] = (
                {"ok": False, "error": "unknown: the database is down"},
                settings.HEALTH_REQUIRE_RELAY,
            )
    healthy = all(result["ok"] for result, required in checks.values() if required)
    body = {
        "status": "ok" if healthy else "fail",
        "time": timezone.now().isoformat(),
        "checks": {
            name: {**result, "required": required} for name, (result, required) in checks.items()
        },
    }
    return healthy, body
