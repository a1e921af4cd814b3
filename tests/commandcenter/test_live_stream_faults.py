"""The live stream under faults: a relay killed, a relay restarted, a slow
client, Redis away, the database away. Real PostgreSQL and Redis throughout;
each case is short (the long runs are bench/faults.py's)."""

import asyncio
import os
import signal
import socket as socket_module
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

from commandcenter.channel_layer import OVERFLOW
from commandcenter.consumers import CLOSE_FELL_BEHIND, CLOSE_TRY_LATER
from commandcenter.models import RelayProgress
from commandcenter.stream import EVENT_RELAY_PROGRESS, EventRelay
from tests.commandcenter.live_clients import (
    connect,
    drain,
    receive_until_hello,
    record,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ROOT = Path(__file__).resolve().parents[2]


def relay_process() -> subprocess.Popen:
    """`manage.py relay_events` on this test run's database and Redis."""
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}"
        f"@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
        f"/{settings_dict['NAME']}"
    )
    environment = {**os.environ, "DATABASE_URL": database_url, "EVENT_RELAY_EMBEDDED": "0"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "relay_events"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def first_word(process: subprocess.Popen, timeout: float = 20.0) -> str:
    """What the relay announced first: "Holding" (the lock) or "Standing" (by)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(("Holding", "Standing")):
            return line.split()[0]
        if not line and process.poll() is not None:
            break
    pytest.fail("the relay announced nothing")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


async def test_the_standby_relay_publishes_within_two_seconds_of_the_holder_dying(users, district):
    relays = [relay_process(), relay_process()]
    try:
        words = [await sync_to_async(first_word)(relay) for relay in relays]
        assert sorted(words) == ["Holding", "Standing"]
        holder = relays[words.index("Holding")]
        socket = await connect(users.dispatcher)
        await receive_until_hello(socket)
        before = await record(district.bureau)
        assert (await socket.receive_json_from(timeout=5))["seq"] == before

        holder.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        after = await record(district.bureau)
        assert (await socket.receive_json_from(timeout=2))["seq"] == after
        assert time.monotonic() - killed_at < 2.0
        await socket.disconnect()
    finally:
        for relay in relays:
            stop(relay)


async def test_a_restarted_relay_publishes_from_where_it_stopped(users, district):
    layer = get_channel_layer()
    stopped = EventRelay(layer, progress=EVENT_RELAY_PROGRESS)
    await stopped.step()  # starts from the newest event and records it
    published = await record(district.bureau)
    await stopped.step()
    socket = await connect(users.dispatcher)
    await receive_until_hello(socket)
    assert await drain(socket) == []
    # The relay is down while these are written.
    missed = [await record(district.bureau) for _ in range(3)]

    restarted = EventRelay(layer, progress=EVENT_RELAY_PROGRESS)
    await restarted.step()
    assert [message["seq"] for message in await drain(socket)] == missed
    progress = await sync_to_async(RelayProgress.objects.get)(name=EVENT_RELAY_PROGRESS)
    assert progress.last_seq == missed[-1] > published
    await socket.disconnect()


async def test_a_client_that_falls_behind_is_closed_with_the_resume_code(users, settings):
    settings.LIVE_CLIENT_QUEUE_MESSAGES = 20
    socket = await connect(users.dispatcher)
    await receive_until_hello(socket)
    layer = get_channel_layer()
    # A burst faster than the consumer takes it: nothing runs between these.
    for _ in range(50):
        layer.deliver_locally("live.district", {"type": "positions.message", "units": []})
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": CLOSE_FELL_BEHIND}


async def test_a_socket_queue_holds_a_bounded_amount_under_a_flood(settings):
    settings.LIVE_CLIENT_QUEUE_BYTES = 256 * 1024
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("live.flood-test", channel)
    units = [{"id": n, "lat": 30.0, "lng": 120.0} for n in range(500)]
    for _ in range(200):  # about 10 MB published, nobody reading
        await layer.group_send("live.flood-test", {"type": "positions.message", "units": units})
    await asyncio.sleep(1.0)
    queue = layer._get_layer().channels[channel]
    assert queue.size <= 256 * 1024
    assert (await layer.receive(channel)) == OVERFLOW
    await layer.group_discard("live.flood-test", channel)


@pytest.fixture
def private_redis(settings):
    """A redis-server of this test's own on a spare port, and the channel layer on it."""
    from channels.layers import channel_layers

    port = spare_port()
    server = RedisServer(port)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "commandcenter.channel_layer.LiveChannelLayer",
            "CONFIG": {
                "hosts": [{"address": f"redis://127.0.0.1:{port}/0", "socket_connect_timeout": 1}],
                "prefix": "tianshu.private",
            },
        }
    }
    channel_layers.backends.clear()
    yield server
    server.stop()
    channel_layers.backends.clear()


