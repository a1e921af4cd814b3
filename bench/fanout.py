"""Websocket fan-out of the live stream in production mode.

    .venv/bin/python bench/fanout.py [--clients 200] [--rate 50] [--seconds 30]

Starts Uvicorn workers and the event relay (production settings, PostgreSQL,
Redis pub/sub channel layer) on a fresh `tianshu_bench` database, connects
N dispatcher websockets, then commits events at the given rate from this
process. Prints delivery latency from commit to client (p50/p95/p99) and any
lost or duplicated messages. Target (issue 4): 200 clients, 50 events/s for
30 s, p99 < 250 ms, none lost.
"""

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    LOGIN_SESSION,
    django_shell,
    prepare_database,
    production_server,
    relay_process,
    server_environment,
    summary,
)


def produce(rate: float, seconds: float, committed: dict, done: threading.Event) -> None:
    """Commit `rate` events a second; remember when each commit returned."""
    os.environ.update(server_environment())
    os.environ["DATABASE_POOL_SIZE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianshu.settings")
    import django

    django.setup()
    from django.db import transaction

    from commandcenter.models import Bureau
    from commandcenter.services import event_record

    bureau = Bureau.objects.get()
    interval = 1.0 / rate
    next_at = time.monotonic()
    for number in range(int(rate * seconds)):
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at += interval
        with transaction.atomic():
            event_record(kind="bench.tick", subject=bureau, payload={"bench": number})
        committed[number] = time.time()
    done.set()


async def client(port, cookie, received: list, ready: asyncio.Event, counter: list):
    import websockets

    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/live/",
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": "http://127.0.0.1"},
        max_queue=None,
    ) as socket:
        first = json.loads(await socket.recv())
        assert first["type"] == "hello", first
        counter[0] += 1
        if counter[0] == counter[1]:
            ready.set()
        async for raw in socket:
            # Only the bench number is needed: a cheap scan instead of a full
            # parse keeps the measuring client from starving the server.
            arrived = time.time()
            at = raw.find('"bench": ')
            while at >= 0:  # a frame may hold a batch of events
                end = raw.find("}", at)
                received.append((int(raw[at + 9 : end]), arrived))
                at = raw.find('"bench": ', end)


async def run(port, cookie, clients, rate, seconds):
    received = [[] for _ in range(clients)]
    ready = asyncio.Event()
    counter = [0, clients]
    tasks = [
        asyncio.create_task(client(port, cookie, received[i], ready, counter))
        for i in range(clients)
    ]
    await asyncio.wait_for(ready.wait(), timeout=60)
    print(f"{clients} websockets connected; producing {rate:g} events/s for {seconds:g} s")
    committed: dict[int, float] = {}
    done = threading.Event()
    producer = threading.Thread(target=produce, args=(rate, seconds, committed, done))
    producer.start()
    while not done.is_set():
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)  # let the tail arrive
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies, lost, duplicated = [], 0, 0
    expected = set(committed)
    for messages in received:
        seen = [number for number, _ in messages]
        duplicated += len(seen) - len(set(seen))
        lost += len(expected - set(seen))
        latencies += [
            arrived - committed[number] for number, arrived in messages if number in committed
        ]
    print(summary("commit → client delivery", latencies))
    print(
        f"events {len(expected)} × clients {clients}: delivered {len(latencies)}, "
        f"lost {lost}, duplicated {duplicated}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print("Preparing the bench database (fresh, demo district)…", flush=True)
    prepare_database()
    cookie = django_shell(LOGIN_SESSION).strip().splitlines()[-1]
    with relay_process(), production_server(workers=args.workers) as port:
        asyncio.run(run(port, cookie, args.clients, args.rate, args.seconds))


if __name__ == "__main__":
    main()
