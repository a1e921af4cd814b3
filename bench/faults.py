"""Fault injection under a steady load: each part of the platform killed or
stopped in turn, and what the callers and the live map saw.

    .venv/bin/python bench/faults.py [--quick] [--only NAME ...] [--json FILE]

Starts a PostgreSQL cluster and a Redis server of its own on spare ports
(bench.harness.own_services: never the machine's shared ones), migrates and
seeds the demo district, then runs two web processes (one Uvicorn worker
each, as behind the proxy), a Celery worker and beat, and two event relays
(one holds the lock, one stands by). Each experiment starts five live-map
clients in five scopes (district dispatcher, two station chiefs, a post
officer, a street user), each resuming with `?since=` from the log as the
browser does (4429 at once, 4503 after a pause, a lost connection after a
moment, to whichever web process answers), and intake at 20 calls/s through
POST /api/v1/incidents/ with an Idempotency-Key per call (a call that failed
or timed out is sent again with the same key and body until it is answered).
Then the fault, then the count:

- calls: accepted (answered 2xx), stored (rows in the database), lost
  (accepted, not stored), ghost (stored more than once, or never accepted);
  failed attempts (refused, timed out, 5xx) along the way;
- per client: expected (the events of the window its scope may see, by
  Event.visible_to in SQL against the private database), seen, missing,
  duplicated (the same seq delivered twice), out of order;
- time to recover, web processes' memory (VmRSS) start → end, and the
  experiment's key figure (failover, delivery latency, failures once back…).

Experiments: relay-kill, web-worker-kill, web-kill, redis-outage,
postgres-outage, worker-kill, client-away, slow-client. `--quick` shortens
each (the harness's own test runs relay-kill that way).
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import PYTHON, Connection, django_shell, free_port  # noqa: E402

# The five live-map clients: (name, user). `chief2` is made for the bench: the
# demo district has one station chief.
CLIENTS = [
    ("dispatcher", "dispatcher"),
    ("chief", "chief"),
    ("chief2", "bench-chief2"),
    ("post", "post_officer"),
    ("street", "street_staff"),
]
MARK = "故障测试"
# Units in a positions batch of the slow-client flood (the demo roster topped up to it).
FLOOD_UNITS = 400

SETUP = """
import json, random, time
from rest_framework.authtoken.models import Token
from bench.harness import login_session as session
from shapely.geometry import Point, shape
from commandcenter.choices import Role
from commandcenter.machine_keys import machine_key_create
from commandcenter.models import Station, User
from patrol.choices import UnitStatus
from patrol.models import PatrolZone, Unit

chief = User.objects.get(username="chief")
second = Station.objects.exclude(pk=chief.station_id).order_by("code").first()
if not User.objects.filter(username="bench-chief2").exists():
    user = User(username="bench-chief2", role=Role.STATION_CHIEF, station=second, first_name="所长")
    user.set_unusable_password()
    user.full_clean()
    user.save()


token, _ = Token.objects.get_or_create(user=User.objects.get(username="dispatcher"))
gateway, _ = User.objects.get_or_create(username="bench-gateway", defaults={"role": Role.GATEWAY})
# The positions flood needs big frames: the roster topped up to FLOOD_UNITS units.
stations = list(Station.objects.all())
zones = [shape(z) for z in PatrolZone.objects.values_list("boundary", flat=True)]
rng = random.Random(17)
extra = []
for number in range(max(0, %(units)d - Unit.objects.count())):
    minx, miny, maxx, maxy = rng.choice(zones).bounds
    extra.append(Unit(call_sign=f"FAULT-{number:03d}", name=f"fault {number}",
                      unit_type="patrol_car", status=UnitStatus.AVAILABLE,
                      home_station=rng.choice(stations),
                      lat=rng.uniform(miny, maxy), lng=rng.uniform(minx, maxx)))
Unit.objects.bulk_create(extra)
units = list(Unit.objects.exclude(lat=None).values_list("id", "lat", "lng"))
_, key = machine_key_create(
    actor=None, name="bench-faults", kind="gateway", user=gateway, unit_ids=[u[0] for u in units]
)
points = []
while len(points) < 2000:
    zone = rng.choice(zones)
    minx, miny, maxx, maxy = zone.bounds
    x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
    if zone.contains(Point(x, y)):
        points.append((round(y, 6), round(x, 6)))
