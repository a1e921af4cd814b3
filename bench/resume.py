"""Catch-up rate of the live stream: how fast a client coming back with
`?since=` receives what it missed, read from the event log in pages.

    .venv/bin/python bench/resume.py [--missed 2000 20000 100000] [--scope district]

Starts a Uvicorn worker and the event relay (production settings,
PostgreSQL, Redis pub/sub) on a fresh `tianshu_bench` database, writes the
missed events, then connects a websocket with `since` before them and times
it until `hello`. Prints events, seconds, events/s and frames per gap size;
checks every event arrived once and in order.
"""

import argparse
import asyncio
import json
import sys
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
)

WRITE = """
from django.db import transaction
from commandcenter.models import Bureau
from commandcenter.services import event_record
from commandcenter.stream import latest_seq
bureau = Bureau.objects.get()
before = latest_seq()
for start in range(0, {count}, 1000):
    with transaction.atomic():
        for number in range(start, min(start + 1000, {count})):
            event_record(kind="bench.missed", subject=bureau, payload={{"bench": number}})
print(before, latest_seq())
"""


async def resume(port: int, cookie: str, since: int) -> tuple[list[int], int, float]:
    import websockets

    seqs: list[int] = []
    frames = 0
    started = time.perf_counter()
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/live/?since={since}",
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": "http://127.0.0.1"},
        max_queue=None,
        max_size=None,
    ) as socket:
        async for raw in socket:
            frames += 1
            parsed = json.loads(raw)
            for message in parsed if isinstance(parsed, list) else [parsed]:
                if message["type"] == "hello":
                    return seqs, frames, time.perf_counter() - started
                if message["type"] == "event":
                    seqs.append(message["seq"])
                elif message["type"] == "reload":
                    raise SystemExit(f"told to reload: {message}")
    raise SystemExit("socket closed before hello")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missed", type=int, nargs="+", default=[2000, 20000, 100000])
    args = parser.parse_args()
    prepare_database()
    cookie = django_shell(LOGIN_SESSION).strip().splitlines()[-1]
    print(f"{'missed':>8} {'received':>9} {'frames':>7} {'seconds':>8} {'events/s':>10}  order")
    with relay_process(), production_server(workers=1) as port:
        for count in args.missed:
            before, after = map(int, django_shell(WRITE.format(count=count)).split()[-2:])
            seqs, frames, seconds = asyncio.run(resume(port, cookie, before))
            in_order = seqs == list(range(before + 1, after + 1))
            print(
                f"{count:>8} {len(seqs):>9} {frames:>7} {seconds:>8.2f} "
                f"{len(seqs) / seconds:>10.0f}  {'ok' if in_order else 'WRONG'}"
            )


if __name__ == "__main__":
    main()
