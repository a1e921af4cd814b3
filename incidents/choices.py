"""Choice sets of call intake: sources, tiers, routing targets, kinds and the incident lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    POLICE = "police", _("Police matter")
    NON_POLICE = "non_police", _("Non-police matter")
    INVALID = "invalid", _("Invalid call")


class Linkage(models.TextChoices):
    """联动: the emergency service a call is also handed to."""

    FIRE = "119", _("119 fire and rescue")
    MEDICAL = "120", _("120 emergency medical")


class Source(models.TextChoices):
    PHONE_110 = "phone_110", _("110 phone call")
    SENSOR_ALARM = "sensor_alarm", _("Sensor alarm")
    PARTNER_API = "partner_api", _("Partner department")
    WALK_IN = "walk_in", _("Walk-in")
    STREET_TRANSFER = "street_transfer", _("Transferred by a street")


class Tier(models.TextChoices):
    POLICE = "police", _("Police")
    STREET = "street", _("Street governance center")
    INVALID = "invalid", _("Invalid")


# The tiers a job is worked in (an invalid call is no one's job).
JOB_TIERS = Tier.choices[:2]


class RoutingTarget(models.TextChoices):
    POST_OR_STATION = "post_or_station", _("Covering post, else its station")
    STATION = "station", _("Covering station")
    GOVERNANCE_CENTER = "governance_center", _("Street governance center")
    COMMAND_CENTER = "command_center", _("Bureau command center")


class Priority(models.IntegerChoices):
    URGENT = 1, _("1 – urgent")
    HIGH = 2, _("2 – high")
    NORMAL = 3, _("3 – normal")
    LOW = 4, _("4 – low")


class IncidentStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ON_SCENE = "on_scene", _("On scene")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    DIVERTED = "diverted", _("Diverted to street")
    ACCEPTED = "accepted", _("Accepted by street")
    REFERRED = "referred", _("Referred")
    RETURNED = "returned", _("Returned to police")
    LINKED = "linked", _("Linked to an open incident")
    CANCELLED = "cancelled", _("Cancelled")
    INVALID = "invalid", _("Invalid")
    TRANSFERRED = "transferred", _("Transferred")


S = IncidentStatus

# The one table of allowed transitions. Anything else is refused with 409.
TRANSITIONS: dict[str, frozenset[str]] = {
    # 移交: a job for another district or agency leaves before any unit is sent.
    S.RECEIVED: frozenset(
        {S.DISPATCHED, S.DIVERTED, S.RESOLVED, S.CANCELLED, S.INVALID, S.TRANSFERRED}
    ),
    S.RETURNED: frozenset(
        {S.DISPATCHED, S.DIVERTED, S.RESOLVED, S.CANCELLED, S.INVALID, S.TRANSFERRED}
    ),
    # Street jobs may also be referred or returned after staff were sent.
    S.DISPATCHED: frozenset({S.ON_SCENE, S.RESOLVED, S.CANCELLED, S.REFERRED, S.RETURNED}),
    S.ON_SCENE: frozenset({S.RESOLVED, S.REFERRED, S.RETURNED}),
    S.RESOLVED: frozenset({S.CLOSED}),
    S.DIVERTED: frozenset({S.ACCEPTED, S.RETURNED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.DISPATCHED, S.RESOLVED, S.REFERRED, S.RETURNED}),
    S.REFERRED: frozenset({S.CLOSED}),
    S.LINKED: frozenset({S.RECEIVED, S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
    S.INVALID: frozenset(),
    S.TRANSFERRED: frozenset(),
}

# A partner department's answer to a job referred to it (dispatch.referrals): handled
# (the street then closes it with feedback), not its responsibility (back with the
# street center), or a police matter (back to the police queue). Only the department
# moves a referred job this way; the street's own actions keep TRANSITIONS.
REFERRAL_ANSWER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REFERRED: frozenset({S.RESOLVED, S.ACCEPTED, S.RETURNED}),
}

# The status groups every list, page, map and SQL function uses: defined here
# only. The browser gets them through `consoles.vocabulary`, the intake SQL
# function through its migration (a test holds them together).

# Waiting for police units to be sent: the dispatcher's queue.
AWAITING_DISPATCH = frozenset({S.RECEIVED, S.RETURNED})
# Units are on it.
IN_PROGRESS = frozenset({S.DISPATCHED, S.ON_SCENE})
# Waiting on the street's governance center.
WITH_STREET = frozenset({S.DIVERTED, S.ACCEPTED})
# Still with the street: the street console's queue (street tier only).
STREET_QUEUE = WITH_STREET | IN_PROGRESS
# Finished by the street, shown in its recent list.
STREET_FINISHED = frozenset({S.RESOLVED, S.REFERRED, S.RETURNED, S.CLOSED})
# Being worked on: on the live map and in the station's open jobs.
LIVE_STATUSES = AWAITING_DISPATCH | IN_PROGRESS | WITH_STREET
# Still needing someone to act: a repeat call is matched only against these
# (a referred job is still open until the partner's answer closes it).
OPEN_STATUSES = LIVE_STATUSES | {S.REFERRED}
TERMINAL_STATUSES = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


class RevealPurpose(models.TextChoices):
    """Why a caller's number and name are shown unmasked (kept in the access record)."""

    CONTACT = "contact", _("Call the caller back")
    VERIFY = "verify", _("Verify the call")
    FOLLOW_UP = "follow_up", _("Follow-up visit (回访)")
    OTHER = "other", _("Other")
