"""ASGI entry point: HTTP through Django, websockets through Channels."""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commandcenter.settings")
django_asgi_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from commandcenter.routing import websocket_urlpatterns  # noqa: E402


class SyncConcurrencyLimit:
    """At most `limit` HTTP requests of this process inside Django at once.

    Django runs each request's synchronous code in a thread of its own; with
    dozens of them runnable, a request holding a row or advisory lock waits
    its turn for the GIL before it can commit, and everyone queues behind
    it. Requests over the limit wait here, on the event loop, at no cost.
    """

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.limit)
        async with self._semaphore:
            await self.app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": SyncConcurrencyLimit(django_asgi_application, settings.WEB_CONCURRENCY_LIMIT),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
