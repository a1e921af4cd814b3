"""Reads of patrol: patrol time (巡防时长) per unit and zone from the GPS tracks."""

from datetime import date, datetime, time, timedelta

import pandas as pd
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from commandcenter.access import scope_of, visible
from commandcenter.choices import TERMINAL_ROLES, Role
from commandcenter.directory import directory
from patrol.choices import UnitType
from patrol.models import PatrolZone, PositionFix, Team, Unit

# Two fixes further apart than this are a gap in the track (terminal off,
# tunnel): the time between them is not counted.
MAX_FIX_GAP = timedelta(minutes=5)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def track_intervals(fixes: QuerySet, *, start: datetime, end: datetime) -> pd.DataFrame:
    """The stretches of track between consecutive fixes of each unit inside [start, end):
    unit, zone and on_job of the earlier fix, and the seconds inside the range.

    Fixes further apart than MAX_FIX_GAP are a gap (terminal off), not a stretch.
    A margin is read either side: a stretch that crosses midnight counts its part
    inside the range.
    """
    fixes = fixes.filter(recorded_at__gte=start - MAX_FIX_GAP, recorded_at__lt=end + MAX_FIX_GAP)
    frame = pd.DataFrame.from_records(
        fixes.order_by("unit_id", "recorded_at").values_list(
            "unit_id", "recorded_at", "zone_id", "on_job"
        ),
        columns=["unit", "at", "zone", "on_job"],
    )
    if frame.empty:
        return frame.assign(seconds=pd.Series(dtype=float))
    following = frame.groupby("unit")["at"].shift(-1)
    gap = (following - frame["at"]).dt.total_seconds()
    inside = (following.clip(upper=end) - frame["at"].clip(lower=start)).dt.total_seconds()
    frame["seconds"] = inside.clip(lower=0)
    return frame[gap.notna() & (gap <= MAX_FIX_GAP.total_seconds())]


def patrol_time(*, user, day: date, station_id: int | None = None) -> list[dict]:
    """Seconds each unit spent patrolling in each zone on a local day.

    "有警处警、无警巡逻": time between consecutive fixes counts for the zone of
    the earlier fix when the unit was free (not on a job) at that fix, and
    the fixes are at most MAX_FIX_GAP apart. Rows are ordered by unit, zone.
    """
    start, end = local_day_bounds(day)
    fixes = visible(PositionFix.objects.all(), user)
    if station_id is not None:
        fixes = fixes.filter(unit__home_station_id=station_id)
    frame = track_intervals(fixes, start=start, end=end)
    if frame.empty:
        return []
    counted = frame[~frame["on_job"] & frame["zone"].notna()]
    totals = counted.groupby(["unit", "zone"], as_index=False)["seconds"].sum()
    units = {
        unit.pk: unit
        for unit in Unit.objects.filter(pk__in=totals["unit"].unique().tolist()).only(
            "id", "call_sign", "name", "team_id", "home_station_id"
        )
    }
    rows = []
    for unit_id, zone_id, seconds in totals.itertuples(index=False):
        unit, zone = units[unit_id], directory.get(PatrolZone, int(zone_id))
        team = directory.get(Team, unit.team_id)
        rows.append(
            {
                "unit": unit_id,
                "call_sign": unit.call_sign,
                "unit_name": unit.name,
                "team": team.code if team else None,
                "team_name": team.name if team else None,
                "zone": zone.code if zone else None,
                "zone_name": zone.name if zone else None,
                "seconds": int(round(seconds)),
            }
        )
    return rows


# Patrol time of today moves with every fix; a minute-old figure is what a
# station chief reads. A past day changes only with late fixes.
PATROL_TIME_TODAY_SECONDS = 60
PATROL_TIME_PAST_SECONDS = 3600


def patrol_time_cached(*, user, day: date, station_id: int | None = None) -> list[dict]:
    """`patrol_time`, computed at most once a minute (today) or an hour (a past
    day) per scope, station and day: the station view refreshes on every job
    event, and the computation reads the day's whole track."""
    scope = scope_of(user)
    parts = (scope.role, scope.district_wide, scope.station_id, scope.post_id, scope.street_id)
    key = "patrol-time:" + ":".join(map(str, (*parts, station_id, day.isoformat())))
    rows = cache.get(key)
    if rows is None:
        rows = patrol_time(user=user, day=day, station_id=station_id)
        today = timezone.localdate()
        ttl = PATROL_TIME_TODAY_SECONDS if day >= today else PATROL_TIME_PAST_SECONDS
        cache.set(key, rows, ttl)
    return rows


def station_units(*, user, station_id: int | None = None) -> QuerySet[Unit]:
    """Police units of the stations in the user's area (or one station), by station
    (a station's volunteer units are the volunteers' own, not its police units)."""
    units = visible(
        Unit.objects.filter(home_station__isnull=False)
        .exclude(unit_type=UnitType.VOLUNTEER)
        .select_related("home_station", "home_post", "team"),
        user,
    )
    if station_id is not None:
        units = units.filter(home_station_id=station_id)
    return units.order_by("home_station__name", "call_sign")


def team_list(*, user, station_id: int | None = None) -> QuerySet[Team]:
    teams = visible(Team.objects.select_related("station"), user)
    if station_id is not None:
        teams = teams.filter(station_id=station_id)
    return teams.order_by("station__name", "code")


def unit_of_officer(user) -> Unit | None:
    """The unit a terminal user works for (an officer's unit, a volunteer's own
    volunteer unit), or None (no binding, another role).

    An officer's binding counts only while the unit's home station is still
    the officer's: a unit moved to another station leaves its officer unbound.
    A volunteer's counts only for a volunteer unit.
    """
    if not getattr(user, "is_authenticated", False) or user.role not in TERMINAL_ROLES:
        return None
    units = Unit.objects.select_related("team", "home_station").filter(officers__user=user)
    if user.role == Role.VOLUNTEER:
        return units.filter(unit_type=UnitType.VOLUNTEER).first()
    return units.filter(home_station_id=user.station_id).first()
