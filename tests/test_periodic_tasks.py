"""Every task beat runs (CELERY_BEAT_SCHEDULE) is safe to run twice (issue 17).

A task delivered twice (a worker died before acknowledging it, and the broker
handed it out again after the visibility timeout) or sent twice by beat must
not double anything: the second run of each, on a district with a day's
work in it, leaves every table with as many rows as the first left.
Webhooks, reports, clocks and orders have behaviour tests of their own for this.
"""

from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from patrol.models import PositionFix
from tianshu.celery import app

SCHEDULED = sorted({entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()})


def _task(name: str):
    import_module(name.rsplit(".", 1)[0])  # registers the module's tasks
    return app.tasks[name]


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def busy_district(call, api_client_for, users, district, officer):
    """A call with a unit sent, an order, and a unit's track over the last minutes."""
    incident = call().json()["id"]
    dispatcher = api_client_for(users.dispatcher)
    sent = dispatcher.post(
        f"/api/v1/incidents/{incident}/dispatch/", {"units": [district.units.a.pk]}, format="json"
    )
    assert sent.status_code < 300, sent.content
    now = timezone.now()
    PositionFix.objects.bulk_create(
        PositionFix(
            unit=district.units.b,
            recorded_at=now - timedelta(minutes=m),
            lat=30.015,
            lng=120.015,
            zone=district.zones.ne,
        )
        for m in range(30)
    )
    return district


@pytest.mark.parametrize("name", SCHEDULED)
def test_a_periodic_task_run_twice_doubles_nothing(name, busy_district):
    task = _task(name)
    # Hours later: clocks have breached, orders are overdue, sensors silent.
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        task()
        after_first = _row_counts()
        task()
        assert _row_counts() == after_first
