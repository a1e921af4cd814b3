"""Writes people make on clocks: a delay reason, an excused breach.

Both are events on the job (`clock.delay_reason`, `clock.excused`); an
excused breach keeps its breach time and stays in every report, marked.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.choices import ClockState
from analytics.engine import clock_announce
from analytics.models import ClockInstance, DelayReason
from commandcenter.access import visible
from commandcenter.choices import TERMINAL_ROLES, Role
from commandcenter.exceptions import ActionForbidden, InvalidTransition
from dispatch.models import Assignment
from incidents.permissions import may_act_as_police, may_act_as_street
from patrol.selectors import unit_of_officer

LATE_STATES = (ClockState.BREACHED, ClockState.EXCUSED)


def _clock_lock(actor, clock_id: int) -> ClockInstance:
    clock = (
        visible(ClockInstance.objects.all(), actor)
        .select_for_update(of=("self",))
        .select_related("definition", "incident")
        .filter(pk=clock_id)
        .first()
    )
    if clock is None:
        raise ClockInstance.DoesNotExist(_("No such clock."))
    return clock


def may_explain_delay(actor, clock: ClockInstance) -> bool:
    """The job's police side or street, or the officer (or volunteer) of a unit sent to it."""
    incident = clock.incident
    if incident is None:
        return False
    if may_act_as_police(actor, incident) or may_act_as_street(actor, incident):
        return True
    if actor.role in TERMINAL_ROLES:
        unit = unit_of_officer(actor)
        return unit is not None and Assignment.objects.filter(incident=incident, unit=unit).exists()
    return False


def may_excuse(actor) -> bool:
    """督导: the command-center supervisor (and administrators) excuse breaches."""
    return actor.is_superuser or actor.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)


@transaction.atomic
def clock_delay_reason(*, actor, clock_id: int, reason: str, note: str = "") -> ClockInstance:
    """延误说明: why a late clock was late, from the table of reasons."""
    clock = _clock_lock(actor, clock_id)
    if not may_explain_delay(actor, clock):
        raise ActionForbidden(_("Only the job's unit, station or street explains its delay."))
    if clock.state not in LATE_STATES:
        raise InvalidTransition(_("Only a late clock takes a delay reason."))
    chosen = DelayReason.objects.filter(code=reason, active=True).first()
    if chosen is None:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    note = (note or "").strip()
    if len(note) > ClockInstance._meta.get_field("delay_note").max_length:
        raise ValidationError({"note": _("At most 300 characters.")})
    clock.delay_reason, clock.delay_note, clock.delay_by = chosen, note, actor
    clock.save(update_fields=["delay_reason", "delay_note", "delay_by"])
    clock_announce(
        clock,
        "clock.delay_reason",
        {"reason": chosen.code, "reason_name": chosen.name, "note": note},
    )
    return clock


@transaction.atomic
def clock_excuse(*, actor, clock_id: int, reason: str) -> ClockInstance:
    """免责: a supervisor excuses a breach with a reason; it stays visible, marked."""
    if not may_excuse(actor):
        raise ActionForbidden(_("Only a command-center supervisor excuses a breach."))
    clock = _clock_lock(actor, clock_id)
    if clock.state != ClockState.BREACHED:
        raise InvalidTransition(_("Only a breached clock can be excused."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the breach is excused.")})
    if len(reason) > ClockInstance._meta.get_field("excuse_reason").max_length:
        raise ValidationError({"reason": _("At most 300 characters.")})
    clock.state = ClockState.EXCUSED
    clock.excused_at, clock.excused_by, clock.excuse_reason = timezone.now(), actor, reason
    clock.save(update_fields=["state", "excused_at", "excused_by", "excuse_reason"])
    clock_announce(clock, "clock.excused", {"reason": reason})
    return clock
