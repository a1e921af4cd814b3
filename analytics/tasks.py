"""Periodic tasks of the clocks, the measures and the reports: deadlines and cursors
live in the database and are swept by beat; the 日报 and 周报 are built at 07:00 local."""

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from analytics.callbacks import callbacks_enqueue_tick
from analytics.choices import ReportKind
from analytics.engine import clocks_tick
from analytics.facts import facts_tick, unit_days_update
from analytics.reports import daily_period, reports_periodic, weekly_period
from analytics.sensor_kpis import sensor_months_update


@shared_task(name="analytics.tasks.clocks_tick", ignore_result=True, acks_late=True)
def clocks_tick_task() -> dict:
    """Idempotent: two at once, or one run twice, record each event once. The job
    facts and rollups follow the clocks in the same tick (never ahead of them)."""
    result = clocks_tick()
    callbacks_enqueue_tick()  # 回访: closed jobs into the callback queue (analytics/callbacks.py)
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


# A day's reports for the district and every station take a few seconds each. The
# hard limit is the longest of any task: the broker's visibility timeout is set
# above it (settings.CELERY_LONGEST_TASK_SECONDS).
REPORT_TASK_LIMITS = {
    "soft_time_limit": settings.CELERY_LONGEST_TASK_SECONDS - 20,
    "time_limit": settings.CELERY_LONGEST_TASK_SECONDS,
}


@shared_task(
    name="analytics.tasks.reports_daily", ignore_result=True, acks_late=True, **REPORT_TASK_LIMITS
)
def reports_daily_task(today: str | None = None) -> list[int]:
    """日报 of yesterday (local) for the district and each station; run again, it replaces them."""
    start, end = daily_period(date.fromisoformat(today) if today else timezone.localdate())
    return reports_periodic(kind=ReportKind.DAILY, start=start, end=end)


@shared_task(
    name="analytics.tasks.reports_weekly", ignore_result=True, acks_late=True, **REPORT_TASK_LIMITS
)
def reports_weekly_task(today: str | None = None) -> list[int]:
    """周报 of the last week (Monday to Sunday) for the district and each station."""
    start, end = weekly_period(date.fromisoformat(today) if today else timezone.localdate())
    return reports_periodic(kind=ReportKind.WEEKLY, start=start, end=end)


@shared_task(name="analytics.tasks.sensor_months", ignore_result=True, acks_late=True)
def sensor_months_task() -> list[str]:
    """The sensors' month rows of the month just closed (and any missing)."""
    return [month.isoformat() for month in sensor_months_update()]
