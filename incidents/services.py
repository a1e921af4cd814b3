"""Writes of call intake and of the incident lifecycle that involve no unit.

Ending a job (resolve, settle, refer, return, cancel) clears its units, so
those services live in dispatch.

Each service is one transaction: it checks (access, input, current state under
the row lock), changes, and records its event last.
"""

import json
import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.access import filing_right, in_area
from commandcenter.audit import access_record
from commandcenter.directory import directory
from commandcenter.exceptions import ActionForbidden, InvalidTransition
from commandcenter.geodesy import EARTH_RADIUS_M
from commandcenter.services import (
    EVENT_SEQUENCE_LOCK,
    daily_number,
    day_sequence,
    row_values,
)
from incidents.choices import (
    OPEN_STATUSES,
    CategoryKind,
    IncidentStatus,
    Linkage,
    RevealPurpose,
    Source,
    Tier,
)
from incidents.lifecycle import (
    incident_event,
    incident_location,
    incident_lock,
    incident_payload,
    incident_transition,
)
from incidents.models import Incident, IncidentCategory
from incidents.permissions import (
    CALLER_FIELDS,
    may_see_caller,
    require_closer,
    require_police_actor,
    require_street_actor,
)
from incidents.routing import incident_route
from incidents.selectors import phone_normalised
from patrol.zone_index import Placement, point_resolve

S = IncidentStatus


def _active_category(code: str, field: str = "category") -> IncidentCategory:
    category = directory.by_code(IncidentCategory, code)
    if category is None or not category.active:
        raise ValidationError({field: _("Unknown incident category “%(code)s”.") % {"code": code}})
    return category


def _validate_intake(*, lat, lng, source: str, linkage: str, **text) -> None:
    """Every way in (API, page, sensor) gets field errors, never a database error."""
    errors = {}
    if lat is None or not -90 <= lat <= 90:
        errors["lat"] = _("Latitude must be between -90 and 90.")
    if lng is None or not -180 <= lng <= 180:
        errors["lng"] = _("Longitude must be between -180 and 180.")
    if not text["description"] or not text["description"].strip():
        errors["description"] = _("Say what happened.")
    if source not in Source.values:
        errors["source"] = _("Unknown source “%(source)s”.") % {"source": source}
    if linkage not in ("", *Linkage.values):
        errors["linkage"] = _("Linkage is 119 or 120.")
    for name, value in text.items():
        limit = Incident._meta.get_field(name).max_length
        if len(value) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    if errors:
        raise ValidationError(errors)


# The nearest open, unlinked incident of the same group within the radius and
# window, locked. The partial index incident_open_point narrows to open
# incidents in the bounding box; the distance is equirectangular (within
# centimetres of the great circle at a few hundred metres). Should another
# transaction change the nearest one before the lock is granted, PostgreSQL
# checks it again and moves on to the next. The intake function (migration
# 0004) runs the same query.
_NEARBY_DISTANCE = (
    "(lat - %(lat)s) * (lat - %(lat)s) * %(ky2)s + (lng - %(lng)s) * (lng - %(lng)s) * %(kx2)s"
)
_NEARBY_SQL = f"""
    SELECT * FROM incidents_incident
    WHERE status IN ({", ".join(f"'{status}'" for status in sorted(OPEN_STATUSES))})
      AND repeat_of_id IS NULL
      AND category_id IN ({{group}})
      AND received_at >= %(since)s
      AND lat BETWEEN %(south)s AND %(north)s
      AND lng BETWEEN %(west)s AND %(east)s
      AND {_NEARBY_DISTANCE} <= %(r2)s
    ORDER BY {_NEARBY_DISTANCE}, id
    LIMIT 1 {{lock}}
"""


def _repeat_search(*, category: IncidentCategory, lat: float, lng: float, now) -> dict:
    """Where to look for the open incident a call repeats, and how to say it."""
    radius = settings.INCIDENT_REPEAT_RADIUS_M
    ky = math.radians(EARTH_RADIUS_M)  # metres per degree of latitude
    kx = ky * max(math.cos(math.radians(lat)), 0.01)
    return {
        "group": [c.pk for c in directory.rows(IncidentCategory) if c.group == category.group],
        "since": now - timedelta(minutes=settings.INCIDENT_REPEAT_WINDOW_MINUTES),
        "lat": lat,
        "lng": lng,
        "ky2": ky * ky,
        "kx2": kx * kx,
        "r2": radius * radius,
        "south": lat - radius / ky,
        "north": lat + radius / ky,
        "west": lng - radius / kx,
        "east": lng + radius / kx,
        "reason": _("Repeat call: linked to open incident %(number)s."),
    }


