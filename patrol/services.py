"""Writes of patrol: zones (with their geometry checked), GPS fixes and duty."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from commandcenter.access import may_report_positions
from commandcenter.choices import DISTRICT_ROLES, TERMINAL_ROLES, Role
from commandcenter.exceptions import ActionForbidden, InvalidTransition
from commandcenter.services import event_record
from commandcenter.stream import positions_publish
from patrol.choices import BUSY_STATUSES, UnitStatus, UnitType
from patrol.live import position_message
from patrol.models import PatrolZone, PositionFix, Team, Unit, UnitOfficer
from patrol.selectors import unit_of_officer
from patrol.zone_index import point_resolve, zone_index_invalidate

logger = logging.getLogger(__name__)


def _validate_polygon(geojson: dict) -> None:
    try:
        geometry = shape(geojson)
    except Exception as error:  # shapely raises several types for malformed GeoJSON
        raise ValidationError({"boundary": f"Not a GeoJSON geometry: {error}"}) from None
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValidationError({"boundary": "A zone boundary must be a Polygon."})
    if not geometry.is_valid or geometry.is_empty:
        raise ValidationError({"boundary": "The polygon is empty or crosses itself."})


@transaction.atomic
def patrol_zone_save(*, zone: PatrolZone, actor=None) -> PatrolZone:
    """Create or change a zone; every process's zone index sees it after commit."""
    _validate_polygon(zone.boundary)
    if zone.post_id and zone.post.station_id != zone.station_id:
        raise ValidationError({"post": "The post must belong to the zone's station."})
    created = zone.pk is None
    zone.full_clean()
    zone.save()
    event_record(
        kind="zone.created" if created else "zone.changed",
        subject=zone,
        actor=actor,
        payload={"code": zone.code, "name": zone.name},
        station_id=zone.station_id,
        post_id=zone.post_id,
        street_id=zone.street_id,
    )
    transaction.on_commit(zone_index_invalidate)
    return zone


# --- Positions --------------------------------------------------------------------

# A terminal's clock may run a little ahead; anything beyond this is refused.
FUTURE_TOLERANCE = timedelta(seconds=30)
OLDEST_ACCEPTED = timedelta(days=1)


@dataclass(frozen=True)
class FixInput:
    unit: int | str  # id or call sign
    recorded_at: datetime
    lat: float
    lng: float
    speed: float | None = None
    heading: float | None = None


@dataclass
class PositionsResult:
    accepted: int
    rejected: list[dict]
    latest: list[dict]  # the newest accepted fix of each unit, for the live map


def _fix_errors(fix: FixInput, now: datetime) -> dict:
    errors = {}
    if fix.lat is None or not -90 <= fix.lat <= 90:
        errors["lat"] = _("Latitude must be between -90 and 90.")
    if fix.lng is None or not -180 <= fix.lng <= 180:
        errors["lng"] = _("Longitude must be between -180 and 180.")
    if fix.recorded_at > now + FUTURE_TOLERANCE:
        errors["time"] = _("The fix is in the future.")
    elif fix.recorded_at < now - OLDEST_ACCEPTED:
        errors["time"] = _("The fix is more than a day old.")
    if fix.speed is not None and not 0 <= fix.speed <= 100:
        errors["speed"] = _("Speed must be between 0 and 100 m/s.")
    if fix.heading is not None and not 0 <= fix.heading < 360:
        errors["heading"] = _("Heading must be between 0 and 360.")
    return errors


