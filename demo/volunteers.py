"""The demo district's volunteers (义警 / 平安志愿者): a few teams, and their patrols.

`demo_volunteers` seeds the teams in the loaded district through the real
services: one team per street for the first few streets (each joint with the
station that covers most of the street, "联合巡逻"), and one team of a station
alone, each of 5–8 members with an account (no usable password: the
simulator is their phone) and a volunteer unit. One member's account is the
demo login `volunteer` (the demo password), for the terminal in volunteer mode.

`VolunteerPatrols` is the simulator's hook: called each tick, it keeps about
half of the members on duty (sessions started and ended as each member's
own terminal would), walks them about their team's area with positions
posted as their own, has the street send the nearest one to some of the help
jobs it accepted, and works the jobs they were sent to (acknowledge, set off,
arrive, and leave the scene when done: whoever sent them ends the job; the
simulator settles the street's). The `volunteer` login is left to the person
using it.
"""

import logging
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from commandcenter.choices import Role
from commandcenter.exceptions import DomainError
from commandcenter.models import Station, Street
from community.choices import VolunteerSkill
from community.volunteer_models import VolunteerMember
from community.volunteer_services import (
    volunteer_member_create,
    volunteer_session_end,
    volunteer_session_start,
    volunteer_team_create,
)
from demo.seed import DEMO_PASSWORD, DemoAccount
from dispatch.choices import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from dispatch.models import Assignment
from dispatch.selectors import DETOUR_FACTOR, SPEED_M_PER_S, units_recommend
from dispatch.services import assignment_advance, incident_dispatch
from incidents.choices import IncidentStatus, Tier
from incidents.models import Incident
from patrol.choices import UnitStatus, UnitType
from patrol.models import PatrolZone
from patrol.services import FixInput, positions_record

logger = logging.getLogger(__name__)

DEMO_VOLUNTEER_USERNAME = "volunteer"
# Who sends volunteers in the demo: the simulator's desk (demo.simulation), acting for
# the street's governance center.
SENDER_USERNAME = "simulator"
# 上城区's division code (GB/T 2260): the first six digits of the members' ID numbers.
DIVISION_CODE = "330102"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志红梅海燕德福荣春林"
TEAM_NAMES = ("平安志愿者服务队", "义警巡防队", "红袖章巡逻队", "邻里守望队")
SKILL_WEIGHTS = {
    VolunteerSkill.FIRST_AID: 30,
    VolunteerSkill.MEDIATION: 25,
    VolunteerSkill.LANGUAGE: 10,
    VolunteerSkill.FIRE_SAFETY: 15,
    VolunteerSkill.LEGAL: 5,
    VolunteerSkill.PSYCHOLOGICAL: 5,
    VolunteerSkill.SIGN_LANGUAGE: 3,
    VolunteerSkill.DRIVING: 10,
    VolunteerSkill.SEARCH: 8,
}
# GB 11643: the weights and check characters of an 18-digit citizen ID number.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(rng: random.Random) -> str:
    """A well-formed (checksummed) but invented ID number of the district."""
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(365 * 45))
    body = f"{DIVISION_CODE}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
    return name, f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _skills(rng: random.Random) -> list[str]:
    count = rng.choices((0, 1, 2, 3), weights=(20, 45, 25, 10))[0]
    picked = rng.choices(list(SKILL_WEIGHTS), weights=list(SKILL_WEIGHTS.values()), k=count)
    return list(dict.fromkeys(picked))


def _covering_station(street: Street) -> Station | None:
    """The station covering most of the street's zones: its partner on joint patrols."""
    row = (
        PatrolZone.objects.filter(street=street)
        .values("station")
        .annotate(zones=Count("id"))
        .order_by("-zones", "station")
        .first()
    )
    return Station.objects.get(pk=row["station"]) if row else None


@transaction.atomic
def demo_volunteers(
    *, rng: random.Random, streets: int = 3, password: str = DEMO_PASSWORD
) -> list[DemoAccount]:
    """Seed the volunteer teams of the loaded demo district (all or nothing); return
    the demo login. Call it after `demo_district_seed`."""
    User = get_user_model()
    plans: list[tuple[str, str, Street | None, Station | None]] = []
    # In the plan's order: the first street and station are the demo accounts' own.
    for index, street in enumerate(Street.objects.order_by("pk")[:streets]):
        plans.append(
            (
                f"{street.code}-yj",
                f"{street.name}{TEAM_NAMES[index % len(TEAM_NAMES)]}",
                street,
                _covering_station(street),
            )
        )
    station = Station.objects.order_by("pk").first()
    if station is not None:
        plans.append((f"{station.code}-yj", f"{station.name}义警队", None, station))
    accounts: list[DemoAccount] = []
    for code, name, street, team_station in plans:
        team = volunteer_team_create(
            actor=None, code=code, name=name, street=street, station=team_station
        )
        for number in range(1, rng.randint(5, 8) + 1):
            demo_login = not accounts
            person, phone = _person(rng)
            user = User(
                username=DEMO_VOLUNTEER_USERNAME if demo_login else f"vol-{code}-{number:02d}",
                role=Role.VOLUNTEER,
                first_name="平安志愿者",
            )
            if demo_login:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.full_clean()
            user.save()
            member = volunteer_member_create(
                actor=None,
                team_id=team.pk,
                name=person,
                phone=phone,
                id_number=id_number(rng),
                skills=_skills(rng),
                user=user,
                leader=number == 1,
            )
            if demo_login:
                accounts.append(
                    DemoAccount(
                        username=user.username,
                        role=Role.VOLUNTEER,
                        org_unit=f"{member.unit.call_sign} · {team.name}",
                    )
                )
    return accounts


