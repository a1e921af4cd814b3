"""警员终端, the officer terminal: a phone-sized page for one unit's officer.

It shows the unit and the job it is on, offers one big button for the next
step (签收 → 出发 → 到场) and, once on scene, the report-back form (反馈:
result code and notes, which resolves the job and frees the unit). Each
button posts to the page and calls one service; a refusal is shown with its
status and nothing changes. The unit's position is sent from the browser
(frontend/static/js/consoles/terminal.js) to the positions API.

Volunteer mode (义警): a volunteer's account works its own volunteer unit. It
starts and ends its duty session here (上岗 / 下岗; its position is sent only
while on duty), takes the same steps on the job it was sent to, and leaves
the scene when done: the job is ended by whoever sent it (the street settles,
the station resolves), so there is no report-back form. A volunteer has no
live stream: the job region is read every 10 s.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from analytics.models import DelayReason
from analytics.selectors import job_clocks
from analytics.services import LATE_STATES, clock_delay_reason
from commandcenter.choices import Role
from commandcenter.exceptions import DomainError
from community.volunteer_selectors import volunteer_of, volunteer_open_session
from community.volunteer_services import volunteer_session_end, volunteer_session_start
from consoles.forms import AdvanceForm
from consoles.shell import console_required, is_htmx
from dispatch.actions import JOB_ACTIONS_BY_NAME
from dispatch.api.serializers import ResolveSerializer
from dispatch.choices import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from dispatch.selectors import unit_current_assignment
from dispatch.services import assignment_advance, incident_resolve
from patrol.choices import UnitStatus
from patrol.selectors import unit_of_officer

A = AssignmentStatus
# The one next step from each step, and the words on its button.
NEXT_STEP = {A.DISPATCHED: A.ACKNOWLEDGED, A.ACKNOWLEDGED: A.EN_ROUTE, A.EN_ROUTE: A.ON_SCENE}
STEP_LABELS = {
    A.ACKNOWLEDGED: _("Acknowledge"),
    A.EN_ROUTE: _("Set off"),
    A.ON_SCENE: _("Arrived"),
}
STEP_DONE = {
    A.ACKNOWLEDGED: _("Job acknowledged."),
    A.EN_ROUTE: _("On the way."),
    A.ON_SCENE: _("On scene."),
    A.CLEARED: _("Left the scene: the unit is free; the other units stay on the job."),
}
# A job outside the officer's station is not on its live stream: read it this often.
OUT_OF_AREA_REFRESH = "every 10s"
# A volunteer has no live stream at all: its job region is read this often.
VOLUNTEER_REFRESH = "every 10s"


def volunteer_context(user, unit) -> dict:
    """Volunteer mode: the member, its team and its open duty session."""
    member = volunteer_of(user)
    session = volunteer_open_session(member) if member else None
    return {
        "volunteer_mode": True,
        "member": member,
        "session": session,
        "on_duty": unit.status != UnitStatus.OFF_DUTY,
        "volunteer_refresh": VOLUNTEER_REFRESH,
    }


def terminal_context(user, unit) -> dict:
    """The unit, its job and what the officer (or volunteer) may do next."""
    unit.refresh_from_db(fields=["status"])  # an action may have just moved it
    volunteer = user.role == Role.VOLUNTEER
    assignment = unit_current_assignment(user=user, unit=unit)
    incident = assignment.incident if assignment else None
    next_step = NEXT_STEP.get(assignment.status) if assignment else None
    on_scene = assignment is not None and assignment.status == A.ON_SCENE
    # 清场 without reporting back: only while other units stay on the job,
    # which the last unit's report-back then resolves.
    others_on_scene = (
        on_scene
        and incident.assignments.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES)
        .exclude(pk=assignment.pk)
        .exists()
    )
    resolve = JOB_ACTIONS_BY_NAME["resolve"]
    result_field = resolve.inputs[0]
    # The job's clocks that ran out with no reason given yet: the unit says why (延误原因).
    late = (
        [
            clock
            for clock in job_clocks(incident)
            if clock.state in LATE_STATES and clock.delay_reason_id is None
        ]
        if incident
        else []
    )
    return {
        **(volunteer_context(user, unit) if volunteer else {"volunteer_mode": False}),
        "late_clocks": late,
        "delay_reasons": list(DelayReason.objects.filter(active=True)) if late else [],
        "console": "terminal",
        "unit": unit,
        "assignment": assignment,
        "incident": incident,
        "next_step": next_step,
        "next_label": STEP_LABELS.get(next_step, ""),
        "on_scene": on_scene,
        # A volunteer leaves the scene when done; an officer only while others stay.
        "may_leave": (on_scene and volunteer) or others_on_scene,
        "may_report": on_scene and not volunteer,
        "cleared": A.CLEARED,
        # The stream carries the officer's station's jobs: another's is read on a timer
        # (a volunteer's region is read on a timer anyway).
        "out_of_area": (
            not volunteer and incident is not None and incident.station_id != user.station_id
        ),
        "out_of_area_refresh": OUT_OF_AREA_REFRESH,
        "result_codes": result_field.options(user, incident) if on_scene and not volunteer else [],
        "position_url": reverse("positions"),
    }


def _render(
    request: HttpRequest,
    unit,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    notice: str = "",
    typed: dict | None = None,
) -> HttpResponse:
    context = {
        **terminal_context(request.user, unit),
        "status": status,
        "errors": errors or [],
        "notice": notice,
        "typed": typed or {},
    }
    template = (
        "consoles/partials/terminal_job.html" if is_htmx(request) else "consoles/terminal.html"
    )
    return render(request, template, context, status=status)


def _error_messages(errors: dict) -> list[str]:
    return [str(message) for field_errors in errors.values() for message in field_errors]


def _step(request: HttpRequest) -> str:
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_error_messages(form.errors))
    target = form.cleaned_data["target"]
    assignment_advance(
        actor=request.user, assignment_id=form.cleaned_data["assignment"], target=target
    )
    return str(STEP_DONE.get(target, _("Unit status recorded.")))


def _report(request: HttpRequest) -> str:
    serializer = ResolveSerializer(data=request.POST)
    if not serializer.is_valid():
        raise ValidationError(_error_messages(serializer.errors))
    incident_id = request.POST.get("incident", "")
    if not incident_id.isdigit():
        raise ValidationError(_("Which job is reported back?"))
    incident_resolve(actor=request.user, incident_id=int(incident_id), **serializer.validated_data)
    return str(_("Reported back: the job is resolved and the unit is free."))


def _delay(request: HttpRequest) -> str:
    clock = request.POST.get("clock", "")
    if not clock.isdigit():
        raise ValidationError(_("Which clock is explained?"))
    clock_delay_reason(
        actor=request.user,
        clock_id=int(clock),
        reason=request.POST.get("reason", ""),
        note=request.POST.get("note", ""),
    )
    return str(_("Delay reason recorded."))


def _volunteer(request: HttpRequest):
    member = volunteer_of(request.user)
    if member is None:
        raise ValidationError(_("Only a volunteer goes on and off duty here."))
    return member


def _on_duty(request: HttpRequest) -> str:
    volunteer_session_start(actor=request.user, member_id=_volunteer(request).pk)
    return str(_("On duty: you may be sent to help. Turn on position reporting."))


def _off_duty(request: HttpRequest) -> str:
    volunteer_session_end(actor=request.user, member_id=_volunteer(request).pk)
    return str(_("Off duty. Thank you for your time."))


ACTIONS = {
    "step": _step,
    "report": _report,
    "delay": _delay,
    "on_duty": _on_duty,
    "off_duty": _off_duty,
}


@require_http_methods(["GET", "POST"])
@console_required("terminal")
def officer_terminal(request: HttpRequest) -> HttpResponse:
    """GET: the terminal (or its job region, for htmx). POST: one action, one service."""
    unit = unit_of_officer(request.user)
    if unit is None:
        return render(request, "consoles/terminal_unbound.html", status=403)
    if request.method == "GET":
        return _render(request, unit)
    action = ACTIONS.get(request.POST.get("action", ""))
    typed = {
        "result_code": request.POST.get("result_code", ""),
        "notes": request.POST.get("notes", ""),
    }
    try:
        if action is None:
            raise ValidationError(_("No such action."))
        done = action(request)
    except ValidationError as error:
        return _render(request, unit, status=400, errors=error.messages, typed=typed)
    except DomainError as error:
        return _render(request, unit, status=error.status_code, errors=[error.message], typed=typed)
    except ObjectDoesNotExist as error:
        return _render(request, unit, status=404, errors=[str(error)], typed=typed)
    if not is_htmx(request):
        messages.success(request, done)
        return redirect("officer-terminal")
    # No HX-Trigger: the region is the page's only listener, and the stream
    # reports the step anyway.
    return _render(request, unit, notice=done)
