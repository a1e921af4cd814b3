"""Response-time clocks: started and stopped from real events, warned, breached,
at risk, supervised up the chain, excused; the sweep is idempotent and safe to
run twice at once."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from analytics.engine import clocks_tick, incident_alert
from analytics.models import ClockDefinition, ClockInstance
from analytics.selectors import with_alert
from commandcenter.choices import AreaClass
from commandcenter.directory import directory
from commandcenter.models import Event
from dispatch.models import Order
from dispatch.services import assignment_advance, incident_dispatch, order_feedback
from incidents.models import Incident
from patrol.models import Unit
from tests.concurrency import race


def clocks_of(incident_id) -> dict[str, ClockInstance]:
    return {
        c.definition.code: c
        for c in ClockInstance.objects.filter(incident_id=incident_id, order__isnull=True)
        .select_related("definition")
        .order_by("started_at")
    }


def kinds(subject_id, prefix="clock.") -> list[str]:
    return list(
        Event.objects.filter(subject_id=str(subject_id), kind__startswith=prefix)
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def event_time(subject_id, kind):
    return Event.objects.get(subject_id=str(subject_id), kind=kind).occurred_at


@pytest.fixture
def later():
    """Tick the clocks `seconds` after now, with the wall clock moved there."""
    start = timezone.now()

    def tick(seconds: float):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            return clocks_tick()

    return tick


@pytest.fixture
def send(at, users):
    """The dispatcher sends `unit` to `job`, `seconds` after the test began."""

    def dispatch(seconds: float, job: dict, unit):
        return at(
            seconds,
            incident_dispatch,
            actor=users.dispatcher,
            incident_id=job["id"],
            unit_ids=[unit.pk],
        )

    return dispatch


@pytest.fixture
def at():
    """Run `action` with the wall clock `seconds` after the test began."""
    start = timezone.now()

    def run(seconds: float, action, **kwargs):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            return action(**kwargs)

    return run


def test_a_police_job_gets_its_clocks_from_its_events(call, users, district, later, at, send):
    job = call().json()
    later(1)
    clocks = clocks_of(job["id"])
    assert set(clocks) == {"dispatch", "arrival", "same-day"}
    dispatch = clocks["dispatch"]
    assert dispatch.state == "running"
    assert dispatch.due_at - dispatch.started_at == timedelta(seconds=60)
    # Times are the event log's (as the KPIs read it), not the reader's.
    assert dispatch.started_at == event_time(job["id"], "incident.received")
    [assignment] = send(20, job, district.units.a)
    later(21)
    clocks = clocks_of(job["id"])
    assert clocks["dispatch"].state == "met"
    assert clocks["dispatch"].stopped_at == event_time(job["id"], "incident.dispatched")
    assert clocks["acknowledge"].state == "running"
    # En route without acknowledging first still answers "1 分钟响应".
    at(
        40,
        assignment_advance,
        actor=users.dispatcher,
        assignment_id=assignment.pk,
        target="en_route",
    )
    at(
        200,
        assignment_advance,
        actor=users.dispatcher,
        assignment_id=assignment.pk,
        target="on_scene",
    )
    later(201)
    clocks = clocks_of(job["id"])
    assert clocks["acknowledge"].state == "met"
    assert clocks["arrival"].state == "met"
    assert clocks["same-day"].state == "running"
    assert kinds(job["id"]) == []  # nothing was late: nothing to say


def test_the_arrival_target_follows_the_zones_area_class(call, district, later):
    district.zones.sw.area_class = AreaClass.SUBURBAN
    district.zones.sw.save()
    directory.clear()
    job = call().json()
    later(1)
    arrival = clocks_of(job["id"])["arrival"]
    assert arrival.area_class == "suburban"
    assert arrival.due_at - arrival.started_at == timedelta(minutes=10)


def test_warning_then_breach_with_a_reminder_to_the_post(call, district, later):
    job = call().json()
    later(1)
    later(31)
    assert kinds(job["id"]) == ["clock.warning"]
    later(61)
    dispatch = clocks_of(job["id"])["dispatch"]
    assert dispatch.state == "breached"
    assert dispatch.breached_at == dispatch.due_at
    assert dispatch.stopped_at is None
    assert kinds(job["id"]) == ["clock.warning", "clock.breached"]
    breach = Event.objects.get(kind="clock.breached")
    assert breach.payload["clock"]["code"] == "dispatch"
    assert breach.payload["alert"] == "breached"
    assert breach.payload["status"] == "received"  # the job's state, for the map
    reminder = dispatch.reminder
    assert reminder.kind == "reminder"
    assert reminder.post == district.post_p
    assert reminder.issued_by is None
    assert reminder.incident_id == job["id"]
    # A rerun of the scan changes nothing.
    before = Event.objects.count()
    later(62)
    later(62)
    assert Event.objects.count() == before
    assert Order.objects.filter(kind="reminder").count() == 1


def test_one_jobs_alert_is_the_lists(call, later):
    """incident_alert (the engine's, for one job) and with_alert (the lists', in SQL) agree."""
    job = call().json()
    later(1)
    clocks = clocks_of(job["id"])
    now = timezone.now()
    fresh = {"state": "running", "warned_at": None, "at_risk_at": None, "stopped_at": None}
    cases = [
        # dispatch clock, arrival clock, the job's alert
        ({}, {}, ""),
        ({"warned_at": now}, {}, "warning"),
        ({"warned_at": now}, {"at_risk_at": now}, "at_risk"),
        ({"state": "breached"}, {"at_risk_at": now}, "breached"),
        ({"state": "breached", "stopped_at": now}, {"at_risk_at": now}, "at_risk"),
        ({"state": "excused"}, {"warned_at": now}, "warning"),
        ({"state": "excused", "warned_at": now}, {"state": "met", "stopped_at": now}, ""),
    ]
    for dispatch, arrival, expected in cases:
        for clock, changes in ((clocks["dispatch"], dispatch), (clocks["arrival"], arrival)):
            ClockInstance.objects.filter(pk=clock.pk).update(**{**fresh, **changes})
        listed = with_alert(Incident.objects.filter(pk=job["id"])).get().clock_alert
        assert (incident_alert(job["id"]), listed) == (expected, expected), (dispatch, arrival)


def test_a_clock_stopped_after_its_due_time_is_breached_unseen(call, users, district, later, send):
    job = call().json()
    # Nobody swept while it ran: the dispatch at 70 s is late all the same.
    send(70, job, district.units.a)
    later(71)
    dispatch = clocks_of(job["id"])["dispatch"]
    assert dispatch.state == "breached"
    assert dispatch.breached_at == dispatch.due_at
    assert dispatch.stopped_at is not None
    assert dispatch.reminder is None
    assert "clock.breached" not in kinds(job["id"])


def test_a_stop_clears_the_alert(call, users, district, later, send):
    job = call().json()
    later(61)
    send(65, job, district.units.a)
    later(66)
    stopped = Event.objects.filter(kind="clock.stopped").latest("seq")
    assert stopped.payload["clock"]["state"] == "breached"
    assert stopped.payload["alert"] == ""


def test_a_diverted_job_runs_the_streets_clocks(call, users, district, later, at, api_client_for):
    job = call(category="dispute", lat=30.015, lng=120.005).json()
    assert job["status"] == "diverted"
    later(1)
    clocks = clocks_of(job["id"])
    assert set(clocks) == {"street-accept", "same-day"}
    assert clocks["street-accept"].street_id == district.street_1.pk
    street = api_client_for(users.street_staff)
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        assert street.post(f"/api/v1/incidents/{job['id']}/accept/").status_code == 200
    later(31)
    clocks = clocks_of(job["id"])
    assert clocks["street-accept"].state == "met"
    assert clocks["street-arrival"].state == "running"
    assert clocks["street-arrival"].due_at - clocks["street-arrival"].started_at == timedelta(
        minutes=5
    )
    later(31 + 300)
    street_arrival = clocks_of(job["id"])["street-arrival"]
    assert street_arrival.state == "breached"
    assert street_arrival.reminder.governance_center == district.center_1


def test_returned_to_the_police_voids_the_street_clock_and_starts_dispatch(
    call, users, later, api_client_for
):
    job = call(category="dispute", lat=30.015, lng=120.005).json()
    later(1)
    street = api_client_for(users.street_staff)
    assert (
        street.post(
            f"/api/v1/incidents/{job['id']}/return/", {"reason": "涉及违法"}, format="json"
        ).status_code
        == 200
    )
    later(2)
    clocks = clocks_of(job["id"])
    assert clocks["street-accept"].state == "cancelled"
    assert clocks["dispatch"].state == "running"


def test_supervision_chain_reminder_supervision_escalation(call, users, district, later, at):
    job = call().json()
    later(61)  # breach: reminder to the post
    dispatch = clocks_of(job["id"])["dispatch"]
    assert dispatch.reminder.deadline == dispatch.due_at + timedelta(minutes=10)
    later(60 + 600 + 1)  # still not on scene: supervision order to the station chief
    dispatch.refresh_from_db()
    supervision = dispatch.supervision
    assert supervision.kind == "supervision"
    assert supervision.station == district.station_a
    later(60 + 600 + 2)  # its own clock, read from its order.issued event
    answer = ClockInstance.objects.get(order=supervision)
    assert answer.definition.code == "supervision-answer"
    assert answer.due_at - answer.started_at == timedelta(minutes=30)
    assert answer.incident_id == job["id"]
    later(60 + 600 + 1 + 1800 + 1)  # unanswered: escalated to the supervisor
    supervision.refresh_from_db()
    assert supervision.escalated_at is not None
    assert kinds(supervision.pk, "order.") == ["order.issued", "order.escalated"]
    assert Order.objects.filter(kind="supervision").count() == 1


def test_answered_supervision_is_not_escalated(call, users, district, later, at):
    job = call().json()
    later(61)
    later(662)
    supervision = clocks_of(job["id"])["dispatch"].supervision
    at(700, order_feedback, actor=users.chief_a, order_id=supervision.pk, feedback="已派警")
    later(701)
    later(60 + 600 + 1 + 1800 + 1)
    supervision.refresh_from_db()
    assert supervision.escalated_at is None
    assert ClockInstance.objects.get(order=supervision).state == "met"


def test_no_supervision_once_the_job_is_on_scene(call, users, district, later, at, send):
    job = call().json()
    later(61)
    [assignment] = send(70, job, district.units.a)
    at(
        200,
        assignment_advance,
        actor=users.dispatcher,
        assignment_id=assignment.pk,
        target="on_scene",
    )
    later(662)
    assert clocks_of(job["id"])["dispatch"].supervision is None
    assert not Order.objects.filter(kind="supervision").exists()


def test_arrival_at_risk_suggests_a_nearer_free_unit(call, users, district, later, send):
    far, near = district.units.b, district.units.a
    Unit.objects.filter(pk=district.units.p.pk).update(lat=None, lng=None)
    Unit.objects.filter(pk=far.pk).update(lat=30.019, lng=120.019)  # ~2 km off
    Unit.objects.filter(pk=near.pk).update(lat=30.006, lng=120.006)
    job = call().json()
    send(30, job, far)
    later(31)
    risk = Event.objects.get(kind="clock.at_risk")
    assert risk.payload["clock"]["code"] == "arrival"
    assert risk.payload["call_sign"] == far.call_sign
    assert risk.payload["eta_seconds"] > risk.payload["seconds_left"]
    suggestion = risk.payload["suggestion"]
    assert suggestion["call_sign"] != far.call_sign
    assert suggestion["eta_seconds"] < risk.payload["eta_seconds"]
    assert risk.payload["alert"] == "at_risk"
    later(32)
    assert Event.objects.filter(kind="clock.at_risk").count() == 1


def test_a_near_unit_is_not_at_risk(call, users, district, later, send):
    Unit.objects.filter(pk=district.units.a.pk).update(lat=30.006, lng=120.006)
    job = call().json()
    send(10, job, district.units.a)
    later(11)
    assert not Event.objects.filter(kind="clock.at_risk").exists()


def test_excusal_and_delay_reason(call, users, district, later, api_client_for):
    job = call().json()
    later(61)
    clock = clocks_of(job["id"])["dispatch"]
    chief = api_client_for(users.chief_a)
    answer = chief.post(
        f"/api/v1/clocks/{clock.pk}/delay-reason/",
        {"reason": "short-of-units", "note": "两车均在处警"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["delay_reason"] == "short-of-units"
    assert (
        chief.post(
            f"/api/v1/clocks/{clock.pk}/delay-reason/", {"reason": "nope"}, format="json"
        ).status_code
        == 400
    )
    assert (
        chief.post(
            f"/api/v1/clocks/{clock.pk}/excuse/", {"reason": "系统故障"}, format="json"
        ).status_code
        == 403
    )
    supervisor = api_client_for(users.supervisor)
    assert (
        supervisor.post(
            f"/api/v1/clocks/{clock.pk}/excuse/", {"reason": ""}, format="json"
        ).status_code
        == 400
    )
    excused = supervisor.post(
        f"/api/v1/clocks/{clock.pk}/excuse/", {"reason": "报警电话线路故障"}, format="json"
    ).json()
    assert excused["state"] == "excused"
    assert excused["breached_at"] is not None  # still visible as a breach, marked
    assert excused["excuse_reason"] == "报警电话线路故障"
    assert kinds(job["id"])[-2:] == ["clock.delay_reason", "clock.excused"]
    again = supervisor.post(f"/api/v1/clocks/{clock.pk}/excuse/", {"reason": "x"}, format="json")
    assert again.status_code == 409
    # Another station's chief does not see it at all.
    other = api_client_for(users.chief_b)
    assert (
        other.post(
            f"/api/v1/clocks/{clock.pk}/delay-reason/", {"reason": "other"}, format="json"
        ).status_code
        == 404
    )


def test_a_clock_met_in_time_takes_no_delay_reason(call, users, district, later, api_client_for):
    job = call().json()
    later(1)
    clock = clocks_of(job["id"])["dispatch"]
    answer = api_client_for(users.chief_a).post(
        f"/api/v1/clocks/{clock.pk}/delay-reason/", {"reason": "other"}, format="json"
    )
    assert answer.status_code == 409


def test_the_detail_carries_clocks_and_the_list_its_alert(call, users, later, api_client_for):
    job = call().json()
    later(61)
    client = api_client_for(users.dispatcher)
    detail = client.get(f"/api/v1/incidents/{job['id']}/").json()
    by_code = {c["code"]: c for c in detail["clocks"]}
    assert by_code["dispatch"]["state"] == "breached"
    assert set(by_code["dispatch"]) >= {
        "code",
        "name",
        "state",
        "started_at",
        "due_at",
        "stopped_at",
        "breached_at",
    }
    assert by_code["dispatch"]["reminder"].startswith("ZL")
    listed = client.get("/api/v1/incidents/", {"status": "received"}).json()["results"]
    assert [row["alert"] for row in listed if row["id"] == job["id"]] == ["breached"]


def test_the_clock_list_is_scoped(call, users, later, api_client_for):
    police = call().json()  # station A, post P
    street = call(category="dispute", lat=30.015, lng=120.005).json()  # street 1
    other = call(lat=30.005, lng=120.015).json()  # station B
    later(61)

    def listed(user, **query):
        rows = api_client_for(user).get("/api/v1/clocks/", query).json()["results"]
        return {row["incident"] for row in rows}

    assert listed(users.dispatcher) == {police["id"], street["id"], other["id"]}
    assert listed(users.dispatcher, state="breached", station="station-b") == {other["id"]}
    assert listed(users.chief_a) >= {police["id"]}
    assert other["id"] not in listed(users.chief_a)
    assert listed(users.street_staff) == {street["id"]}
    assert listed(users.partner) == set()


def test_two_sweeps_at_once_record_each_event_once(transactional_db, call, later):
    from tests.conftest import _reload_reference_data

    _reload_reference_data()
    points = [(30.005, 120.005), (30.005, 120.015), (30.015, 120.015)]  # not repeats
    jobs = [call(lat=lat, lng=lng).json() for lat, lng in points]
    later(1)
    # One wall clock for both threads (time-machine moves the process's).
    with time_machine.travel(timezone.now() + timedelta(seconds=90), tick=False):
        race([clocks_tick, clocks_tick])
    for job in jobs:
        assert kinds(job["id"]) == ["clock.breached"]
    assert Order.objects.filter(kind="reminder").count() == 3


def test_a_definition_edited_by_the_administrator_applies_to_new_clocks(call, later):
    ClockDefinition.objects.filter(code="dispatch").update(target_urban_s=90)
    job = call().json()
    later(1)
    dispatch = clocks_of(job["id"])["dispatch"]
    assert dispatch.due_at - dispatch.started_at == timedelta(seconds=90)


def test_a_point_outside_every_zone_runs_no_arrival_clock(call, later):
    job = call(lat=31.5, lng=121.5).json()
    later(1)
    clocks = clocks_of(job["id"])
    assert "arrival" not in clocks  # no area class: no arrival standard (it is transferred)
    assert clocks["dispatch"].due_at - clocks["dispatch"].started_at == timedelta(seconds=60)
