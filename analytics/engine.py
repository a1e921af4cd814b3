"""The clock engine: read the event log into clock instances, then sweep what fell due.

Run by beat every CLOCK_SCAN_SECONDS (analytics.tasks.clocks_tick), never
by ETA tasks: every deadline is a row, and a rerun changes nothing.

- **Ingest** reads the events after the engine's cursor, in sequence order,
  under the cursor's row lock (one reader at a time): a start event starts
  the clocks whose definitions match the job, a stop event stops them (met,
  or breached if it came after the due time), a job that ends another way
  voids them. Times are the events' own, not the reader's.
- **Sweep** claims the clocks whose `next_check_at` has come, one row at a
  time by compare-and-set (`SELECT … FOR UPDATE SKIP LOCKED` and the time
  checked again under the lock): warnings, the breach with its reminder, the
  supervision check, the escalation of an unanswered supervision order.
- **Arrivals** compare, for every job with units on their way, the nearest
  unit's estimated arrival with the time its on-scene clock has left.

Every warning, breach, at-risk and stop of a clock that had alerted is an
event (`clock.*`) on the job (or the order), with the job's alert level
after it: the map, the queues and the job panel show the server's word.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from analytics.choices import (
    BEFORE_RESOLUTION,
    PARTNER_POINTS,
    POINT_EVENTS,
    Alert,
    ClockState,
    ClockSubject,
    DueRule,
)
from analytics.models import ClockCursor, ClockDefinition, ClockInstance
from commandcenter.directory import directory
from commandcenter.geodesy import distance_m
from commandcenter.models import Event, GovernanceCenter, Post, Station
from commandcenter.services import event_record
from dispatch.choices import OrderKind, OrderStatus
from dispatch.models import Assignment, Order
from dispatch.selectors import DETOUR_FACTOR, SPEED_M_PER_S, units_recommend
from dispatch.services import end_of_local_day, order_escalate, order_issue_automatic
from incidents.categories import category_ancestors
from incidents.choices import TERMINAL_STATUSES, IncidentStatus, Tier
from incidents.lifecycle import incident_event
from incidents.models import Incident, IncidentCategory
from patrol.models import Unit

S = IncidentStatus
INCIDENT_SUBJECT = "incidents.incident"
ORDER_SUBJECT = "dispatch.order"
CURSOR = "events"
# Events read per ingest transaction.
INGEST_BATCH = 1000
# Clocks claimed per sweep: the rest wait for the next tick.
SWEEP_BATCH = 500
# A clock found due longer ago than this (the engine was down, or it reads an
# old log) is breached without an alert or a reminder: nobody can act on it now.
ANNOUNCE_WITHIN = timedelta(minutes=10)
RESOLVED = frozenset({S.RESOLVED, S.REFERRED})
# Units on their way, whose arrival can be estimated.
TRAVELLING = ("dispatched", "acknowledged", "en_route")


@dataclass
class TickResult:
    ingested: int = 0
    swept: int = 0
    at_risk: int = 0


def clocks_tick(*, now: datetime | None = None) -> TickResult:
    """One pass: read the new events, then act on what fell due."""
    with translation.override(settings.LANGUAGE_CODE):
        result = TickResult()
        while True:  # catch up on the log before judging what is late
            read = clocks_ingest()
            result.ingested += read
            if read < INGEST_BATCH:
                break
        now = now or timezone.now()
        result.swept = clocks_sweep(now=now)
        result.at_risk = clocks_watch_arrivals(now=now)
        return result


def _definitions() -> dict[int, ClockDefinition]:
    return {d.pk: d for d in ClockDefinition.objects.filter(active=True)}


# --- Ingest ---------------------------------------------------------------------------


def clocks_ingest(*, batch: int = INGEST_BATCH) -> int:
    """Start and stop clocks from the events after the cursor; returns events read."""
    ClockCursor.objects.get_or_create(name=CURSOR)
    with transaction.atomic():
        cursor = ClockCursor.objects.select_for_update().get(name=CURSOR)
        events = list(
            Event.objects.filter(seq__gt=cursor.last_seq)
            .exclude(kind__startswith="clock.")
            .order_by("seq")[:batch]
        )
        if not events:
            return 0
        _Ingest(_definitions()).apply(events)
        cursor.last_seq = events[-1].seq
        cursor.save(update_fields=["last_seq"])
    return len(events)


def _ids(events: list[Event], subject_type: str) -> set[int]:
    return {int(e.subject_id) for e in events if e.subject_type == subject_type}


def _applies(definition: ClockDefinition, payload: dict) -> bool:
    if definition.subject == ClockSubject.ORDER:
        return not definition.order_kind or payload.get("kind") == definition.order_kind
    if definition.start in PARTNER_POINTS and not payload.get("department"):
        return False  # referred to the mediation center: no department's clock
    if definition.tier and payload.get("tier") != definition.tier:
        return False
    if definition.priority_max and (payload.get("priority") or 99) > definition.priority_max:
        return False
    if definition.category_id:
        code = payload.get("category")
        category = directory.by_code(IncidentCategory, code) if code else None
        branch = {c.pk for c in category_ancestors(category)} if category else set()
        if definition.category_id not in branch:
            return False
    return True


def _voids(definition: ClockDefinition, payload: dict) -> bool:
    """Did the job end, or leave the clock's tier, without reaching the stop?"""
    if definition.subject == ClockSubject.ORDER:
        return False
    status = payload.get("status")
    if status in TERMINAL_STATUSES or status == S.LINKED:
        return True
    if status in RESOLVED and definition.stop in BEFORE_RESOLUTION:
        return True
    return bool(definition.tier and payload.get("tier") not in (None, definition.tier))


