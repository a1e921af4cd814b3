"""Writes of dispatch: sending units, their assignment steps, ending a job
(which clears its units), and orders (指令).

A unit is on one job at a time. Two dispatchers sending the same unit are
settled by the database: a compare-and-set on the unit's status (the second
UPDATE waits for the first's row lock and then matches no row) and a partial
unique index on active assignments behind it.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.access import may_dispatch, sendable
from commandcenter.choices import DISTRICT_ROLES, TERMINAL_ROLES, Role
from commandcenter.exceptions import ActionForbidden, DomainError, InvalidTransition
from commandcenter.lifecycle import transition_apply
from commandcenter.models import GovernanceCenter, PartnerDepartment, Post, Station
from commandcenter.services import daily_number, event_record
from dispatch.choices import (
    ACTIVE_ASSIGNMENT_STATUSES,
    ASSIGNMENT_TRANSITIONS,
    DISPATCHABLE_STATUSES,
    ORDER_TRANSITIONS,
    AssignmentStatus,
    OrderKind,
    OrderStatus,
)
from dispatch.models import Assignment, Order
from dispatch.referrals import referral_open, referral_payload, referral_withdraw
from dispatch.selectors import STREET_UNIT_TYPES, units_recommend, volunteers_may_help
from incidents import services as incident_services
from incidents.choices import IncidentStatus, Tier
from incidents.lifecycle import incident_event, incident_lock, incident_transition
from incidents.models import Incident, ResultCode
from incidents.permissions import (
    may_act_as_police,
    may_act_as_street,
    require_police_actor,
    require_street_actor,
)
from incidents.services import incident_repeats_close
from patrol.choices import UnitStatus, UnitType
from patrol.models import Unit
from patrol.selectors import unit_of_officer

S = IncidentStatus
A = AssignmentStatus

# The unit's status while its assignment is at each step.
UNIT_STATUS_FOR = {
    A.DISPATCHED: UnitStatus.DISPATCHED,
    A.ACKNOWLEDGED: UnitStatus.DISPATCHED,
    A.EN_ROUTE: UnitStatus.EN_ROUTE,
    A.ON_SCENE: UnitStatus.ON_SCENE,
}
STEP_STAMPS = {
    A.ACKNOWLEDGED: "acknowledged_at",
    A.EN_ROUTE: "en_route_at",
    A.ON_SCENE: "on_scene_at",
    A.CLEARED: "cleared_at",
}


class UnitUnavailable(DomainError):
    code = "unit_unavailable"


class VolunteersRefused(DomainError):
    """义警 are never sent to a police job (409): the job is not refused, the units are."""

    code = "volunteers_not_for_police_jobs"


def _free_status(unit: Unit) -> str:
    """Back on patrol, unless its team went off shift meanwhile."""
    if unit.team_id and not unit.team.on_duty:
        return UnitStatus.OFF_DUTY
    return UnitStatus.AVAILABLE


def _require_dispatcher(actor, incident: Incident, units: list[Unit]) -> None:
    if incident.tier == Tier.STREET:
        if not may_act_as_street(actor, incident):
            raise ActionForbidden(_("Only the street's governance center sends street forces."))
        wrong = [u.call_sign for u in units if u.unit_type not in STREET_UNIT_TYPES]
        if wrong:
            raise ValidationError(
                {
                    "units": _("Street jobs take street forces and volunteers only: %(units)s.")
                    % {"units": ", ".join(wrong)}
                }
            )
    else:
        if not may_act_as_police(actor, incident):
            raise ActionForbidden(
                _("You may not dispatch to incident %(number)s: it is outside your area.")
                % {"number": incident.number}
            )
        wrong = [u.call_sign for u in units if u.unit_type == UnitType.STREET_FORCE]
        if wrong:
            raise ValidationError(
                {
                    "units": _("Police jobs take police units only: %(units)s.")
                    % {"units": ", ".join(wrong)}
                }
            )
        volunteers = [u.call_sign for u in units if u.unit_type == UnitType.VOLUNTEER]
        if volunteers and not volunteers_may_help(incident):
            raise VolunteersRefused(
                _(
                    "Volunteers are never sent to a police job: %(number)s is a police "
                    "matter. Send police units instead of %(units)s."
                )
                % {"number": incident.number, "units": ", ".join(volunteers)}
            )


@transaction.atomic
def incident_dispatch(*, actor, incident_id: int, unit_ids: list[int]) -> list[Assignment]:
    """一键派警: send one or more free units; all of them or none."""
    if not unit_ids:
        raise ValidationError({"units": _("Choose at least one unit.")})
    if len(set(unit_ids)) != len(unit_ids):
        raise ValidationError({"units": _("A unit is listed twice.")})
    if not may_dispatch(actor):
        raise ActionForbidden(_("Your role does not send units."))
    incident = incident_lock(incident_id)
    # Only the units the actor may send (commandcenter.access.sendable): another
    # station's car is "no such unit", its id not confirmed.
    units = list(
        sendable(Unit.objects.filter(pk__in=unit_ids), actor).select_related("team").order_by("pk")
    )
    missing = set(unit_ids) - {u.pk for u in units}
    if missing:
        raise ValidationError(
            {"units": _("No such unit: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}}
        )
    _require_dispatcher(actor, incident, units)
    if incident.status not in DISPATCHABLE_STATUSES:
        raise InvalidTransition(
            _("Incident %(number)s is %(current)s: no units can be sent to it.")
            % {"number": incident.number, "current": S(incident.status).label}
        )
    estimates = {
        r.unit_id: r
        for r in units_recommend(incident=incident, user=None, limit=len(units), among=unit_ids)
    }
    now = timezone.now()
    assignments = []
    for unit in units:  # in id order, so concurrent dispatches lock units alike
        claimed = Unit.objects.filter(pk=unit.pk, status=UnitStatus.AVAILABLE).update(
            status=UnitStatus.DISPATCHED
        )
        if not claimed:
            unit.refresh_from_db(fields=["status"])
            raise UnitUnavailable(
                _("Unit %(unit)s is %(status)s and cannot be sent.")
                % {"unit": unit.call_sign, "status": UnitStatus(unit.status).label}
            )
        estimate = estimates.get(unit.pk)
        try:
            with transaction.atomic():
                assignments.append(
                    Assignment.objects.create(
                        incident=incident,
                        unit=unit,
                        dispatched_by=actor,
                        dispatched_at=now,
                        distance_m=estimate.distance_m if estimate else None,
                        eta_seconds=estimate.eta_seconds if estimate else None,
                    )
                )
        except IntegrityError:
            raise UnitUnavailable(
                _("Unit %(unit)s is already on another job.") % {"unit": unit.call_sign}
            ) from None
    payload = {
        "units": [
            {
                "assignment": a.pk,
                "unit": a.unit_id,
                "call_sign": a.unit.call_sign,
                "eta_seconds": a.eta_seconds,
            }
            for a in assignments
        ]
    }
    if incident.status in (S.DISPATCHED, S.ON_SCENE):
        incident_event(incident=incident, kind="incident.reinforced", actor=actor, payload=payload)
    else:
        incident_transition(
            incident=incident,
            target=S.DISPATCHED,
            actor=actor,
            kind="incident.dispatched",
            payload=payload,
        )
    return assignments


def _is_units_officer(actor, unit: Unit) -> bool:
    """Is `actor` the officer (or volunteer) bound to `unit` (its own terminal)?"""
    if actor.role not in TERMINAL_ROLES:
        return False
    own = unit_of_officer(actor)
    return own is not None and own.pk == unit.pk


def _may_work_assignment(actor, assignment: Assignment) -> bool:
    unit = assignment.unit
    return (
        _is_units_officer(actor, unit)
        or may_act_as_police(actor, assignment.incident)
        or may_act_as_street(actor, assignment.incident)
        or (actor.role == Role.STATION_CHIEF and unit.home_station_id == actor.station_id)
        or (actor.role == Role.POST_OFFICER and unit.home_post_id == actor.post_id)
    )


def _assignment_step(assignment: Assignment, target: str, now) -> None:
    """Move a locked assignment and its unit to `target`."""
    transition_apply(
        assignment,
        target=target,
        table=ASSIGNMENT_TRANSITIONS,
        statuses=AssignmentStatus,
        refusal=_("Unit %(unit)s is %(current)s on this job and cannot become %(target)s."),
        details={"unit": assignment.unit.call_sign},
        changes={STEP_STAMPS[target]: now},
    )
    unit = assignment.unit
    unit.status = UNIT_STATUS_FOR.get(target) or _free_status(unit)
    unit.save(update_fields=["status"])


@transaction.atomic
def assignment_advance(*, actor, assignment_id: int, target: str) -> Assignment:
    """签收 / 出发 / 到场 / 清场: one timestamped step of one unit on one job.

    The unit's officer takes its steps on its terminal; anyone else who may
    (the command center, the station) takes them on the unit's behalf, and
    the event says so (`on_behalf`).
    """
    try:
        incident_id = Assignment.objects.values_list("incident_id", flat=True).get(pk=assignment_id)
    except Assignment.DoesNotExist:
        raise Assignment.DoesNotExist(_("No such assignment.")) from None
    incident = incident_lock(incident_id)  # incident first: the same order as dispatch
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("unit__team")
        .get(pk=assignment_id)
    )
    assignment.incident = incident
    own_unit = _is_units_officer(actor, assignment.unit)
    if not (own_unit or _may_work_assignment(actor, assignment)):
        raise ActionForbidden(
            _("You may not act for unit %(unit)s.") % {"unit": assignment.unit.call_sign}
        )
    now = timezone.now()
    _assignment_step(assignment, target, now)
    payload = {
        "assignment": assignment.pk,
        "unit": assignment.unit_id,
        "call_sign": assignment.unit.call_sign,
        "unit_status": assignment.unit.status,
        "on_behalf": not own_unit,
    }
    if target == A.ON_SCENE and incident.status == S.DISPATCHED:
        # The incident's on-scene time is its first unit's.
        incident_transition(
            incident=incident,
            target=S.ON_SCENE,
            actor=actor,
            kind="incident.on_scene",
            payload=payload,
        )
    else:
        incident_event(incident=incident, kind=f"assignment.{target}", actor=actor, payload=payload)
    return assignment


def assignments_clear(*, incident: Incident, actor) -> None:
    """Clear every unit still on a (locked) incident; part of the caller's transaction."""
    now = timezone.now()
    active = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("unit__team")
        .filter(incident=incident, status__in=ACTIVE_ASSIGNMENT_STATUSES)
    )
    for assignment in active:
        _assignment_step(assignment, A.CLEARED, now)
        incident_event(
            incident=incident,
            kind="assignment.cleared",
            actor=actor,
            payload={
                "assignment": assignment.pk,
                "unit": assignment.unit_id,
                "call_sign": assignment.unit.call_sign,
                "unit_status": assignment.unit.status,
            },
        )