print(json.dumps({
    "sessions": {name: session(name) for name in %(users)r},
    "token": token.key, "gateway": key, "units": units, "points": points,
}))
"""

CATEGORIES = ["criminal", "public_order", "traffic", "dispute", "assistance", "alarm"]


def now() -> float:
    return time.time()


# ---------------------------------------------------------------- processes


class Process:
    """One child process of the platform, killed and started again at will."""

    def __init__(self, name: str, argv: list[str], env: dict, *, port: int | None = None):
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.popen: subprocess.Popen | None = None
        self.lines: list[tuple[float, str]] = []

    def start(self) -> None:
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, args=(self.popen,), daemon=True).start()

    def _read(self, popen) -> None:
        for line in popen.stdout:
            self.lines.append((now(), line.rstrip()))

    def wait_port(self, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.popen.poll() is not None:
                    break
                time.sleep(0.1)
        tail = "\n".join(line for _, line in self.lines[-20:])
        raise RuntimeError(f"{self.name} did not start:\n{tail}")

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.alive:
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()

    def rss_mb(self) -> float | None:
        if not self.alive:
            return None
        try:
            for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def announced(self, word: str) -> bool:
        """Was `word` the start of the relay's last announcement?"""
        said = [line for _, line in self.lines if line.startswith(("Holding", "Standing", "Lost"))]
        return bool(said) and said[-1].startswith(word)


class Platform:
    """The web processes, the relays, the Celery worker and beat."""

    def __init__(self, services: dict):
        self.services = services
        env = harness.server_environment(
            SESSION_IDLE_MINUTES="240", LOG_LEVEL="WARNING", HEALTH_REQUIRE_WORKER="0"
        )
        self.webs = []
        for index in range(2):
            port = free_port()
            argv = [PYTHON, "-m", "uvicorn", "tianshu.asgi:application", "--host", "127.0.0.1"]
            argv += ["--port", str(port), "--lifespan", "off", "--no-access-log"]
            argv += ["--log-level", "warning"]
            self.webs.append(Process(f"web{index + 1}", argv, env, port=port))
        relay = [PYTHON, "-u", "manage.py", "relay_events"]
        self.relays = [Process(f"relay{index + 1}", relay, env) for index in range(2)]
        celery_env = {**env, "DATABASE_POOL_SIZE": "0"}
        schedule = Path(tempfile.gettempdir()) / f"faults-celerybeat-{os.getpid()}"
        worker = [PYTHON, "-m", "celery", "-A", "tianshu", "worker", "--concurrency", "2"]
        worker += ["--without-gossip", "--without-mingle", "-l", "WARNING"]
        beat = [PYTHON, "-m", "celery", "-A", "tianshu", "beat", "-l", "WARNING"]
        beat += ["--schedule", str(schedule)]
        self.worker = Process("worker", worker, celery_env)
        self.beat = Process("beat", beat, celery_env)

    @property
    def ports(self) -> list[int]:
        return [web.port for web in self.webs]

    def start(self) -> None:
        harness.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        for process in (*self.webs, self.relays[0], self.worker, self.beat):
            process.start()
        for web in self.webs:
            web.wait_port()
        self.wait_relay_holder()
        self.relays[1].start()
        deadline = time.monotonic() + 30
        while not self.relays[1].announced("Standing") and time.monotonic() < deadline:
            time.sleep(0.1)

    def wait_relay_holder(self, timeout: float = 40.0) -> "Process":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for relay in self.relays:
                if relay.alive and relay.announced("Holding"):
                    return relay
            time.sleep(0.05)
        raise RuntimeError("no relay took the lock")

    def stop(self) -> None:
        for process in (*self.relays, self.beat, self.worker, *self.webs):
            process.kill(signal.SIGTERM)

    def rss(self) -> list[float | None]:
        return [web.rss_mb() for web in self.webs]


# ---------------------------------------------------------------- clients


@dataclass
class Arrival:
    seq: int
    at: float  # wall clock, when the frame arrived
    occurred: float  # the event's occurred_at


@dataclass
class ClientRecord:
    name: str
    arrivals: list = field(default_factory=list)
    hellos: list = field(default_factory=list)  # wall clock of each hello
    closes: list = field(default_factory=list)  # (wall clock, code)
    reloads: int = 0
    failed_connects: int = 0
    positions_frames: int = 0


