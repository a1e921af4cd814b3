"""Reads of incidents: scoped lists, the queues and the timeline."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from commandcenter.access import visible
from commandcenter.directory import directory
from commandcenter.models import Event
from incidents.categories import categories_in_tree_order
from incidents.choices import (
    AWAITING_DISPATCH,
    IN_PROGRESS,
    OPEN_STATUSES,
    STREET_FINISHED,
    STREET_QUEUE,
    Tier,
)
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.permissions import (
    ACTOR_ORG_UNITS,
    actor_as_org_unit,
    mask_personal_text,
    sees_text_masked,
)

# Every queue: priority 1 (urgent) first, then the longest waiting.
QUEUE_ORDER = ("priority", "received_at", "id")


def incident_list(*, user) -> QuerySet[Incident]:
    return visible(Incident.objects.select_related("repeat_of"), user)


def active_categories() -> list[IncidentCategory]:
    """The categories a call can be recorded under now, invalid-call reasons included,
    in tree order (each parent before its sub-types)."""
    return categories_in_tree_order()


def dispatch_queue(*, user) -> QuerySet[Incident]:
    """Police jobs waiting for units, most urgent first, then longest waiting."""
    return (
        incident_list(user=user)
        .filter(tier=Tier.POLICE, status__in=AWAITING_DISPATCH)
        .order_by(*QUEUE_ORDER)
    )


def in_progress(*, user) -> QuerySet[Incident]:
    """Police jobs units are working on, most urgent first, then oldest."""
    return (
        incident_list(user=user)
        .filter(tier=Tier.POLICE, status__in=IN_PROGRESS)
        .order_by(*QUEUE_ORDER)
    )


def open_incidents(*, user) -> QuerySet[Incident]:
    return incident_list(user=user).filter(status__in=OPEN_STATUSES).order_by(*QUEUE_ORDER)


def street_queue(*, user) -> QuerySet[Incident]:
    """Diverted jobs of the user's street still with the street, most urgent first."""
    return (
        incident_list(user=user)
        .filter(tier=Tier.STREET, status__in=STREET_QUEUE)
        .order_by(*QUEUE_ORDER)
    )


def street_finished(*, user, since: datetime) -> QuerySet[Incident]:
    """Diverted jobs the street finished (settled, referred, returned, closed) since then."""
    return (
        incident_list(user=user)
        .filter(diverted_at__isnull=False, status__in=STREET_FINISHED, updated_at__gte=since)
        .order_by("-updated_at")
    )


# What the street office counts of its last 24 hours, by the event that says it.
STREET_FIGURE_KINDS = {
    "diverted": "incident.diverted",
    "accepted": "incident.accepted",
    "settled": "incident.settled",
    "returned": "incident.returned",
    "referred": "incident.referred",
}


def street_figures(*, user, since: datetime) -> dict[str, int]:
    """How many jobs the street was sent, accepted, settled, returned and referred
    since then: counted from the event log, so a returned or referred job is never
    counted as settled."""
    counts = dict(
        visible(Event.objects.all(), user)
        .filter(occurred_at__gte=since, kind__in=STREET_FIGURE_KINDS.values())
        .values_list("kind")
        .annotate(n=Count("seq"))
        .values_list("kind", "n")
    )
    return {name: counts.get(kind, 0) for name, kind in STREET_FIGURE_KINDS.items()}


@dataclass(frozen=True)
class CallerHistory:
    """Earlier calls from a number or about an address, and what they say of the caller."""

    calls: list[Incident]
    by_phone: int  # calls from this number in the window
    invalid_by_phone: int  # of which closed as invalid (misdial, prank, silent …)
    repeat_caller: bool
    nuisance_caller: bool


def phone_normalised(phone: str) -> str:
    """A phone number as it is stored and matched: without spaces and dashes."""
    return "".join(character for character in phone if character not in " -")


