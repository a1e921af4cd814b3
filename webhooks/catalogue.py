"""The event types an endpoint may subscribe to, and which of them a user may have.

Types are the kinds of the event log (`referral.accepted`) or a whole family
(`referral.*`). A family whose events are about a call (警情) reaches whoever
sees the call (a partner: the calls referred to it or filed by it); the others
are located events (an order, an alarm, a missing-person case), which reach the
users working where they happened, never a partner.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from commandcenter.access import NO_SCOPE, scope_of

INCIDENT_SUBJECT = "incidents.incident"


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    kinds: tuple[str, ...]
    # Events about a call: visible by the call; otherwise by where they happened.
    about_incident: bool


FAMILIES = (
    Family(
        "incident",
        _("Calls (警情): received, dispatched, on scene, resolved, closed …"),
        (
            "incident.received",
            "incident.linked",
            "incident.repeat_call",
            "incident.dispatched",
            "incident.reinforced",
            "incident.on_scene",
            "incident.diverted",
            "incident.accepted",
            "incident.referred",
            "incident.returned",
            "incident.transferred",
            "incident.resolved",
            "incident.settled",
            "incident.closed",
            "incident.cancelled",
            "incident.invalidated",
            "incident.unlinked",
        ),
        True,
    ),
    Family(
        "referral",
        _("Referrals (转办) to partner departments; incident.referred starts one"),
        (
            "incident.referred",
            "referral.accepted",
            "referral.progress",
            "referral.handled",
            "referral.declined",
            "referral.police_needed",
        ),
        True,
    ),
    Family(
        "assignment",
        _("Units' steps on a call: acknowledged, en route, on scene, cleared"),
        (
            "assignment.acknowledged",
            "assignment.en_route",
            "assignment.on_scene",
            "assignment.cleared",
        ),
        True,
    ),
    Family(
        "order",
        _("Orders (指令): issued, acknowledged, completed, overdue, escalated"),
        (
            "order.issued",
            "order.acknowledged",
            "order.completed",
            "order.overdue",
            "order.escalated",
        ),
        False,
    ),
    Family(
        "alarm",
        _("Smart-site alarms: raised, attached, made a call, dismissed …"),
        ("alarm.raised", "alarm.attached", "alarm.incident", "alarm.dismissed", "alarm.suppressed"),
        False,
    ),
    Family(
        "missing",
        _("Missing-person cases (走失人员): reported, sighted, found, closed"),
        ("missing.reported", "missing.sighted", "missing.found", "missing.closed"),
        False,
    ),
)
FAMILY_BY_NAME = {family.name: family for family in FAMILIES}
WILDCARD = ".*"


def family_of(event_type: str) -> Family | None:
    """The family of a kind or of a `family.*` pattern, if it is one we send."""
    return FAMILY_BY_NAME.get(event_type.split(".", 1)[0])


def families_for(user) -> list[Family]:
    """The families `user` may subscribe to: every call family for anyone with a
    scope; located families for those who work somewhere (not partners)."""
    scope = scope_of(user)
    if scope is NO_SCOPE:
        return []
    located = scope.district_wide or bool(scope.station_id or scope.post_id or scope.street_id)
    return [family for family in FAMILIES if family.about_incident or located]


def is_known(event_type: str) -> bool:
    family = family_of(event_type)
    if family is None:
        return False
    return event_type == family.name + WILDCARD or event_type in family.kinds


def out_of_reach(user, event_types: list[str]) -> list[str]:
    """The types of `event_types` that `user` may not subscribe to (or that do not exist)."""
    allowed = {family.name for family in families_for(user)}
    return [t for t in event_types if not is_known(t) or family_of(t).name not in allowed]


def matches(event_types: list[str], kind: str) -> bool:
    """Does a subscription to `event_types` take an event of `kind`?"""
    for pattern in event_types:
        if pattern == kind:
            return True
        if pattern.endswith(WILDCARD):
            family = FAMILY_BY_NAME.get(pattern[: -len(WILDCARD)])
            # A family takes its own kinds, and those named in it (incident.referred
            # opens a referral, so `referral.*` takes it too).
            if kind.startswith(pattern[:-1]) or (family is not None and kind in family.kinds):
                return True
    return False


def sendable_kind(kind: str) -> bool:
    return family_of(kind) is not None
