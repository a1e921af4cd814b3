"""A living demo district: units patrol and answer jobs, calls keep coming.

Everything goes through the real services (intake, dispatch, assignment steps,
positions), so the map, the consoles and the event log see what they would
see in production. Humans can work alongside: the simulator only takes over
police jobs nobody dispatched within `auto_dispatch_after`. A unit with an
officer (patrol.UnitOfficer) is the officer's: the simulator may send it to
a job, but never takes its steps, moves it or reports back for it. Callbacks
(回访) of closed jobs are the desk's for `callback_after`; then the
simulator's call-taker records a reply, so satisfaction has figures.
"""

import logging
import math
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from analytics.callbacks import callback_queue, callback_record
from commandcenter.choices import Role
from commandcenter.exceptions import DomainError
from demo.sites import SiteSimulator
from demo.volunteers import VolunteerPatrols
from dispatch import services as dispatch_services
from dispatch.choices import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from dispatch.models import Assignment
from dispatch.selectors import DETOUR_FACTOR, SPEED_M_PER_S, units_recommend
from dispatch.services import assignment_advance, incident_dispatch
from incidents import services as incident_services
from incidents.choices import IncidentStatus, Tier
from incidents.models import Incident
from patrol.choices import UnitStatus
from patrol.models import PatrolZone, Unit, UnitOfficer
from patrol.services import FixInput, positions_prune, positions_record

logger = logging.getLogger(__name__)

# The demo's track: kept for a day, pruned every ten minutes.
POSITION_RETENTION = timedelta(days=1)
PRUNE_EVERY = timedelta(minutes=10)

# What a district's calls are made of (weights), after the seed articles:
# about half non-police, a sizeable share invalid.
CALL_MIX = {
    "dispute": 22,
    "assistance": 14,
    "inquiry": 8,
    "complaint": 6,
    "traffic": 14,
    "public_order": 10,
    "criminal": 5,
    "missing_person": 2,
    "alarm": 4,
    "fire": 1,
    "misdial": 8,
    "silent": 4,
    "prank": 2,
}
DESCRIPTIONS = {
    "dispute": "邻里因噪音发生争执",
    "assistance": "老人摔倒需要帮助",
    "inquiry": "咨询户籍办理",
    "complaint": "投诉夜间施工扰民",
    "traffic": "两车追尾，无人员受伤",
    "public_order": "有人在店内闹事",
    "criminal": "电动车被盗",
    "missing_person": "孩子走失",
    "alarm": "智安小区入侵报警",
    "fire": "楼道有烟雾",
    "misdial": "误拨",
    "silent": "无声电话",
    "prank": "骚扰电话",
}
METRES_PER_DEGREE = 111_000.0
# 回访: what the simulated call-taker hears (weights), and what an unhappy caller says.
CALLBACK_REPLIES = {"satisfied": 70, "basic": 14, "unsatisfied": 3, "unreached": 9, "refused": 4}
UNSATISFIED_WORDS = ("民警到场太慢", "处理结果不满意", "没有人回复")


def _step_towards(lat, lng, target_lat, target_lng, metres):
    dy = (target_lat - lat) * METRES_PER_DEGREE
    dx = (target_lng - lng) * METRES_PER_DEGREE * math.cos(math.radians(lat))
    distance = math.hypot(dx, dy)
    if distance <= metres or distance == 0:
        return target_lat, target_lng, True
    ratio = metres / distance
    return lat + (target_lat - lat) * ratio, lng + (target_lng - lng) * ratio, False


@dataclass
class UnitState:
    lat: float
    lng: float
    waypoint: tuple[float, float] | None = None


