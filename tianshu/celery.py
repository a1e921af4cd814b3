"""The Celery application: configuration comes from Django settings (CELERY_*).

The worker keeps its database connection between tasks (CELERY_DB_REUSE_MAX):
reconnecting for each clock sweep, every second, cost more than the sweep
(bench/clocks.py). A kept connection is checked before each task and
replaced if the server dropped it.
"""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianshu.settings")

app = Celery("tianshu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def drop_broken_connections(**kwargs) -> None:
    """Close a kept connection that no longer works; the task opens a new one."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and (
            connection.errors_occurred or not connection.is_usable()
        ):
            connection.close()