def _due(definition: ClockDefinition, event: Event, area_class: str | None):
    started_at = event.occurred_at
    if definition.due_rule == DueRule.END_OF_DAY:
        return end_of_local_day(started_at)
    if definition.due_rule == DueRule.EXPECTED:
        expected = event.payload.get("expected_at")
        return datetime.fromisoformat(expected) if expected else None
    target = definition.target_for(area_class)
    return None if target is None else started_at + timedelta(seconds=target)


class _Ingest:
    def __init__(self, definitions: dict[int, ClockDefinition]) -> None:
        self.definitions = definitions
        self.by_subject = {
            ClockSubject.INCIDENT: [d for d in definitions.values() if d.subject == "incident"],
            ClockSubject.ORDER: [d for d in definitions.values() if d.subject == "order"],
        }
        self.running: dict[tuple[str, int], list[ClockInstance]] = {}

    def _load_running(self, events: list[Event]) -> None:
        incidents, orders = _ids(events, INCIDENT_SUBJECT), _ids(events, ORDER_SUBJECT)
        if not incidents and not orders:
            return
        rows = ClockInstance.objects.select_for_update().filter(
            Q(incident_id__in=incidents, order__isnull=True) | Q(order_id__in=orders),
            stopped_at__isnull=True,
        )
        for clock in rows:
            key = ("order", clock.order_id) if clock.order_id else ("incident", clock.incident_id)
            self.running.setdefault(key, []).append(clock)

    def apply(self, events: list[Event]) -> None:
        self._load_running(events)
        for event in events:
            if event.subject_type == INCIDENT_SUBJECT:
                self._event(event, ClockSubject.INCIDENT)
            elif event.subject_type == ORDER_SUBJECT:
                self._event(event, ClockSubject.ORDER)

    def _event(self, event: Event, subject: str) -> None:
        key = (subject, int(event.subject_id))
        running = self.running.setdefault(key, [])
        for clock in list(running):
            definition = self.definitions.get(clock.definition_id)
            if definition is None:  # deactivated since it started: it runs out as it was
                continue
            if event.kind in POINT_EVENTS[definition.stop]:
                _stop(clock, event)
                running.remove(clock)
            elif _voids(definition, event.payload):
                _stop(clock, event, void=True)
                running.remove(clock)
        timed = {clock.definition_id for clock in running}
        for definition in self.by_subject[subject]:
            if definition.pk in timed or event.kind not in POINT_EVENTS[definition.start]:
                continue
            if _applies(definition, event.payload):
                clock = _start(definition, event, subject)
                if clock is not None:
                    running.append(clock)


