"""Periodic tasks of the shared core."""

from celery import shared_task

from commandcenter.idempotency import idempotency_purge
from commandcenter.services import worker_heartbeat_record


@shared_task(ignore_result=True)
def record_worker_heartbeat() -> None:
    """Sent by beat, run by a worker: proves broker, beat and worker all work."""
    worker_heartbeat_record(name="celery")


@shared_task(ignore_result=True, acks_late=True)
def purge_idempotency() -> int:
    """Forget machines' idempotent answers past their 24 hours."""
    return idempotency_purge()
