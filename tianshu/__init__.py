"""Tianshu's Django project: settings, URL and websocket routes, ASGI and
Celery entry points, the web handler and the database backend. It composes
the apps and holds no domain code."""

from tianshu.celery import app as celery_app

__all__ = ["celery_app"]
