"""Past days of the demo district: jobs and their events as the services write them.

A newcomer's dashboard should have a yesterday, a last week and a ranking to
compare with. Walking thousands of jobs through the services at start-up
takes minutes, so the past is written in bulk instead: each job's incident
row, its assignments and its events (the same kinds and payloads the
services record, `incidents.lifecycle.incident_payload` included), numbered
after the log's last event. The clock engine and the fact consumer then read
them like any other events — clocks, facts and rollups are derived, not written.

The past has no GPS tracks (the demo keeps one day of them), so patrol and
on-duty time exist from today on.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from shapely.geometry import shape

from commandcenter.directory import directory
from commandcenter.models import Event
from commandcenter.services import EVENT_SEQUENCE_LOCK
from demo.simulation import CALL_MIX, DESCRIPTIONS
from dispatch.choices import AssignmentStatus
from dispatch.models import Assignment
from dispatch.selectors import DETOUR_FACTOR, SPEED_M_PER_S
from incidents.choices import CategoryKind, IncidentStatus, Source, Tier
from incidents.lifecycle import incident_location, incident_payload
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.routing import incident_route
from patrol.choices import UnitType
from patrol.models import PatrolZone, Unit
from patrol.zone_index import point_resolve

S = IncidentStatus
A = AssignmentStatus
SUBJECT = "incidents.incident"
# Calls per past day for the whole district, by local hour (a 110 day: quiet at
# night, busiest in the evening).
HOURLY = [3, 2, 1, 1, 1, 2, 4, 7, 9, 10, 10, 11, 11, 10, 10, 11, 12, 13, 14, 14, 12, 9, 7, 5]


@dataclass
class _Job:
    incident: Incident
    events: list  # (time, kind, payload extra)
    assignment: Assignment | None = None


class History:
    def __init__(self, *, seed: int = 7, calls_per_day: int = 600) -> None:
        self.rng = random.Random(seed)
        self.calls_per_day = calls_per_day
        self.zones = [
            (zone, shape(zone.boundary))
            for zone in PatrolZone.objects.exclude(station=None).order_by("pk")
        ]
        self.units_by_station: dict[int, list[Unit]] = {}
        self.street_units: dict[int, list[Unit]] = {}
        # Not the volunteers (义警): they serve from the demo's start, in duty sessions,
        # and never on a police job.
        for unit in Unit.objects.exclude(unit_type=UnitType.VOLUNTEER).order_by("pk"):
            if unit.home_station_id:
                self.units_by_station.setdefault(unit.home_station_id, []).append(unit)
            elif unit.home_governance_center_id:
                self.street_units.setdefault(unit.home_governance_center_id, []).append(unit)
        self.categories = {c: directory.by_code(IncidentCategory, c) for c in CALL_MIX}
        self.results = {r.code: r for r in ResultCode.objects.all()}

    # --- one job ---------------------------------------------------------------

    def _point(self) -> tuple[float, float]:
        weights = [3 if zone.area_class == "urban" else 1 for zone, _ in self.zones]
        _zone, area = self.rng.choices(self.zones, weights=weights)[0]
        minx, miny, maxx, maxy = area.bounds
        for _ in range(50):
            lng, lat = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if area.contains(shape({"type": "Point", "coordinates": [lng, lat]})):
                return lat, lng
        point = area.representative_point()
        return point.y, point.x

    def _job(self, received: datetime, number: str) -> _Job | None:
        code = self.rng.choices(list(CALL_MIX), weights=list(CALL_MIX.values()))[0]
        category = self.categories[code]
        lat, lng = self._point()
        placement = point_resolve(lat=lat, lng=lng)
        if placement is None or category is None:
            return None
        incident = Incident(
            number=number,
            source=Source.PHONE_110,
            category=category,
            priority=category.default_priority,
            description=DESCRIPTIONS[code],
            address="模拟地址",
            lat=lat,
            lng=lng,
            zone_id=placement.zone_id,
            station_id=placement.station_id,
            post_id=placement.post_id,
            street_id=placement.street_id,
            sector_id=placement.sector_id,
            received_at=received,
        )
        if category.kind == CategoryKind.INVALID:
            incident.tier, incident.status = Tier.INVALID, S.INVALID
            incident.invalid_reason, incident.closed_at = category, received
            incident.routing_reason = f"无效报警：{category.name}"
            return _Job(incident, [(received, "incident.invalidated", {"category": code})])
        decision = incident_route(category=category, placement=placement)
        incident.tier, incident.routing_reason = decision.tier, decision.reason
        incident.routing_rule = decision.rule
        incident.governance_center_id = decision.governance_center_id
        if decision.tier == Tier.STREET:
            return self._street_job(incident, code)
        return self._police_job(incident, code)

    def _police_job(self, incident: Incident, code: str) -> _Job | None:
        units = self.units_by_station.get(incident.station_id)
        if not units:
            return None
        rng, t = self.rng, incident.received_at
        unit = rng.choice(units)
        events = [(t, "incident.received", {"category": code, "priority": incident.priority})]
        # Most are sent within a minute; some wait.
        dispatched = t + timedelta(
            seconds=rng.uniform(10, 50) if rng.random() < 0.9 else rng.uniform(60, 150)
        )
        speed = SPEED_M_PER_S[unit.unit_type]
        distance = rng.uniform(200, 1800) if speed > 5 else rng.uniform(100, 300)
        travel = distance * DETOUR_FACTOR / speed * rng.uniform(0.7, 1.3)
        acknowledged = dispatched + timedelta(seconds=rng.uniform(3, 25))
        en_route = acknowledged + timedelta(seconds=rng.uniform(1, 10))
        on_scene = en_route + timedelta(seconds=travel)
        resolved = on_scene + timedelta(minutes=rng.uniform(8, 45))
        closed = resolved + timedelta(minutes=rng.uniform(5, 240))
        assignment = Assignment(
            unit=unit,
            status=A.CLEARED,
            distance_m=int(distance),
            eta_seconds=int(distance * DETOUR_FACTOR / speed),
            dispatched_at=dispatched,
            acknowledged_at=acknowledged,
            en_route_at=en_route,
            on_scene_at=on_scene,
            cleared_at=resolved,
        )
        result = rng.choice(
            ["settled_on_site", "settled_on_site", "case_opened", "no_police_matter"]
        )
        step = {"unit": unit.pk, "call_sign": unit.call_sign}
        events += [
            (
                dispatched,
                "incident.dispatched",
                {"units": [{**step, "eta_seconds": assignment.eta_seconds}]},
            ),
            (acknowledged, "assignment.acknowledged", step),
            (en_route, "assignment.en_route", step),
            (on_scene, "incident.on_scene", step),
            (resolved, "incident.resolved", {"result_code": result}),
            (resolved, "assignment.cleared", step),
        ]
        incident.dispatched_at, incident.on_scene_at, incident.resolved_at = (
            dispatched,
            on_scene,
            resolved,
        )
        incident.result_code = self.results.get(result)
        if closed < timezone.now():
            events.append((closed, "incident.closed", {}))
            incident.status, incident.closed_at = S.CLOSED, closed
        else:
            incident.status = S.RESOLVED
        return _Job(incident, events, assignment)

    def _street_job(self, incident: Incident, code: str) -> _Job:
        rng, t = self.rng, incident.received_at
        accepted = t + timedelta(seconds=rng.uniform(20, 180))
        settled = accepted + timedelta(minutes=rng.uniform(5, 50))
        closed = settled + timedelta(minutes=rng.uniform(5, 300))
        events = [
            (t, "incident.diverted", {"category": code, "priority": incident.priority}),
            (accepted, "incident.accepted", {}),
        ]
        incident.diverted_at, incident.accepted_at = t, accepted
        assignment = None
        staff = self.street_units.get(incident.governance_center_id)
        if staff and rng.random() < 0.7:
            unit = rng.choice(staff)
            dispatched = accepted + timedelta(seconds=rng.uniform(10, 60))
            on_scene = dispatched + timedelta(seconds=rng.uniform(120, 600))
            assignment = Assignment(
                unit=unit,
                status=A.CLEARED,
                dispatched_at=dispatched,
                acknowledged_at=dispatched,
                on_scene_at=on_scene,
                cleared_at=settled,
            )
            step = {"unit": unit.pk, "call_sign": unit.call_sign}
            events += [
                (dispatched, "incident.dispatched", {"units": [step]}),
                (on_scene, "incident.on_scene", step),
            ]
            incident.dispatched_at, incident.on_scene_at = dispatched, on_scene
        if rng.random() < 0.1:
            events.append((settled, "incident.referred", {"to": "mediation"}))
            incident.referred_to_mediation = True
        else:
            result = rng.choice(["mediated", "assisted", "settled_on_site"])
            events.append(
                (settled, "incident.settled", {"result_code": result, "remote": assignment is None})
            )
            incident.result_code = self.results.get(result)
        incident.resolved_at = settled
        if closed < timezone.now():
            events.append((closed, "incident.closed", {}))
            incident.status, incident.closed_at = S.CLOSED, closed
        else:
            incident.status = S.REFERRED if incident.referred_to_mediation else S.RESOLVED
        return _Job(incident, events, assignment)

    # --- days --------------------------------------------------------------------

    def day_jobs(self, day: date) -> list[_Job]:
        jobs, running = [], 0
        if not self.zones:  # no district (yet): no past
            return jobs
        start = timezone.make_aware(datetime.combine(day, time.min))
        total = sum(HOURLY)
        for hour, weight in enumerate(HOURLY):
            for _ in range(round(self.calls_per_day * weight / total * self.rng.uniform(0.8, 1.2))):
                received = start + timedelta(hours=hour, seconds=self.rng.uniform(0, 3600))
                running += 1
                job = self._job(received, f"{day:%Y%m%d}-{running:04d}")
                if job is not None:
                    jobs.append(job)
        return jobs


def history_write(*, days: int = 7, calls_per_day: int = 600, seed: int = 7) -> int:
    """Write `days` past local days of jobs before today; returns the number of jobs."""
    history = History(seed=seed, calls_per_day=calls_per_day)
    today, now = timezone.localdate(), timezone.now()
    jobs = []
    for offset in range(days, 0, -1):
        jobs += history.day_jobs(today - timedelta(days=offset))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENT_SEQUENCE_LOCK])
        Incident.objects.bulk_create([j.incident for j in jobs], batch_size=500)
        assignments = []
        for job in jobs:
            if job.assignment is not None:
                job.assignment.incident = job.incident
                assignments.append(job.assignment)
        Assignment.objects.bulk_create(assignments, batch_size=500)
        seq = Event.objects.aggregate(last=Max("seq"))["last"] or 0
        rows = []
        for job in jobs:
            payload = incident_payload(job.incident)
            location = incident_location(job.incident)
            for at, kind, extra in job.events:
                if at > now:  # a job of last night still going on: its future is not written
                    continue
                if kind.startswith("assignment."):
                    extra = {**extra, "assignment": job.assignment.pk}
                elif kind == "incident.dispatched":
                    extra = {"units": [{**extra["units"][0], "assignment": job.assignment.pk}]}
                rows.append((at, kind, job.incident, {**payload, **extra}, location))
        rows.sort(key=lambda r: r[0])
        events = []
        for at, kind, incident, payload, location in rows:
            seq += 1
            events.append(
                Event(
                    seq=seq,
                    occurred_at=at,
                    kind=kind,
                    subject_type=SUBJECT,
                    subject_id=str(incident.pk),
                    payload=payload,
                    **location,
                )
            )
        Event.objects.bulk_create(events, batch_size=1000)
    return len(jobs)
