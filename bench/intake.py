"""Intake throughput and recommendation latency against the production-mode server.

    .venv/bin/python bench/intake.py [--clients 32] [--seconds 20] [--workers 2]

Creates a fresh `tianshu_bench` PostgreSQL database with the demo district,
tops the unit roster up to 500 available units, starts Uvicorn workers in
production mode, and drives `POST /api/v1/incidents/` with concurrent
keep-alive clients. Prints calls per second and p50/p95/p99 latency, then the
latency of `GET /api/v1/incidents/{id}/recommendations/` with 500 units, over
HTTP and in-process. Targets (issue 3): ≥ 300 intakes/s with p95 < 50 ms at
32 clients on a 2-core machine; recommendations p95 < 20 ms for 500 units.
"""

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (  # noqa: E402
    Connection,
    django_shell,
    prepare_database,
    production_server,
    summary,
)

CATEGORIES = [
    "criminal",
    "public_order",
    "traffic",
    "dispute",
    "assistance",
    "inquiry",
    "complaint",
    "misdial",
    "alarm",
    "missing_person",
]

SETUP = """
import json, random
from rest_framework.authtoken.models import Token
from commandcenter.models import User, Station
from patrol.models import Unit, PatrolZone
from patrol.choices import UnitStatus
from shapely.geometry import shape
user = User.objects.get(username="dispatcher")
token, _ = Token.objects.get_or_create(user=user)
rng = random.Random(7)
zones = [shape(z) for z in PatrolZone.objects.values_list("boundary", flat=True)]
stations = list(Station.objects.all())
existing = Unit.objects.count()
extra = []
for i in range(max(0, 500 - existing)):
    zone = rng.choice(zones)
    minx, miny, maxx, maxy = zone.bounds
    extra.append(Unit(call_sign=f"BENCH-{i:03d}", name=f"bench {i}", unit_type="patrol_car",
                      status=UnitStatus.AVAILABLE, home_station=rng.choice(stations),
                      lat=rng.uniform(miny, maxy), lng=rng.uniform(minx, maxx)))
Unit.objects.bulk_create(extra)
Unit.objects.filter(status=UnitStatus.OFF_DUTY).update(status=UnitStatus.AVAILABLE, team=None)
points = []
while len(points) < 20000:
    zone = rng.choice(zones)
    minx, miny, maxx, maxy = zone.bounds
    x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
    from shapely.geometry import Point
    if zone.contains(Point(x, y)):
        points.append((round(y, 6), round(x, 6)))
print(json.dumps({"token": token.key, "points": points,
                  "units": Unit.objects.filter(status=UnitStatus.AVAILABLE).count()}))
"""

IN_PROCESS = """
import time, json
from incidents.models import Incident
from dispatch.selectors import units_recommend
incident = Incident.objects.filter(tier="police").order_by("-id").first()
units_recommend(incident=incident, user=None)
samples = []
for _ in range(300):
    started = time.perf_counter()
    units_recommend(incident=incident, user=None)
    samples.append(time.perf_counter() - started)
print(json.dumps({"samples": samples, "incident": incident.pk}))
"""


async def drive_intake(port, token, points, clients, seconds, rate=None, seed=11):
    """Intake calls from `clients` keep-alive connections for `seconds`.

    Without a rate each client sends its next call as soon as it has the
    answer to the last (the server's capacity). With a rate the clients
    share a fixed schedule of `rate` calls a second, and each latency counts
    from the scheduled moment, so a server that falls behind shows it in
    the figures instead of slowing the clients down.
    """
    rng = random.Random(seed)
    latencies, errors = [], []
    started = time.monotonic()
    stop_at = started + seconds
    interval = clients / rate if rate else 0.0

    async def client(index):
        connection = Connection(port, token)
        await connection.open()
        due = started + (index / rate if rate else 0.0)
        try:
            while due < stop_at and time.monotonic() < stop_at:
                lat, lng = rng.choice(points)
                body = {
                    "category": rng.choice(CATEGORIES),
                    "description": "压力测试警情",
                    "caller_phone": f"138{rng.randrange(10**8):08d}",
                    "address": "测试地址",
                    "lat": lat,
                    "lng": lng,
                }
                if rate:
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    began = due - time.monotonic() + time.perf_counter()
                    due += interval
                else:
                    began = time.perf_counter()
                status, data = await connection.request("POST", "/api/v1/incidents/", body)
                elapsed = time.perf_counter() - began
                if status == 201:
                    latencies.append(elapsed)
                else:
                    errors.append((status, data[:200]))
        finally:
            connection.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies, errors, time.monotonic() - started


async def drive_recommendations(port, token, incident_ids, rounds):
    connection = Connection(port, token)
    await connection.open()
    latencies = []
    for i in range(rounds):
        incident = incident_ids[i % len(incident_ids)]
        started = time.perf_counter()
        status, data = await connection.request(
            "GET", f"/api/v1/incidents/{incident}/recommendations/"
        )
        latencies.append(time.perf_counter() - started)
        assert status == 200, data[:200]
    connection.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=300.0, help="calls/s of the paced run")
    args = parser.parse_args()

    print("Preparing the bench database (fresh, demo district)…", flush=True)
    prepare_database()
    setup = json.loads(django_shell(SETUP).strip().splitlines()[-1])
    token, points = setup["token"], setup["points"]
    print(f"{setup['units']} available units; {args.clients} clients, {args.workers} workers")

    with production_server(workers=args.workers) as port:
        asyncio.run(drive_intake(port, token, points, args.clients, args.warmup))
        # The paced run first, while the district holds only the warm-up's
        # calls; then the capacity run, which fills it with thousands more.
        phases = ((f"paced {args.rate:.0f}/s", args.rate, 12), ("capacity", None, 13))
        for label, rate, seed in phases:
            latencies, errors, elapsed = asyncio.run(
                drive_intake(port, token, points, args.clients, args.seconds, rate, seed)
            )
            print(summary(f"intake {label}", latencies, elapsed))
            if errors:
                print(f"  {len(errors)} errors, first: {errors[0]}")
        ids = json.loads(
            django_shell(
                "import json; from incidents.models import Incident; print(json.dumps(list("
                "Incident.objects.filter(tier='police').values_list('id', flat=True)[:200])))"
            )
            .strip()
            .splitlines()[-1]
        )
        http = asyncio.run(drive_recommendations(port, token, ids, 300))
        print(summary("recommendations over HTTP (500)", http))
    local = json.loads(django_shell(IN_PROCESS).strip().splitlines()[-1])
    print(summary("recommendations in-process (500)", local["samples"]))


if __name__ == "__main__":
    main()
