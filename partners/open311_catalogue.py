"""What Open311 tells partners about services, as data: the attributes some
non-police categories ask for (service_definition), the status vocabulary of
the updates feed (FixMyStreet's names) and the constants of the endpoint.

A category listed in SERVICE_ATTRIBUTES has `metadata: true` in `services`, and
its attributes are checked when a request is filed (partners.open311_services).
A category's code is its Open311 service_code; add a category's attributes
here, not in the views.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-15T00:00:00+08:00"
FORMATS = ("text/xml", "application/json")
# The spec's default window and size of a requests list, and our page size cap.
WINDOW_DAYS = 90
DEFAULT_LIMIT = 1000
MAX_PAGE_SIZE = 1000
DESCRIPTION_MAX = 4000


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    description: object  # a lazy translation
    required: bool = False
    order: int = 1
    values: tuple[tuple[str, object], ...] = field(default_factory=tuple)
    datatype_description: object = ""


SERVICE_ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    # 投诉: what the complaint is about decides the department it is referred to.
    "complaint": (
        Attribute(
            code="subject",
            datatype="singlevaluelist",
            description=_("What the complaint is about"),
            required=True,
            values=(
                ("street_vending", _("Street vending on the pavement")),
                ("noise", _("Noise")),
                ("illegal_building", _("Illegal building")),
                ("sanitation", _("Litter and sanitation")),
                ("other", _("Something else")),
            ),
        ),
    ),
    # 邻里纠纷: the usual causes, for the mediator sent.
    "neighbour_dispute": (
        Attribute(
            code="cause",
            datatype="singlevaluelist",
            description=_("What the neighbours disagree about"),
            required=True,
            values=(
                ("noise", _("Noise")),
                ("water_leak", _("Water leaking from above")),
                ("shared_space", _("Use of a shared space")),
                ("other", _("Something else")),
            ),
        ),
    ),
    # 消费纠纷: the merchant and the sum, for market regulation.
    "consumer_dispute": (
        Attribute(
            code="merchant",
            datatype="string",
            description=_("The merchant's name"),
            required=True,
        ),
        Attribute(
            code="amount",
            datatype="number",
            description=_("The sum in dispute, in yuan"),
            order=2,
            datatype_description=_("A number, e.g. 120.50"),
        ),
    ),
    # 开锁求助: a locksmith is sent for a home, the traffic police for a car.
    "lockout": (
        Attribute(
            code="lock",
            datatype="singlevaluelist",
            description=_("What is locked"),
            required=True,
            values=(
                ("home", _("A home")),
                ("vehicle", _("A vehicle")),
                ("other", _("Something else")),
            ),
        ),
    ),
    # 寻物求助: the item, in the finder's words.
    "lost_item": (
        Attribute(
            code="item",
            datatype="text",
            description=_("What was lost, and where it was last seen"),
        ),
    ),
}


# --- Status vocabulary ---------------------------------------------------------------------
# The updates feed uses FixMyStreet's names (its client maps them lower-cased, "_" as " ").
OPEN, CLOSED = "OPEN", "CLOSED"
IN_PROGRESS, INVESTIGATING, ACTION_SCHEDULED = "IN_PROGRESS", "INVESTIGATING", "ACTION_SCHEDULED"
FIXED, NOT_RESPONSIBLE, INTERNAL_REFERRAL = "FIXED", "NOT_RESPONSIBLE", "INTERNAL_REFERRAL"

# The referral loop's events, as the feed names them; every other status change of a
# job is OPEN or CLOSED by the job's status after it.
REFERRAL_UPDATE_STATUS = {
    "referral.accepted": IN_PROGRESS,
    "referral.progress": IN_PROGRESS,
    "referral.handled": FIXED,
    "referral.declined": NOT_RESPONSIBLE,
    "referral.police_needed": INTERNAL_REFERRAL,
}
# The job's own events that change its status (incident.reinforced and
# incident.repeat_call do not; they are left out of the feed).
STATUS_EVENT_KINDS = (
    "incident.received",
    "incident.diverted",
    "incident.invalidated",
    "incident.linked",
    "incident.unlinked",
    "incident.dispatched",
    "incident.on_scene",
    "incident.resolved",
    "incident.settled",
    "incident.accepted",
    "incident.referred",
    "incident.returned",
    "incident.transferred",
    "incident.cancelled",
    "incident.closed",
)
UPDATE_EVENT_KINDS = STATUS_EVENT_KINDS + tuple(REFERRAL_UPDATE_STATUS)

# What a department's system may post, and the referral step each becomes
# (partners.open311_services.partner_update_receive). FixMyStreet's own names
# for the same (NOT_COUNCILS_RESPONSIBILITY, CLOSED as fixed) are taken too.
POSTED_STATUS_STEP = {
    IN_PROGRESS: "progress",
    INVESTIGATING: "progress",
    ACTION_SCHEDULED: "progress",
    FIXED: "handled",
    CLOSED: "handled",
    NOT_RESPONSIBLE: "declined",
    "NOT_COUNCILS_RESPONSIBILITY": "declined",
    INTERNAL_REFERRAL: "police_needed",
}
