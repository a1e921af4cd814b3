"""Periodic tasks of the clocks and the measures: deadlines and cursors live in the
database and are swept by beat."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from analytics.engine import clocks_tick
from analytics.facts import facts_tick, unit_days_update


@shared_task(name="analytics.tasks.clocks_tick", ignore_result=True, acks_late=True)
def clocks_tick_task() -> dict:
    """Idempotent: two at once, or one run twice, record each event once. The job
    facts and rollups follow the clocks in the same tick (never ahead of them)."""
    result = clocks_tick()
    facts = facts_tick()
    return {
        "ingested": result.ingested,
        "swept": result.swept,
        "at_risk": result.at_risk,
        "facts": facts,
    }


@shared_task(name="analytics.tasks.unit_days", ignore_result=True, acks_late=True)
def unit_days_task() -> dict:
    """On-duty and patrol time of today, and of yesterday (late fixes, the day's end)."""
    today = timezone.localdate()
    return {str(day): unit_days_update(day) for day in (today - timedelta(days=1), today)}