# --- The simulator's hook -------------------------------------------------------------------

METRES_PER_DEGREE = 111_000.0


def _step_towards(lat, lng, target_lat, target_lng, metres):
    dy = (target_lat - lat) * METRES_PER_DEGREE
    dx = (target_lng - lng) * METRES_PER_DEGREE * math.cos(math.radians(lat))
    distance = math.hypot(dx, dy)
    if distance <= metres or distance == 0:
        return target_lat, target_lng, True
    ratio = metres / distance
    return lat + (target_lat - lat) * ratio, lng + (target_lng - lng) * ratio, False


@dataclass
class _Walker:
    lat: float
    lng: float
    waypoint: tuple[float, float] | None = None
    off_duty_at: datetime | None = None
    leave_scene_at: datetime | None = None


@dataclass
class VolunteerPatrols:
    """Each tick: volunteers come on and off duty, walk their area, and work their jobs."""

    rng: random.Random
    # As Simulator.speed: how many times faster than real time they walk and serve.
    speed: float = 4.0
    on_duty_share: float = 0.5
    # A duty session lasts this long (seconds of real time, divided by `speed`).
    session_seconds: tuple[float, float] = (1800, 5400)
    on_scene_for: tuple[int, int] = (90, 300)
    # The street sends the nearest volunteer on duty (within `send_within_m`) to this
    # share of the help jobs it accepted in a team's street; street forces do the rest.
    send_share: float = 0.5
    send_within_m: int = 800
    walkers: dict = field(default_factory=dict)  # member id -> _Walker
    areas: dict = field(default_factory=dict)  # team id -> polygon
    considered: set = field(default_factory=set)  # incident ids the street decided on

    def tick(self, seconds: float, now: datetime | None = None) -> None:
        now = now or timezone.now()
        members = list(
            VolunteerMember.objects.filter(active=True, team__active=True, user__isnull=False)
            .exclude(user__username=DEMO_VOLUNTEER_USERNAME)
            .select_related("unit", "user", "team")
        )
        if not members:
            return
        members = [m for m in members if self._area(m) is not None]  # a team with no ground
        self._duty(members, now)  # refreshes the status of each member it changes
        self._send(members, now)
        jobs = {
            a.unit_id: a
            for a in Assignment.objects.filter(
                unit__unit_type=UnitType.VOLUNTEER, status__in=ACTIVE_ASSIGNMENT_STATUSES
            ).select_related("incident")
        }
        for member in members:
            if member.unit.status == UnitStatus.OFF_DUTY:
                self.walkers.pop(member.pk, None)
                continue
            walker = self._walker(member, now)
            assignment = jobs.get(member.unit_id)
            if assignment is not None:
                self._work(member, walker, assignment, seconds, now)
            else:
                self._patrol(member, walker, seconds)
            self._report(member, walker, now)

    # --- duty ---------------------------------------------------------------------------

    def _duty(self, members: list[VolunteerMember], now: datetime) -> None:
        for member in members:
            if member.unit.status != UnitStatus.AVAILABLE:
                continue  # off duty, or on a job: it finishes the job first
            if now >= self._walker(member, now).off_duty_at:
                self._try(volunteer_session_end, member)
        off = [m for m in members if m.unit.status == UnitStatus.OFF_DUTY]
        wanted = round(self.on_duty_share * len(members)) - (len(members) - len(off))
        for member in self.rng.sample(off, k=max(0, min(wanted, len(off), 2))):
            self._try(volunteer_session_start, member)

    def _send(self, members: list[VolunteerMember], now: datetime) -> None:
        """The governance center sends a volunteer to some of the help jobs it accepted."""
        sender = get_user_model().objects.filter(username=SENDER_USERNAME).first()
        free = [m.unit_id for m in members if m.unit.status == UnitStatus.AVAILABLE]
        streets = {m.team.street_id for m in members if m.team.street_id}
        if sender is None or not free or not streets:
            return
        accepted = (
            Incident.objects.filter(
                status=IncidentStatus.ACCEPTED,
                tier=Tier.STREET,
                street_id__in=streets,
                accepted_at__lt=now - timedelta(seconds=10),
            )
            .exclude(pk__in=self.considered)
            .order_by("pk")
        )
        for incident in accepted:
            self.considered.add(incident.pk)
            if self.rng.random() >= self.send_share:
                continue
            ranked = units_recommend(incident=incident, user=sender, limit=1, among=free)
            if not ranked or ranked[0].distance_m > self.send_within_m:
                continue
            unit_id = ranked[0].unit_id
            try:
                incident_dispatch(actor=sender, incident_id=incident.pk, unit_ids=[unit_id])
            except (ValidationError, DomainError) as error:
                logger.info("volunteers: dispatch refused: %s", error)
                continue
            free.remove(unit_id)
            for member in members:
                if member.unit_id == unit_id:
                    member.unit.status = UnitStatus.DISPATCHED

    def _try(self, service, member: VolunteerMember) -> None:
        try:
            service(actor=member.user, member_id=member.pk)
        except (ValidationError, DomainError) as error:
            logger.info("volunteers: %s refused: %s", service.__name__, error)
        member.unit.refresh_from_db(fields=["status"])

    # --- walking and jobs -----------------------------------------------------------------

    def _area(self, member: VolunteerMember):
        team = member.team
        if team.pk not in self.areas:
            zones = (
                PatrolZone.objects.filter(street_id=team.street_id)
                if team.street_id
                else PatrolZone.objects.filter(station_id=team.station_id)
            )
            polygons = [shape(zone.boundary) for zone in zones]
            self.areas[team.pk] = unary_union(polygons) if polygons else None
        return self.areas[team.pk]

    def _point_in(self, area) -> tuple[float, float]:
        minx, miny, maxx, maxy = area.bounds
        for _ in range(50):
            x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if area.contains(Point(x, y)):
                return y, x
        point = area.representative_point()
        return point.y, point.x

    def _walker(self, member: VolunteerMember, now: datetime) -> _Walker:
        walker = self.walkers.get(member.pk)
        if walker is None:
            unit = member.unit
            area = self._area(member)
            lat, lng = (unit.lat, unit.lng) if unit.lat else self._point_in(area)
            walker = self.walkers[member.pk] = _Walker(lat=lat, lng=lng)
            walker.off_duty_at = now + timedelta(
                seconds=self.rng.uniform(*self.session_seconds) / self.speed
            )
        return walker

    def _patrol(self, member: VolunteerMember, walker: _Walker, seconds: float) -> None:
        if walker.waypoint is None:
            walker.waypoint = self._point_in(self._area(member))
        metres = SPEED_M_PER_S[UnitType.VOLUNTEER] * seconds * self.speed * 0.5
        walker.lat, walker.lng, arrived = _step_towards(
            walker.lat, walker.lng, *walker.waypoint, metres
        )
        if arrived:
            walker.waypoint = None

    def _work(self, member, walker: _Walker, assignment: Assignment, seconds, now) -> None:
        A = AssignmentStatus
        since = now - assignment.dispatched_at
        step = None
        if assignment.status == A.DISPATCHED and since > timedelta(seconds=8):
            step = A.ACKNOWLEDGED
        elif assignment.status == A.ACKNOWLEDGED and since > timedelta(seconds=14):
            step = A.EN_ROUTE
        elif assignment.status == A.EN_ROUTE:
            metres = SPEED_M_PER_S[UnitType.VOLUNTEER] * seconds / DETOUR_FACTOR
            incident = assignment.incident
            walker.lat, walker.lng, arrived = _step_towards(
                walker.lat, walker.lng, incident.lat, incident.lng, metres
            )
            if arrived:
                step = A.ON_SCENE
                walker.leave_scene_at = now + timedelta(
                    seconds=self.rng.randint(*self.on_scene_for) / self.speed
                )
        elif assignment.status == A.ON_SCENE:
            if walker.leave_scene_at is None:
                walker.leave_scene_at = now
            if now >= walker.leave_scene_at:
                step = A.CLEARED  # done: whoever sent it ends the job
                walker.leave_scene_at = walker.waypoint = None
        if step is not None:
            try:
                assignment_advance(actor=member.user, assignment_id=assignment.pk, target=step)
            except (ValidationError, DomainError) as error:
                logger.info("volunteers: step %s refused: %s", step, error)

    def _report(self, member: VolunteerMember, walker: _Walker, now: datetime) -> None:
        """The member's own phone reports where it is (positions_record as the member)."""
        fix = FixInput(
            unit=member.unit_id,
            recorded_at=now,
            lat=walker.lat,
            lng=walker.lng,
            speed=SPEED_M_PER_S[UnitType.VOLUNTEER],
        )
        positions_record(actor=member.user, fixes=[fix])