def _placement_fields(placement: Placement | None) -> dict:
    if placement is None:
        return {"out_of_jurisdiction": True}
    return {
        "zone_id": placement.zone_id,
        "station_id": placement.station_id,
        "post_id": placement.post_id,
        "street_id": placement.street_id,
        "sector_id": placement.sector_id,
    }


def _area_of(placement: Placement | None) -> dict:
    if placement is None:
        return {}
    return {
        "station_id": placement.station_id,
        "post_id": placement.post_id,
        "street_id": placement.street_id,
    }


def incident_create(
    *,
    actor,
    category: str,
    description: str,
    lat: float,
    lng: float,
    source: str | None = None,
    caller_phone: str = "",
    caller_name: str = "",
    address: str = "",
    priority: int | None = None,
    linkage: str = "",
) -> Incident:
    """Record a call: place it, spot a repeat, route it, or close it as invalid.

    `linkage` records that the call-taker also handed the call to 119 or 120.

    Who may file what (source, priority, where) is the access policy's
    `filing_right`: a call outside it is refused (403) and nothing is written.
    Without a `source`, the role's own is taken (110 for the command center).

    Everything before the write only reads; the write is one transaction.
    """
    right = filing_right(actor)
    if right is None:
        raise ActionForbidden(_("Your role does not file calls."))
    if right.forces_source or not source:
        source = right.default_source
    elif right.sources is not None and source not in right.sources:
        raise ActionForbidden(
            _("You may file only %(sources)s calls.")
            % {"sources": "、".join(str(Source(value).label) for value in sorted(right.sources))}
        )
    if priority is not None and not right.sets_priority:
        raise ActionForbidden(_("Only the command center sets a call's priority."))
    return _incident_file(
        actor=actor,
        area=right.area,
        source=source,
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        caller_phone=caller_phone,
        caller_name=caller_name,
        address=address,
        priority=priority,
        linkage=linkage,
    )


def incident_create_from_sensor(
    *,
    actor,
    category: str,
    description: str,
    lat: float,
    lng: float,
    address: str = "",
    priority: int | None = None,
) -> Incident:
    """A job raised by a smart-site sensor's alarm (community.alarms): filed by the
    system (the alarm rules decided it) with source sensor_alarm, the alarm's
    priority and the device's position; `actor` is who sent the alarm or accepted
    it from the review queue, if anyone."""
    return _incident_file(
        actor=actor,
        area=None,
        source=Source.SENSOR_ALARM,
        category=category,
        description=description,
        lat=lat,
        lng=lng,
        address=address,
        priority=priority,
    )


def _incident_file(
    *,
    actor,
    area,
    source: str,
    category: str,
    description: str,
    lat: float,
    lng: float,
    caller_phone: str = "",
    caller_name: str = "",
    address: str = "",
    priority: int | None = None,
    linkage: str = "",
) -> Incident:
    caller_phone = phone_normalised(caller_phone)
    _validate_intake(
        lat=lat,
        lng=lng,
        source=source,
        linkage=linkage,
        description=description,
        caller_phone=caller_phone,
        caller_name=caller_name,
        address=address,
    )
    chosen = _active_category(category)
    now = timezone.now()
    placement = point_resolve(lat=lat, lng=lng)
    if area is not None and not in_area(area, **_area_of(placement)):
        raise ActionForbidden(_("This place is outside your area: the command center files it."))
    incident = Incident(
        source=source,
        category=chosen,
        description=description.strip(),
        priority=priority or chosen.default_priority,
        caller_phone=caller_phone,
        caller_name=caller_name,
        address=address,
        lat=lat,
        lng=lng,
        linkage=linkage,
        received_at=now,
        created_by=actor,
        **_placement_fields(placement),
    )
    if chosen.kind == CategoryKind.INVALID:
        incident.tier, incident.status = Tier.INVALID, S.INVALID
        incident.invalid_reason, incident.closed_at = chosen, now
        incident.routing_reason = _("Invalid call: %(reason)s") % {"reason": chosen.name}
        kind, repeat = "incident.invalidated", None
    else:
        decision = incident_route(category=chosen, placement=placement)
        incident.tier, incident.routing_rule = decision.tier, decision.rule
        incident.routing_reason = decision.reason
        incident.governance_center_id = decision.governance_center_id
        if decision.tier == Tier.STREET:
            incident.status, incident.diverted_at = S.DIVERTED, now
            kind = "incident.diverted"
        else:
            incident.status = S.RECEIVED
            kind = "incident.received"
        repeat = _repeat_search(category=chosen, lat=lat, lng=lng, now=now)
    # As routed; a repeat call becomes "linked" to its original instead.
    _intake_write(
        incident=incident,
        kind=kind,
        actor=actor,
        payload={
            "category": chosen.code,
            "priority": incident.priority,
            **({"linkage": linkage} if linkage else {}),
        },
        repeat=repeat,
    )
    return incident


