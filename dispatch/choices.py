"""Choice sets of dispatch: assignment steps and orders."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.choices import IncidentStatus


class AssignmentStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    CLEARED = "cleared", _("Cleared")


A = AssignmentStatus
ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.DISPATCHED: frozenset({A.ACKNOWLEDGED, A.EN_ROUTE, A.ON_SCENE, A.CLEARED}),
    A.ACKNOWLEDGED: frozenset({A.EN_ROUTE, A.ON_SCENE, A.CLEARED}),
    A.EN_ROUTE: frozenset({A.ON_SCENE, A.CLEARED}),
    A.ON_SCENE: frozenset({A.CLEARED}),
    A.CLEARED: frozenset(),
}
ACTIVE_ASSIGNMENT_STATUSES = frozenset({A.DISPATCHED, A.ACKNOWLEDGED, A.EN_ROUTE, A.ON_SCENE})

# Incidents that can take (more) units: waiting, accepted by the street, or
# already being worked (reinforcement).
DISPATCHABLE_STATUSES = frozenset(
    {
        IncidentStatus.RECEIVED,
        IncidentStatus.RETURNED,
        IncidentStatus.ACCEPTED,
        IncidentStatus.DISPATCHED,
        IncidentStatus.ON_SCENE,
    }
)


class OrderKind(models.TextChoices):
    INSTRUCTION = "instruction", _("Instruction (指令)")
    # Issued by the clocks (analytics): a breach reminds, a job still late is supervised.
    REMINDER = "reminder", _("Reminder (提示单)")
    SUPERVISION = "supervision", _("Supervision order (督办令)")


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    COMPLETED = "completed", _("Feedback received")


ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.ISSUED: frozenset({OrderStatus.ACKNOWLEDGED, OrderStatus.COMPLETED}),
    OrderStatus.ACKNOWLEDGED: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.COMPLETED: frozenset(),
}


class ReferralStatus(models.TextChoices):
    """转办: a job referred by a street center to a partner department, and its answer."""

    REFERRED = "referred", _("Referred, not yet accepted")
    ACCEPTED = "accepted", _("Accepted by the department")
    HANDLED = "handled", _("Handled by the department")
    # Not its responsibility: back with the street center, with the reason.
    DECLINED = "declined", _("Not its responsibility")
    POLICE_NEEDED = "police_needed", _("Needs the police")
    # The street closed the job (or referred it elsewhere) before the department answered.
    WITHDRAWN = "withdrawn", _("Withdrawn")


RS = ReferralStatus
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    RS.REFERRED: frozenset({RS.ACCEPTED, RS.HANDLED, RS.DECLINED, RS.POLICE_NEEDED, RS.WITHDRAWN}),
    RS.ACCEPTED: frozenset({RS.HANDLED, RS.DECLINED, RS.POLICE_NEEDED, RS.WITHDRAWN}),
    RS.HANDLED: frozenset(),
    RS.DECLINED: frozenset(),
    RS.POLICE_NEEDED: frozenset(),
    RS.WITHDRAWN: frozenset(),
}
OPEN_REFERRAL_STATUSES = frozenset({RS.REFERRED, RS.ACCEPTED})
# The partner's answers, in the order a later one can't undo an earlier one.
REFERRAL_ANSWERS = frozenset({RS.HANDLED, RS.DECLINED, RS.POLICE_NEEDED})
