"""Shared pieces of the benchmarks: a production-mode server and a lean HTTP client.

The server is the real thing: TIANSHU_ENV=production, Uvicorn workers,
PostgreSQL and Redis, on a database of its own (`tianshu_bench`) that is
created fresh, migrated and seeded with the demo district.

By default the benches use the machine's PostgreSQL and Redis (BENCH_DATABASE_URL,
BENCH_REDIS_URL). Inside `own_services()` everything here (manage, the
server, the relay, the Celery processes) uses a PostgreSQL cluster and a Redis
server of the bench's own instead, on spare ports, gone when it ends.
"""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "tianshu_bench")
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{BENCH_DATABASE}"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


# The benches serve no static files; WhiteNoise only wants the directory to exist.
STATIC_ROOT = ROOT / ".run" / "bench-static"


def server_environment(**overrides: str) -> dict:
    """The environment of the bench's processes; `overrides` win (e.g. DATABASE_POOL_SIZE)."""
    env = dict(os.environ)
    env.update(
        TIANSHU_ENV="production",
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 40,
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        HEALTH_REQUIRE_WORKER="0",
        DATABASE_POOL_SIZE=os.environ.get("BENCH_DATABASE_POOL_SIZE", "16"),
        STATIC_ROOT=str(STATIC_ROOT),
        # Plain HTTP to Uvicorn on loopback, as from the TLS proxy in front of it in
        # production: no redirect to HTTPS (it answers every API call with a 301).
        SECURE_SSL_REDIRECT="0",
    )
    env.update(overrides)
    return env


