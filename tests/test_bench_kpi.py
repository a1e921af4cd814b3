"""bench/kpi.py's history reads like the real services' work: the same event kinds with
the same payload keys and locations, rows that agree with their events, a log numbered in
time order, and live writes that carry on after it."""

import random
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from analytics.engine import clocks_ingest, clocks_sweep
from analytics.models import ClockInstance
from analytics.services import clock_delay_reason, clock_excuse
from bench.kpi import CLOCK_COLUMNS, District, History, batch_copy, history_finish, history_start
from commandcenter.models import Event
from dispatch import services as dispatch_services
from dispatch.models import Assignment
from incidents import services as incident_services
from incidents.choices import TRANSITIONS
from incidents.lifecycle import incident_payload
from incidents.models import Incident

pytestmark = pytest.mark.django_db

CALLS = 900
SW = {"lat": 30.005, "lng": 120.005}  # station A, post P, street 1
NW = {"lat": 30.015, "lng": 120.005}  # station A, street 1


def _call(actor, category="criminal", where=SW, **extra):
    return incident_services.incident_create(
        actor=actor, category=category, description="测试", address="测试路", **where, **extra
    )


def _to_scene(actor, incident, unit):
    (assignment,) = dispatch_services.incident_dispatch(
        actor=actor, incident_id=incident.pk, unit_ids=[unit.pk]
    )
    for target in ("acknowledged", "en_route", "on_scene"):
        dispatch_services.assignment_advance(
            actor=actor, assignment_id=assignment.pk, target=target
        )


def _real_jobs(district, users) -> None:
    """One job of every shape the generator makes, through the services."""
    dispatcher, street = users.dispatcher, users.street_staff
    units = district.units
    police = _call(dispatcher, linkage="119")
    _call(dispatcher)  # a repeat of it
    _to_scene(dispatcher, police, units.p)
    dispatch_services.incident_resolve(
        actor=dispatcher, incident_id=police.pk, result_code="settled_on_site"
    )
    incident_services.incident_close(actor=dispatcher, incident_id=police.pk, feedback="好")
    _call(dispatcher, category="misdial")
    by_phone = _call(dispatcher, where=NW)
    dispatch_services.incident_resolve(
        actor=dispatcher, incident_id=by_phone.pk, result_code="assisted"
    )
    cancelled = _call(dispatcher, category="traffic", where=NW)
    dispatch_services.incident_cancel(actor=dispatcher, incident_id=cancelled.pk, reason="撤警")
    transferred = _call(dispatcher, category="fraud", where=NW)
    incident_services.incident_transfer(
        actor=dispatcher, incident_id=transferred.pk, to="邻区", reason="辖区"
    )
    invalid = _call(dispatcher, category="alarm", where=NW)
    incident_services.incident_invalidate(actor=dispatcher, incident_id=invalid.pk, reason="prank")
    settled = _call(dispatcher, category="dispute")
    _call(dispatcher, category="family_dispute")  # a repeat of a street job
    incident_services.incident_accept(actor=street, incident_id=settled.pk)
    _to_scene(street, settled, units.street)
    dispatch_services.incident_settle(actor=street, incident_id=settled.pk, result_code="mediated")
    incident_services.incident_close(actor=street, incident_id=settled.pk, feedback="好")
    remote = _call(dispatcher, category="assistance", where=NW)
    incident_services.incident_accept(actor=street, incident_id=remote.pk)
    dispatch_services.incident_settle(
        actor=street, incident_id=remote.pk, result_code="assisted", remote=True
    )
    for to in ("mediation", district.partner.code):
        referred = _call(dispatcher, category="neighbour_dispute", where=NW)
        incident_services.incident_accept(actor=street, incident_id=referred.pk)
        dispatch_services.incident_refer(actor=street, incident_id=referred.pk, to=to)
        incident_services.incident_close(actor=street, incident_id=referred.pk)
    returned = _call(dispatcher, category="complaint", where=NW)
    incident_services.incident_accept(actor=street, incident_id=returned.pk)
    dispatch_services.incident_return(actor=street, incident_id=returned.pk, reason="警务")
    _to_scene(dispatcher, returned, units.a)
    dispatch_services.incident_resolve(
        actor=dispatcher, incident_id=returned.pk, result_code="case_opened"
    )
    # A job left waiting: its clocks run out; the late dispatch is explained and excused.
    late = _call(dispatcher, category="public_order", where=NW)
    while clocks_ingest():
        pass
    clocks_sweep(now=timezone.now() + timedelta(hours=2))
    clock = ClockInstance.objects.get(incident=late, definition__code="dispatch")
    clock_delay_reason(actor=dispatcher, clock_id=clock.pk, reason="road-congestion")
    clock_excuse(actor=users.supervisor, clock_id=clock.pk, reason="交通管制")


def _shapes(events) -> dict[str, set]:
    """Per kind: the payload key sets."""
    shapes: dict[str, set] = {}
    for event in events:
        shapes.setdefault(event.kind, set()).add(frozenset(event.payload))
    return shapes


@pytest.fixture
def history(district, users):
    _real_jobs(district, users)
    reference = _shapes(Event.objects.filter(subject_type="incidents.incident"))
    with connection.cursor() as cursor:
        start = history_start(cursor)
        generator = History(
            District(random.Random(3), points_per_zone=50),
            random.Random(4),
            calls=CALLS,
            days=3,
            now=timezone.now(),
            **start,
        )
        for batch in generator.days():
            batch_copy(cursor, batch)
        history_finish(cursor, generator)
    generated = Event.objects.filter(seq__gte=start["first_seq"])
    return {"start": start, "reference": reference, "events": generated, "generator": generator}


