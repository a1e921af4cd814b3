"""The webhooks API: subscribing, the secret shown once, scope per role, deliveries, replay."""

import pytest

from tests import factories as f
from tests.webhooks.conftest import deliver
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhook-endpoints/"


@pytest.fixture
def allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["*.chengguan.example.cn"]


def subscribe_body(**fields):
    return {
        "url": "https://hooks.chengguan.example.cn/tianshu",
        "event_types": ["referral.*"],
        **fields,
    }


def test_a_partner_subscribes_and_gets_the_secret_once(allowed, api_client_for, users):
    client = api_client_for(users.partner)
    created = client.post(BASE, subscribe_body(), format="json")
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    shown = client.get(f"{BASE}{created.json()['id']}/").json()
    assert "secret" not in shown
    assert shown["active"] is True


def test_an_event_type_out_of_reach_is_a_field_error(allowed, api_client_for, users):
    answer = api_client_for(users.partner).post(
        BASE, subscribe_body(event_types=["order.*"]), format="json"
    )
    assert answer.status_code == 400
    assert "order.*" in answer.json()["event_types"][0]


def test_an_unknown_event_type_is_a_field_error(allowed, api_client_for, users):
    answer = api_client_for(users.partner).post(
        BASE, subscribe_body(event_types=["nope.*"]), format="json"
    )
    assert answer.status_code == 400
    assert "event_types" in answer.json()


def test_a_host_not_allowed_is_a_field_error(allowed, api_client_for, users):
    answer = api_client_for(users.partner).post(
        BASE, subscribe_body(url="https://hooks.elsewhere.com/x"), format="json"
    )
    assert answer.status_code == 400
    assert "WEBHOOK_ALLOWED_HOSTS" in answer.json()["url"][0]


def test_street_staff_may_not_subscribe_itself(allowed, api_client_for, users):
    answer = api_client_for(users.street_staff).post(BASE, subscribe_body(), format="json")
    assert answer.status_code == 403


def test_another_partner_does_not_see_my_endpoint(allowed, api_client_for, users):
    mine = api_client_for(users.partner).post(BASE, subscribe_body(), format="json").json()
    other = f.UserFactory(
        username="other_partner",
        role="partner",
        partner_department=f.PartnerDepartmentFactory(code="shichang"),
    )
    client = api_client_for(other)
    assert client.get(f"{BASE}{mine['id']}/").status_code == 404
    assert client.get(BASE).json()["results"] == []
    assert client.post(f"{BASE}{mine['id']}/rotate-secret/").status_code == 404


def test_rotating_gives_a_new_secret(allowed, api_client_for, users):
    client = api_client_for(users.partner)
    created = client.post(BASE, subscribe_body(), format="json").json()
    rotated = client.post(f"{BASE}{created['id']}/rotate-secret/").json()
    assert rotated["secret"] != created["secret"]
    assert rotated["previous_secret_expires_at"]


def test_the_idempotency_key_makes_one_endpoint(allowed, api_client_for, users):
    client = api_client_for(users.partner)
    headers = {"HTTP_IDEMPOTENCY_KEY": "sub-1"}
    first = client.post(BASE, subscribe_body(), format="json", **headers)
    again = client.post(BASE, subscribe_body(), format="json", **headers)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]


def test_a_partner_is_offered_only_the_call_families(api_client_for, users):
    types = [
        t["type"] for t in api_client_for(users.partner).get("/api/v1/webhook-event-types/").json()
    ]
    assert types == ["incident.*", "referral.*", "assignment.*"]


def test_the_command_center_is_offered_the_located_families_too(api_client_for, users):
    types = [
        t["type"]
        for t in api_client_for(users.dispatcher).get("/api/v1/webhook-event-types/").json()
    ]
    assert "order.*" in types and "alarm.*" in types


def test_deliveries_list_their_attempts_and_a_dead_letter_is_replayed(
    receiver, subscribe, referred_call, api_client_for, users
):
    endpoint, _secret = subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    receiver.answer(500)
    deliver()
    WebhookDelivery.objects.update(status=DeliveryStatus.DEAD, next_attempt_at=None)
    client = api_client_for(users.partner)
    listed = client.get(f"/api/v1/webhook-deliveries/?endpoint={endpoint.pk}&status=dead").json()
    (delivery,) = listed["results"]
    assert delivery["attempt_history"][0]["status_code"] == 500
    replayed = client.post(f"/api/v1/webhook-deliveries/{delivery['id']}/replay/")
    assert replayed.json()["status"] == "pending"
    assert client.post(f"/api/v1/webhook-deliveries/{delivery['id']}/replay/").status_code == 409


def test_a_range_replay_answers_how_many(receiver, subscribe, referred_call, api_client_for, users):
    endpoint, _secret = subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    deliver()
    WebhookDelivery.objects.update(status=DeliveryStatus.DEAD)
    answer = api_client_for(users.partner).post(
        f"{BASE}{endpoint.pk}/replay/",
        {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"},
        format="json",
    )
    assert answer.json() == {"replayed": 1}


def test_a_range_ending_before_it_starts_is_a_field_error(allowed, api_client_for, users):
    client = api_client_for(users.partner)
    created = client.post(BASE, subscribe_body(), format="json").json()
    answer = client.post(
        f"{BASE}{created['id']}/replay/",
        {"start": "2026-12-02T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
        format="json",
    )
    assert answer.status_code == 400
    assert "end" in answer.json()


def test_a_street_user_sees_no_deliveries(
    receiver, subscribe, referred_call, api_client_for, users
):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    deliver()
    delivery = WebhookDelivery.objects.get()
    client = api_client_for(users.street_staff)
    assert client.get("/api/v1/webhook-deliveries/").json()["results"] == []
    assert client.get(f"/api/v1/webhook-deliveries/{delivery.pk}/").status_code == 404