# --- Ending a job: its units are cleared --------------------------------------

MEDIATION = "mediation"


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
    *,
    incident: Incident,
    actor,
    tier: str,
    kind: str,
    result_code: str,
    notes: str,
    extra: dict | None = None,
) -> None:
    """Resolve a locked incident with a result code; every unit still on it is cleared."""
    result = _result_code(result_code, tier)
    assignments_clear(incident=incident, actor=actor)
    incident_transition(
        incident=incident,
        target=S.RESOLVED,
        actor=actor,
        kind=kind,
        payload={"result_code": result.code, "notes": notes, **(extra or {})},
        changes={"result_code": result, "result_notes": notes},
    )


def _reporting_unit(actor, incident: Incident) -> Unit | None:
    """The officer's own unit, if it is on this (locked) job: it may report back.

    Not a volunteer's: volunteers help and leave the scene; the job is ended by
    whoever sent them (the street settles, the station resolves)."""
    if actor.role != Role.OFFICER:
        return None
    unit = unit_of_officer(actor)
    on_job = (
        unit is not None
        and Assignment.objects.filter(
            incident=incident, unit=unit, status__in=ACTIVE_ASSIGNMENT_STATUSES
        ).exists()
    )
    return unit if on_job else None


@transaction.atomic
def incident_resolve(*, actor, incident_id: int, result_code: str, notes: str = "") -> Incident:
    """处结: record how the police job ended.

    The police side anywhere in its area; a unit's officer (反馈) for a job
    its unit is on, and the event names the unit.
    """
    incident = incident_lock(incident_id)
    unit = _reporting_unit(actor, incident)
    if unit is None:
        require_police_actor(actor, incident)
    _record_result(
        incident=incident,
        actor=actor,
        tier=Tier.POLICE,
        kind="incident.resolved",
        result_code=result_code,
        notes=notes,
        extra={"unit": unit.pk, "call_sign": unit.call_sign} if unit else None,
    )
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
    incident_repeats_close(original=incident, actor=actor, target=S.CLOSED)
    return incident


