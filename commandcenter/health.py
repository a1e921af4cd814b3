"""What /healthz reports: database, Redis (when configured), Celery worker."""

import time

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from commandcenter.models import WorkerHeartbeat


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check() or {}
        result = {"ok": True, **detail}
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
    healthy = all(result["ok"] for result, required in checks.values() if required)
    body = {
        "status": "ok" if healthy else "fail",
        "time": timezone.now().isoformat(),
        "checks": {
            name: {**result, "required": required} for name, (result, required) in checks.items()
        },
    }
    return healthy, body
