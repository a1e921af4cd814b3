"""A job's clocks as the job panel shows them: their state, the delay reason
the unit or station gives, the excusal a supervisor grants (the forms post
to consoles.jobs, the services are analytics.services)."""

from django.utils import timezone

from analytics.choices import ClockState
from analytics.engine import alert_of
from analytics.models import DelayReason
from analytics.selectors import job_clocks
from analytics.services import LATE_STATES, may_excuse, may_explain_delay


def duration(seconds: int) -> str:
    """m:ss (h:mm:ss past an hour), the way an estimate is read out on the radio."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _at_risk(clock) -> dict | None:
    """What the at-risk warning said, in the panel's words (while the clock runs)."""
    detail = clock.at_risk_detail
    if not clock.at_risk_at or clock.stopped_at is not None or not detail:
        return None
    suggestion = detail.get("suggestion")
    return {
        "call_sign": detail.get("call_sign", ""),
        "eta": duration(detail.get("eta_seconds", 0)),
        "left": duration(detail.get("seconds_left", 0)),
        "suggestion": suggestion["call_sign"] if suggestion else "",
        "suggestion_eta": duration(suggestion["eta_seconds"]) if suggestion else "",
    }


def clock_context(user, incident) -> dict:
    """The panel's clocks, the job's alert level, and the time the arrival clock has left."""
    clocks = job_clocks(incident)
    supervisor = may_excuse(user)
    rows = [
        {
            "clock": clock,
            "running": clock.stopped_at is None,
            "late": clock.state in LATE_STATES,
            "may_explain": clock.state in LATE_STATES and may_explain_delay(user, clock),
            "may_excuse": supervisor and clock.state == ClockState.BREACHED,
            "at_risk": _at_risk(clock),
        }
        for clock in clocks
    ]
    arrival = [
        c
        for c in clocks
        if c.stopped_at is None and c.definition.at_risk and c.state == ClockState.RUNNING
    ]
    return {
        "clock_rows": rows,
        "job_alert": alert_of(clocks),
        "delay_reasons": list(DelayReason.objects.filter(active=True))
        if any(row["may_explain"] for row in rows)
        else [],
        # A unit whose drive time exceeds this would arrive late.
        "arrival_left": int((arrival[0].due_at - timezone.now()).total_seconds())
        if arrival
        else None,
    }