@transaction.atomic
def incident_settle(
    *, actor, incident_id: int, result_code: str, notes: str = "", remote: bool = False
) -> Incident:
    """现场处结: the street settled the job.

    "5 分钟到场": staff are expected on scene, so a job nobody reached is settled
    only when the clerk says it was settled remotely (by phone, or the parties
    came in); the event records which, and when staff arrived.
    """
    incident = incident_lock(incident_id)
    require_street_actor(actor, incident)
    if incident.on_scene_at is None and not remote:
        raise ValidationError(
            {
                "remote": _(
                    "No staff reached the scene: send staff first, or say the job was "
                    "settled without going (by phone, or the parties came in)."
                )
            }
        )
    on_scene = incident.on_scene_at is not None
    _record_result(
        incident=incident,
        actor=actor,
        tier=Tier.STREET,
        kind="incident.settled",
        result_code=result_code,
        notes=notes,
        extra={
            "on_scene": on_scene,
            "on_scene_at": incident.on_scene_at.isoformat() if on_scene else None,
        },
    )
    return incident


@transaction.atomic
def incident_refer(
    *, actor, incident_id: int, to: str, notes: str = "", expected_at: datetime | None = None
) -> Incident:
    """Refer to the mediation center (to="mediation") or a partner department (its code).

    A partner department gets a referral (dispatch.referrals) to accept and answer,
    to be handled by `expected_at` (REFERRAL_HANDLE_HOURS from now if not given)."""
    incident = incident_lock(incident_id)
    require_street_actor(actor, incident)
    changes: dict = {"result_notes": notes}
    payload: dict = {"to": to, "notes": notes}
    if to == MEDIATION:
        changes["referred_to_mediation"] = True
        target_name = _("mediation center")
    else:
        department = PartnerDepartment.objects.filter(code=to).first()
        if department is None:
            raise ValidationError({"to": _("Refer to “mediation” or a partner department code.")})
        changes["referred_to"] = department
        target_name = department.name
        # Checked before the job moves: a refused time changes nothing.
        referral = referral_open(
            actor=actor,
            incident=incident,
            department=department,
            notes=notes,
            expected_at=expected_at,
        )
        payload.update(referral_payload(referral))
    assignments_clear(incident=incident, actor=actor)
    incident_transition(
        incident=incident,
        target=S.REFERRED,
        actor=actor,
        kind="incident.referred",
        reason=target_name,
        payload=payload,
        changes=changes,
    )
    return incident


