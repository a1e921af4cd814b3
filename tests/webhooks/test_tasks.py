"""The beat tasks: thin, and harmless when run twice."""

import pytest

from webhooks.models import WebhookDelivery
from webhooks.tasks import plan_task, send_task

pytestmark = pytest.mark.django_db


def test_the_tasks_plan_and_send_and_a_second_run_sends_nothing_more(
    receiver, subscribe, referred_call, users
):
    _endpoint, secret = subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    plan_task()
    plan_task()
    assert send_task()["succeeded"] == 1
    assert send_task()["sent"] == 0
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.verified(secret)) == 1


def test_the_subscription_errors_are_documented_with_examples(api_client_for, users):
    schema = api_client_for(users.partner).get("/api/schema/", HTTP_ACCEPT="application/json")
    operation = schema.json()["paths"]["/api/v1/webhook-endpoints/"]["post"]
    for code in ("400", "401", "403"):
        assert operation["responses"][code]["content"]["application/json"]["examples"]
