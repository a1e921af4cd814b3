"""Periodic tasks of the clocks: deadlines live in the database and are swept by beat."""

from celery import shared_task

from analytics.callbacks import callbacks_enqueue_tick
from analytics.engine import clocks_tick


@shared_task(name="analytics.tasks.clocks_tick", ignore_result=True, acks_late=True)
def clocks_tick_task() -> dict:
    """Idempotent: two at once, or one run twice, record each event once."""
    result = clocks_tick()
    callbacks_enqueue_tick()  # 回访: closed jobs into the callback queue (analytics/callbacks.py)
    return {"ingested": result.ingested, "swept": result.swept, "at_risk": result.at_risk}