@transaction.atomic
def incident_close(*, actor, incident_id: int, feedback: str = "") -> Incident:
    """反馈: close the job; a referral the department has not answered is withdrawn
    (in the same transaction: a close refused withdraws nothing)."""
    incident = incident_services.incident_close(
        actor=actor, incident_id=incident_id, feedback=feedback
    )
    referral_withdraw(incident=incident, actor=actor)
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


# --- Orders (指令) -------------------------------------------------------------

RECIPIENT_MODELS = {
    "station": (Station, "code"),
    "post": (Post, "code"),
    "unit": (Unit, "call_sign"),
    "governance_center": (GovernanceCenter, "code"),
}


def end_of_local_day(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min)
    return timezone.make_aware(midnight, local.tzinfo)


def _order_event(order: Order, kind: str, actor, payload: dict | None = None) -> None:
    """Record an order's step where its recipient works, so that area's inbox hears of it."""
    station_id = order.station_id or (order.post.station_id if order.post_id else None)
    post_id = order.post_id
    street_id = order.governance_center.street_id if order.governance_center_id else None
    if order.unit_id:
        # A unit's order is its home post's, station's or governance center's to answer.
        unit = order.unit
        station_id, post_id = unit.home_station_id, unit.home_post_id
        if unit.home_governance_center_id:
            street_id = unit.home_governance_center.street_id
    extra = {"incident": order.incident_id} if order.incident_id else {}
    event_record(
        kind=kind,
        subject=order,
        actor=actor,
        payload={
            "number": order.number,
            "status": order.status,
            "kind": order.kind,
            **extra,
            **(payload or {}),
        },
        station_id=station_id,
        post_id=post_id,
        street_id=street_id,
    )


