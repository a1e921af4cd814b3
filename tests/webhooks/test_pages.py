"""The webhooks pages of the partner console: who opens them, subscribing (the secret
shown once), bad input as form errors, replay of one and of a range."""

import pytest
from django.test import Client

from tests import factories as f
from tests.webhooks.conftest import deliver
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db
LIST = "/partner/webhooks/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.chengguan.example.cn"]


def test_a_partner_opens_the_list(users):
    assert client_for(users.partner).get(LIST).status_code == 200


def test_an_administrator_opens_the_list(users):
    assert client_for(users.administrator).get(LIST).status_code == 200


def test_street_staff_is_refused(users):
    assert client_for(users.street_staff).get(LIST).status_code == 403


def test_a_visitor_is_sent_to_log_in(db):
    assert Client().get(LIST).status_code == 302


def test_subscribing_shows_the_secret_once(allowed, users):
    answer = client_for(users.partner).post(
        LIST, {"url": "https://hooks.chengguan.example.cn/in", "event_types": ["referral.*"]}
    )
    assert answer.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in answer.content.decode()
    detail = client_for(users.partner).get(f"{LIST}{endpoint.pk}/")
    assert endpoint.secret not in detail.content.decode()


def test_a_host_not_allowed_is_a_form_error(allowed, users):
    answer = client_for(users.partner).post(
        LIST, {"url": "https://elsewhere.example.com/in", "event_types": ["referral.*"]}
    )
    assert answer.status_code == 400
    assert "WEBHOOK_ALLOWED_HOSTS" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_event_type_not_offered_is_a_form_error(allowed, users):
    answer = client_for(users.partner).post(
        LIST, {"url": "https://hooks.chengguan.example.cn/in", "event_types": ["order.*"]}
    )
    assert answer.status_code == 400


def test_another_partners_endpoint_is_not_found(receiver, subscribe, users):
    endpoint, _secret = subscribe(users.partner)
    other = f.UserFactory(
        username="other_partner",
        role="partner",
        partner_department=f.PartnerDepartmentFactory(code="shichang"),
    )
    assert client_for(other).get(f"{LIST}{endpoint.pk}/").status_code == 404


def test_the_page_shows_attempts_and_replays_one_dead_letter(
    receiver, subscribe, referred_call, users
):
    endpoint, _secret = subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    receiver.answer(503, body=b"busy")
    deliver()
    WebhookDelivery.objects.update(status=DeliveryStatus.DEAD)
    delivery = WebhookDelivery.objects.get()
    client = client_for(users.partner)
    page = client.get(f"{LIST}{endpoint.pk}/").content.decode()
    assert "503" in page and "busy" in page
    answer = client.post(f"{LIST}{endpoint.pk}/", {"action": "replay", "delivery": delivery.pk})
    assert answer.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_a_range_is_replayed_from_plain_text_times(receiver, subscribe, referred_call, users):
    endpoint, _secret = subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    deliver()
    WebhookDelivery.objects.update(status=DeliveryStatus.DEAD)
    answer = client_for(users.partner).post(
        f"{LIST}{endpoint.pk}/",
        {"action": "replay_range", "start": "2000-01-01 00:00", "end": "2099-12-31 23:59"},
    )
    assert answer.status_code == 302
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


def test_a_bad_range_is_a_form_error_not_a_crash(receiver, subscribe, users):
    endpoint, _secret = subscribe(users.partner)
    client = client_for(users.partner)
    for body in (
        {"action": "replay_range", "start": "yesterday", "end": ""},
        {"action": "replay_range", "start": "2026-12-02 00:00", "end": "2026-12-01 00:00"},
        {"action": "replay", "delivery": "x"},
        {"action": "nonsense"},
    ):
        assert client.post(f"{LIST}{endpoint.pk}/", body).status_code == 400


def test_disabling_then_replaying_is_refused_with_a_message(receiver, subscribe, users):
    endpoint, _secret = subscribe(users.partner)
    client = client_for(users.partner)
    assert client.post(f"{LIST}{endpoint.pk}/", {"action": "disable"}).status_code == 302
    answer = client.post(
        f"{LIST}{endpoint.pk}/",
        {"action": "replay_range", "start": "2000-01-01 00:00", "end": "2099-12-31 23:59"},
    )
    assert answer.status_code == 409


def test_rotating_shows_the_new_secret_once(receiver, subscribe, users):
    endpoint, old = subscribe(users.partner)
    answer = client_for(users.partner).post(f"{LIST}{endpoint.pk}/", {"action": "rotate"})
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in answer.content.decode()
