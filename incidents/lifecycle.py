"""The one place an incident changes state.

Every change takes the incident's row lock, checks the transition table,
stamps its clock (commandcenter.lifecycle) and appends its event, all in the
caller's transaction.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from commandcenter.directory import directory
from commandcenter.lifecycle import transition_apply
from commandcenter.models import Event, GovernanceCenter, Post, Station, Street
from commandcenter.services import event_record
from incidents.choices import TRANSITIONS, IncidentStatus
from incidents.models import Incident, IncidentCategory
from patrol.models import PatrolZone

# Which clock each state stamps the first time it is reached.
STAMPS = {
    IncidentStatus.DISPATCHED: "dispatched_at",
    IncidentStatus.ON_SCENE: "on_scene_at",
    IncidentStatus.DIVERTED: "diverted_at",
    IncidentStatus.ACCEPTED: "accepted_at",
    IncidentStatus.RESOLVED: "resolved_at",
    IncidentStatus.REFERRED: "resolved_at",
    IncidentStatus.CLOSED: "closed_at",
    IncidentStatus.CANCELLED: "closed_at",
    IncidentStatus.INVALID: "closed_at",
    IncidentStatus.TRANSFERRED: "closed_at",
}


def incident_lock(incident_id: int) -> Incident:
    """Fetch an incident for change, holding its row lock until commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("incident_lock must run inside a transaction")
    try:
        return Incident.objects.select_for_update().get(pk=incident_id)
    except Incident.DoesNotExist:
        raise Incident.DoesNotExist(_("No such incident.")) from None


# The description travels in events shortened: enough for a list row.
PAYLOAD_DESCRIPTION_CHARS = 120


def directory_name(model, pk) -> str | None:
    """The name of a reference row from the in-process directory, None if there is none."""
    row = directory.get(model, pk)
    return row.name if row else None


def incident_payload(incident: Incident) -> dict:
    """What a live map or a console needs to show the job without asking again.

    The intake function (incidents/intake_sql.py) builds the same for the
    original of a repeat call; a test holds the two together.
    """
    return {
        "number": incident.number,
        "status": incident.status,
        "tier": incident.tier,
        "category": directory.get(IncidentCategory, incident.category_id).code,
        "category_name": directory_name(IncidentCategory, incident.category_id),
        "priority": incident.priority,
        "lat": incident.lat,
        "lng": incident.lng,
        "received_at": incident.received_at.isoformat(),
        # 城区五分钟、城郊十分钟: the arrival clock depends on the zone's class.
        "area_class": getattr(directory.get(PatrolZone, incident.zone_id), "area_class", None),
        "address": incident.address,
        "description": incident.description[:PAYLOAD_DESCRIPTION_CHARS],
        "station_name": directory_name(Station, incident.station_id),
        "post_name": directory_name(Post, incident.post_id),
        "street_name": directory_name(Street, incident.street_id),
        "governance_center_name": directory_name(GovernanceCenter, incident.governance_center_id),
        "routing_reason": incident.routing_reason,
        "call_count": incident.call_count,
        "out_of_jurisdiction": incident.out_of_jurisdiction,
    }


def incident_location(incident: Incident) -> dict:
    """Where an incident's events go: its station and post, and its street
    only for a job that was diverted to it."""
    return {
        "station_id": incident.station_id,
        "post_id": incident.post_id,
        "street_id": incident.street_id if incident.diverted_at else None,
    }


def incident_event(
    *, incident: Incident, kind: str, actor=None, payload: dict | None = None
) -> Event:
    """Record an event about `incident`, located where the incident is."""
    return event_record(
        kind=kind,
        subject=incident,
        actor=actor,
        payload={**incident_payload(incident), **(payload or {})},
        **incident_location(incident),
    )


def incident_transition(
    *,
    incident: Incident,
    target: str,
    actor,
    kind: str,
    reason: str = "",
    payload: dict | None = None,
    changes: dict | None = None,
    table: dict[str, frozenset[str]] = TRANSITIONS,
) -> Event:
    """Move a locked incident to `target`, apply `changes`, and record `kind`.

    `table` is the transition table the move is checked against: TRANSITIONS,
    or a narrower one of a particular actor (REFERRAL_ANSWER_TRANSITIONS)."""
    previous = transition_apply(
        incident,
        target=target,
        table=table,
        statuses=IncidentStatus,
        refusal=_("Incident %(number)s is %(current)s and cannot become %(target)s."),
        details={"number": incident.number},
        stamps=STAMPS,
        changes={"status_reason": reason, **(changes or {})},
    )
    return incident_event(
        incident=incident,
        kind=kind,
        actor=actor,
        payload={"from": previous, **({"reason": reason} if reason else {}), **(payload or {})},
    )
