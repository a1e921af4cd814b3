"""Deliveries from the event log: signed, one per (event, endpoint), within scope, thin."""

import pytest
from django.core import mail

from commandcenter.models import Event
from tests.webhooks.conftest import as_json, deliver, payload_types
from webhooks.choices import DeliveryStatus, DisabledReason
from webhooks.delivery import deliveries_claim, deliveries_plan
from webhooks.models import WebhookAttempt, WebhookCursor, WebhookDelivery
from webhooks.services import endpoint_secret_rotate

pytestmark = pytest.mark.django_db


def test_every_delivery_verifies_with_the_standardwebhooks_package(
    receiver, subscribe, referred_call, users
):
    endpoint, secret = subscribe(users.partner)
    referred_call()
    deliver()
    payloads = receiver.verified(secret)
    assert payloads
    headers, _body = receiver.requests[0]
    delivery = WebhookDelivery.objects.get(webhook_id=headers["webhook-id"])
    assert headers["webhook-id"] == f"msg_{delivery.event_id}_{endpoint.pk}"
    assert headers["webhook-signature"].startswith("v1,")


def test_planning_twice_makes_one_delivery_per_event_and_endpoint(
    receiver, subscribe, referred_call, users
):
    endpoint, _secret = subscribe(users.partner)
    referred_call()
    deliveries_plan()
    first = WebhookDelivery.objects.count()
    WebhookCursor.objects.update(last_seq=0)  # as if the batch were read again
    deliveries_plan()
    assert WebhookDelivery.objects.count() == first > 0


def test_partner_gets_no_event_of_a_job_not_referred_to_it(receiver, subscribe, call, users):
    subscribe(users.partner)
    call()  # a police job, never referred
    deliver()
    assert receiver.requests == []


def test_partner_gets_the_referral_of_a_job_referred_to_it(
    receiver, subscribe, referred_call, users
):
    _endpoint, secret = subscribe(users.partner, event_types=["referral.*"])
    referred_call()
    deliver()
    assert payload_types(receiver, secret) == ["incident.referred"]


def test_event_types_choose_what_an_endpoint_gets(receiver, subscribe, referred_call, users):
    _endpoint, secret = subscribe(users.administrator, event_types=["incident.accepted"])
    referred_call()
    deliver()
    assert payload_types(receiver, secret) == ["incident.accepted"]


def test_payload_carries_no_personal_data(receiver, subscribe, referred_call, users):
    _endpoint, secret = subscribe(users.partner)
    incident_id = referred_call()
    deliver()
    for _headers, body in receiver.requests:
        text = body.decode()
        for personal in ("13800138000", "张三", "测试路1号", "有人抢包", "占道经营"):
            assert personal not in text
    (payload,) = [p for p in receiver.verified(secret) if p["type"] == "incident.referred"]
    assert payload["data"]["incident"]["id"] == incident_id
    assert payload["data"]["url"] == f"/api/v1/incidents/{incident_id}/"
    assert payload["data"]["department"] == "chengguan"


def test_the_webhook_id_and_body_stay_the_same_across_retries(
    receiver, subscribe, referred_call, users
):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    receiver.answer(500)
    deliver()
    delivery = WebhookDelivery.objects.get()
    deliver(now=delivery.next_attempt_at)
    (first_headers, first_body), (second_headers, second_body) = receiver.requests
    assert first_headers["webhook-id"] == second_headers["webhook-id"]
    assert first_body == second_body


def test_only_2xx_succeeds_a_redirect_is_a_failure(receiver, subscribe, referred_call, users):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    receiver.answer(302, {"location": "http://169.254.169.254/"})
    deliver()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_status_code == 302
    assert len(receiver.requests) == 1  # the redirect was not followed


def test_a_success_is_recorded_with_status_latency_and_snippet(
    receiver, subscribe, referred_call, users
):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    receiver.answer(202, body=b"x" * 5000)
    deliver()
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 202
    assert attempt.latency_ms >= 0
    assert attempt.response_snippet == "x" * 1024
    assert attempt.delivery.status == DeliveryStatus.SUCCEEDED


def test_gone_disables_the_endpoint_and_discards_what_waits(
    receiver, subscribe, referred_call, users
):
    endpoint, _secret = subscribe(users.partner)
    referred_call()
    receiver.answer(410)
    deliver(limit=1)
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == DisabledReason.GONE
    statuses = set(WebhookDelivery.objects.values_list("status", flat=True))
    assert statuses == {DeliveryStatus.DEAD, DeliveryStatus.DISCARDED}


def test_an_endpoint_failing_for_hours_is_disabled_and_its_owner_told(
    receiver, subscribe, referred_call, users, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_HOURS = 1
    users.partner.email = "ops@chengguan.example.cn"
    users.partner.save()
    endpoint, _secret = subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    for _attempt in range(6):
        receiver.answer(503)
    with django_capture_on_commit_callbacks(execute=True):
        deliver()
        for _step in range(5):
            delivery = WebhookDelivery.objects.get()
            if delivery.next_attempt_at is None:
                break
            deliver(now=delivery.next_attempt_at)
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == DisabledReason.FAILING
    notice = Event.objects.get(kind="webhook.endpoint_disabled")
    assert notice.subject_id == str(endpoint.pk)
    assert mail.outbox[0].to == ["ops@chengguan.example.cn"]


def test_retry_after_later_than_the_schedule_is_honoured(receiver, subscribe, referred_call, users):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    receiver.answer(429, {"retry-after": "600"})
    deliver()
    delivery = WebhookDelivery.objects.get()
    attempt = WebhookAttempt.objects.get()
    assert attempt.retry_after_seconds == 600
    # The schedule says 5 s (±10 %) after the first failure; the receiver asked for 10 min.
    wait = (delivery.next_attempt_at - attempt.started_at).total_seconds()
    assert 599 <= wait <= 601 + 5


def test_after_a_rotation_both_secrets_sign_for_a_day(receiver, subscribe, referred_call, users):
    endpoint, old = subscribe(users.partner, event_types=["incident.referred"])
    _endpoint, new = endpoint_secret_rotate(actor=users.partner, endpoint_id=endpoint.pk)
    referred_call()
    deliver()
    headers, _body = receiver.requests[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert receiver.verified(old) and receiver.verified(new)


def test_a_claimed_delivery_is_not_claimed_again(receiver, subscribe, referred_call, users):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    deliveries_plan()
    delivery = WebhookDelivery.objects.get()
    assert deliveries_claim(now=delivery.next_attempt_at, limit=10) == [delivery.pk]
    assert deliveries_claim(now=delivery.next_attempt_at, limit=10) == []


def test_the_payload_has_type_timestamp_and_data(receiver, subscribe, referred_call, users):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    deliver()
    payload = as_json(receiver.requests[0][1])
    assert set(payload) == {"type", "timestamp", "data"}
    assert payload["timestamp"].endswith("Z")
    assert payload["data"]["incident"]["status"] == "referred"