@dataclass
class Simulator:
    # How many times faster than real time units patrol. Sent to a job they
    # drive as the estimates say (their type's speed over the road distance),
    # so the arrival clock and its "at risk" warning mean what they would.
    speed: float = 4.0
    calls_per_minute: float = 3.0
    # Calls a person recorded are theirs to dispatch: the simulator takes
    # over only after this long (past the 60 s dispatch clock, so the demo
    # shows the breach, the reminder and, 10 minutes on, the supervision).
    auto_dispatch_after: timedelta = timedelta(seconds=120)
    # Its own calls it dispatches like a busy desk: most within the minute
    # (seconds after the call, drawn from the first range), a share late.
    own_dispatch_seconds: tuple[float, float] = (15, 50)
    late_dispatch_seconds: tuple[float, float] = (65, 110)
    late_dispatch_share: float = 0.25
    # This share of its dispatches sends a distant unit (the nearest was
    # overlooked): the arrival clock warns "at risk" and names a nearer one.
    distant_unit_share: float = 0.2
    on_scene_for: tuple[int, int] = (60, 240)
    # 回访: callbacks queued (or last tried) this long ago are the simulator's to
    # make, a few a tick; the fresh ones are left for people on /callbacks/.
    callback_after: timedelta = timedelta(minutes=4)
    callbacks_per_tick: int = 2
    seed: int = 7
    rng: random.Random = field(init=False)
    states: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    scene_until: dict = field(default_factory=dict)
    dispatch_delay: dict = field(default_factory=dict)  # incident id -> its wait
    pruned_at: object = None  # when old fixes were last pruned

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.actor = self._actor()
        self.gateway = self._actor(username="simulator-gps", role=Role.GATEWAY, name="模拟定位网关")
        self.call_taker = self._actor(
            username="simulator-callbacks", role=Role.DISPATCHER, name="模拟回访员"
        )
        self.officer_units: set[int] = set()
        # The smart-secure sites' gateway: heartbeats, dropouts, alarms (demo.sites).
        self.sites = SiteSimulator(rng=random.Random(self.seed + 14))
        # 义警 on patrol: duty sessions, walks, their jobs' steps (demo.volunteers).
        self.volunteers = VolunteerPatrols(rng=random.Random(self.seed + 15), speed=self.speed)
        zones = list(PatrolZone.objects.all())
        self.zones = [(zone, shape(zone.boundary)) for zone in zones]

    @staticmethod
    def _actor(username="simulator", role=Role.ADMINISTRATOR, name="模拟器"):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"role": role, "first_name": name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    # --- geography ---------------------------------------------------------------

    def _area_of(self, unit: Unit):
        key = (unit.home_post_id, unit.home_station_id, unit.home_governance_center_id)
        if key not in self.areas:

            def belongs(zone):
                if unit.home_post_id:
                    return zone.post_id == unit.home_post_id
                if unit.home_station_id:
                    return zone.station_id == unit.home_station_id
                return zone.street_id == unit.home_governance_center.street_id

            polygons = [geometry for zone, geometry in self.zones if belongs(zone)]
            self.areas[key] = unary_union(polygons or [g for _, g in self.zones])
        return self.areas[key]

    def _point_in(self, area) -> tuple[float, float]:
        minx, miny, maxx, maxy = area.bounds
        for _ in range(50):
            x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if area.contains(Point(x, y)):
                return y, x
        point = area.representative_point()
        return point.y, point.x

    def _call_point(self) -> tuple[float, float]:
        weights = [3 if zone.area_class == "urban" else 1 for zone, _ in self.zones]
        _, geometry = self.rng.choices(self.zones, weights=weights)[0]
        return self._point_in(geometry)

    # --- one tick ------------------------------------------------------------------

    def tick(self, seconds: float) -> None:
        now = timezone.now()
        # The units officers work on their terminals (read each tick: bindings change).
        self.officer_units = set(UnitOfficer.objects.values_list("unit_id", flat=True))
        if self.rng.random() < self.calls_per_minute * seconds / 60:
            self._raise_call()
        self._handle_jobs(now)
        self._call_back(now)
        self._move_units(seconds, now)
        self.sites.tick(seconds, now)
        self.volunteers.tick(seconds, now)
        if self.pruned_at is None or now - self.pruned_at >= PRUNE_EVERY:
            # A demo left running keeps a day of track, not a gigabyte a day.
            positions_prune(before=now - POSITION_RETENTION)
            self.pruned_at = now

    def _raise_call(self) -> None:
        category = self.rng.choices(list(CALL_MIX), weights=list(CALL_MIX.values()))[0]
        lat, lng = self._call_point()
        try:
            incident_services.incident_create(
                actor=self.actor,
                category=category,
                description=DESCRIPTIONS[category],
                lat=lat,
                lng=lng,
                caller_phone=f"13{self.rng.randrange(10**9):09d}",
                address="模拟地址",
                caller_name="市民",
            )
        except (ValidationError, DomainError) as error:
            logger.info("simulated call refused: %s", error)

    def _try(self, action, **kwargs) -> None:
        try:
            action(actor=self.actor, **kwargs)
        except (ValidationError, DomainError) as error:
            logger.info("simulator: %s refused: %s", action.__name__, error)

    def _handle_jobs(self, now) -> None:
        S = IncidentStatus
        open_jobs = Incident.objects.filter(
            status__in=[
                S.RECEIVED,
                S.RETURNED,
                S.DIVERTED,
                S.ACCEPTED,
                S.DISPATCHED,
                S.ON_SCENE,
                S.RESOLVED,
                S.REFERRED,
            ]
        )
        for incident in open_jobs:
            waited = now - incident.received_at
            if incident.status in (S.RECEIVED, S.RETURNED) and waited > self._wait_for(incident):
                self._dispatch_best(incident, distant=self.rng.random() < self.distant_unit_share)
            elif incident.status == S.DIVERTED and waited > timedelta(seconds=45):
                self._try(incident_services.incident_accept, incident_id=incident.pk)
            elif incident.status == S.ACCEPTED and waited > timedelta(seconds=75):
                if not self._dispatch_best(incident):
                    self._try(
                        dispatch_services.incident_settle,
                        incident_id=incident.pk,
                        result_code="settled_on_site",
                        notes="电话调解",
                        remote=True,
                    )
            elif (
                incident.status == S.ON_SCENE
                and now >= self.scene_until.get(incident.pk, now + timedelta(seconds=1))
                and not self._officer_on(incident)
            ):
                self._finish(incident)
            elif (
                incident.status in (S.RESOLVED, S.REFERRED)
                # A job referred to a partner department waits for its answer.
                and not (incident.status == S.REFERRED and incident.referred_to_id)
                and incident.resolved_at
                and (now - incident.resolved_at > timedelta(seconds=30))
            ):
                self._try(
                    dispatch_services.incident_close,
                    incident_id=incident.pk,
                    feedback="已回访，群众满意",
                )
            if incident.status == S.ON_SCENE and incident.pk not in self.scene_until:
                self.scene_until[incident.pk] = now + timedelta(
                    seconds=self.rng.randint(*self.on_scene_for) / self.speed
                )
        self._advance_assignments(now)

    def _officer_on(self, incident) -> bool:
        """A unit with an officer is on the job: the officer reports back, not us."""
        officer_units = self.officer_units
        return (
            bool(officer_units)
            and Assignment.objects.filter(
                incident=incident, unit_id__in=officer_units, status__in=ACTIVE_ASSIGNMENT_STATUSES
            ).exists()
        )

    def _wait_for(self, incident) -> timedelta:
        """How long a job waits for the simulator's dispatch."""
        if incident.created_by_id != self.actor.pk:
            return self.auto_dispatch_after
        if incident.pk not in self.dispatch_delay:
            late = self.rng.random() < self.late_dispatch_share
            span = self.late_dispatch_seconds if late else self.own_dispatch_seconds
            self.dispatch_delay[incident.pk] = timedelta(seconds=self.rng.uniform(*span))
        return self.dispatch_delay[incident.pk]

    def _dispatch_best(self, incident, *, distant: bool = False) -> bool:
        """Send the best unit, or (`distant`) the farthest of the ten best."""
        ranked = units_recommend(incident=incident, user=self.actor, limit=10 if distant else 1)
        if not ranked:
            return False
        unit = ranked[-1] if distant else ranked[0]
        self._try(incident_dispatch, incident_id=incident.pk, unit_ids=[unit.unit_id])
        self.dispatch_delay.pop(incident.pk, None)
        return True

    def _finish(self, incident) -> None:
        if incident.tier == Tier.STREET:
            self._try(
                dispatch_services.incident_settle,
                incident_id=incident.pk,
                result_code=self.rng.choice(["mediated", "assisted", "settled_on_site"]),
                notes="现场处置完毕",
            )
        else:
            self._try(
                dispatch_services.incident_resolve,
                incident_id=incident.pk,
                result_code=self.rng.choice(
                    ["settled_on_site", "settled_on_site", "case_opened", "no_police_matter"]
                ),
                notes="现场处置完毕",
            )
        self.scene_until.pop(incident.pk, None)

    def _advance_assignments(self, now) -> None:
        A = AssignmentStatus
        for assignment in (
            Assignment.objects.filter(status__in=[A.DISPATCHED, A.ACKNOWLEDGED])
            .exclude(unit_id__in=self.officer_units)
            .select_related("unit")
        ):
            since = now - assignment.dispatched_at
            if assignment.status == A.DISPATCHED and since > timedelta(seconds=8):
                self._try(assignment_advance, assignment_id=assignment.pk, target=A.ACKNOWLEDGED)
            elif assignment.status == A.ACKNOWLEDGED and since > timedelta(seconds=14):
                self._try(assignment_advance, assignment_id=assignment.pk, target=A.EN_ROUTE)

    # --- callbacks (回访) -------------------------------------------------------------

    def _call_back(self, now) -> None:
        """Record a reply for the oldest callbacks nobody made within `callback_after`:
        the satisfaction figures have data, and 不满意 sends the station a supervision order."""
        waited = now - self.callback_after
        due = callback_queue(user=self.call_taker).filter(created_at__lt=waited)
        due = due.exclude(recorded_at__gte=waited)[: self.callbacks_per_tick]
        for callback in due:
            result = self.rng.choices(list(CALLBACK_REPLIES), weights=CALLBACK_REPLIES.values())[0]
            comment = self.rng.choice(UNSATISFIED_WORDS) if result == "unsatisfied" else ""
            try:
                callback_record(
                    callback_id=callback.pk, actor=self.call_taker, result=result, comment=comment
                )
            except (ValidationError, DomainError) as error:  # a person got there first
                logger.info("simulator: callback refused: %s", error)

    # --- movement ------------------------------------------------------------------

    def _move_units(self, seconds: float, now) -> None:
        targets = {
            a.unit_id: (a.pk, a.incident.lat, a.incident.lng, a.status)
            for a in Assignment.objects.filter(
                status__in=ACTIVE_ASSIGNMENT_STATUSES
            ).select_related("incident")
        }
        fixes = []
        # An officer's unit reports its own position from the terminal.
        for unit in (
            Unit.objects.exclude(status=UnitStatus.OFF_DUTY)
            .exclude(pk__in=self.officer_units)
            .select_related("home_governance_center")
        ):
            state = self.states.get(unit.pk)
            if state is None:
                lat, lng = (unit.lat, unit.lng) if unit.lat else self._point_in(self._area_of(unit))
                state = self.states[unit.pk] = UnitState(lat=lat, lng=lng)
            metres = SPEED_M_PER_S[unit.unit_type] * seconds * self.speed
            heading_from = (state.lat, state.lng)
            if unit.pk in targets:
                # Straight at the job, at the pace the road distance allows.
                metres = SPEED_M_PER_S[unit.unit_type] * seconds / DETOUR_FACTOR
                assignment_id, lat, lng, status = targets[unit.pk]
                if status == AssignmentStatus.ON_SCENE:
                    continue
                state.lat, state.lng, arrived = _step_towards(
                    state.lat, state.lng, lat, lng, metres
                )
                if arrived and status == AssignmentStatus.EN_ROUTE:
                    self._try(
                        assignment_advance,
                        assignment_id=assignment_id,
                        target=AssignmentStatus.ON_SCENE,
                    )
            else:
                if state.waypoint is None:
                    state.waypoint = self._point_in(self._area_of(unit))
                state.lat, state.lng, arrived = _step_towards(
                    state.lat,
                    state.lng,
                    *state.waypoint,
                    metres * 0.5,  # patrol pace
                )
                if arrived:
                    state.waypoint = None
            heading = (
                math.degrees(
                    math.atan2(
                        (state.lng - heading_from[1]) * math.cos(math.radians(state.lat)),
                        state.lat - heading_from[0],
                    )
                )
                % 360
            )
            fixes.append(
                FixInput(
                    unit=unit.pk,
                    recorded_at=now,
                    lat=state.lat,
                    lng=state.lng,
                    speed=SPEED_M_PER_S[unit.unit_type],
                    heading=heading,
                )
            )
        if fixes:
            # As an AVL gateway would: bound to the units it simulates, officers' excluded.
            positions_record(
                actor=self.gateway,
                fixes=fixes,
                gateway_units=frozenset(
                    Unit.objects.exclude(pk__in=self.officer_units).values_list("pk", flat=True)
                ),
            )