def _intake_write(**arguments) -> None:
    if connection.vendor == "postgresql":
        # One statement. Outside a caller's transaction it is a transaction
        # of its own, committed inside the database the moment the function
        # ends: the locks it takes (the original's row, the order of events)
        # are not held while this process waits for its turn to run Python.
        _intake_write_postgresql(**arguments)
    else:
        with transaction.atomic():
            _intake_write_portable(**arguments)


def _intake_write_postgresql(*, incident, kind, actor, payload, repeat) -> None:
    """Intake's writes in one round trip: the function of migration 0004."""
    day = timezone.localdate(incident.received_at)
    event = {
        "kind": kind,
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
        "occurred_at": timezone.now(),
        "payload": {**incident_payload(incident), **payload},
        **incident_location(incident),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT incidents_intake(%s, %s, %s, %s, %s, %s)",
            [
                _json(row_values(incident)),
                _json(event),
                _json(repeat) if repeat else None,
                day_sequence("incident", day),
                f"{day:%Y%m%d}-",
                EVENT_SEQUENCE_LOCK,
            ],
        )
        written = json.loads(cursor.fetchone()[0])
    incident.pk, incident.number = written["id"], written["number"]
    incident._state.adding, incident._state.db = False, connection.alias
    if written["repeat_of_id"]:
        # Only what the answer shows of the original: its id and number.
        _link(
            incident,
            Incident(pk=written["repeat_of_id"], number=written["repeat_of_number"]),
            tier=written["tier"],
            governance_center_id=written["governance_center_id"],
            reason=repeat["reason"],
        )


def _intake_write_portable(*, incident, kind, actor, payload, repeat) -> None:
    """The same writes through the ORM, for SQLite (and compared in tests)."""
    original = None
    if repeat is not None:
        lock = "FOR UPDATE" if connection.features.has_select_for_update else ""
        sql = _NEARBY_SQL.format(group=", ".join(str(int(pk)) for pk in repeat["group"]), lock=lock)
        params = {k: v for k, v in repeat.items() if k not in ("group", "reason")}
        original = next(iter(Incident.objects.raw(sql, params)), None)
    if original is not None:
        _link(
            incident,
            original,
            tier=original.tier,
            governance_center_id=original.governance_center_id,
            reason=repeat["reason"],
        )
        kind = "incident.linked"
        payload = {**payload, "repeat_of": original.number}
    incident.number = daily_number(series="incident", now=incident.received_at)
    incident.save(force_insert=True)
    if original is not None:
        # The row is locked: the count read with it is the current one.
        original.call_count += 1
        Incident.objects.filter(pk=original.pk).update(call_count=original.call_count)
        incident_event(
            incident=original,
            kind="incident.repeat_call",
            actor=actor,
            payload={"repeat": incident.number, "call_count": original.call_count},
        )
    incident_event(
        incident=incident,
        kind=kind,
        actor=actor,
        payload={**payload, "reason": incident.routing_reason},
    )


def _link(incident, original, *, tier, governance_center_id, reason) -> None:
    """A repeat call: handled with its original, by whoever handles that."""
    incident.status, incident.tier, incident.repeat_of = S.LINKED, tier, original
    incident.governance_center_id = governance_center_id
    incident.routing_rule, incident.diverted_at = None, None
    incident.routing_reason = reason % {"number": original.number}


def _json(value) -> str:
    return json.dumps(value, default=lambda v: v.isoformat())


