"""Tianshu's Django project and shared core (organisation, access, event log)."""

from commandcenter.celery import app as celery_app

__all__ = ["celery_app"]
