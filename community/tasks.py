"""Periodic tasks of community: deadlines live in the database and are scanned."""

from celery import shared_task

from community import services


@shared_task(ignore_result=True, acks_late=True)
def sensors_scan() -> int:
    """Sensors past their heartbeat deadline go offline."""
    return services.sensors_scan()


@shared_task(ignore_result=True, acks_late=True)
def alarms_promote() -> int:
    """Held alarms whose hold ended become jobs (the batch that raised them missed them)."""
    return services.alarms_promote()
