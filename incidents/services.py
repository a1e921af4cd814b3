"""Writes of call intake and of the incident lifecycle outside dispatch.

Each service is one transaction: it checks (access, input, current state under
the row lock), changes, and records its event last.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.choices import Role
from commandcenter.directory import directory
from commandcenter.exceptions import InvalidTransition
from commandcenter.geodesy import METRES_PER_DEGREE_LAT, distance_m
from commandcenter.models import PartnerDepartment
from commandcenter.services import daily_number
from dispatch.routing import incident_route
from dispatch.services import assignments_clear
from incidents.choices import (
    OPEN_STATUSES,
    CategoryKind,
    IncidentStatus,
    Source,
    Tier,
)
from incidents.lifecycle import incident_event, incident_lock, incident_transition
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.permissions import require_closer, require_police_actor, require_street_actor
from patrol.zone_index import Placement, point_resolve

S = IncidentStatus
MEDIATION = "mediation"


def _active_category(code: str, field: str = "category") -> IncidentCategory:
    category = directory.by_code(IncidentCategory, code)
    if category is None or not category.active:
        raise ValidationError({field: _("Unknown incident category “%(code)s”.") % {"code": code}})
    return category


def _validate_intake(*, lat, lng, description: str, source: str) -> None:
    errors = {}
    if lat is None or not -90 <= lat <= 90:
        errors["lat"] = _("Latitude must be between -90 and 90.")
    if lng is None or not -180 <= lng <= 180:
        errors["lng"] = _("Longitude must be between -180 and 180.")
    if not description or not description.strip():
        errors["description"] = _("Say what happened.")
    if source not in Source.values:
        errors["source"] = _("Unknown source “%(source)s”.") % {"source": source}
    if errors:
        raise ValidationError(errors)


def _open_incident_nearby(
    *, category: IncidentCategory, lat: float, lng: float, now
) -> Incident | None:
    """The nearest open incident of the same group within the repeat radius and window."""
    radius = settings.INCIDENT_REPEAT_RADIUS_M
    window = timedelta(minutes=settings.INCIDENT_REPEAT_WINDOW_MINUTES)
    dlat = radius / METRES_PER_DEGREE_LAT
    dlng = radius / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    same_group = [c.pk for c in directory.rows(IncidentCategory) if c.group == category.group]
    candidates = Incident.objects.filter(
        category_id__in=same_group,
        status__in=OPEN_STATUSES,
        repeat_of__isnull=True,
        received_at__gte=now - window,
        lat__range=(lat - dlat, lat + dlat),
        lng__range=(lng - dlng, lng + dlng),
    ).only("id", "lat", "lng")
    nearest = min(((distance_m(lat, lng, c.lat, c.lng), c.id) for c in candidates), default=None)
    if nearest is None or nearest[0] > radius:
        return None
    return incident_lock(nearest[1])


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


REFERENCE_FIELDS = [
    "number",
    "category",
    "zone",
    "station",
    "post",
    "street",
    "sector",
    "routing_rule",
    "governance_center",
    "repeat_of",
    "created_by",
    "referred_to",
    "result_code",
    "invalid_reason",
]


@transaction.atomic
def incident_create(
    *,
    actor,
    category: str,
    description: str,
    lat: float,
    lng: float,
    source: str = Source.PHONE_110,
    caller_phone: str = "",
    caller_name: str = "",
    address: str = "",
    priority: int | None = None,
) -> Incident:
    """Record a call: place it, spot a repeat, route it, or close it as invalid."""
    if actor.role == Role.PARTNER:
        source = Source.PARTNER_API
    _validate_intake(lat=lat, lng=lng, description=description, source=source)
    chosen = _active_category(category)
    now = timezone.now()
    placement = point_resolve(lat=lat, lng=lng)
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
        received_at=now,
        created_by=actor,
        **_placement_fields(placement),
    )
    original = (
        None
        if chosen.kind == CategoryKind.INVALID
        else _open_incident_nearby(category=chosen, lat=lat, lng=lng, now=now)
    )
    if chosen.kind == CategoryKind.INVALID:
        incident.tier, incident.status = Tier.INVALID, S.INVALID
        incident.invalid_reason, incident.closed_at = chosen, now
        incident.routing_reason = _("Invalid call: %(reason)s") % {"reason": chosen.name}
        kind = "incident.invalidated"
    elif original is not None:
        incident.tier, incident.status, incident.repeat_of = original.tier, S.LINKED, original
        incident.governance_center_id = original.governance_center_id
        incident.routing_reason = _("Repeat call: linked to open incident %(number)s.") % {
            "number": original.number
        }
        kind = "incident.linked"
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
    incident.number = daily_number(series="incident", now=now)
    # Field-level checks only: every reference was just resolved from the
    # database, so re-checking each foreign key would cost a query apiece.
    incident.clean_fields(exclude=REFERENCE_FIELDS)
    incident.save(force_insert=True)
    if original is not None:
        Incident.objects.filter(pk=original.pk).update(call_count=F("call_count") + 1)
        original.refresh_from_db(fields=["call_count"])
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
        payload={
            "category": chosen.code,
            "priority": incident.priority,
            "reason": incident.routing_reason,
            **({"repeat_of": original.number} if original else {}),
        },
    )
    return incident


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


def _close_linked_repeats(*, original: Incident, actor, target: str) -> None:
    for repeat_id in original.repeats.filter(status=S.LINKED).values_list("id", flat=True):
        repeat = incident_lock(repeat_id)
        incident_transition(
            incident=repeat,
            target=target,
            actor=actor,
            kind="incident.closed",
            reason=_("Closed with %(number)s.") % {"number": original.number},
        )


def _result_code(code: str, tier: str) -> ResultCode:
    try:
        result = ResultCode.objects.get(code=code, active=True)
    except ResultCode.DoesNotExist:
        raise ValidationError(
            {"result_code": _("Unknown result code “%(code)s”.") % {"code": code}}
        ) from None
    if result.for_tier and result.for_tier != tier:
        raise ValidationError(
            {
                "result_code": _("“%(name)s” is not a result for this kind of job.")
                % {"name": result.name}
            }
        )
    return result


def _record_result(
    *, incident: Incident, actor, tier: str, kind: str, result_code: str, notes: str
) -> None:
    """Resolve a locked incident with a result code; every unit still on it is cleared."""
    result = _result_code(result_code, tier)
    assignments_clear(incident=incident, actor=actor)
    incident_transition(
        incident=incident,
        target=S.RESOLVED,
        actor=actor,
        kind=kind,
        payload={"result_code": result.code, "notes": notes},
        changes={"result_code": result, "result_notes": notes},
    )


@transaction.atomic
def incident_resolve(*, actor, incident_id: int, result_code: str, notes: str = "") -> Incident:
    """处结: record how the police job ended."""
    incident = incident_lock(incident_id)
    require_police_actor(actor, incident)
    _record_result(
        incident=incident,
        actor=actor,
        tier=Tier.POLICE,
        kind="incident.resolved",
        result_code=result_code,
        notes=notes,
    )
    return incident


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
    _close_linked_repeats(original=incident, actor=actor, target=S.CLOSED)
    return incident


@transaction.atomic
def incident_cancel(*, actor, incident_id: int, reason: str) -> Incident:
    incident = incident_lock(incident_id)
    require_police_actor(actor, incident)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the incident is cancelled.")})
    assignments_clear(incident=incident, actor=actor)
    incident_transition(
        incident=incident,
        target=S.CANCELLED,
        actor=actor,
        kind="incident.cancelled",
        reason=reason.strip(),
    )
    _close_linked_repeats(original=incident, actor=actor, target=S.CLOSED)
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


# --- Street side (综治中心) -----------------------------------------------------


@transaction.atomic
def incident_accept(*, actor, incident_id: int) -> Incident:
    """签收: the governance center takes the diverted job."""
    incident = incident_lock(incident_id)
    require_street_actor(actor, incident)
    incident_transition(incident=incident, target=S.ACCEPTED, actor=actor, kind="incident.accepted")
    return incident


@transaction.atomic
def incident_settle(*, actor, incident_id: int, result_code: str, notes: str = "") -> Incident:
    """现场处结: the street settled the job."""
    incident = incident_lock(incident_id)
    require_street_actor(actor, incident)
    _record_result(
        incident=incident,
        actor=actor,
        tier=Tier.STREET,
        kind="incident.settled",
        result_code=result_code,
        notes=notes,
    )
    return incident


@transaction.atomic
def incident_refer(*, actor, incident_id: int, to: str, notes: str = "") -> Incident:
    """Refer to the mediation center (to="mediation") or a partner department (its code)."""
    incident = incident_lock(incident_id)
    require_street_actor(actor, incident)
    changes: dict = {"result_notes": notes}
    if to == MEDIATION:
        changes["referred_to_mediation"] = True
        target_name = _("mediation center")
    else:
        department = PartnerDepartment.objects.filter(code=to).first()
        if department is None:
            raise ValidationError({"to": _("Refer to “mediation” or a partner department code.")})
        changes["referred_to"] = department
        target_name = department.name
    assignments_clear(incident=incident, actor=actor)
    incident_transition(
        incident=incident,
        target=S.REFERRED,
        actor=actor,
        kind="incident.referred",
        reason=target_name,
        payload={"to": to, "notes": notes},
        changes=changes,
    )
    return incident


@transaction.atomic
def incident_return(*, actor, incident_id: int, reason: str) -> Incident:
    """退回: the street sends the job back to the police queue, history kept."""
    incident = incident_lock(incident_id)
    require_street_actor(actor, incident)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the job goes back to the police.")})
    assignments_clear(incident=incident, actor=actor)
    incident_transition(
        incident=incident,
        target=S.RETURNED,
        actor=actor,
        kind="incident.returned",
        reason=reason.strip(),
        changes={"tier": Tier.POLICE},
    )
    return incident