@transaction.atomic
def order_issue(
    *,
    actor,
    recipient_type: str,
    recipient: str,
    content: str,
    deadline: datetime | None = None,
    incident_id: int | None = None,
) -> Order:
    """The command center issues an order to a station, post, unit or governance center."""
    if not may_issue_orders(actor):
        raise ActionForbidden(_("Only the command center issues orders."))
    if recipient_type not in RECIPIENT_MODELS:
        raise ValidationError(
            {"recipient_type": _("Choose station, post, unit or governance_center.")}
        )
    model, key = RECIPIENT_MODELS[recipient_type]
    target = model.objects.filter(**{key: recipient}).first()
    if target is None:
        raise ValidationError(
            {
                "recipient": _("No %(type)s “%(value)s”.")
                % {"type": recipient_type, "value": recipient}
            }
        )
    if not content or not content.strip():
        raise ValidationError({"content": _("Write what is to be done.")})
    if deadline is not None and deadline <= timezone.now():
        raise ValidationError({"deadline": _("The deadline must be in the future.")})
    if incident_id is not None and not Incident.objects.filter(pk=incident_id).exists():
        raise ValidationError({"incident": _("No such incident.")})
    return _order_create(
        actor=actor,
        kind=OrderKind.INSTRUCTION,
        recipient_type=recipient_type,
        target=target,
        content=content.strip(),
        deadline=deadline,
        incident_id=incident_id,
    )


def order_issue_automatic(
    *, kind: str, recipient, content: str, deadline: datetime, incident_id: int | None = None
) -> Order:
    """An order the system issues by itself (no actor), in the caller's transaction:
    the clocks' reminders and supervision orders, a missing person's search notices.
    `recipient` is a station, post, unit or governance center."""
    recipient_type = {
        Station: "station",
        Post: "post",
        Unit: "unit",
        GovernanceCenter: "governance_center",
    }[type(recipient)]
    return _order_create(
        actor=None,
        kind=kind,
        recipient_type=recipient_type,
        target=recipient,
        content=content,
        deadline=deadline,
        incident_id=incident_id,
    )


def _order_create(*, actor, kind, recipient_type, target, content, deadline, incident_id) -> Order:
    now = timezone.now()
    deadline = deadline or end_of_local_day(now)
    order = Order(
        number=daily_number(series="order", prefix="ZL", now=now),
        kind=kind,
        content=content,
        incident_id=incident_id,
        issued_by=actor,
        issued_at=now,
        deadline=deadline,
        due_at=min(deadline, end_of_local_day(now)),
        **{recipient_type: target},
    )
    order.full_clean(exclude=["number", "issued_by"])
    order.save(force_insert=True)
    _order_event(
        order,
        "order.issued",
        actor,
        {"kind": kind, "recipient": str(target), "due_at": order.due_at.isoformat()},
    )
    return order


