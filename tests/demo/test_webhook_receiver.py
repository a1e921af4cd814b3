"""The demo's webhook receiver: it checks signatures as a partner's system would."""

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from demo.webhook_receiver import demo_endpoint_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings, tmp_path):
    settings.DEMO_WEBHOOK_RECEIVER = True
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.RUN_DIR = tmp_path
    return tmp_path


def signed(secret: str, msg_id: str, body: dict) -> tuple[str, dict]:
    data = json.dumps(body)
    now = datetime.now(tz=UTC)
    signature = Webhook(secret).sign(msg_id, now, data)
    headers = {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(now.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }
    return data, headers


def test_a_signed_delivery_is_taken_and_shown_to_the_partner(client, users, receiver):
    endpoint = demo_endpoint_seed(partner=users.partner)
    body = {"type": "referral.accepted", "data": {"incident": {"number": "20261201-0001"}}}
    data, headers = signed(endpoint.secret, f"msg_7_{endpoint.pk}", body)
    url = reverse("demo-webhook-receiver")
    response = client.post(url, data, content_type="application/json", **headers)
    assert response.status_code == 204
    client.force_login(users.partner)
    html = client.get(url).content.decode()
    assert "20261201-0001" in html and f"msg_7_{endpoint.pk}" in html


def test_a_bad_signature_is_refused(client, users, receiver):
    endpoint = demo_endpoint_seed(partner=users.partner)
    data, headers = signed("whsec_" + "A" * 44, f"msg_8_{endpoint.pk}", {"type": "x"})
    url = reverse("demo-webhook-receiver")
    assert client.post(url, data, content_type="application/json", **headers).status_code == 401


def test_off_outside_a_development_machine(client, users, settings):
    settings.DEMO_WEBHOOK_RECEIVER = False
    client.force_login(users.partner)
    assert client.get(reverse("demo-webhook-receiver")).status_code == 404
