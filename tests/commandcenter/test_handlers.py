"""The web process's HTTP handler: Django run whole in a worker thread, over ASGI.

Requests go through the real ASGI application, in this process, with their
own database connections (so the data is committed: transaction=True).
"""

import asyncio
import json

import pytest
from rest_framework.authtoken.models import Token

from tianshu.asgi import application


def _asgi(method: str, path: str, *, token: str | None = None, body: dict | None = None):
    """One HTTP request through the ASGI application; returns (status, headers, body)."""
    payload = json.dumps(body).encode() if body is not None else b""
    headers = [
        (b"host", b"testserver"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    messages = []

    async def run():
        sent = False

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": payload, "more_body": False}
            await asyncio.Event().wait()

        async def send(message):
            messages.append(message)

        await application(scope, receive, send)

    asyncio.run(run())
    start = messages[0]
    content = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], dict(start["headers"]), content


@pytest.mark.django_db(transaction=True)
def test_an_api_call_is_answered_through_the_asgi_handler(district, users):
    token = Token.objects.create(user=users.dispatcher).key
    status, headers, content = _asgi(
        "POST",
        "/api/v1/incidents/",
        token=token,
        body={"category": "criminal", "description": "抢包", "lat": 30.005, "lng": 120.005},
    )
    assert status == 201, content
    assert headers[b"Content-Type"] == b"application/json"
    assert json.loads(content)["station"] == "station-a"
    status, _, content = _asgi("GET", "/api/v1/incidents/", token=token)
    assert status == 200
    assert json.loads(content)["count"] == 1


@pytest.mark.django_db(transaction=True)
def test_bad_input_and_missing_pages_keep_their_answers(district, users):
    token = Token.objects.create(user=users.dispatcher).key
    status, _, content = _asgi("POST", "/api/v1/incidents/", token=token, body={"lat": 95})
    assert status == 400
    assert "lat" in json.loads(content)
    assert _asgi("GET", "/api/v1/incidents/", token=None)[0] == 401
    assert _asgi("GET", "/no-such-page/")[0] == 404


@pytest.mark.django_db(transaction=True)
def test_pages_are_served_with_their_cookies(db):
    status, headers, content = _asgi("GET", "/accounts/login/")
    assert status == 200
    assert b"csrfmiddlewaretoken" in content
