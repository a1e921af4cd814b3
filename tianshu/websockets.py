"""Websocket routes, and the guard that answers a handshake the database
cannot serve with a close code the browser retries."""

import logging

from django.urls import path

from commandcenter.consumers import CLOSE_TRY_LATER, DATABASE_ERRORS, LiveConsumer

logger = logging.getLogger(__name__)

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
]


class DatabaseDownGuard:
    """Wraps the websocket stack: a database error before the socket was
    accepted (the session and user are loaded from the database before any
    consumer runs) is answered by accepting and closing with 4503, which the
    browser retries with its last seq, instead of a failed handshake (a 500)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        state = {"connect_received": False, "accepted": False}

        async def tracked_receive():
            message = await receive()
            if message["type"] == "websocket.connect":
                state["connect_received"] = True
            return message

        async def tracked_send(message):
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            await send(message)

        try:
            return await self.app(scope, tracked_receive, tracked_send)
        except DATABASE_ERRORS:
            if state["accepted"]:
                raise
            logger.warning("websocket handshake: database unavailable, refused with 4503")
            if not state["connect_received"]:
                await receive()  # the websocket.connect the stack never read
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": CLOSE_TRY_LATER})
