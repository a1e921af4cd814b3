"""Websocket clients of the live stream for tests: connect as a user, read frames."""

import time

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction

from commandcenter.consumers import LiveConsumer
from commandcenter.services import event_record
from commandcenter.sessions import ACTIVE_KEY, STARTED_KEY


@sync_to_async
def record(subject, *, kind="test.event", station=None, post=None, street=None) -> int:
    with transaction.atomic():
        return event_record(
            kind=kind,
            subject=subject,
            station_id=getattr(station, "id", None),
            post_id=getattr(post, "id", None),
            street_id=getattr(street, "id", None),
        ).seq


def current_session() -> SessionBase:
    """A session just logged in (the consumer checks its idle and absolute lifetime)."""
    session = SessionBase()
    session[STARTED_KEY] = session[ACTIVE_KEY] = time.time()
    return session


async def connect(user, since=None) -> WebsocketCommunicator:
    path = "/ws/live/" + (f"?since={since}" if since is not None else "")
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), path)
    communicator.scope["user"] = user
    communicator.scope["session"] = current_session()
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def receive_until_hello(communicator) -> tuple[list[int], int]:
    """The seqs of the backlog (frames may hold a page of events), and hello's seq."""
    seqs = []
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        for message in frame if isinstance(frame, list) else [frame]:
            if message["type"] == "hello":
                return seqs, message["seq"]
            seqs.append(message["seq"])


async def drain(communicator, timeout=0.3) -> list[dict]:
    """Every message until the socket stays quiet (without cancelling the consumer).

    A frame holding a batch (a JSON array) counts as its messages.
    """
    messages = []
    while not await communicator.receive_nothing(timeout=timeout):
        frame = await communicator.receive_json_from()
        messages += frame if isinstance(frame, list) else [frame]
    return messages


def record_many(subject, count) -> list[int]:
    with transaction.atomic():
        return [event_record(kind="test.event", subject=subject).seq for _ in range(count)]
