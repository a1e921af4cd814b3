"""Shared pieces of the benchmarks: a production-mode server and a lean HTTP client.

The server is the real thing: TIANSHU_ENV=production, Uvicorn workers,
PostgreSQL and Redis, on a database of its own (`tianshu_bench`) that is
created fresh, migrated and seeded with the demo district.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "tianshu_bench")
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{BENCH_DATABASE}"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


# The benches serve no static files; WhiteNoise only wants the directory to exist.
STATIC_ROOT = ROOT / ".run" / "bench-static"


def server_environment() -> dict:
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
    )
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


def prepare_database() -> None:
    """A fresh bench database with the demo district."""
    import psycopg2

    admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        cursor.execute(f"ALTER DATABASE \"{BENCH_DATABASE}\" SET track_functions = 'pl'")
    admin.close()
    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "-v0")


def django_shell(code: str) -> str:
    """Run Python inside the project's Django set-up against the bench database."""
    return manage("shell", "-c", code)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


class Connection:
    """One keep-alive HTTP/1.1 connection; just enough protocol for JSON APIs."""

    def __init__(self, port: int, token: str, scheme: str = "Token"):
        # `scheme` Token (a person's token) or Key (a machine key, e.g. an AVL gateway's).
        self.port, self.token, self.scheme = port, token, scheme
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: dict | None = None):
        payload = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {self.scheme} {self.token}\r\nAccept: application/json\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
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