def caller_history(
    *, user, phone: str = "", address: str = "", now: datetime | None = None
) -> CallerHistory:
    """Calls of the last CALLER_HISTORY_DAYS from this number (exact) or at this address
    (containing the typed text, from CALLER_HISTORY_ADDRESS_MIN_CHARS characters on),
    newest first; a number that called often is a repeat caller, one whose calls were
    often invalid a nuisance caller (thresholds are settings)."""
    phone, address = phone_normalised(phone), address.strip()
    since = (now or timezone.now()) - timedelta(days=settings.CALLER_HISTORY_DAYS)
    condition = Q()
    if len(phone) >= 5:
        condition |= Q(caller_phone=phone)
    if len(address) >= settings.CALLER_HISTORY_ADDRESS_MIN_CHARS:
        condition |= Q(address__icontains=address)
    if not condition:
        return CallerHistory(
            calls=[], by_phone=0, invalid_by_phone=0, repeat_caller=False, nuisance_caller=False
        )
    recent = incident_list(user=user).filter(condition, received_at__gte=since)
    calls = list(
        recent.select_related("category", "result_code", "invalid_reason").order_by("-received_at")[
            : settings.CALLER_HISTORY_LIMIT
        ]
    )
    by_phone = invalid = 0
    if len(phone) >= 5:
        counts = recent.filter(caller_phone=phone).aggregate(
            calls=Count("pk"), invalid=Count("pk", filter=Q(tier=Tier.INVALID))
        )
        by_phone, invalid = counts["calls"], counts["invalid"]
    return CallerHistory(
        calls=calls,
        by_phone=by_phone,
        invalid_by_phone=invalid,
        repeat_caller=by_phone >= settings.REPEAT_CALLER_CALLS,
        nuisance_caller=invalid >= settings.NUISANCE_CALLER_INVALID_CALLS,
    )


# What each event kind says on the timeline; the payload fills the details.
TIMELINE_LABELS = {
    "incident.received": gettext_noop("Call received"),
    "incident.diverted": gettext_noop("Diverted to the street governance center"),
    "incident.linked": gettext_noop("Linked as a repeat call"),
    "incident.repeat_call": gettext_noop("Another call about this incident"),
    "incident.unlinked": gettext_noop("Unlinked: handled as an incident of its own"),
    "incident.invalidated": gettext_noop("Closed as an invalid call"),
    "incident.dispatched": gettext_noop("Units dispatched"),
    "incident.reinforced": gettext_noop("More units dispatched"),
    "assignment.acknowledged": gettext_noop("Unit acknowledged"),
    "assignment.en_route": gettext_noop("Unit en route"),
    "assignment.on_scene": gettext_noop("Unit on scene"),
    "incident.on_scene": gettext_noop("First unit on scene"),
    "assignment.cleared": gettext_noop("Unit cleared"),
    "incident.resolved": gettext_noop("Resolved"),
    "incident.accepted": gettext_noop("Accepted by the governance center"),
    "incident.settled": gettext_noop("Settled by the street"),
    "incident.referred": gettext_noop("Referred"),
    "incident.returned": gettext_noop("Returned to the police"),
    "incident.cancelled": gettext_noop("Cancelled"),
    "incident.closed": gettext_noop("Closed"),
    "incident.transferred": gettext_noop("Transferred to another district or agency"),
    # The referral loop (dispatch.referrals): the partner department's steps.
    "referral.accepted": gettext_noop("Accepted by the department"),
    "referral.progress": gettext_noop("Progress reported by the department"),
    "referral.handled": gettext_noop("Handled by the department"),
    "referral.declined": gettext_noop("Not the department's responsibility: back with the street"),
    "referral.police_needed": gettext_noop("The department asks for the police"),
    # 回访 (analytics/callbacks.py): the caller is asked afterwards.
    "callback.queued": gettext_noop("Queued for a callback"),
    "callback.recorded": gettext_noop("Callback recorded"),
    # The job's clocks (analytics), announced on the job: their name is the detail.
    "clock.warning": gettext_noop("Time limit due soon"),
    "clock.at_risk": gettext_noop("Arrival at risk"),
    "clock.breached": gettext_noop("Time limit breached"),
    "clock.breach_found": gettext_noop("Time limit breached"),
    "clock.stopped": gettext_noop("Time limit stopped"),
    "clock.delay_reason": gettext_noop("Delay reason given"),
    "clock.excused": gettext_noop("Breach excused"),
}


