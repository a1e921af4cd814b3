"""The demo simulator drives the real services: calls, dispatch, steps, positions."""

from datetime import timedelta

from django.utils import timezone

from commandcenter.models import Event
from demo.simulation import Simulator
from incidents.models import Incident
from patrol.models import PositionFix, Unit


def test_a_few_ticks_raise_calls_dispatch_them_and_move_units(district):
    simulator = Simulator(
        calls_per_minute=6000,
        auto_dispatch_after=timedelta(0),
        own_dispatch_seconds=(0, 0),
        late_dispatch_share=0,
        speed=50,
    )
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


def test_the_simulator_finishes_police_and_street_jobs_through_the_services(district, call, users):
    from dispatch.services import assignment_advance, incident_dispatch
    from incidents.services import incident_accept

    simulator = Simulator()
    police = Incident.objects.get(pk=call().json()["id"])
    incident_dispatch(actor=users.dispatcher, incident_id=police.pk, unit_ids=[district.units.a.pk])
    street = Incident.objects.get(pk=call(category="dispute", lat=30.015).json()["id"])
    incident_accept(actor=users.street_staff, incident_id=street.pk)
    (sent,) = incident_dispatch(
        actor=users.street_staff, incident_id=street.pk, unit_ids=[district.units.street.pk]
    )
    assignment_advance(actor=users.street_staff, assignment_id=sent.pk, target="on_scene")
    for incident in (police, street):
        simulator._finish(Incident.objects.get(pk=incident.pk))
    assert Incident.objects.get(pk=police.pk).status == "resolved"
    assert Incident.objects.get(pk=street.pk).status == "resolved"


def test_a_call_outside_the_district_is_never_auto_dispatched(district, call):
    outside = Incident.objects.get(pk=call(lat=31.5, lng=121.5).json()["id"])
    simulator = Simulator(calls_per_minute=0, auto_dispatch_after=timedelta(0))
    simulator.tick(2.0)
    assert Incident.objects.get(pk=outside.pk).status == "received"


def test_a_persons_call_waits_for_them_past_the_dispatch_clock(district, call):
    mine = Incident.objects.get(pk=call().json()["id"])
    simulator = Simulator(calls_per_minute=0)
    assert simulator._wait_for(mine) == timedelta(seconds=120)
    simulator.tick(2.0)
    assert Incident.objects.get(pk=mine.pk).status == "received"


def test_the_simulator_leaves_an_officers_unit_to_its_officer(district, call, users, officer):
    from dispatch.services import assignment_advance, incident_dispatch

    police = Incident.objects.get(pk=call().json()["id"])
    (sent,) = incident_dispatch(
        actor=users.dispatcher, incident_id=police.pk, unit_ids=[district.units.a.pk]
    )
    sent.dispatched_at -= timedelta(minutes=5)
    type(sent).objects.filter(pk=sent.pk).update(dispatched_at=sent.dispatched_at)
    simulator = Simulator(calls_per_minute=0)
    simulator.tick(2.0)
    sent.refresh_from_db()
    assert sent.status == "dispatched"
    assert not PositionFix.objects.filter(unit=district.units.a).exists()
    assignment_advance(actor=officer, assignment_id=sent.pk, target="on_scene")
    simulator.scene_until[police.pk] = timezone.now() - timedelta(seconds=1)  # time to finish
    simulator.tick(2.0)
    assert Incident.objects.get(pk=police.pk).status == "on_scene"