class LiveClient:
    """A live-map websocket that resumes as the browser's LiveStream does."""

    def __init__(self, name, cookie, ports, since, *, home=0, read_delay=0.0, small_buffer=False):
        self.record = ClientRecord(name)
        self.cookie, self.ports, self.last_seq = cookie, ports, since
        self.port_index = home
        self.read_delay, self.small_buffer = read_delay, small_buffer
        self.socket = None
        self.away_until = 0.0
        self.stopped = False

    def connected(self) -> bool:
        return self.socket is not None and bool(self.record.hellos)

    async def away(self, seconds: float) -> None:
        self.away_until = time.monotonic() + seconds
        if self.socket is not None:
            await self.socket.close()

    async def run(self) -> None:
        import websockets

        while not self.stopped:
            wait = self.away_until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            port = self.ports[self.port_index % len(self.ports)]
            url = f"ws://127.0.0.1:{port}/ws/live/?since={self.last_seq}"
            options = {}
            if self.small_buffer:
                raw = socket.socket()
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                raw.setblocking(False)
                try:
                    await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", port))
                except OSError:
                    raw.close()
                    self.record.failed_connects += 1
                    self.port_index += 1
                    await asyncio.sleep(0.5)
                    continue
                # No permessage-deflate either: every byte of the flood stays a byte
                # on the wire, so the server's socket buffer fills in seconds.
                options = {"sock": raw, "max_queue": 1, "compression": None}
            try:
                async with websockets.connect(
                    url,
                    additional_headers={
                        "Cookie": f"sessionid={self.cookie}",
                        "Origin": "http://127.0.0.1",
                    },
                    max_size=None,
                    open_timeout=5,
                    ping_interval=None,
                    **options,
                ) as ws:
                    self.socket = ws
                    code = await self._read(ws)
            except websockets.ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else 1006
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                self.record.failed_connects += 1
                self.port_index += 1  # as a proxy would: the other web process
                await asyncio.sleep(0.5)
                continue
            finally:
                self.socket = None
            if self.stopped:
                return
            self.record.closes.append((now(), code))
            # As live.js: 4429 at once, 4503 after a pause, else after a moment.
            if code == 4503:
                await asyncio.sleep(1.0)
            elif code != 4429:
                await asyncio.sleep(0.5)

    async def _read(self, ws) -> int:
        syncing = asyncio.create_task(self._sync(ws))
        try:
            async for raw in ws:
                arrived = now()
                if raw.startswith('{"type": "positions"'):
                    self.record.positions_frames += 1
                else:
                    parsed = json.loads(raw)
                    for message in parsed if isinstance(parsed, list) else [parsed]:
                        kind = message.get("type")
                        if kind == "event":
                            seq = message["seq"]
                            occurred = datetime.fromisoformat(message["time"]).timestamp()
                            self.record.arrivals.append(Arrival(seq, arrived, occurred))
                            self.last_seq = max(self.last_seq, seq)
                        elif kind == "hello":
                            self.record.hellos.append(arrived)
                        elif kind == "reload":
                            self.record.reloads += 1
                            self.last_seq = message["seq"]
                if self.read_delay:
                    await asyncio.sleep(self.read_delay)
        finally:
            syncing.cancel()
        return ws.close_code or 1000

    async def _sync(self, ws) -> None:
        while True:
            await asyncio.sleep(15)
            await ws.send(json.dumps({"type": "sync"}))

    async def stop(self) -> None:
        self.stopped = True
        if self.socket is not None:
            await self.socket.close()


# ---------------------------------------------------------------- intake


@dataclass
class Call:
    number: int
    key: str
    body: bytes
    accepted_at: float | None = None
    attempts: list = field(default_factory=list)  # (started, outcome)


class Intake:
    """Calls at a fixed rate; each sent until answered 2xx, with the same key."""

    def __init__(self, ports, token, points, tag, rate):
        self.ports, self.token, self.points, self.tag = ports, token, points, tag
        self.rate = rate
        self.calls: list[Call] = []
        self.rng = random.Random(hash(tag) & 0xFFFF)
        self.stopping = False
        self.tasks: list[asyncio.Task] = []

    async def run(self) -> None:
        interval = 1.0 / self.rate
        due = time.monotonic()
        while not self.stopping:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            due += interval
            number = len(self.calls)
            lat, lng = self.rng.choice(self.points)
            body = {
                "category": self.rng.choice(CATEGORIES),
                "description": f"{MARK} {self.tag} #{number}",
                "caller_phone": f"139{self.rng.randrange(10**8):08d}",
                "address": "测试地址",
                "lat": lat,
                "lng": lng,
            }
            call = Call(number, str(uuid.uuid4()), json.dumps(body).encode())
            self.calls.append(call)
            self.tasks.append(asyncio.create_task(self._send(call)))

    async def _send(self, call: Call) -> None:
        give_up = None
        attempt = 0
        while True:
            port = self.ports[(call.number + attempt) % len(self.ports)]
            attempt += 1
            started = now()
            connection = Connection(port, self.token)
            try:
                await asyncio.wait_for(connection.open(), 3)
                status, _ = await asyncio.wait_for(
                    connection.request(
                        "POST", "/api/v1/incidents/", call.body, {"Idempotency-Key": call.key}
                    ),
                    5,
                )
                outcome = status
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                outcome = "refused"
            except TimeoutError:
                outcome = "timeout"
            finally:
                connection.close()
            call.attempts.append((started, outcome))
            if isinstance(outcome, int) and 200 <= outcome < 300:
                call.accepted_at = now()
                return
            if isinstance(outcome, int) and outcome in (400, 401, 403, 404, 422):
                return  # a refusal no retry changes: reported as failed
            if self.stopping:
                give_up = give_up or time.monotonic() + 40
                if time.monotonic() > give_up:
                    return
            await asyncio.sleep(0.3)

    async def finish(self) -> None:
        self.stopping = True
        await asyncio.gather(*self.tasks, return_exceptions=True)


