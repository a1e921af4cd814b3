"""Choice sets of the clocks: where a clock starts and stops, its states, its due rule."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockSubject(models.TextChoices):
    INCIDENT = "incident", _("Job")
    ORDER = "order", _("Order")


class ClockPoint(models.TextChoices):
    """A moment in the event log a clock starts or stops at."""

    RECEIVED = "received", _("Call received (or back with the police)")
    DISPATCHED = "dispatched", _("First unit dispatched")
    ACKNOWLEDGED = "acknowledged", _("Unit acknowledged")
    EN_ROUTE = "en_route", _("Unit en route")
    ON_SCENE = "on_scene", _("First unit (or street staff) on scene")
    DIVERTED = "diverted", _("Diverted to the street")
    ACCEPTED = "accepted", _("Accepted by the street")
    RESOLVED = "resolved", _("Resolved, settled or referred")
    CLOSED = "closed", _("Closed")
    # The referral loop (dispatch.referrals): a partner department's own clocks.
    REFERRED_TO_PARTNER = "referred_partner", _("Referred to a partner department")
    REFERRAL_ACCEPTED = "referral_accepted", _("Accepted (or answered) by the department")
    REFERRAL_ANSWERED = "referral_answered", _("Answered by the department")
    ORDER_ISSUED = "order_issued", _("Order issued")
    ORDER_ACKNOWLEDGED = "order_acknowledged", _("Order acknowledged")
    ORDER_ANSWERED = "order_answered", _("Order answered (feedback)")


P = ClockPoint

# The events each point is read from. A later step counts for an earlier one
# the unit skipped (a unit may go en route without acknowledging first).
POINT_EVENTS: dict[str, frozenset[str]] = {
    # A call routed to the street at intake is received as diverted; a job the
    # street returned, or a call unlinked from the one it repeated, is waiting
    # for the police again: its police clocks start afresh (the tier filters
    # which clocks a point starts).
    P.RECEIVED: frozenset(
        {
            "incident.received",
            "incident.diverted",
            "incident.returned",
            "incident.unlinked",
            # A partner department found it a police matter: back in the police queue.
            "referral.police_needed",
        }
    ),
    P.DISPATCHED: frozenset({"incident.dispatched"}),
    P.ACKNOWLEDGED: frozenset(
        {
            "assignment.acknowledged",
            "assignment.en_route",
            "assignment.on_scene",
            "incident.on_scene",
        }
    ),
    P.EN_ROUTE: frozenset({"assignment.en_route", "assignment.on_scene", "incident.on_scene"}),
    P.ON_SCENE: frozenset({"incident.on_scene"}),
    P.DIVERTED: frozenset({"incident.diverted"}),
    P.ACCEPTED: frozenset({"incident.accepted"}),
    P.RESOLVED: frozenset({"incident.resolved", "incident.settled", "incident.referred"}),
    P.CLOSED: frozenset({"incident.closed"}),
    # Only a referral to a partner department starts these (analytics.engine._applies).
    P.REFERRED_TO_PARTNER: frozenset({"incident.referred"}),
    P.REFERRAL_ACCEPTED: frozenset(
        {"referral.accepted", "referral.handled", "referral.declined", "referral.police_needed"}
    ),
    P.REFERRAL_ANSWERED: frozenset(
        {"referral.handled", "referral.declined", "referral.police_needed"}
    ),
    P.ORDER_ISSUED: frozenset({"order.issued"}),
    P.ORDER_ACKNOWLEDGED: frozenset({"order.acknowledged", "order.completed"}),
    P.ORDER_ANSWERED: frozenset({"order.completed"}),
}
ORDER_POINTS = frozenset({P.ORDER_ISSUED, P.ORDER_ACKNOWLEDGED, P.ORDER_ANSWERED})
PARTNER_POINTS = frozenset({P.REFERRED_TO_PARTNER})
# A job's clock stopping before its resolution is void once the job is
# resolved without it (handled by phone: no unit ever went).
BEFORE_RESOLUTION = frozenset(
    {P.DISPATCHED, P.ACKNOWLEDGED, P.EN_ROUTE, P.ON_SCENE, P.DIVERTED, P.ACCEPTED}
)


class DueRule(models.TextChoices):
    AFTER_START = "after_start", _("Target after the start")
    END_OF_DAY = "end_of_day", _("End of the local day (日清日结)")
    # The time the start event names: a referral's "to be handled by" (expected_at).
    EXPECTED = "expected", _("The time the referral gives (expected_datetime)")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    EXCUSED = "excused", _("Breach excused")
    CANCELLED = "cancelled", _("Void (the job ended otherwise)")


# Alert levels of a job on the map and in the queues, from its clocks: the
# worst of its clocks still running.
class Alert(models.TextChoices):
    BREACHED = "breached", _("Late")
    AT_RISK = "at_risk", _("At risk")
    WARNING = "warning", _("Due soon")


class CallbackState(models.TextChoices):
    PENDING = "pending", _("To call back")
    DONE = "done", _("Done")


class CallbackResult(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASIC = "basic", _("Basically satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")
    UNREACHED = "unreached", _("Not reached (未接通)")
    REFUSED = "refused", _("Declined (拒访)")


# The replies satisfaction is computed over (未接通 and 拒访 are no reply).
VALID_REPLIES = frozenset(
    {CallbackResult.SATISFIED, CallbackResult.BASIC, CallbackResult.UNSATISFIED}
)


class ScoringTier(models.TextChoices):
    VETO = "veto", _("Veto (一票否决)")
    BASE = "base", _("Pass/fail base item (达标)")
    STRETCH = "stretch", _("Weighted stretch item (加分)")


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("at least the threshold")
    AT_MOST = "at_most", _("at most the threshold")


class ReportKind(models.TextChoices):
    DAILY = "daily", _("Daily report (日报)")
    WEEKLY = "weekly", _("Weekly report (周报)")
    ADHOC = "adhoc", _("Ad-hoc report")