def _start(definition: ClockDefinition, event: Event, subject: str) -> ClockInstance | None:
    payload = event.payload
    area_class = payload.get("area_class") if subject == ClockSubject.INCIDENT else None
    due_at = _due(definition, event, area_class)
    if due_at is None:
        return None
    target = (due_at - event.occurred_at).total_seconds()
    warnings = sorted(
        (int(s) for s in definition.warn_before_s or [] if 0 < int(s) < target), reverse=True
    )
    clock = ClockInstance(
        definition=definition,
        incident_id=int(event.subject_id) if subject == ClockSubject.INCIDENT else None,
        order_id=int(event.subject_id) if subject == ClockSubject.ORDER else None,
        station_id=event.station_id,
        post_id=event.post_id,
        street_id=event.street_id,
        area_class=area_class or "",
        start_seq=event.seq,
        started_at=event.occurred_at,
        due_at=due_at,
        warnings_left=warnings,
    )
    if subject == ClockSubject.ORDER:
        clock.incident_id = payload.get("incident")
    clock.next_check_at = _next_check(clock)
    try:
        with transaction.atomic():
            clock.save(force_insert=True)
    except IntegrityError:  # started already (the unique start event)
        return None
    return clock


def _stop(clock: ClockInstance, event: Event, *, void: bool = False) -> None:
    clock.stopped_at = event.occurred_at
    clock.stop_seq = event.seq
    alerted = bool(clock.warned_at or clock.breach_announced or clock.at_risk_at)
    if void:
        clock.state = ClockState.CANCELLED
    elif clock.stopped_at > clock.due_at:
        clock.breached_at = clock.due_at
        if clock.state != ClockState.EXCUSED:
            clock.state = ClockState.BREACHED
    else:
        # Stopped in time (a breach announced meanwhile raced a stop not yet read).
        clock.state, clock.breached_at = ClockState.MET, None
    clock.warnings_left = []
    clock.next_check_at = _next_check(clock)
    clock.save()
    if alerted:
        clock_announce(clock, "clock.stopped")


def _next_check(clock: ClockInstance) -> datetime | None:
    """The next moment the sweep has work on `clock`, None if it has none."""
    moments = []
    if clock.stopped_at is None:
        if clock.warnings_left:
            moments.append(clock.due_at - timedelta(seconds=clock.warnings_left[0]))
        if clock.breached_at is None:
            moments.append(clock.due_at)
    if clock.supervise_at is not None:
        moments.append(clock.supervise_at)
    return min(moments) if moments else None


# --- What the consoles hear -------------------------------------------------------------


def clock_payload(clock: ClockInstance) -> dict:
    definition = clock.definition
    return {
        "id": clock.pk,
        "code": definition.code,
        "name": definition.name,
        "state": clock.state,
        "started_at": clock.started_at.isoformat(),
        "due_at": clock.due_at.isoformat(),
        "stopped_at": clock.stopped_at.isoformat() if clock.stopped_at else None,
        "breached_at": clock.breached_at.isoformat() if clock.breached_at else None,
    }


def incident_alert(incident_id: int | None) -> str:
    """The job's alert level from its running clocks: late, at risk, due soon or "".

    The rule of analytics.selectors.with_alert, over one read of the job's
    running clocks: building that annotation for a single job cost the sweep
    more than the rest of an announcement (bench/clocks.py).
    """
    if incident_id is None:
        return ""
    return alert_of(
        ClockInstance.objects.filter(
            incident_id=incident_id, order__isnull=True, stopped_at__isnull=True
        ).only("state", "at_risk_at", "warned_at", "stopped_at")
    )


def alert_of(clocks) -> str:
    """The worst alert level of a job's clocks (those stopped count for nothing)."""
    levels = set()
    for clock in clocks:
        if clock.stopped_at is not None:
            continue
        if clock.state == ClockState.BREACHED:
            levels.add(Alert.BREACHED)
        elif clock.state == ClockState.RUNNING:
            if clock.at_risk_at is not None:
                levels.add(Alert.AT_RISK)
            if clock.warned_at is not None:
                levels.add(Alert.WARNING)
    return next((alert.value for alert in Alert if alert in levels), "")  # worst first


def clock_announce(clock: ClockInstance, kind: str, extra: dict | None = None) -> Event:
    """Record a `clock.*` event on the clock's job (or order), in the caller's transaction."""
    payload = {"clock": clock_payload(clock), **(extra or {})}
    if clock.order_id:
        order = clock.order
        return event_record(
            kind=kind,
            subject=order,
            payload={"number": order.number, "incident": order.incident_id, **payload},
            station_id=clock.station_id,
            post_id=clock.post_id,
            street_id=clock.street_id,
        )
    incident = clock.incident
    payload["alert"] = incident_alert(incident.pk)
    return incident_event(incident=incident, kind=kind, payload=payload)