class Positions:
    """A positions flood from an AVL gateway: batches of every unit's fix."""

    def __init__(self, ports, key, units, rate):
        self.ports, self.key, self.units, self.rate = ports, key, units, rate
        self.stopping = False
        self.sent = self.failed = self.fixes = 0
        self.rejected = []

    async def run(self) -> None:
        rng = random.Random(4)
        connection = Connection(self.ports[1], self.key, scheme="Key")
        await connection.open()
        interval = 1.0 / self.rate
        due = time.monotonic()
        try:
            while not self.stopping:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                due = max(due + interval, time.monotonic() - 1)
                at = datetime.now(UTC).isoformat()
                fixes = [
                    {"unit": unit, "time": at, "lat": lat + rng.uniform(-5e-4, 5e-4),
                     "lng": lng + rng.uniform(-5e-4, 5e-4), "speed": 8.0, "heading": 90.0}
                    for unit, lat, lng in self.units
                ]  # fmt: skip
                status, data = await connection.request(
                    "POST", "/api/v1/positions/", {"fixes": fixes}
                )
                if status == 200:
                    self.sent += 1
                    answer = json.loads(data)
                    self.fixes += answer["accepted"]
                    if answer["rejected"] and not self.rejected:
                        self.rejected = answer["rejected"][:2]
                else:
                    self.failed += 1
        finally:
            connection.close()


# ---------------------------------------------------------------- the database's view


class Ledger:
    """What the private database holds, read with the project's own rules."""

    def __init__(self):
        harness.django_setup()
        self.pool = ThreadPoolExecutor(1)

    async def call(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.pool, function, *args)

    @staticmethod
    def _fresh():
        from django.db import connection

        connection.close()  # the cluster may have restarted since

    def latest_seq(self) -> int:
        self._fresh()
        from commandcenter.stream import latest_seq

        return latest_seq()

    def stored(self, tag: str) -> Counter:
        self._fresh()
        from incidents.models import Incident

        prefix = f"{MARK} {tag} #"
        descriptions = Incident.objects.filter(description__startswith=prefix).values_list(
            "description", flat=True
        )
        return Counter(int(text[len(prefix) :]) for text in descriptions)

    def expected(self, username: str, after: int, upto: int) -> list[int]:
        self._fresh()
        from commandcenter.access import scope_of
        from commandcenter.models import Event, User

        scope = scope_of(User.objects.get(username=username))
        events = Event.objects.filter(Event.visible_to(scope), seq__gt=after, seq__lte=upto)
        return list(events.order_by("seq").values_list("seq", flat=True))


async def health(port: int) -> dict | None:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        return json.loads(data.partition(b"\r\n\r\n")[2])
    except (OSError, TimeoutError, ValueError):
        return None


# ---------------------------------------------------------------- experiments


@dataclass
class Result:
    name: str
    accepted: int = 0
    stored: int = 0
    lost: int = 0
    ghost: int = 0
    calls: int = 0
    failed_attempts: int = 0
    clients: dict = field(default_factory=dict)
    recover_s: float | None = None
    memory_mb: dict = field(default_factory=dict)
    figure: str = ""
    figures: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


