"""Reads of dispatch: unit recommendations by estimated arrival, a job's units, orders,
referrals."""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from commandcenter.access import scope_of, sendable, visible
from commandcenter.choices import TERMINAL_ROLES
from commandcenter.directory import directory
from commandcenter.geodesy import distance_m
from commandcenter.models import GovernanceCenter, Post, Station
from dispatch.choices import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_REFERRAL_STATUSES,
    OrderStatus,
    ReferralStatus,
)
from dispatch.models import Assignment, Order, Referral
from incidents.choices import CategoryKind, Tier
from incidents.models import Incident, IncidentCategory
from patrol.choices import UnitStatus, UnitType
from patrol.models import PositionFix, Unit
from patrol.selectors import unit_of_officer

# Typical urban speeds (m/s) by unit type, and a detour factor from straight
# line to road distance.
SPEED_M_PER_S = {
    UnitType.PATROL_CAR: 8.3,  # 30 km/h through city traffic
    UnitType.MOTORCYCLE: 9.7,  # 35 km/h, filters through jams
    UnitType.FOOT: 1.4,
    UnitType.PTU: 8.3,
    UnitType.MOBILE_TEAM: 11.1,  # 40 km/h, lights and siren
    UnitType.STREET_FORCE: 4.2,  # 15 km/h, e-bike
    UnitType.VOLUNTEER: 1.4,  # on foot, on their own streets
}
DETOUR_FACTOR = 1.3
# Units of the covering post or station are preferred: they know the ground
# and keep other areas covered. Expressed as seconds of head start.
COVERING_POST_BONUS_S = 120
COVERING_STATION_BONUS_S = 60


@dataclass(frozen=True)
class Recommendation:
    unit_id: int
    call_sign: str
    name: str
    unit_type: str
    status: str
    distance_m: int
    # The estimated drive time (straight line × DETOUR_FACTOR ÷ the type's speed).
    eta_seconds: int
    covering: str  # "post", "station", "governance_center" or ""
    lat: float
    lng: float
    # The same drive time, named for what it is next to the head start.
    travel_seconds: int
    # The head start of a covering unit; the list is ranked by
    # travel_seconds − covering_bonus_seconds.
    covering_bonus_seconds: int

    @property
    def ranked_seconds(self) -> int:
        """The figure the list is ranked by: drive time less the covering head start."""
        return self.travel_seconds - self.covering_bonus_seconds


# The units a street job takes: the governance center's street forces and volunteers.
STREET_UNIT_TYPES = frozenset({UnitType.STREET_FORCE, UnitType.VOLUNTEER})


def volunteers_may_help(incident: Incident) -> bool:
    """义警 help on street jobs and on non-police matters (求助, 纠纷 …), never on a
    police job: a police-tier job of a police category takes police units only."""
    if incident.tier == Tier.STREET:
        return True
    category = directory.get(IncidentCategory, incident.category_id)
    return category is not None and category.kind == CategoryKind.NON_POLICE