async def test_with_redis_down_events_still_arrive_from_the_log_in_order(
    users, district, private_redis, settings
):
    settings.LIVE_FALLBACK_GRACE_SECONDS = 0.5
    relay = EventRelay(get_channel_layer(), progress=EVENT_RELAY_PROGRESS)
    await relay.step()
    socket = await connect(users.dispatcher)
    await receive_until_hello(socket)
    through_redis = await record(district.bureau)
    await relay.step()
    assert (await socket.receive_json_from(timeout=5))["seq"] == through_redis

    private_redis.stop()
    stopped_at = time.monotonic()
    from_the_log = [await record(district.bureau) for _ in range(3)]
    seen = [message["seq"] for message in await receive_frames(socket, 3, timeout=2.0)]
    assert seen == from_the_log
    assert time.monotonic() - stopped_at < 2.0

    private_redis.start()
    both = await record(district.bureau)
    await relay_until_published(relay)  # the relay's backlog and the fallback overlap
    await asyncio.sleep(1.5)  # the fallback's grace passes: Redis alone again
    after = await record(district.bureau)
    await relay.step()
    seen = [message["seq"] for message in await drain(socket, timeout=1.0)]
    assert seen == [both, after]
    await socket.disconnect()


async def relay_until_published(relay: EventRelay, timeout: float = 10.0) -> None:
    """Step the relay until Redis takes its messages again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await relay.step()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            relay.failed()
            await asyncio.sleep(0.2)


async def receive_frames(socket, count: int, *, timeout: float) -> list[dict]:
    """The next `count` messages (frames may hold several), within `timeout` in all."""
    deadline = time.monotonic() + timeout
    messages = []
    while len(messages) < count:
        frame = await socket.receive_json_from(timeout=max(0.01, deadline - time.monotonic()))
        messages += frame if isinstance(frame, list) else [frame]
    return messages


def spare_port() -> int:
    with socket_module.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """`redis-server` on a port of its own, stopped and started by a test."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket_module.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def database_down():
    """Makes new connections of the default database go to a port nothing
    listens on, after closing the consumers' thread's connection."""
    from channels.db import database_sync_to_async
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    port = settings_dict["PORT"]

    def close_this_threads_connection() -> None:
        connections["default"].close()

    async def down() -> None:
        settings_dict["PORT"] = str(spare_port())
        await database_sync_to_async(close_this_threads_connection)()

    yield down
    settings_dict["PORT"] = port


@sync_to_async
def logged_in_cookie(user) -> bytes:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from commandcenter.sessions import ACTIVE_KEY, STARTED_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[STARTED_KEY] = session[ACTIVE_KEY] = time.time()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


async def test_a_handshake_while_the_database_is_down_is_closed_with_try_later(
    users, database_down
):
    from channels.testing import WebsocketCommunicator

    from tianshu.asgi import application

    cookie = await logged_in_cookie(users.dispatcher)
    await database_down()
    socket = WebsocketCommunicator(
        application,
        "/ws/live/?since=1",
        headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"), (b"cookie", cookie)],
    )
    connected, _ = await socket.connect(timeout=10)
    assert connected  # accepted, so the browser sees the code and retries
    assert (await socket.receive_output(timeout=10))["code"] == CLOSE_TRY_LATER


async def test_a_sync_that_meets_the_database_down_closes_with_try_later(users, database_down):
    socket = await connect(users.dispatcher)
    await receive_until_hello(socket)
    await database_down()
    await socket.send_json_to({"type": "sync"})
    closed = await socket.receive_output(timeout=10)
    assert closed == {"type": "websocket.close", "code": CLOSE_TRY_LATER}