def positions_record(
    *, actor, fixes: list[FixInput], gateway_units: frozenset[int] | None = None
) -> PositionsResult:
    """Store a batch of GPS fixes: the good ones are kept, each bad one says why.

    Only a unit's officer (its own unit) or a gateway credential (the units
    it is bound to, `gateway_units`) reports positions
    (commandcenter.access.may_report_positions); anyone else is refused whole.
    Each unit's last known position moves to its newest fix (never back in
    time). Fixes are not events: they go to the live map directly after
    commit, and patrol time is computed from the stored track.

    A unit has one fix per instant: a fix already stored (a resent batch) or
    twice in the batch is kept once and counts as accepted, so a retry gets
    the answer the first attempt got.
    """
    if not may_report_positions(actor, gateway_units=gateway_units):
        raise ActionForbidden(
            _("Positions are reported by a unit's terminal or a position gateway, not by %(role)s.")
            % {"role": actor.get_role_display() if actor.is_authenticated else _("anonymous")}
        )
    now = timezone.now()
    units = _units_for(actor, fixes, gateway_units)
    accepted: list[PositionFix] = []
    accepted_count = 0
    seen: set[tuple[int, datetime]] = set()
    rejected = []
    for index, fix in enumerate(fixes):
        unit = units.get(fix.unit)
        errors = _fix_errors(fix, now)
        if unit is None:
            errors["unit"] = _("Unknown unit, or not yours to report.")
        elif unit.unit_type == UnitType.VOLUNTEER and unit.status == UnitStatus.OFF_DUTY:
            # A citizen is tracked only while it volunteers: never off duty.
            errors["unit"] = _("A volunteer's position is kept only while on duty.")
        if errors:
            rejected.append({"index": index, "errors": errors})
            continue
        accepted_count += 1
        if (unit.pk, fix.recorded_at) in seen:  # twice in the batch: kept once
            continue
        seen.add((unit.pk, fix.recorded_at))
        placement = point_resolve(lat=fix.lat, lng=fix.lng)
        accepted.append(
            PositionFix(
                unit_id=unit.pk,
                recorded_at=fix.recorded_at,
                lat=fix.lat,
                lng=fix.lng,
                speed=fix.speed,
                heading=fix.heading,
                zone_id=placement.zone_id if placement else None,
                on_job=unit.status in BUSY_STATUSES,
            )
        )
    newest: dict[int, PositionFix] = {}
    for fix in accepted:
        if fix.unit_id not in newest or fix.recorded_at > newest[fix.unit_id].recorded_at:
            newest[fix.unit_id] = fix
    unit_of = {unit.pk: unit for unit in units.values()}
    latest = [position_message(fix, unit_of[fix.unit_id]) for fix in newest.values()]
    with transaction.atomic():
        # ON CONFLICT DO NOTHING: fixes of (unit, time) stored before are skipped.
        PositionFix.objects.bulk_create(accepted, batch_size=500, ignore_conflicts=True)
        _move_units(newest.values())
        if latest:
            transaction.on_commit(lambda: _positions_publish(latest))
    return PositionsResult(accepted=accepted_count, rejected=rejected, latest=latest)


def _positions_publish(latest: list[dict]) -> None:
    """After commit: the stored fixes stand whether or not the live map hears of them.

    With the in-process channel layer (the embedded default) the web process's
    position relay publishes every process's fixes from the table instead.
    """
    if settings.EVENT_RELAY_EMBEDDED:
        return
    try:
        positions_publish(get_channel_layer(), latest)
    except Exception:  # the channel layer is down: clients catch up from the API
        logger.exception("positions stored but not published")


def _units_for(actor, fixes: list[FixInput], gateway_units: frozenset[int] | None) -> dict:
    """The reported units the reporter may report for, keyed by id and by call sign."""
    ids = {f.unit for f in fixes if isinstance(f.unit, int)}
    call_signs = {f.unit for f in fixes if isinstance(f.unit, str)}
    units = Unit.objects.filter(Q(pk__in=ids) | Q(call_sign__in=call_signs))
    if actor.role in TERMINAL_ROLES:
        # An officer's terminal reports its own unit only, though it reads its whole
        # station; a volunteer's likewise its own volunteer unit.
        own = unit_of_officer(actor)
        units = units.filter(pk=own.pk if own else None)
    else:
        units = units.filter(pk__in=gateway_units or ())
    by_key: dict = {}
    for unit in units.only(
        "id",
        "call_sign",
        "unit_type",
        "status",
        "home_station_id",
        "home_post_id",
        "home_governance_center_id",
    ):
        by_key[unit.pk] = by_key[unit.call_sign] = unit
    return by_key


