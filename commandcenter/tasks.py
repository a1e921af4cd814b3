"""Periodic tasks of the shared core."""

from celery import shared_task

from commandcenter.services import worker_heartbeat_record


@shared_task(ignore_result=True)
def record_worker_heartbeat() -> None:
    """Sent by beat, run by a worker: proves broker, beat and worker all work."""
    worker_heartbeat_record(name="celery")
