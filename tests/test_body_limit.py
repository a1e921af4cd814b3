"""The request body cap (tianshu/bodylimit.py): enforced while the body is read,
before Django and authentication, under a real Uvicorn."""

import asyncio
import json
import socket
import time

import pytest
from django.conf import settings

from tests.browser.conftest import _free_port, _serve, _server_environment, _uvicorn
from tianshu.bodylimit import RequestBodyLimit

MIB = 1024 * 1024


# --- The wrapper on its own --------------------------------------------------------------


def run(scope, messages):
    sent, read = [], []
    queue = list(messages)

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def inner(scope, receive, send):
        while True:
            message = await receive()
            read.append(message)
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        if read[-1]["type"] != "http.disconnect":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

    asyncio.run(RequestBodyLimit(inner, max_bytes=100)(scope, receive, send))
    return sent, read


def http_scope(headers=()):
    return {"type": "http", "method": "POST", "path": "/", "headers": list(headers)}


def test_a_declared_length_above_the_cap_is_413_before_reading():
    sent, read = run(http_scope([(b"content-length", b"101")]), [])
    assert sent[0]["status"] == 413
    assert read == []
    assert "detail" in json.loads(sent[1]["body"])


def test_an_undeclared_body_is_counted_and_cut_off_at_the_cap():
    chunks = [{"type": "http.request", "body": b"x" * 60, "more_body": True}] * 5
    sent, read = run(http_scope(), chunks)
    assert [m["status"] for m in sent if "status" in m] == [413]
    assert read[-1]["type"] == "http.disconnect"
    assert len(read) == 2  # the first chunk, then the cut


def test_a_body_within_the_cap_reaches_the_application():
    chunks = [{"type": "http.request", "body": b"x" * 100, "more_body": False}]
    sent, _ = run(http_scope([(b"content-length", b"100")]), chunks)
    assert sent[0]["status"] == 200


def test_a_content_length_that_is_not_a_number_is_400():
    sent, _ = run(http_scope([(b"content-length", b"12x")]), [])
    assert sent[0]["status"] == 400


def test_the_default_cap_is_2_mib():
    assert settings.MAX_REQUEST_BODY_BYTES == 2 * MIB


# --- Under Uvicorn ---------------------------------------------------------------------


@pytest.fixture
def server(transactional_db, tmp_path):
    """A Uvicorn server whose temporary files go to a folder of the test's own."""
    spool = tmp_path / "tmp"
    spool.mkdir()
    port = _free_port()
    env = _server_environment(TMPDIR=str(spool), REDIS_URL="", TIANSHU_RUN_DIR=str(tmp_path))
    for _url in _serve(port, [_uvicorn(port, env)]):
        yield port, spool


def response_of(sock) -> bytes:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def largest_file(folder) -> int:
    return max((path.stat().st_size for path in folder.rglob("*") if path.is_file()), default=0)


def test_an_anonymous_100_mb_declared_post_is_413_at_once(server):
    port, spool = server
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
        )
        answer = response_of(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/json" in answer
    assert time.monotonic() - started < 5
    assert largest_file(spool) < MIB


def test_an_anonymous_100_mb_streamed_post_is_cut_off_quickly(server):
    """Chunked, no Content-Length: the server answers 413 once 2 MiB have come
    and stops reading; the client never gets to send the 100 MB."""
    port, spool = server
    chunk = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    started = time.monotonic()
    answer = b""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.settimeout(0.01)
        try:
            while sent < 100 * MIB and time.monotonic() - started < 20:
                sock.sendall(frame)
                sent += len(chunk)
                try:
                    answer += sock.recv(65536)
                except TimeoutError:
                    continue
                if b"\r\n\r\n" in answer:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection: what it answered was read below
        if b"\r\n\r\n" not in answer:
            try:
                answer += response_of(sock)
            except OSError:
                pass
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 20 * MIB
    assert time.monotonic() - started < 10
    assert largest_file(spool) < MIB


def test_a_batch_of_1000_fixes_fits_under_the_cap(server, officer):
    """A full batch, with a token, is read and answered by the API (not 413)."""
    from rest_framework.authtoken.models import Token

    port, _ = server
    token = Token.objects.create(user=officer).key  # A-01's terminal
    fixes = [
        {
            "unit": "A-01",
            "time": "2026-01-01T08:00:00.000000+08:00",
            "lat": 30.00512345,
            "lng": 120.00512345,
            "speed": 12.5,
            "heading": 270.0,
        }
    ] * 1000
    body = json.dumps({"fixes": fixes}).encode()
    assert len(body) < settings.MAX_REQUEST_BODY_BYTES / 5
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /api/v1/positions/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: Token " + token.encode() + b"\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        )
        answer = response_of(sock)
    assert answer.split(b"\r\n")[0] in (b"HTTP/1.1 200 OK", b"HTTP/1.1 400 Bad Request")