class Run:
    """One experiment: clients and intake around a fault, then the count."""

    def __init__(self, bench: "Bench", name: str, *, rate: float = 20.0):
        self.bench, self.name, self.rate = bench, name, rate
        self.tag = f"{name}-{uuid.uuid4().hex[:6]}"
        self.result = Result(name)

    async def __aenter__(self):
        bench = self.bench
        self.start_seq = await bench.ledger.call(bench.ledger.latest_seq)
        self.rss_start = bench.platform.rss()
        self.clients = [
            LiveClient(name, bench.sessions[user], bench.platform.ports, self.start_seq, home=i)
            for i, (name, user) in enumerate(CLIENTS)
        ]
        self.users = {name: user for name, user in CLIENTS}
        self.client_tasks = [asyncio.create_task(client.run()) for client in self.clients]
        await self.wait_connected(self.clients, 30)
        self.intake = Intake(bench.platform.ports, bench.token, bench.points, self.tag, self.rate)
        self.intake_task = asyncio.create_task(self.intake.run())
        return self

    def add_client(self, client: LiveClient, user: str) -> None:
        self.clients.append(client)
        self.users[client.record.name] = user
        self.client_tasks.append(asyncio.create_task(client.run()))

    async def wait_connected(self, clients, timeout) -> None:
        deadline = time.monotonic() + timeout
        while not all(client.connected() for client in clients):
            if time.monotonic() > deadline:
                raise RuntimeError("live clients did not connect")
            await asyncio.sleep(0.1)

    async def __aexit__(self, kind, error, trace):
        if kind is not None:
            for task in (self.intake_task, *self.client_tasks):
                task.cancel()
            return False
        bench, result = self.bench, self.result
        self.intake_task.cancel()
        await self.intake.finish()
        await asyncio.sleep(1.0)
        end_seq = await bench.ledger.call(bench.ledger.latest_seq)
        expected = {
            name: await bench.ledger.call(bench.ledger.expected, user, self.start_seq, end_seq)
            for name, user in self.users.items()
        }
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            behind = [
                client
                for client in self.clients
                if expected[client.record.name]
                and client.last_seq < expected[client.record.name][-1]
            ]
            if not behind:
                break
            await asyncio.sleep(0.2)
        for client in self.clients:
            await client.stop()
        await asyncio.gather(*self.client_tasks, return_exceptions=True)
        result.memory_mb = {
            "start": self.rss_start,
            "end": bench.platform.rss(),
            **result.memory_mb,
        }
        self.count_calls(await bench.ledger.call(bench.ledger.stored, self.tag))
        for client in self.clients:
            result.clients[client.record.name] = self.count_events(
                client.record, expected[client.record.name], end_seq
            )
        return False

    def count_calls(self, stored: Counter) -> None:
        result = self.result
        calls = self.intake.calls
        accepted = {call.number for call in calls if call.accepted_at is not None}
        result.calls = len(calls)
        result.accepted = len(accepted)
        result.stored = sum(stored.values())
        result.lost = len(accepted - set(stored))
        # Stored twice, or stored for a call never answered 2xx.
        result.ghost = sum(count - 1 for count in stored.values()) + len(set(stored) - accepted)
        result.failed_attempts = sum(
            1
            for call in calls
            for _, outcome in call.attempts
            if not (isinstance(outcome, int) and 200 <= outcome < 300)
        )
        outcomes = Counter(str(outcome) for call in calls for _, outcome in call.attempts)
        result.figures["attempt_outcomes"] = dict(outcomes)
        unanswered = [call.number for call in calls if call.accepted_at is None]
        if unanswered:
            result.problems.append(f"{len(unanswered)} calls never answered 2xx")

    @staticmethod
    def count_events(record: ClientRecord, expected: list[int], end_seq: int) -> dict:
        seen = [arrival.seq for arrival in record.arrivals if arrival.seq <= end_seq]
        counted = Counter(seen)
        out_of_order = sum(1 for before, after in pairwise(seen) if after < before)
        return {
            "expected": len(expected),
            "seen": len(counted),
            "missing": len(set(expected) - set(counted)),
            "duplicated": sum(count - 1 for count in counted.values()),
            "out_of_order": out_of_order,
            "unexpected": len(set(counted) - set(expected)),
            "reloads": record.reloads,
            "reconnects": len(record.closes),
            "close_codes": dict(Counter(str(code) for _, code in record.closes)),
            "positions_frames": record.positions_frames,
        }

    # Figures read from what the clients saw.

    def first_after(self, moment: float, client: str | None = None) -> float | None:
        """Seconds from `moment` until an event that occurred after it reached a client."""
        arrivals = [
            arrival.at
            for each in self.clients
            if client is None or each.record.name == client
            for arrival in each.record.arrivals
            if arrival.occurred > moment
        ]
        return min(arrivals) - moment if arrivals else None

    def worst_latency(self, start: float, end: float) -> float | None:
        """The longest commit-to-client delivery of events that occurred in [start, end]."""
        latencies = [
            arrival.at - arrival.occurred
            for client in self.clients
            for arrival in client.record.arrivals
            if start <= arrival.occurred <= end
        ]
        return max(latencies) if latencies else None

    def back_after(self, moment: float, clients=None) -> float | None:
        """Seconds from `moment` until every client closed after it said hello again."""
        latest = 0.0
        for client in clients or self.clients:
            if not any(at >= moment for at, _ in client.record.closes):
                continue
            hellos = [at for at in client.record.hellos if at > moment]
            if not hellos:
                return None
            latest = max(latest, hellos[0] - moment)
        return latest


