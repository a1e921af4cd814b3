"""A receiver on a local port that keeps every request, and helpers to subscribe
endpoints and make calls that reach the partner."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from webhooks.delivery import deliveries_plan, webhooks_send
from webhooks.services import endpoint_create


class Receiver:
    """Answers with the queued (status, headers, body), then 200; keeps each request."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.answers: list[tuple[int, dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.append((dict(self.headers.items()), body))
                status, headers, answer = (
                    receiver.answers.pop(0) if receiver.answers else (200, {}, b"ok")
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tianshu"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, headers: dict | None = None, body: bytes = b"") -> None:
        self.answers.append((status, headers or {}, body))

    def verified(self, secret: str) -> list[dict]:
        """Every request's payload, each verified with the standardwebhooks package."""
        return [Webhook(secret).verify(body, headers) for headers, body in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def subscribe(receiver):
    """Subscribe `owner` (default types: every call and referral event) to the receiver."""

    def make(owner, event_types=("incident.*", "referral.*"), url=None, actor=None):
        return endpoint_create(
            actor=actor or owner, url=url or receiver.url, event_types=list(event_types)
        )

    return make


def post(client, url, body=None):
    return client.post(url, body or {}, format="json")


@pytest.fixture
def referred_call(call, api_client_for, users):
    """A complaint the street refers to the partner department (chengguan); its id."""

    def make() -> int:
        incident = call(category="complaint", lat=30.015, lng=120.005).json()
        street = api_client_for(users.street_staff)
        base = f"/api/v1/incidents/{incident['id']}"
        assert post(street, f"{base}/accept/").status_code == 200
        answer = post(street, f"{base}/refer/", {"to": "chengguan", "notes": "占道经营"})
        assert answer.status_code == 200, answer.content
        return incident["id"]

    return make


def deliver(**kwargs) -> dict:
    """Plan from the log, then send what is due."""
    while deliveries_plan():
        pass
    return webhooks_send(**kwargs)


def payload_types(receiver, secret) -> list[str]:
    return [payload["type"] for payload in receiver.verified(secret)]


def as_json(body: bytes) -> dict:
    return json.loads(body)