# --- Sweep ---------------------------------------------------------------------------


def clocks_sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Act on every clock whose next check has come; returns how many were handled."""
    now = now or timezone.now()
    due = list(
        ClockInstance.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return 0
    handled = 0
    for pk in due:
        with transaction.atomic():
            # Compare-and-set: a worker that got here first holds or has moved it.
            clock = (
                ClockInstance.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("definition", "incident", "order")
                .filter(pk=pk, next_check_at__lte=now)
                .first()
            )
            if clock is None:
                continue
            announcements = _check(clock, clock.definition, now)
            # Saved first: each event carries the job's alert level as it now stands.
            clock.next_check_at = _next_check(clock)
            clock.save()
            for kind, extra in announcements:
                clock_announce(clock, kind, extra)
            handled += 1
    return handled


def _check(clock: ClockInstance, definition: ClockDefinition, now: datetime) -> list:
    """Move `clock` on to `now`; returns the events to announce, as (kind, extra)."""
    active = definition.active  # a deactivated clock runs out silently
    fresh = now - clock.due_at <= ANNOUNCE_WITHIN
    announcements = []
    if clock.stopped_at is None and clock.warnings_left:
        passed = [s for s in clock.warnings_left if clock.due_at - timedelta(seconds=s) <= now]
        clock.warnings_left = [s for s in clock.warnings_left if s not in passed]
        if passed and now < clock.due_at:
            clock.warned_at = now
            announcements.append(("clock.warning", {"seconds_left": min(passed)}))
    if clock.stopped_at is None and clock.breached_at is None and now >= clock.due_at:
        clock.breached_at = clock.due_at
        clock.state = ClockState.BREACHED
        clock.warnings_left = []
        if fresh and active:
            clock.breach_announced = True
            _on_breach(clock, definition)
            announcements.append(("clock.breached", None))
        else:
            # Found late (the engine was down, or it read an old log): no alert and no
            # reminder, but an event on the job all the same, so its KPI facts count it.
            announcements.append(("clock.breach_found", None))
    if clock.supervise_at is not None and clock.supervise_at <= now:
        clock.supervise_at = None
        if active:
            _supervise(clock, definition)
    return announcements


def _on_breach(clock: ClockInstance, definition: ClockDefinition) -> None:
    if clock.order_id:
        if definition.escalate:
            order = clock.order
            if order.status != OrderStatus.COMPLETED:
                order_escalate(
                    order_id=order.pk,
                    reason=_("Supervision order %(number)s was not answered in time.")
                    % {"number": order.number},
                )
        return
    if definition.supervise_after_s:
        clock.supervise_at = clock.due_at + timedelta(seconds=definition.supervise_after_s)
    if definition.remind:
        incident = clock.incident
        recipient = _first_line(incident)
        if recipient is not None:
            deadline = clock.supervise_at or end_of_local_day(timezone.now())
            clock.reminder = order_issue_automatic(
                kind=OrderKind.REMINDER,
                recipient=recipient,
                content=_(
                    "Reminder: job %(number)s (%(address)s) is late: “%(clock)s” was due at "
                    "%(due)s. Act on it now and record the reason for the delay."
                )
                % _words(incident, clock),
                deadline=max(deadline, timezone.now() + timedelta(minutes=1)),
                incident_id=incident.pk,
            )


def _words(incident: Incident, clock: ClockInstance) -> dict:
    return {
        "number": incident.number,
        "address": incident.address or "—",
        "clock": clock.definition.name,
        "due": timezone.localtime(clock.due_at).strftime("%H:%M:%S"),
    }


def _first_line(incident: Incident):
    """Who answers for the job first: the street's center, else its post, else its station."""
    if incident.tier == Tier.STREET and incident.governance_center_id:
        return directory.get(GovernanceCenter, incident.governance_center_id)
    if incident.post_id:
        return directory.get(Post, incident.post_id)
    return directory.get(Station, incident.station_id)


