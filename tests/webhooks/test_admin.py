"""Webhooks in the Django admin: an administrator subscribes another account; replay."""

import pytest
from django.test import Client

from tests.webhooks.conftest import deliver
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(users):
    users.administrator.is_staff = users.administrator.is_superuser = True
    users.administrator.save()
    client = Client()
    client.force_login(users.administrator)
    return client


def test_an_administrator_subscribes_a_street_account(admin_client_, users, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.street.example.cn"]
    answer = admin_client_.post(
        "/admin/webhooks/webhookendpoint/add/",
        {
            "owner": users.street_staff.pk,
            "url": "https://hooks.street.example.cn/in",
            "description": "",
            "event_types": "incident.*",
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.owner == users.street_staff
    assert endpoint.secret in answer.content.decode()  # shown once, in the message


def test_the_admin_form_refuses_a_host_not_allowed(admin_client_, users, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    answer = admin_client_.post(
        "/admin/webhooks/webhookendpoint/add/",
        {"owner": users.partner.pk, "url": "https://x.example.cn/", "event_types": "referral.*"},
    )
    assert answer.status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_the_replay_action_sends_the_dead_letters_again(
    admin_client_, receiver, subscribe, referred_call, users
):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    deliver()
    WebhookDelivery.objects.update(status=DeliveryStatus.DEAD)
    delivery = WebhookDelivery.objects.get()
    admin_client_.post(
        "/admin/webhooks/webhookdelivery/",
        {"action": "replay_deliveries", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
