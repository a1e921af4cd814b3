"""Periodic tasks of dispatch: deadlines live in the database and are scanned."""

from celery import shared_task

from dispatch.services import orders_flag_overdue


@shared_task(ignore_result=True, acks_late=True)
def flag_overdue_orders() -> int:
    return orders_flag_overdue()
