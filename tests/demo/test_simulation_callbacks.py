"""The demo's call-taker (回访): callbacks nobody made in time get a reply."""

from datetime import timedelta

from django.utils import timezone

from analytics.models import Callback
from demo.simulation import Simulator
from tests.analytics.test_callbacks import queued_callback


def test_the_simulator_answers_old_callbacks_and_leaves_fresh_ones_to_people(
    district, api_client_for, users, call
):
    fixtures = {"api_client_for": api_client_for, "users": users, "call": call}
    old = queued_callback(**fixtures)
    fresh = queued_callback(**fixtures, lat=30.015, lng=120.015)
    Callback.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    simulator = Simulator(calls_per_minute=0)
    simulator.tick(2.0)
    old.refresh_from_db()
    assert old.attempts == 1 and old.recorded_by.username == "simulator-callbacks"
    assert Callback.objects.get(pk=fresh.pk).attempts == 0
    if old.state == "pending":  # not reached: tried again only after a while
        simulator.tick(2.0)
        assert Callback.objects.get(pk=old.pk).attempts == 1
