"""Periodic tasks of the webhooks, swept by beat: the deadlines (next_attempt_at) and
the cursor live in the database, so a task run twice, or two at once, sends nothing twice."""

from celery import shared_task

from webhooks.delivery import deliveries_plan, webhooks_send


@shared_task(name="webhooks.tasks.plan", ignore_result=True, acks_late=True)
def plan_task() -> int:
    """One delivery per (event, endpoint) from the events after the cursor."""
    read = deliveries_plan()
    while read:  # a backlog drains within the tick, a batch per transaction
        more = deliveries_plan()
        if not more:
            break
        read += more
        if read >= 5000:
            break
    return read


@shared_task(name="webhooks.tasks.send", ignore_result=True, acks_late=True)
def send_task() -> dict:
    """Send the due deliveries (a lease per delivery: no two workers send one at once)."""
    return webhooks_send()