def _move_units(fixes) -> None:
    """Set each unit's last position from its newest fix, unless a newer one is stored."""
    # In unit order: concurrent batches then lock rows alike and never deadlock.
    fixes = sorted(fixes, key=lambda fix: fix.unit_id)
    if not fixes:
        return
    if connection.vendor == "postgresql":
        values = ", ".join(["(%s, %s, %s, %s::timestamptz)"] * len(fixes))
        params = [p for f in fixes for p in (f.unit_id, f.lat, f.lng, f.recorded_at)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE patrol_unit AS u SET lat = v.lat, lng = v.lng, position_at = v.at "
                f"FROM (VALUES {values}) AS v(id, lat, lng, at) "
                f"WHERE u.id = v.id AND (u.position_at IS NULL OR u.position_at < v.at)",
                params,
            )
        return
    for fix in fixes:
        Unit.objects.filter(
            Q(position_at__isnull=True) | Q(position_at__lt=fix.recorded_at), pk=fix.unit_id
        ).update(lat=fix.lat, lng=fix.lng, position_at=fix.recorded_at)


# --- Officers (警员终端) -------------------------------------------------------------


@transaction.atomic
def unit_officer_bind(*, actor, user, unit: Unit) -> UnitOfficer:
    """Bind an officer to the unit it works for (replacing an earlier binding)."""
    if actor is not None and not (actor.is_superuser or actor.role == Role.ADMINISTRATOR):
        raise ActionForbidden(_("Only an administrator binds officers to units."))
    binding = UnitOfficer.objects.select_for_update().filter(user=user).first()
    binding = binding or UnitOfficer(user=user)
    binding.unit = unit
    binding.full_clean()
    binding.save()
    event_record(
        kind="unit.officer_bound",
        subject=unit,
        actor=actor,
        payload={"unit": unit.pk, "call_sign": unit.call_sign, "officer": user.get_username()},
        station_id=unit.home_station_id,
    )
    return binding


# --- Duty (班组 on and off shift) ----------------------------------------------------


def _require_team_manager(actor, team: Team) -> None:
    if actor.role in DISTRICT_ROLES or actor.is_superuser:
        return
    if actor.role == Role.STATION_CHIEF and actor.station_id == team.station_id:
        return
    raise ActionForbidden(_("Only the command center or the team's station chief sets duty."))


@transaction.atomic
def team_set_duty(*, actor, team_id: int, on_duty: bool) -> Team:
    """班组上岗 / 下岗: free units start or stop patrolling; busy ones finish their job first."""
    team = Team.objects.select_for_update().get(pk=team_id)
    _require_team_manager(actor, team)
    if team.on_duty == on_duty:
        raise InvalidTransition(
            (
                _("Team %(team)s is already on duty.")
                if on_duty
                else _("Team %(team)s is already off duty.")
            )
            % {"team": team.name}
        )
    team.on_duty = on_duty
    team.save(update_fields=["on_duty"])
    before, after = (
        (UnitStatus.OFF_DUTY, UnitStatus.AVAILABLE)
        if on_duty
        else (UnitStatus.AVAILABLE, UnitStatus.OFF_DUTY)
    )
    changed = list(
        Unit.objects.select_for_update()
        .filter(team=team, status=before)
        .values_list("pk", flat=True)
    )
    Unit.objects.filter(pk__in=changed).update(status=after)
    event_record(
        kind="team.on_duty" if on_duty else "team.off_duty",
        subject=team,
        actor=actor,
        payload={
            "team": team.pk,
            "name": team.name,
            "units": [{"unit": pk, "status": after} for pk in changed],
        },
        station_id=team.station_id,
    )
    return team


def positions_prune(*, before: datetime, batch: int = 50_000) -> int:
    """Delete stored GPS fixes recorded before `before`, in batches; returns how many.

    The track is what patrol time is computed from: a deployment keeps what
    its reports need. The demo keeps a day, so a demo left running does not
    grow by a gigabyte a day.
    """
    deleted = 0
    while True:
        ids = list(
            PositionFix.objects.filter(recorded_at__lt=before).values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += PositionFix.objects.filter(pk__in=ids).delete()[0]
