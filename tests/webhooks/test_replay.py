"""Dead letters and replay: of one delivery, and of a time range."""

from datetime import timedelta

import pytest

from commandcenter.exceptions import DomainError, InvalidTransition
from tests.webhooks.conftest import deliver
from webhooks.choices import DeliveryStatus
from webhooks.delivery import deliveries_plan
from webhooks.models import WebhookDelivery
from webhooks.services import (
    deliveries_replay_range,
    delivery_replay,
    endpoint_disable,
    endpoint_enable,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead(receiver, subscribe, referred_call, users):
    """The partner's endpoint with its deliveries dead (every attempt failed)."""
    endpoint, secret = subscribe(users.partner)
    referred_call()
    deliveries_plan()
    WebhookDelivery.objects.update(status=DeliveryStatus.DEAD, next_attempt_at=None, attempts=10)
    return endpoint, secret


def test_replaying_one_dead_delivery_sends_it_again_with_the_same_id(dead, receiver, users):
    endpoint, secret = dead
    delivery = WebhookDelivery.objects.order_by("pk").first()
    delivery_replay(actor=users.partner, delivery_id=delivery.pk)
    deliver()
    assert [h["webhook-id"] for h, _ in receiver.requests] == [delivery.webhook_id]
    assert receiver.verified(secret)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 11  # the attempts continue


def test_replaying_a_range_takes_only_the_dead_letters_in_it(dead, users):
    endpoint, _secret = dead
    first, *rest = WebhookDelivery.objects.order_by("created_at", "pk")
    WebhookDelivery.objects.filter(pk=first.pk).update(
        created_at=first.created_at - timedelta(days=2)
    )
    start = min(d.created_at for d in rest) - timedelta(seconds=1)
    replayed = deliveries_replay_range(
        actor=users.partner, endpoint_id=endpoint.pk, start=start, end=start + timedelta(hours=1)
    )
    assert replayed == len(rest)
    first.refresh_from_db()
    assert first.status == DeliveryStatus.DEAD


def test_a_delivery_that_succeeded_is_not_replayed(receiver, subscribe, referred_call, users):
    subscribe(users.partner, event_types=["incident.referred"])
    referred_call()
    deliver()
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(InvalidTransition):
        delivery_replay(actor=users.partner, delivery_id=delivery.pk)


def test_replay_waits_for_the_endpoint_to_be_enabled(dead, users):
    endpoint, _secret = dead
    endpoint_disable(actor=users.partner, endpoint_id=endpoint.pk)
    delivery = WebhookDelivery.objects.first()
    with pytest.raises(DomainError):
        delivery_replay(actor=users.partner, delivery_id=delivery.pk)
    endpoint_enable(actor=users.partner, endpoint_id=endpoint.pk)
    assert delivery_replay(actor=users.partner, delivery_id=delivery.pk).status == "pending"


def test_another_partner_cannot_replay_my_deliveries(dead, users):
    from tests import factories as f

    other = f.UserFactory(
        username="other",
        role="partner",
        partner_department=f.PartnerDepartmentFactory(code="shichang"),
    )
    delivery = WebhookDelivery.objects.first()
    with pytest.raises(WebhookDelivery.DoesNotExist):
        delivery_replay(actor=other, delivery_id=delivery.pk)