class Bench:
    def __init__(self, services: dict, quick: bool):
        self.services, self.quick = services, quick
        self.platform = Platform(services)
        users = [user for _, user in CLIENTS]
        setup = django_shell(SETUP % {"users": users, "units": FLOOD_UNITS})
        setup = json.loads(setup.strip().splitlines()[-1])
        self.sessions, self.token = setup["sessions"], setup["token"]
        self.gateway, self.units, self.points = setup["gateway"], setup["units"], setup["points"]
        self.ledger = Ledger()

    def seconds(self, full: float, quick: float) -> float:
        return quick if self.quick else full

    async def pause(self, full: float, quick: float) -> None:
        await asyncio.sleep(self.seconds(full, quick))

    async def relay_kill(self) -> Result:
        async with Run(self, "relay-kill") as run:
            await self.pause(8, 3)
            holder = self.platform.wait_relay_holder()
            killed_at = now()
            holder.kill()
            standby = self.platform.wait_relay_holder(10)
            took_over = now() - killed_at
            holder.start()  # back as the standby
            await self.pause(10, 5)
        result = run.result
        failover = run.first_after(killed_at)
        result.recover_s = failover
        result.figures.update(
            failover_s=failover,
            lock_taken_s=took_over,
            worst_latency_s=run.worst_latency(killed_at, killed_at + 5),
            new_holder=standby.name,
        )
        result.figure = f"failover {fmt(failover)} s (lock {took_over:.2f} s)"
        if failover is None or failover > 2:
            result.problems.append(f"relay failover {fmt(failover)} s > 2 s")
        return result

    async def web_worker_kill(self) -> Result:
        async with Run(self, "web-worker-kill") as run:
            await self.pause(8, 3)
            web = self.platform.webs[0]
            killed_at = now()
            web.kill()
            await self.pause(3, 2)
            web.start()
            await asyncio.get_running_loop().run_in_executor(None, web.wait_port)
            await self.pause(10, 5)
        result = run.result
        back = run.back_after(killed_at)
        result.recover_s = back
        result.figures.update(
            clients_back_s=back,
            worst_latency_s=run.worst_latency(killed_at, killed_at + 10),
            failed_attempts=result.failed_attempts,
        )
        result.figure = f"clients back {fmt(back)} s"
        return result

    async def web_kill(self) -> Result:
        async with Run(self, "web-kill") as run:
            await self.pause(8, 3)
            killed_at = now()
            for web in self.platform.webs:
                web.kill()
            await self.pause(5, 3)
            restarted_at = now()
            for web in self.platform.webs:
                web.start()
            for web in self.platform.webs:
                await asyncio.get_running_loop().run_in_executor(None, web.wait_port)
            up_at = now()
            await self.pause(10, 6)
        result = run.result
        # The clients' sockets closed at the kill; from then on they knock until it is back.
        back = run.back_after(killed_at)
        back = None if back is None else back - (restarted_at - killed_at)
        first_ok = min(
            (c.accepted_at for c in run.intake.calls if c.accepted_at and c.accepted_at > up_at),
            default=None,
        )
        refused = sum(
            1
            for call in run.intake.calls
            for started, outcome in call.attempts
            if killed_at <= started and outcome in ("refused", "timeout")
        )
        result.recover_s = back
        result.figures.update(
            down_s=restarted_at - killed_at,
            start_s=up_at - restarted_at,
            clients_back_after_restart_s=back,
            first_call_after_up_s=None if first_ok is None else first_ok - up_at,
            refused_attempts=refused,
        )
        result.figure = f"{refused} refused attempts, clients back {fmt(back)} s after restart"
        return result

    async def redis_outage(self) -> Result:
        async with Run(self, "redis-outage") as run:
            await self.pause(6, 3)
            stopped_at = now()
            self.services["stop_redis"]()
            await self.pause(10, 5)
            self.services["start_redis"]()
            back_at = now()
            await self.pause(10, 6)
        result = run.result
        latency = run.worst_latency(stopped_at, back_at)
        after = run.worst_latency(back_at, back_at + 5)
        result.recover_s = after
        result.figures.update(
            outage_s=back_at - stopped_at,
            worst_latency_during_s=latency,
            worst_latency_after_s=after,
        )
        result.figure = f"delivery ≤ {fmt(latency)} s during, ≤ {fmt(after)} s after"
        if latency is None or latency > 2:
            result.problems.append(f"delivery during the Redis outage {fmt(latency)} s > 2 s")
        return result

    async def postgres_outage(self) -> Result:
        async with Run(self, "postgres-outage") as run:
            await self.pause(6, 3)
            stopped_at = now()
            await asyncio.get_running_loop().run_in_executor(None, self.services["stop_postgres"])
            await self.pause(5, 3)
            await asyncio.get_running_loop().run_in_executor(None, self.services["start_postgres"])
            back_at = now()
            await self.pause(10, 6)
        result = run.result
        during = Counter(
            str(outcome)
            for call in run.intake.calls
            for started, outcome in call.attempts
            if stopped_at <= started < back_at
        )
        failed_after = sum(
            1
            for call in run.intake.calls
            for started, outcome in call.attempts
            if started >= back_at and not (isinstance(outcome, int) and 200 <= outcome < 300)
        )
        first_ok = min(
            (c.accepted_at for c in run.intake.calls if c.accepted_at and c.accepted_at > back_at),
            default=None,
        )
        result.recover_s = None if first_ok is None else first_ok - back_at
        result.figures.update(
            outage_s=back_at - stopped_at,
            answers_during=dict(during),
            failed_after_back=failed_after,
            clients_back_s=run.back_after(stopped_at),
        )
        result.figure = f"during: {dict(during)}; {failed_after} failed once back"
        if failed_after:
            result.problems.append(f"{failed_after} failed requests once PostgreSQL was back")
        return result

    async def worker_kill(self) -> Result:
        port = self.platform.ports[0]
        async with Run(self, "worker-kill") as run:
            await self.pause(8, 3)
            killed_at = now()
            self.platform.worker.kill()
            down_s = await self.until_worker(port, ok=False, timeout=40)
            down_at = now()
            self.platform.worker.start()
            up_s = await self.until_worker(port, ok=True, timeout=60)
            await self.pause(3, 2)
        result = run.result
        result.recover_s = up_s
        result.figures.update(
            reported_down_after_s=down_s,
            killed_at=killed_at,
            reported_up_after_restart_s=up_s,
            down_at=down_at,
        )
        result.figure = f"/healthz down after {fmt(down_s)} s, up {fmt(up_s)} s after restart"
        if down_s is None or down_s > 20:
            result.problems.append(f"worker reported down after {fmt(down_s)} s > 20 s")
        return result

    async def until_worker(self, port: int, *, ok: bool, timeout: float) -> float | None:
        started = now()
        while now() - started < timeout:
            body = await health(port)
            if body and body["checks"].get("celery_worker", {}).get("ok") is ok:
                return now() - started
            await asyncio.sleep(0.5)
        return None

    async def client_away(self) -> Result:
        away = self.seconds(60, 15)
        async with Run(self, "client-away", rate=50.0) as run:
            await self.pause(3, 2)
            client = run.clients[0]
            left_at = now()
            await client.away(away)
            await asyncio.sleep(away)
            hellos = len(client.record.hellos)
            back_at = now()
            while len(client.record.hellos) == hellos and now() - back_at < 30:
                await asyncio.sleep(0.05)
            caught_up = now() - back_at
            await self.pause(5, 3)
        result = run.result
        missed = sum(
            1
            for arrival in client.record.arrivals
            if left_at < arrival.occurred < back_at and arrival.at >= back_at
        )
        result.recover_s = caught_up
        result.figures.update(
            away_s=away,
            events_caught_up=missed,
            catch_up_s=caught_up,
            reloads=client.record.reloads,
        )
        result.figure = f"{missed} events caught up in {caught_up:.2f} s after {away:g} s away"
        return result

    async def slow_client(self) -> Result:
        async with Run(self, "slow-client") as run:
            slow = LiveClient(
                "slow",
                self.sessions["dispatcher"],
                [self.platform.ports[0]],
                run.start_seq,
                read_delay=5.0,  # a frame every 5 s: far behind the flood
                small_buffer=True,
            )
            run.add_client(slow, "dispatcher")
            await run.wait_connected([slow], 30)
            flood = Positions(self.platform.ports, self.gateway, self.units, rate=20.0)
            flood_task = asyncio.create_task(flood.run())
            web = self.platform.webs[0]
            samples = [web.rss_mb()]
            deadline = time.monotonic() + self.seconds(60, 40)
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                samples.append(web.rss_mb())
            flood.stopping = True
            await flood_task
            slow.read_delay = 0.0  # it reads normally again and must catch up
            await self.pause(5, 4)
        result = run.result
        closed = [at for at, code in slow.record.closes if code == 4429]
        codes = dict(Counter(str(code) for _, code in slow.record.closes))
        values = [value for value in samples if value is not None]
        steady = values[len(values) // 2 :]
        growth = (max(steady) - min(steady)) if steady else None
        result.memory_mb["samples"] = values
        first_close = slow.record.closes[0][0] if slow.record.closes else None
        result.recover_s = None if first_close is None else run.back_after(first_close, [slow])
        result.figures.update(
            closed_4429=len(closed),
            slow_close_codes=codes,
            positions_batches=flood.sent,
            positions_failed=flood.failed,
            positions_fixes=flood.fixes,
            positions_rejected_sample=flood.rejected,
            rss_first_mb=values[0] if values else None,
            rss_peak_mb=max(values) if values else None,
            rss_second_half_spread_mb=growth,
        )
        result.figure = (
            f"closes {codes or '—'}; RSS {fmt(values[0])}→peak {fmt(max(values))} MB, "
            f"2nd half ±{fmt(growth)} MB"
        )
        if not slow.record.closes:
            # Closed with 4429, or 1006: the close frame queues behind what the
            # socket could not take, so the server ends the connection instead.
            result.problems.append("the slow client was never closed")
        return result


EXPERIMENTS = {
    "relay-kill": Bench.relay_kill,
    "web-worker-kill": Bench.web_worker_kill,
    "web-kill": Bench.web_kill,
    "redis-outage": Bench.redis_outage,
    "postgres-outage": Bench.postgres_outage,
    "worker-kill": Bench.worker_kill,
    "client-away": Bench.client_away,
    "slow-client": Bench.slow_client,
}


def fmt(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def table(results: list[Result]) -> str:
    head = (
        f"{'experiment':<16} {'acc':>5} {'stored':>6} {'lost':>4} {'ghost':>5} {'fail':>4} │ "
        f"{'expected':>8} {'seen':>8} {'miss':>4} {'dup':>4} {'ooo':>4} {'worst client':<14} │ "
        f"{'recover':>7} {'memory MB':<13} │ key figure"
    )
    lines = [head, "─" * len(head)]
    for result in results:
        clients = result.clients.values()
        total = {
            key: sum(client[key] for client in clients)
            for key in ("expected", "seen", "missing", "duplicated", "out_of_order")
        }
        worst_name, worst = max(
            result.clients.items(),
            key=lambda item: item[1]["missing"] + item[1]["duplicated"] + item[1]["out_of_order"],
            default=("—", None),
        )
        worst_text = (
            f"{worst_name} {worst['missing']}/{worst['duplicated']}/{worst['out_of_order']}"
            if worst
            else "—"
        )
        start = [m for m in result.memory_mb.get("start", []) if m is not None]
        end = [m for m in result.memory_mb.get("end", []) if m is not None]
        memory = f"{fmt(sum(start), 0)}→{fmt(sum(end), 0)}" if start and end else "—"
        lines.append(
            f"{result.name:<16} {result.accepted:>5} {result.stored:>6} {result.lost:>4} "
            f"{result.ghost:>5} {result.failed_attempts:>4} │ {total['expected']:>8} "
            f"{total['seen']:>8} {total['missing']:>4} {total['duplicated']:>4} "
            f"{total['out_of_order']:>4} {worst_text:<14} │ {fmt(result.recover_s):>7} "
            f"{memory:<13} │ {result.figure}"
        )
    lines.append(
        "acc/stored/lost/ghost: calls; fail: attempts refused, timed out or 5xx (then retried "
        "with the same key); expected…ooo: events summed over the clients; worst client: "
        "missing/dup/out-of-order; memory: the two web processes' VmRSS, start→end."
    )
    return "\n".join(lines)


def verdict(results: list[Result]) -> list[str]:
    """Every way the run falls short of issue 17's "must show"."""
    problems = []
    for result in results:
        problems += [f"{result.name}: {problem}" for problem in result.problems]
        if result.lost:
            problems.append(f"{result.name}: {result.lost} lost calls")
        if result.ghost:
            problems.append(f"{result.name}: {result.ghost} ghost calls")
        for name, client in result.clients.items():
            for key in ("missing", "duplicated", "out_of_order", "reloads"):
                if client[key]:
                    problems.append(f"{result.name}: client {name} {key} {client[key]}")
    return problems


async def run_all(bench: Bench, names: list[str]) -> list[Result]:
    results = []
    for name in names:
        print(f"… {name}", flush=True)
        started = time.monotonic()
        result = await EXPERIMENTS[name](bench)
        result.figures["seconds"] = round(time.monotonic() - started, 1)
        print(table([result]).splitlines()[2], flush=True)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter experiments")
    parser.add_argument("--only", nargs="+", choices=list(EXPERIMENTS), help="these only")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args(argv)
    names = args.only or list(EXPERIMENTS)
    started = time.monotonic()
    with harness.own_services() as services:
        print("Private PostgreSQL and Redis up; preparing the district…", flush=True)
        harness.prepare_database()
        bench = Bench(services, args.quick)
        platform = bench.platform
        try:
            platform.start()
            print(f"Platform up (web on {platform.ports}); running {', '.join(names)}", flush=True)
            results = asyncio.run(run_all(bench, names))
        finally:
            platform.stop()
    print()
    print(table(results))
    problems = verdict(results)
    print(f"\n{len(results)} experiments in {time.monotonic() - started:.0f} s; ", end="")
    print("all as issue 17 requires." if not problems else "falling short:")
    for problem in problems:
        print(f"  - {problem}")
    if args.json:
        args.json.write_text(
            json.dumps([asdict(result) for result in results], indent=2, ensure_ascii=False)
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