def _supervise(clock: ClockInstance, definition: ClockDefinition) -> None:
    """督办: a job still not on scene or settled this long after its breach."""
    incident = clock.incident
    settled = incident.on_scene_at is not None or incident.status in RESOLVED | TERMINAL_STATUSES
    supervised = Order.objects.filter(
        incident=incident, kind=OrderKind.SUPERVISION, completed_at__isnull=True
    ).exists()
    if settled or supervised:  # one open supervision order per job
        return
    if incident.tier == Tier.STREET and incident.governance_center_id:
        recipient = directory.get(GovernanceCenter, incident.governance_center_id)
    else:
        recipient = directory.get(Station, incident.station_id)
    if recipient is None:
        return
    answer = ClockDefinition.objects.filter(
        active=True, subject=ClockSubject.ORDER, order_kind=OrderKind.SUPERVISION
    ).first()
    minutes = (answer.target_other_s if answer and answer.target_other_s else 1800) // 60
    clock.supervision = order_issue_automatic(
        kind=OrderKind.SUPERVISION,
        recipient=recipient,
        content=_(
            "Supervision: job %(number)s (%(address)s) is still not on scene or settled; "
            "“%(clock)s” was due at %(due)s. The station chief answers within %(minutes)d "
            "minutes: what was done, and why it was late."
        )
        % {**_words(incident, clock), "minutes": minutes},
        deadline=timezone.now() + timedelta(minutes=minutes),
        incident_id=incident.pk,
    )


# --- Arrivals at risk -------------------------------------------------------------------


def clocks_watch_arrivals(*, now: datetime | None = None) -> int:
    """`clock.at_risk` for each running on-scene clock whose nearest travelling
    unit will arrive after it is due, with a nearer free unit if there is one."""
    now = now or timezone.now()
    travelling = list(
        Assignment.objects.filter(status__in=TRAVELLING, unit__lat__isnull=False).values_list(
            "incident_id", "unit_id"
        )
    )
    if not travelling:
        return 0
    clocks = list(
        ClockInstance.objects.filter(
            incident_id__in={incident for incident, _unit in travelling},
            order__isnull=True,
            stopped_at__isnull=True,
            state=ClockState.RUNNING,
            at_risk_at__isnull=True,
            definition__at_risk=True,
            definition__active=True,
        ).values_list("pk", "incident_id", "due_at")
    )
    if not clocks:
        return 0
    units = {
        u.pk: u
        for u in Unit.objects.filter(pk__in={unit for _incident, unit in travelling}).only(
            "call_sign", "unit_type", "lat", "lng"
        )
    }
    incidents = {
        i.pk: i for i in Incident.objects.filter(pk__in={c[1] for c in clocks}).only("lat", "lng")
    }
    raised = 0
    for pk, incident_id, due_at in clocks:
        incident = incidents[incident_id]
        on_way = [units[u] for i, u in travelling if i == incident_id and u in units]
        etas = _etas(incident, on_way)
        best = int(np.argmin(etas))
        eta, left = int(etas[best]), (due_at - now).total_seconds()
        if eta <= left:
            continue
        raised += _raise_at_risk(pk, now, on_way[best], eta, left)
    return raised


def _etas(incident: Incident, units: list[Unit]) -> np.ndarray:
    lats = np.fromiter((u.lat for u in units), float, len(units))
    lngs = np.fromiter((u.lng for u in units), float, len(units))
    speeds = np.fromiter((SPEED_M_PER_S[u.unit_type] for u in units), float, len(units))
    return distance_m(incident.lat, incident.lng, lats, lngs) * DETOUR_FACTOR / speeds


def _raise_at_risk(pk: int, now: datetime, unit: Unit, eta: int, left: float) -> int:
    with transaction.atomic():
        if not ClockInstance.objects.filter(pk=pk, at_risk_at__isnull=True).update(at_risk_at=now):
            return 0  # another worker raised it
        clock = ClockInstance.objects.select_related("definition", "incident").get(pk=pk)
        nearer = [
            r
            for r in units_recommend(incident=clock.incident, user=None, limit=1)
            if r.eta_seconds < eta
        ]
        clock.at_risk_detail = {
            "unit": unit.pk,
            "call_sign": unit.call_sign,
            "eta_seconds": eta,
            "seconds_left": max(0, int(left)),
            "suggestion": (
                {
                    "unit": nearer[0].unit_id,
                    "call_sign": nearer[0].call_sign,
                    "eta_seconds": nearer[0].eta_seconds,
                }
                if nearer
                else None
            ),
        }
        clock.save(update_fields=["at_risk_detail"])
        clock_announce(clock, "clock.at_risk", clock.at_risk_detail)
    return 1
