"""GPS fix ingestion against the production-mode server.

    .venv/bin/python bench/positions.py [--clients 8] [--batch 100] [--seconds 20]

Fresh `tianshu_bench` database with the demo district; clients post batches
of fixes for every unit to `POST /api/v1/positions/` (the relay and the live
stream are running, so each batch is also published to the map). Prints
fixes per second and per-batch latency. Target (issue 4): ≥ 5,000 fixes/s in
batches of 100.
"""

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    Connection,
    django_shell,
    prepare_database,
    production_server,
    relay_process,
    summary,
)

SETUP = """
import json
from commandcenter.choices import Role
from commandcenter.machine_keys import machine_key_create
from commandcenter.models import User
from patrol.models import Unit
# Positions come from an AVL gateway: a gateway account and its machine key, bound to the units.
gateway, _ = User.objects.get_or_create(username="bench-gateway", defaults={"role": Role.GATEWAY})
units = list(Unit.objects.exclude(lat=None).values_list("id", "lat", "lng"))
_, key = machine_key_create(
    actor=None, name="bench", kind="gateway", user=gateway, unit_ids=[u[0] for u in units]
)
print(json.dumps({"token": key, "units": units}))
"""


async def drive(port, token, units, clients, batch, seconds):
    latencies, errors, fixes = [], [], [0]
    stop_at = time.monotonic() + seconds

    async def client(index):
        rng = random.Random(index)
        connection = Connection(port, token, scheme="Key")
        await connection.open()
        try:
            while time.monotonic() < stop_at:
                now = datetime.now(UTC).isoformat()
                body = {
                    "fixes": [
                        {
                            "unit": unit_id,
                            "time": now,
                            "lat": lat + rng.uniform(-5e-4, 5e-4),
                            "lng": lng + rng.uniform(-5e-4, 5e-4),
                            "speed": 8.0,
                            "heading": 90.0,
                        }
                        for unit_id, lat, lng in rng.sample(units, min(batch, len(units)))
                    ]
                }
                started = time.perf_counter()
                status, data = await connection.request("POST", "/api/v1/positions/", body)
                latencies.append(time.perf_counter() - started)
                if status == 200:
                    fixes[0] += json.loads(data)["accepted"]
                else:
                    errors.append((status, data[:200]))
        finally:
            connection.close()

    started = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies, errors, fixes[0], time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print("Preparing the bench database (fresh, demo district)…", flush=True)
    prepare_database()
    setup = json.loads(django_shell(SETUP).strip().splitlines()[-1])
    with relay_process(), production_server(workers=args.workers) as port:
        asyncio.run(drive(port, setup["token"], setup["units"], args.clients, args.batch, 3))
        latencies, errors, fixes, elapsed = asyncio.run(
            drive(port, setup["token"], setup["units"], args.clients, args.batch, args.seconds)
        )
    print(
        f"{fixes / elapsed:,.0f} fixes/s ({fixes:,} fixes in {elapsed:.1f} s, "
        f"batches of {args.batch}, {args.clients} clients)"
    )
    print(summary("POST /positions/ per batch", latencies, elapsed))
    if errors:
        print(f"  {len(errors)} errors, first: {errors[0]}")


if __name__ == "__main__":
    main()