def may_issue_orders(actor) -> bool:
    """Orders come from the command center."""
    return actor.role in DISTRICT_ROLES or actor.is_superuser


def may_answer_order(actor, order: Order) -> bool:
    """May `actor` acknowledge and answer `order`? (Its post, unit and center must be loaded.)"""
    if actor.role in DISTRICT_ROLES or actor.is_superuser:
        return True
    if actor.role == Role.STATION_CHIEF:
        return actor.station_id in (
            order.station_id,
            order.post.station_id if order.post_id else None,
            order.unit.home_station_id if order.unit_id else None,
        )
    if actor.role == Role.POST_OFFICER:
        return actor.post_id in (order.post_id, order.unit.home_post_id if order.unit_id else None)
    if actor.role == Role.STREET_STAFF:
        center = order.governance_center or (
            order.unit.home_governance_center if order.unit_id else None
        )
        return center is not None and center.street_id == actor.street_id
    return False


def _order_step(*, actor, order_id: int, target: str, kind: str, changes: dict) -> Order:
    try:
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("post", "unit__home_governance_center", "governance_center")
            .get(pk=order_id)
        )
    except Order.DoesNotExist:
        raise Order.DoesNotExist(_("No such order.")) from None
    if not may_answer_order(actor, order):
        raise ActionForbidden(_("This order is not addressed to you."))
    transition_apply(
        order,
        target=target,
        table=ORDER_TRANSITIONS,
        statuses=OrderStatus,
        refusal=_("Order %(number)s is %(current)s and cannot become %(target)s."),
        details={"number": order.number},
        changes=changes,
    )
    _order_event(order, kind, actor, {k: v for k, v in changes.items() if k == "feedback"})
    return order


@transaction.atomic
def order_acknowledge(*, actor, order_id: int) -> Order:
    return _order_step(
        actor=actor,
        order_id=order_id,
        target=OrderStatus.ACKNOWLEDGED,
        kind="order.acknowledged",
        changes={"acknowledged_at": timezone.now(), "acknowledged_by": actor},
    )


@transaction.atomic
def order_feedback(*, actor, order_id: int, feedback: str) -> Order:
    if not feedback or not feedback.strip():
        raise ValidationError({"feedback": _("Write what was done.")})
    return _order_step(
        actor=actor,
        order_id=order_id,
        target=OrderStatus.COMPLETED,
        kind="order.completed",
        changes={
            "feedback": feedback.strip(),
            "completed_at": timezone.now(),
            "completed_by": actor,
        },
    )


def orders_flag_overdue(*, now: datetime | None = None) -> int:
    """日清日结: flag every open order past its due time; safe to run twice at once."""
    now = now or timezone.now()
    flagged = 0
    due = Order.objects.filter(
        status__in=[OrderStatus.ISSUED, OrderStatus.ACKNOWLEDGED],
        overdue_at__isnull=True,
        due_at__lt=now,
    ).values_list("pk", flat=True)
    for order_id in list(due):
        with transaction.atomic():
            # Compare-and-set: a concurrent scan that got here first wins.
            if Order.objects.filter(pk=order_id, overdue_at__isnull=True).update(overdue_at=now):
                order = Order.objects.select_related(
                    "post", "unit__home_governance_center", "governance_center"
                ).get(pk=order_id)
                _order_event(order, "order.overdue", None, {"due_at": order.due_at.isoformat()})
                flagged += 1
    return flagged


def order_escalate(*, order_id: int, reason: str) -> Order | None:
    """督办升级: an unanswered supervision order goes up to the command-center
    supervisor (who sees every order); once, in the caller's transaction."""
    if not Order.objects.filter(pk=order_id, escalated_at__isnull=True).update(
        escalated_at=timezone.now()
    ):
        return None
    order = Order.objects.select_related(
        "post", "unit__home_governance_center", "governance_center"
    ).get(pk=order_id)
    _order_event(order, "order.escalated", None, {"reason": reason})
    return order
