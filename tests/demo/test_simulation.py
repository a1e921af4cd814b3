"""The demo simulator drives the real services: calls, dispatch, steps, positions."""

from datetime import timedelta

from commandcenter.models import Event
from demo.simulation import Simulator
from incidents.models import Incident
from patrol.models import PositionFix, Unit


def test_a_few_ticks_raise_calls_dispatch_them_and_move_units(district):
    simulator = Simulator(calls_per_minute=6000, auto_dispatch_after=timedelta(0), speed=50)
    before = {u.pk: (u.lat, u.lng) for u in Unit.objects.all()}
    for _ in range(6):
        simulator.tick(2.0)
    assert Incident.objects.count() >= 5
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"incident.received", "incident.dispatched"} <= kinds
    assert PositionFix.objects.count() >= len(before)
    moved = [u for u in Unit.objects.all() if (u.lat, u.lng) != before[u.pk]]
    assert moved
    assert all(
        event.actor.username == "simulator"
        for event in Event.objects.select_related("actor")
        if event.actor
    )