def units_recommend(
    *, incident: Incident, user, limit: int = 10, among: list[int] | None = None
) -> list[Recommendation]:
    """Free units `user` may send, ranked by estimated arrival, the covering
    post/station first among equals.

    Police jobs get police units of on-duty teams (and volunteers on duty, for a
    non-police matter); street jobs get the street forces and volunteers of
    governance centers. One query, then vectorised arithmetic.
    `user` None ranks every unit (the system: estimates for units already
    checked); `among` limits the ranking to those unit ids.
    """
    if incident.out_of_jurisdiction:
        # Outside the district: the job is transferred, not driven to.
        return []
    units = Unit.objects.filter(status=UnitStatus.AVAILABLE, lat__isnull=False)
    if user is not None:
        units = sendable(units, user)
    if among is not None:
        units = units.filter(pk__in=among)
    if incident.tier == Tier.STREET:
        units = units.filter(unit_type__in=STREET_UNIT_TYPES)
    else:
        units = units.exclude(unit_type=UnitType.STREET_FORCE).exclude(team__on_duty=False)
        if not volunteers_may_help(incident):
            units = units.exclude(unit_type=UnitType.VOLUNTEER)
    rows = list(
        units.values_list(
            "id",
            "call_sign",
            "name",
            "unit_type",
            "lat",
            "lng",
            "home_post_id",
            "home_station_id",
            "home_governance_center_id",
        )
    )
    if not rows:
        return []
    lats = np.fromiter((row[4] for row in rows), float, len(rows))
    lngs = np.fromiter((row[5] for row in rows), float, len(rows))
    speeds = np.fromiter((SPEED_M_PER_S[row[3]] for row in rows), float, len(rows))
    distances = distance_m(incident.lat, incident.lng, lats, lngs)
    etas = distances * DETOUR_FACTOR / speeds

    def covering(row) -> str:
        if incident.post_id and row[6] == incident.post_id:
            return "post"
        if incident.station_id and row[7] == incident.station_id:
            return "station"
        if incident.governance_center_id and row[8] == incident.governance_center_id:
            return "governance_center"
        return ""

    coverage = [covering(row) for row in rows]
    bonus = np.fromiter(
        (
            COVERING_POST_BONUS_S if c == "post" else COVERING_STATION_BONUS_S if c else 0
            for c in coverage
        ),
        float,
        len(rows),
    )
    order = np.argsort(etas - bonus, kind="stable")[:limit]
    return [
        Recommendation(
            unit_id=rows[i][0],
            call_sign=rows[i][1],
            name=rows[i][2],
            unit_type=rows[i][3],
            status=UnitStatus.AVAILABLE,
            distance_m=int(round(distances[i])),
            eta_seconds=int(round(etas[i])),
            covering=coverage[i],
            lat=rows[i][4],
            lng=rows[i][5],
            travel_seconds=int(round(etas[i])),
            covering_bonus_seconds=int(bonus[i]),
        )
        for i in order
    ]


def incident_assignments(*, user, incident: Incident) -> QuerySet[Assignment]:
    """The units sent to a job that `user` may see, in the order they were sent."""
    return visible(
        Assignment.objects.filter(incident=incident).select_related("unit", "dispatched_by"), user
    ).order_by("dispatched_at", "id")


# The most fixes drawn of one unit's track on one job (a fix every 5 s is 2.8 hours).
TRACK_FIXES_SHOWN = 2000


def assignment_tracks(*, user, incident: Incident) -> list[dict]:
    """Each unit sent to a job that `user` may see, with its GPS track from its
    dispatch until it cleared (or the job closed, or now): where it drove, for
    the review of a late arrival. The assignment is what is seen: a unit of
    another station sent to a job in the chief's area shows its track while on
    that job, and nothing of its day besides."""
    fixes = PositionFix.objects.all()
    tracks = []
    for assignment in incident_assignments(user=user, incident=incident):
        until = assignment.cleared_at or incident.closed_at or timezone.now()
        points = fixes.filter(
            unit_id=assignment.unit_id,
            recorded_at__gte=assignment.dispatched_at,
            recorded_at__lte=until,
        ).order_by("recorded_at")
        tracks.append(
            {
                "assignment": assignment,
                "points": list(points.values_list("recorded_at", "lat", "lng")[:TRACK_FIXES_SHOWN]),
            }
        )
    return tracks