def test_every_generated_event_has_a_shape_the_services_write(history):
    generated = _shapes(history["events"])
    reference = history["reference"]
    for kind, shapes in generated.items():
        assert kind in reference, kind
        assert shapes <= reference[kind], (kind, shapes - reference[kind], reference[kind])
    assert {
        "incident.received",
        "incident.diverted",
        "incident.invalidated",
        "incident.linked",
        "incident.repeat_call",
        "incident.dispatched",
        "assignment.acknowledged",
        "assignment.en_route",
        "incident.on_scene",
        "assignment.cleared",
        "incident.resolved",
        "incident.accepted",
        "incident.settled",
        "incident.referred",
        "incident.returned",
        "incident.closed",
        "clock.delay_reason",
        "clock.excused",
    } <= set(generated)


def test_events_are_located_where_their_job_is(history):
    """incidents.lifecycle.incident_location: the station and post, the street once diverted."""
    places = {
        str(pk): (station, post, street if diverted else None)
        for pk, station, post, street, diverted in Incident.objects.values_list(
            "pk", "station_id", "post_id", "street_id", "diverted_at"
        )
    }
    for event in history["events"]:
        assert (event.station_id, event.post_id, event.street_id) == places[event.subject_id]


def test_the_log_is_numbered_densely_in_time_order(history):
    rows = list(history["events"].order_by("seq").values_list("seq", "occurred_at"))
    seqs = [seq for seq, _ in rows]
    assert seqs == list(
        range(history["start"]["first_seq"], history["start"]["first_seq"] + len(rows))
    )
    times = [moment for _, moment in rows]
    assert times == sorted(times)
    assert times[-1] <= timezone.now()


def test_each_row_is_what_its_events_say(history):
    first = history["start"]["first_incident_id"]
    by_subject: dict[str, list] = {}
    for event in history["events"].order_by("seq"):
        by_subject.setdefault(event.subject_id, []).append(event)
    incidents = Incident.objects.filter(pk__gte=first)
    assert incidents.count() == len(by_subject)
    for incident in incidents:
        events = by_subject[str(incident.pk)]
        assert events[-1].payload == {
            **events[-1].payload,
            **incident_payload(incident),
        }, incident.number
        status = events[0].payload["status"]
        for event in events[1:]:
            if "from" in event.payload:
                assert event.payload["from"] == status, (incident.number, event.kind)
                assert event.payload["status"] in TRANSITIONS[status], (incident.number, event.kind)
            status = event.payload["status"]
        assert status == incident.status
        dispatched = next((e for e in events if e.kind == "incident.dispatched"), None)
        assert incident.dispatched_at == (dispatched.occurred_at if dispatched else None)
        assert incident.received_at < events[0].occurred_at


def test_assignments_are_those_the_events_name(history):
    for event in history["events"].filter(kind="incident.dispatched"):
        (sent,) = event.payload["units"]
        assignment = Assignment.objects.get(pk=sent["assignment"])
        assert (assignment.unit_id, str(assignment.incident_id)) == (sent["unit"], event.subject_id)
        assert assignment.dispatched_at == event.occurred_at


def test_shares_are_those_of_a_city_line(history):
    first = history["start"]["first_incident_id"]
    calls = Incident.objects.filter(pk__gte=first)
    total = calls.count()
    assert CALLS * 0.8 < total < CALLS * 1.2
    invalid = calls.filter(invalid_reason__isnull=False, repeat_of__isnull=True).count()
    repeats = calls.filter(repeat_of__isnull=False).count()
    assert 0.22 < invalid / total < 0.38
    assert 0.02 < repeats / total < 0.08
    valid = calls.filter(repeat_of__isnull=True, invalid_reason__isnull=True)
    assert 0.2 < valid.filter(diverted_at__isnull=False).count() / valid.count() < 0.45


def test_references_hold_and_live_writes_carry_on(history, users):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys, checked now
    last = Event.objects.order_by("-seq").first()
    today = timezone.localdate()
    taken = history["generator"].numbers[today]
    incident = _call(users.dispatcher, where=NW, category="traffic_damage")
    assert incident.pk > Incident.objects.exclude(pk=incident.pk).order_by("-pk").first().pk
    assert incident.number > f"{today:%Y%m%d}-{taken:04d}"
    assert Event.objects.filter(subject_id=str(incident.pk)).get().seq == last.seq + 1
    assert (
        history["generator"].stats["calls"]
        == Incident.objects.filter(
            pk__gte=history["start"]["first_incident_id"], pk__lt=incident.pk
        ).count()
    )
    assert timezone.now() - datetime.fromisoformat(last.payload["received_at"]) < timedelta(days=3)


COMPARED = [
    c
    for c in CLOCK_COLUMNS
    if c not in ("id", "delay_reason_id", "delay_note", "delay_by_id", "excused_at")
    and c not in ("excused_by_id", "excuse_reason", "at_risk_detail")
]


def test_the_clocks_are_those_the_engine_reads_from_the_log(history):
    """Generated clock rows = the clock engine's own over the generated log (the delay
    reasons and excuses people gave aside)."""
    first = history["start"]["first_clock_id"]
    generated = ClockInstance.objects.filter(pk__gte=first)
    assert generated.filter(state="breached").exists()
    assert generated.filter(state="excused").exists()
    assert generated.filter(delay_reason__isnull=False).exists()

    def rows(clocks):
        found = set()
        for row in clocks.values(*COMPARED):
            row["state"] = "breached" if row["state"] == "excused" else row["state"]
            row["warnings_left"] = tuple(row["warnings_left"])
            found.add(tuple(sorted(row.items())))
        return found

    made = rows(generated)
    generated.delete()
    while clocks_ingest():
        pass
    assert rows(ClockInstance.objects.filter(pk__gte=first)) == made