def manage(*args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=server_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def prepare_database(*seed_options: str) -> None:
    """A fresh bench database with the demo district (`seed_options` go to seed_demo)."""
    import psycopg2

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/") or BENCH_DATABASE
    admin = psycopg2.connect(
        dbname="postgres",
        user=url.username or "postgres",
        password=url.password,
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
        cursor.execute(f"ALTER DATABASE \"{name}\" SET track_functions = 'pl'")
    admin.close()
    manage("migrate", "--noinput", "-v0")
    # The bench runs with production settings; its district is the demo one all the same.
    manage("seed_demo", "--allow-production", "-v0", *seed_options)


def django_setup() -> None:
    """Django in this process, against the bench's database (no connection pool)."""
    os.environ.update(server_environment(DATABASE_POOL_SIZE="0"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianshu.settings")
    import django

    django.setup()


def login_session(username: str = "dispatcher") -> str:
    """The key of a session logged in as `username`, stamped as a login stamps it
    (commandcenter.sessions: without the stamps the websocket refuses it, 4401).
    Django must be set up: django_setup(), or code run by django_shell (LOGIN_SESSION)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from commandcenter.models import User
    from commandcenter.sessions import ACTIVE_KEY, STARTED_KEY

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[STARTED_KEY] = store[ACTIVE_KEY] = time.time()
    store.save()
    return store.session_key


# For django_shell: print the dispatcher's session key (the output's last line).
LOGIN_SESSION = "from bench.harness import login_session\nprint(login_session())"


def django_shell(code: str) -> str:
    """Run Python inside the project's Django set-up against the bench database."""
    return manage("shell", "-c", code)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(argv: list) -> list:
    """initdb and the postmaster refuse to run as root: run them as `postgres` then."""
    return ["runuser", "-u", "postgres", "--", *map(str, argv)] if os.geteuid() == 0 else argv


def _stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


@contextmanager
def own_services(
    *, database: str = BENCH_DATABASE, settings: dict | None = None, keep: Path | None = None
):
    """A PostgreSQL 15 cluster and a Redis server of the bench's own, on free ports.

    Yields {"DATABASE_URL": …, "REDIS_URL": …}; meanwhile this module's
    DATABASE_URL and REDIS_URL point at them, so manage(), prepare_database(),
    the server, the relay and the Celery processes all use them, never the
    machine's shared services. The cluster lives in a temporary directory:
    trust authentication on 127.0.0.1 and a Unix socket in that directory,
    **fsync off** (nothing here needs to survive a crash). Redis keeps nothing
    on disk. Both are stopped and the directory removed at the end, also on
    Ctrl-C, SIGTERM or an error. `settings` are more server settings
    ({"max_wal_size": "8GB"}), e.g. for a bench that bulk-loads.

    With `keep` (a directory) the cluster lives there and is kept at the end,
    and a cluster already there is started again rather than made: a bench can
    load its data once and measure it again later. The yield then also says
    `"reused": True`.

    The yield also holds what a fault bench needs to take either service away
    and bring it back on the same port: `stop_redis()` (SIGKILL, as a crash),
    `start_redis()`, `stop_postgres(mode)` (pg_ctl's fast or immediate stop)
    and `start_postgres()`.
    """
    global DATABASE_URL, REDIS_URL
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    for binary in ("initdb", "pg_ctl"):
        if not (PG_BIN / binary).exists():
            raise RuntimeError(f"{PG_BIN / binary} is missing (PostgreSQL 15 server binaries)")
    saved = DATABASE_URL, REDIS_URL
    previous_sigterm = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="tianshu-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    data, log = root / "pg", root / "pg.log"
    reused = (data / "PG_VERSION").exists()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    pg_port, redis_port = free_port(), free_port()
    redis = None
    started_pg = False
    redis_argv = [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1"]
    redis_argv += ["--save", "", "--appendonly", "no", "--dir", str(root), "--loglevel", "warning"]

    def start_redis() -> None:
        nonlocal redis
        redis = subprocess.Popen(redis_argv, start_new_session=True, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", redis_port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline or redis.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)

    def stop_redis() -> None:
        if redis is not None and redis.poll() is None:
            redis.kill()
            redis.wait()

    def pg_ctl(*args) -> None:
        subprocess.run(
            _as_postgres([PG_BIN / "pg_ctl", "-D", data, "-l", log, "-w", *args]),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    try:
        if not reused:
            subprocess.run(
                _as_postgres(
                    [PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust"]
                    + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        options = (
            f"-p {pg_port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
        started_pg = True
        pg_ctl("-o", options, "start")
        start_redis()
        DATABASE_URL = f"postgres://postgres@127.0.0.1:{pg_port}/{database}"
        REDIS_URL = f"redis://127.0.0.1:{redis_port}/0"
        yield {
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "reused": reused,
            "stop_redis": stop_redis,
            "start_redis": start_redis,
            "stop_postgres": lambda mode="fast": pg_ctl("-m", mode, "stop"),
            "start_postgres": lambda: pg_ctl("-o", options, "start"),
        }
    finally:
        DATABASE_URL, REDIS_URL = saved
        if redis is not None and redis.poll() is None:
            redis.terminate()
            try:
                redis.wait(timeout=10)
            except subprocess.TimeoutExpired:
                redis.kill()
        if started_pg:
            # A kept cluster stops cleanly (fsync is off: an immediate stop would lose it).
            mode = "fast" if keep else "immediate"
            subprocess.run(
                _as_postgres([PG_BIN / "pg_ctl", "-D", data, "-m", mode, "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous_sigterm)


@contextmanager
def production_server(*, workers: int = 2):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "tianshu.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_environment(),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@contextmanager
def relay_process():
    """The event relay (`manage.py relay_events`) beside the server."""
    process = subprocess.Popen(
        [PYTHON, "manage.py", "relay_events"],
        cwd=ROOT,
        env=server_environment(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@contextmanager
def celery_processes(*, concurrency: int = 2, worker_log: Path | None = None):
    """A Celery worker and beat, as tianshu/Procfile runs them (beat on its database scheduler).

    With `worker_log` the worker logs at INFO into that file: a line per task
    with its run time ("Task … succeeded in 0.0042s: …").
    """
    schedule = Path(tempfile.gettempdir()) / f"bench-celerybeat-{os.getpid()}"
    # Celery forks: no per-process connection pool there (settings.DATABASE_POOL_SIZE).
    env = server_environment(DATABASE_POOL_SIZE="0")
    worker = ["worker", "--concurrency", str(concurrency), "--without-gossip", "--without-mingle"]
    worker += (
        ["--loglevel", "INFO", "--logfile", str(worker_log)] if worker_log else ["-l", "WARNING"]
    )
    commands = [worker, ["beat", "--loglevel", "WARNING", "--schedule", str(schedule)]]
    processes = []
    try:
        for command in commands:
            processes.append(
                subprocess.Popen(
                    [PYTHON, "-m", "celery", "-A", "tianshu", *command],
                    cwd=ROOT,
                    env=env,
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                )
            )
        yield processes
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for leftover in schedule.parent.glob(schedule.name + "*"):
            leftover.unlink()


class Connection:
    """One keep-alive HTTP/1.1 connection; just enough protocol for JSON APIs."""

    def __init__(self, port: int, token: str, scheme: str = "Token"):
        # `scheme` Token (a person's token) or Key (a machine key, e.g. an AVL gateway's).
        self.port, self.token, self.scheme = port, token, scheme
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(
        self, method: str, path: str, body: dict | bytes | None = None, headers: dict | None = None
    ):
        """`body` a dict (sent as JSON) or JSON already encoded; `headers` more headers
        (e.g. Idempotency-Key)."""
        if isinstance(body, bytes):
            payload = body
        else:
            payload = json.dumps(body).encode() if body is not None else b""
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {self.scheme} {self.token}\r\nAccept: application/json\r\n"
            f"{extra}Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        chunked = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        if chunked:
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data += await self.reader.readexactly(size)
                await self.reader.readline()
        else:
            data = await self.reader.readexactly(length)
        return status, data

    def close(self) -> None:
        if self.writer:
            self.writer.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(label: str, latencies_s: list[float], seconds: float | None = None) -> str:
    ms = [value * 1000 for value in latencies_s]
    rate = f"{len(ms) / seconds:8.1f}/s  " if seconds else ""
    return (
        f"{label:<34} n={len(ms):<6} {rate}p50={percentile(ms, 0.50):6.1f} ms  "
        f"p95={percentile(ms, 0.95):6.1f} ms  p99={percentile(ms, 0.99):6.1f} ms"
    )