# The street office's own words for the same steps (派遣, not 派警).
STREET_TIMELINE_LABELS = {
    "incident.dispatched": pgettext_lazy("street staff", "Staff sent"),
    "incident.reinforced": pgettext_lazy("street staff", "More staff sent"),
    "assignment.acknowledged": pgettext_lazy("street staff", "Staff took the job"),
    "assignment.en_route": pgettext_lazy("street staff", "Staff on the way"),
    "assignment.on_scene": pgettext_lazy("street staff", "Staff on scene"),
    "incident.on_scene": pgettext_lazy("street staff", "First staff on scene"),
    "assignment.cleared": pgettext_lazy("street staff", "Staff done"),
}


def _label(event: Event, street: bool) -> str:
    if street and event.kind in STREET_TIMELINE_LABELS:
        return str(STREET_TIMELINE_LABELS[event.kind])
    return _(TIMELINE_LABELS.get(event.kind, event.kind))


def _named(key: str, value) -> str:
    """A payload value as a person reads it: result codes and invalid-call reasons by name."""
    if key == "result_code":
        result = directory.by_code(ResultCode, value)
        return result.name if result else str(value)
    return str(value)


def _detail(event: Event, street: bool = False) -> str:
    payload = event.payload
    parts = []
    if isinstance(payload.get("clock"), dict) and payload["clock"].get("name"):
        parts.append(payload["clock"]["name"])
    if "units" in payload:
        parts.append(", ".join(unit["call_sign"] for unit in payload["units"]))
    if "call_sign" in payload:
        parts.append(payload["call_sign"])
    if payload.get("on_behalf") and not street:
        # Not the unit's own terminal: the command center or station clicked the step
        # (street staff always step for their street forces, who have no terminal).
        parts.append(_("on the unit's behalf"))
    if payload.get("linkage"):
        parts.append(_("Handed to %(service)s") % {"service": payload["linkage"]})
    if event.kind.startswith("referral.") and payload.get("department_name"):
        parts.append(payload["department_name"])
    if event.kind == "incident.transferred":
        parts.append(payload["to"])  # a referral names its partner in "reason" already
    for key in (
        "reason",
        "result_code",
        "notes",
        "feedback",
        "repeat",
        "repeat_of",
        "was_repeat_of",
    ):
        if payload.get(key):
            parts.append(_named(key, payload[key]))
    return " · ".join(parts)


def incident_timeline(*, incident: Incident, viewer=None) -> list[dict]:
    """The job's events in order, in words. A partner (`viewer`) reads the
    details with personal numbers masked and the actors as their org units."""
    street = incident.tier == Tier.STREET
    events = (
        Event.objects.filter(subject_type=Incident._meta.label_lower, subject_id=str(incident.pk))
        .select_related(*(f"actor__{org}" for org in ACTOR_ORG_UNITS))
        .order_by("seq")
    )
    masked = sees_text_masked(viewer)
    return [
        {
            "seq": event.seq,
            "time": event.occurred_at,
            "kind": event.kind,
            "label": _label(event, street),
            "detail": mask_personal_text(_detail(event, street))
            if masked
            else _detail(event, street),
            "status": event.payload.get("status"),
            **_actor_fields(event.actor, masked),
        }
        for event in events
    ]


def _actor_fields(actor, masked: bool) -> dict:
    if actor is None:
        return {"actor": None, "actor_name": None}
    if masked:
        org_unit = actor_as_org_unit(actor)
        return {"actor": org_unit, "actor_name": org_unit}
    return {
        "actor": actor.get_username(),
        "actor_name": actor.get_full_name() or actor.get_username(),
    }