def active_assignments_prefetch() -> Prefetch:
    """Each listed incident's units still on it, as `incident.active_assignments`."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES).select_related(
            "unit"
        ),
        to_attr="active_assignments",
    )


def current_jobs(*, unit_ids: list[int]) -> dict[int, Incident]:
    """The job each of these units is on now (units with none are left out)."""
    return {
        assignment.unit_id: assignment.incident
        for assignment in Assignment.objects.filter(
            unit__in=unit_ids, status__in=ACTIVE_ASSIGNMENT_STATUSES
        ).select_related("incident")
    }


# --- Orders (指令) ----------------------------------------------------------------

OPEN_ORDER_STATUSES = (OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED)
# What a listed order names, and what deciding who may answer it reads.
ORDER_RELATED = (
    "station",
    "post__station",
    "unit__home_governance_center",
    "governance_center",
    "incident",
    "issued_by",
)


def order_list(*, user) -> QuerySet[Order]:
    """The orders `user` may see, with the rows each names."""
    return visible(Order.objects.select_related(*ORDER_RELATED), user)


def order_inbox(
    *,
    user,
    statuses: list[str] | None = None,
    overdue: bool | None = None,
    incident_id: int | None = None,
    kinds: list[str] | None = None,
) -> QuerySet[Order]:
    """The orders `user` may see, most urgent first: open ones escalated or
    flagged overdue, then open ones, each by due time; then those answered,
    latest first."""
    orders = order_list(user=user)
    if statuses:
        orders = orders.filter(status__in=statuses)
    if kinds:
        orders = orders.filter(kind__in=kinds)
    if overdue is not None:
        orders = orders.filter(overdue_at__isnull=not overdue)
    if incident_id is not None:
        orders = orders.filter(incident_id=incident_id)
    urgency = Case(
        When(Q(status__in=OPEN_ORDER_STATUSES, escalated_at__isnull=False), then=Value(0)),
        When(Q(status__in=OPEN_ORDER_STATUSES, overdue_at__isnull=False), then=Value(0)),
        When(status__in=OPEN_ORDER_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    open_due = Case(When(status__in=OPEN_ORDER_STATUSES, then=F("due_at")))
    return orders.annotate(urgency=urgency, open_due=open_due).order_by(
        "urgency", "open_due", "-completed_at", "id"
    )


def orders_addressed_to(orders: QuerySet[Order], *, user) -> QuerySet[Order]:
    """Of `orders`, those addressed to the user's own station, post or governance
    center, or to one of its units: what it must answer. None for the command center."""
    if scope_of(user).district_wide:
        return orders.none()
    # Outside the command center every order a user sees is one of these
    # (Order.visible_to): its station's, post's, center's or their units'.
    return orders


def order_recipients(*, user, incident: Incident | None = None) -> list[tuple[str, list]]:
    """Whom `user` may address an order to: the stations, posts and governance
    centers in scope and, for a job, the units sent to it; as select groups of
    (recipient type, [(code, name)])."""
    places = {
        "station": Station.objects.order_by("name"),
        "post": Post.objects.order_by("station__name", "name"),
        "governance_center": GovernanceCenter.objects.order_by("name"),
    }
    groups = [
        (kind, [(row.code, row.name) for row in visible(rows, user)])
        for kind, rows in places.items()
    ]
    if incident is not None:
        assignments = incident_assignments(user=user, incident=incident)
        units = {a.unit.call_sign: a.unit.name for a in assignments}
        groups.append(("unit", [(sign, f"{sign} {name}") for sign, name in units.items()]))
    return [(kind, options) for kind, options in groups if options]


def unit_current_assignment(*, user, unit: Unit) -> Assignment | None:
    """The job `unit` is on now (its one active assignment), as `user` may see it.

    A unit's officer (or volunteer) sees its own unit's job wherever it is, even
    one in another station's area (a reinforcement): the binding is its permission.
    Others see it through the one policy.
    """
    assignments = Assignment.objects.filter(
        unit=unit, status__in=ACTIVE_ASSIGNMENT_STATUSES
    ).select_related("incident__category", "incident__zone", "unit")
    own = getattr(user, "role", None) in TERMINAL_ROLES and unit_of_officer(user) == unit
    if not own:
        assignments = visible(assignments, user)
    return assignments.order_by("-dispatched_at").first()


# --- Referrals (转办) ------------------------------------------------------------------

REFERRAL_RELATED = ("incident__category", "incident__street", "department")


def referral_list(*, user) -> QuerySet[Referral]:
    """The referrals `user` may see (a partner: its department's), with what a row shows."""
    return visible(Referral.objects.select_related(*REFERRAL_RELATED), user)


def referral_inbox(*, user) -> QuerySet[Referral]:
    """Open referrals: those not yet accepted first, each by when it is to be handled."""
    urgency = Case(When(status=ReferralStatus.REFERRED, then=Value(0)), default=Value(1))
    return (
        referral_list(user=user)
        .filter(status__in=sorted(OPEN_REFERRAL_STATUSES))
        .annotate(urgency=urgency)
        .order_by("urgency", "expected_at", "id")
    )


def referrals_answered(*, user, since: datetime) -> QuerySet[Referral]:
    return (
        referral_list(user=user)
        .exclude(status__in=sorted(OPEN_REFERRAL_STATUSES))
        .filter(answered_at__gte=since)
        .order_by("-answered_at")
    )


def referral_of(*, user, incident: Incident) -> Referral | None:
    """The latest referral of `incident` that `user` may see."""
    return referral_list(user=user).filter(incident=incident).first()
