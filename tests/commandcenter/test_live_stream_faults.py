"""The live stream under faults: a relay killed, a relay restarted, a slow
client, Redis away, the database away. Real PostgreSQL and Redis throughout;
each case is short (the long runs are bench/faults.py's)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

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
