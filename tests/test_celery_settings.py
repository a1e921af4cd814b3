"""Celery's timings (issue 17): a dead worker shows within 20 s, a task lost with its
worker comes back within minutes, and no task outlives the visibility timeout."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from commandcenter.health import health_report
from commandcenter.models import WorkerHeartbeat
from tianshu.celery import app


def test_a_dead_worker_is_reported_within_20_seconds():
    beat = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]["schedule"]
    assert settings.HEALTH_WORKER_STALE_SECONDS <= 20
    assert beat * 2 <= settings.HEALTH_WORKER_STALE_SECONDS


def test_the_visibility_timeout_is_minutes_and_well_above_every_task_s_time_limit():
    app.loader.import_default_modules()
    app.autodiscover_tasks(lambda: settings.PROJECT_APPS, force=True)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert 120 <= visibility <= 600
    limits = {
        name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    }
    assert "analytics.tasks.reports_daily" in limits
    assert max(limits.values()) * 1.5 <= visibility, limits


@pytest.mark.django_db
def test_a_heartbeat_older_than_the_stale_window_fails_health():
    old = timezone.now() - timedelta(seconds=settings.HEALTH_WORKER_STALE_SECONDS + 1)
    WorkerHeartbeat.objects.update_or_create(name="celery", defaults={"beat_at": old})
    healthy, body = health_report()
    assert body["checks"]["celery_worker"]["ok"] is False