@transaction.atomic
def incident_unlink(*, actor, incident_id: int) -> Incident:
    """A call wrongly taken as a repeat becomes an incident of its own, routed anew."""
    incident = incident_lock(incident_id)
    require_police_actor(actor, incident)
    if incident.status != S.LINKED:
        raise InvalidTransition(
            _("Incident %(number)s is %(current)s, not a linked repeat call.")
            % {"number": incident.number, "current": IncidentStatus(incident.status).label}
        )
    original = incident_lock(incident.repeat_of_id)
    Incident.objects.filter(pk=original.pk).update(call_count=F("call_count") - 1)
    placement = point_resolve(lat=incident.lat, lng=incident.lng)
    decision = incident_route(category=incident.category, placement=placement)
    changes = {
        "repeat_of": None,
        "tier": decision.tier,
        "routing_rule": decision.rule,
        "routing_reason": decision.reason,
        "governance_center_id": decision.governance_center_id,
    }
    incident_transition(
        incident=incident,
        target=S.RECEIVED,
        actor=actor,
        kind="incident.unlinked",
        payload={"was_repeat_of": original.number},
        changes=changes,
    )
    if decision.tier == Tier.STREET:
        incident_transition(
            incident=incident,
            target=S.DIVERTED,
            actor=actor,
            kind="incident.diverted",
            payload={"reason": decision.reason},
        )
    return incident


def incident_repeats_close(*, original: Incident, actor, target: str) -> None:
    """Close the repeat calls linked to a (locked) original that is ending."""
    for repeat_id in original.repeats.filter(status=S.LINKED).values_list("id", flat=True):
        repeat = incident_lock(repeat_id)
        incident_transition(
            incident=repeat,
            target=target,
            actor=actor,
            kind="incident.closed",
            reason=_("Closed with %(number)s.") % {"number": original.number},
        )


@transaction.atomic
def incident_close(*, actor, incident_id: int, feedback: str = "") -> Incident:
    """反馈: the result is written back and the job is closed, with its repeat calls."""
    incident = incident_lock(incident_id)
    require_closer(actor, incident)
    incident_transition(
        incident=incident,
        target=S.CLOSED,
        actor=actor,
        kind="incident.closed",
        payload={"feedback": feedback},
        changes={"feedback": feedback},
    )
    incident_repeats_close(original=incident, actor=actor, target=S.CLOSED)
    return incident


@transaction.atomic
def incident_invalidate(*, actor, incident_id: int, reason: str) -> Incident:
    """无效报警: close a call found invalid after intake, with an invalid-call reason."""
    incident = incident_lock(incident_id)
    require_police_actor(actor, incident)
    invalid = _active_category(reason, field="reason")
    if invalid.kind != CategoryKind.INVALID:
        raise ValidationError(
            {"reason": _("“%(name)s” is not an invalid-call reason.") % {"name": invalid.name}}
        )
    incident_transition(
        incident=incident,
        target=S.INVALID,
        actor=actor,
        kind="incident.invalidated",
        reason=invalid.name,
        changes={"tier": Tier.INVALID, "invalid_reason": invalid},
    )
    return incident


@transaction.atomic
def incident_transfer(*, actor, incident_id: int, to: str, reason: str) -> Incident:
    """移交: hand a job to a neighbouring district or another agency, before units are sent.

    A call placed outside the district is held by the command center for this.
    """
    incident = incident_lock(incident_id)
    require_police_actor(actor, incident)
    errors = {}
    if not to.strip():
        errors["to"] = _("Say which district or agency takes the job.")
    if not reason.strip():
        errors["reason"] = _("Say why the job is transferred.")
    if errors:
        raise ValidationError(errors)
    incident_transition(
        incident=incident,
        target=S.TRANSFERRED,
        actor=actor,
        kind="incident.transferred",
        reason=reason.strip(),
        payload={"to": to.strip()},
        changes={"transferred_to": to.strip()},
    )
    incident_repeats_close(original=incident, actor=actor, target=S.CLOSED)
    return incident


# --- Street side (综治中心) -----------------------------------------------------


@transaction.atomic
def incident_accept(*, actor, incident_id: int) -> Incident:
    """签收: the governance center takes the diverted job."""
    incident = incident_lock(incident_id)
    require_street_actor(actor, incident)
    incident_transition(incident=incident, target=S.ACCEPTED, actor=actor, kind="incident.accepted")
    return incident


def caller_reveal(*, actor, incident: Incident, purpose: str = "", request=None) -> None:
    """Show the caller's number and name unmasked to `actor`: allowed to those
    who must call back (`may_see_caller`), and recorded in the access record."""
    if not may_see_caller(actor, incident):
        raise ActionForbidden(_("You may not see this caller's details."))
    access_record(
        actor=actor,
        object_type=Incident._meta.label_lower,
        object_id=incident.pk,
        fields=CALLER_FIELDS,
        request=request,
        purpose=str(RevealPurpose(purpose).label) if purpose in RevealPurpose.values else purpose,
    )
