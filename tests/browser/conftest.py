"""A real server stack for browser tests: Uvicorn + the event relay on the test database.

The tests commit their data (transactional), so the server processes see it.
Chromium is Debian's (/usr/bin/chromium, installed by `make test`); Playwright
only drives it and never downloads a browser.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    """A browser test drives a real server and Chromium on the machine's two
    cores: a rare timing loss (a refresh landing mid-gesture) gets one rerun,
    which pytest reports ("1 rerun"), so a flake is seen and never hidden."""
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.flaky(reruns=1))


def log_in(page, base_url: str, username: str, path: str = "/") -> None:
    """Log in through the login form and land on `path`."""
    from tests.factories import PASSWORD

    page.goto(f"{base_url}/accounts/login/?next={path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click(".login-card button[type=submit]")
    page.wait_for_url(f"{base_url}{path}")


SERVER_APP_NAME = "tianshu-test-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _server_environment(**overrides) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "TIANSHU_ENV": "test",
        "DEBUG": "0",
        "HEALTH_REQUIRE_WORKER": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # libpq names the servers' sessions, so the teardown waits for theirs only.
        "PGAPPNAME": SERVER_APP_NAME,
        **overrides,
    }


def _uvicorn(port: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", "tianshu.asgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"]
    command += ["--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _serve(port: int, processes: list[subprocess.Popen]):
    """Wait for the server to listen, yield its URL, stop every process after."""
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the test server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=20)
        _wait_for_other_sessions_to_end()


@pytest.fixture
def live_stack(transactional_db):
    """Base URL of a Uvicorn server and a relay process on the test database."""
    port, env = _free_port(), _server_environment()
    relay = subprocess.Popen(
        [sys.executable, "manage.py", "relay_events"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    yield from _serve(port, [_uvicorn(port, env), relay])


@pytest.fixture
def embedded_stack(transactional_db, tmp_path):
    """The `make demo` default: one web process, no Redis (in-process channel
    layer and embedded relays), on the test database."""
    port = _free_port()
    env = _server_environment(REDIS_URL="", TIANSHU_RUN_DIR=str(tmp_path))
    yield from _serve(port, [_uvicorn(port, env)])


def _wait_for_other_sessions_to_end(timeout: float = 10.0) -> None:
    """The servers' PostgreSQL backends outlive them by a moment; the test
    database can only be flushed once they are gone. Only theirs: an idle
    connection of one of this process's own threads would otherwise hold every
    teardown for the whole timeout."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND application_name = %s",
                [SERVER_APP_NAME],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture
def browser_page():
    """A Playwright page in Debian's headless Chromium."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs a loop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        try:
            yield page
        finally:
            browser.close()
            # Database work done while Playwright's loop ran used connections
            # of that async context: close them here, or they outlive the test.
            from django.db import connections

            connections.close_all()


# The origin a page of the static modules is served from (never on the network).
MODULES_ORIGIN = "http://tianshu.test"


@pytest.fixture
def modules_page(browser_page):
    """A blank page whose origin serves frontend/static/ straight from disk,
    with the server's vocabulary in it as base.html renders it: the page
    scripts' modules can be imported and driven on their own, no server
    needed (`await import("/static/js/…")` in page.evaluate)."""
    import json

    from consoles.vocabulary import vocabulary

    static = ROOT / "frontend" / "static"
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>'
        f'<script type="application/json" id="vocabulary">{json.dumps(vocabulary())}</script>'
        "</body></html>"
    )

    def serve(route):
        path = route.request.url.removeprefix(MODULES_ORIGIN).split("?")[0]
        if path == "/":
            route.fulfill(body=html, content_type="text/html")
            return
        file = (static / path.removeprefix("/static/")).resolve()
        if path.startswith("/static/") and file.is_relative_to(static) and file.is_file():
            route.fulfill(path=str(file), content_type="text/javascript")
        else:
            route.fulfill(status=404, body="")

    browser_page.route(f"{MODULES_ORIGIN}/**", serve)
    browser_page.goto(f"{MODULES_ORIGIN}/")
    return browser_page
