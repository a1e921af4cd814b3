"""The job panel, shared by the dispatcher's and the street office's consoles.

It shows a job and offers the actions of the registry (dispatch/actions.py)
that the user may take; each button posts to `job_action`, which validates
the form with the action's serializer and calls its one service. A refusal
is shown in the panel with its HTTP status, and nothing changes.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from analytics.services import clock_delay_reason, clock_excuse
from commandcenter.exceptions import DomainError
from consoles import dispatcher, street
from consoles.clocks import clock_context
from consoles.clocks import duration as _duration
from consoles.forms import AdvanceForm, OrderIssueForm
from consoles.orders import (
    default_recipient,
    form_errors,
    issue_from_form,
    order_rows,
    recipient_groups,
)
from consoles.shell import console_required, is_htmx, map_config
from dispatch.actions import JOB_ACTIONS_BY_NAME, job_actions_offered
from dispatch.choices import (
    ACTIVE_ASSIGNMENT_STATUSES,
    ASSIGNMENT_TRANSITIONS,
    AssignmentStatus,
)
from dispatch.selectors import incident_assignments, order_inbox, referral_of, units_recommend
from dispatch.services import assignment_advance, may_issue_orders
from incidents.choices import IN_PROGRESS, TERMINAL_STATUSES, RevealPurpose, Tier
from incidents.models import Incident
from incidents.permissions import (
    mask_name,
    mask_phone,
    may_act_as_police,
    may_act_as_street,
    may_see_caller,
)
from incidents.selectors import incident_list, incident_timeline
from incidents.services import caller_reveal
from patrol.choices import UnitType

A = AssignmentStatus
# Assignment steps in the order a unit walks them.
STEP_ORDER = (A.ACKNOWLEDGED, A.EN_ROUTE, A.ON_SCENE, A.CLEARED)
RECOMMENDATION_LIMIT = 10
# The related rows the panel names, joined in one query.
JOB_RELATED = (
    "category",
    "zone",
    "station",
    "post",
    "street",
    "sector",
    "governance_center",
    "routing_rule",
    "repeat_of",
    "result_code",
    "invalid_reason",
    "referred_to",
)
# The consoles that open a job, and how each draws its whole page around it.
CONSOLE_PAGES = {"dispatch": dispatcher.render_console, "street": street.render_console}
COVERING_LABELS = {
    "post": _("Covering post"),
    "station": _("Covering station"),
    "governance_center": _("Own center"),
}
# Why a covering unit ranks higher: the words of its head start.
HEAD_START_LABELS = {
    "post": _("Covering post first"),
    "station": _("Covering station first"),
    "governance_center": _("Own center first"),
}


def _distance(metres: int) -> str:
    return f"{metres} m" if metres < 1000 else f"{metres / 1000:.1f} km"


def _recommendation_row(recommendation, rank: int) -> dict:
    bonus = recommendation.covering_bonus_seconds
    return {
        "rank": rank,
        "unit_id": recommendation.unit_id,
        "call_sign": recommendation.call_sign,
        "name": recommendation.name,
        "unit_type": UnitType(recommendation.unit_type).label,
        "distance": _distance(recommendation.distance_m),
        "eta": _duration(recommendation.eta_seconds),
        "eta_seconds": recommendation.eta_seconds,
        "covering": recommendation.covering,
        "covering_label": COVERING_LABELS.get(recommendation.covering, ""),
        # Why it ranks where it does: drive time less the covering head start.
        "travel": _duration(recommendation.travel_seconds),
        "travel_seconds": recommendation.travel_seconds,
        "covering_bonus_seconds": bonus,
        "head_start": f"−{_duration(bonus)}" if bonus else "",
        "head_start_label": HEAD_START_LABELS.get(recommendation.covering, "") if bonus else "",
        "ranked": _duration(max(recommendation.ranked_seconds, 0)),
        "ranked_seconds": recommendation.ranked_seconds,
        "lat": recommendation.lat,
        "lng": recommendation.lng,
    }


def _job_map(incident: Incident, recommendations: list[dict], assignment_rows: list[dict]) -> dict:
    """What the panel's small map draws (json_script): the job, the units
    recommended for it and the units on it, each with its position and ETA."""
    return {
        **map_config(district=reverse("district")),
        "job": {
            "id": incident.pk,
            "number": incident.number,
            "priority": incident.priority,
            "lat": incident.lat,
            "lng": incident.lng,
        },
        "recommendations": [
            {
                "unit": row["unit_id"],
                "call_sign": row["call_sign"],
                "rank": row["rank"],
                "lat": row["lat"],
                "lng": row["lng"],
                "eta": row["travel"],
                "eta_seconds": row["travel_seconds"],
            }
            for row in recommendations
        ],
        "assignments": [
            {
                "unit": row["assignment"].unit_id,
                "call_sign": row["assignment"].unit.call_sign,
                "status": row["assignment"].status,
                "status_label": row["assignment"].get_status_display(),
                "lat": row["assignment"].unit.lat,
                "lng": row["assignment"].unit.lng,
                "eta": row["eta"],
            }
            for row in assignment_rows
            if row["assignment"].status in ACTIVE_ASSIGNMENT_STATUSES
        ],
    }


def _panel_action(action, user, incident: Incident) -> dict:
    """A registry action as the panel renders it: its words and its fields' options."""
    return {
        "name": action.name,
        "label": action.label,
        "prompt": action.prompt,
        "style": action.style,
        "inputs": [
            {
                "name": field.name,
                "placeholder": field.placeholder,
                "max_length": field.max_length,
                "checkbox": field.checkbox,
                "options": field.options(user, incident) if field.options else None,
            }
            for field in action.inputs
            if field.when is None or field.when(incident)
        ],
    }


def job_context(user, incident: Incident) -> dict:
    """Everything the job panel shows of `incident` to `user`."""
    police = may_act_as_police(user, incident)
    street = may_act_as_street(user, incident)
    offered = job_actions_offered(user, incident)
    names = {action.name for action in offered}
    may_work = police or street
    assignment_rows = [
        {
            "assignment": assignment,
            "eta": _duration(assignment.eta_seconds) if assignment.eta_seconds is not None else "",
            "steps": [s for s in STEP_ORDER if s in ASSIGNMENT_TRANSITIONS[assignment.status]]
            if may_work
            else [],
        }
        for assignment in incident_assignments(user=user, incident=incident)
    ]
    recommendations = (
        [
            _recommendation_row(recommendation, rank)
            for rank, recommendation in enumerate(
                units_recommend(incident=incident, user=user, limit=RECOMMENDATION_LIMIT), start=1
            )
        ]
        if "dispatch" in names
        else []
    )
    return {
        "incident": incident,
        "actions": names,
        "panel_actions": [
            _panel_action(action, user, incident) for action in offered if action.name != "dispatch"
        ],
        "may_act": may_work,
        **caller_context(user, incident),
        "assignment_rows": assignment_rows,
        "timeline": incident_timeline(incident=incident),
        # A job referred to a partner department: where the department's answer stands.
        "referral": referral_of(user=user, incident=incident) if incident.referred_to_id else None,
        "recommendations": recommendations,
        "job_map": _job_map(incident, recommendations, assignment_rows),
        "is_open": incident.status not in TERMINAL_STATUSES,
        # The job's clock runs from the call until it is resolved or closed.
        "clock_stopped_at": incident.resolved_at or incident.closed_at,
        # The clocks (analytics): their rows, the job's alert, the arrival clock's time left.
        **clock_context(user, incident),
        # Units are already on it: more can be sent, the list is folded away.
        "reinforcing": incident.status in IN_PROGRESS,
        # The street office speaks of staff sent, not units dispatched (派遣, not 派警).
        "street_job": incident.tier == Tier.STREET,
        # 指令 about this job: those issued, and the command center's form to issue one.
        "job_orders": order_rows(user, order_inbox(user=user, incident_id=incident.pk)),
        "order_recipient_groups": recipient_groups(user, incident)
        if may_issue_orders(user)
        else [],
        "order_default_recipient": default_recipient(incident),
    }


def render_job(
    request: HttpRequest,
    console: str,
    incident_id: int,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    notice: str = "",
    order_form: OrderIssueForm | None = None,
) -> HttpResponse:
    """The job panel (htmx), or the console page with the job open."""
    incident = get_object_or_404(
        incident_list(user=request.user).select_related(*JOB_RELATED), pk=incident_id
    )
    job = {
        **job_context(request.user, incident),
        "console": console,
        "errors": errors or [],
        "notice": notice,
        "order_form": order_form,
    }
    if is_htmx(request):
        return render(request, "consoles/partials/job.html", job, status=status)
    return CONSOLE_PAGES[console](request, status=status, extra=job)


def _error_messages(errors: dict) -> list[str]:
    return [str(message) for messages_ in errors.values() for message in messages_]


def _advance(*, actor, incident: Incident, data: dict):
    if (
        not incident_assignments(user=actor, incident=incident)
        .filter(pk=data["assignment"])
        .exists()
    ):
        raise Http404(_("No such assignment on this job."))
    return assignment_advance(actor=actor, assignment_id=data["assignment"], target=data["target"])


def _page_input(action_name: str, post) -> dict:
    """The form as the action's serializer reads it. A unit's own dispatch
    button (`unit`) sends that unit alone, whatever else is ticked."""
    if action_name == "dispatch":
        unit = post.get("unit")
        return {"units": [unit] if unit else post.getlist("units")}
    return post


@require_GET
@console_required()
def job_detail(request: HttpRequest, console: str, pk: int) -> HttpResponse:
    return render_job(request, console, pk)


@require_POST
@console_required()
def job_action(request: HttpRequest, console: str, pk: int, action: str) -> HttpResponse:
    """One button of the job panel: one service call, then the panel as it now is."""
    incident = get_object_or_404(incident_list(user=request.user), pk=pk)
    if action == "advance":
        form = AdvanceForm(request.POST)
        if not form.is_valid():
            return render_job(request, console, pk, status=400, errors=_error_messages(form.errors))

        def step() -> str:
            _advance(actor=request.user, incident=incident, data=form.cleaned_data)
            return _("Unit status recorded.")

        return _panel_step(request, console, pk, step)
    job_action_ = JOB_ACTIONS_BY_NAME.get(action)
    if job_action_ is None:
        raise Http404(_("No such action."))
    data = {}
    if job_action_.request is not None:
        serializer = job_action_.request(data=_page_input(action, request.POST))
        if not serializer.is_valid():
            errors = _error_messages(serializer.errors)
            return render_job(request, console, pk, status=400, errors=errors)
        data = serializer.validated_data

    def act() -> str:
        job_action_.service(actor=request.user, incident_id=incident.pk, **data)
        return job_action_.done

    return _panel_step(request, console, pk, act)


def _panel_step(request: HttpRequest, console: str, pk: int, step, **panel) -> HttpResponse:
    """Run `step` (one service call, returning the words of what it did) for the
    panel: a refusal is shown in it with its status, and nothing changes."""
    try:
        done = step()
    except ValidationError as error:
        return render_job(request, console, pk, status=400, errors=error.messages, **panel)
    except DomainError as error:
        return render_job(
            request, console, pk, status=error.status_code, errors=[error.message], **panel
        )
    except ObjectDoesNotExist as error:
        raise Http404(str(error)) from None
    if not is_htmx(request):
        messages.success(request, done)
        return redirect("console-incident", console=console, pk=pk)
    response = render_job(request, console, pk, notice=done)
    response["HX-Trigger"] = "queue-changed"
    return response


def _job_clock_id(request: HttpRequest, pk: int, clock_id: int) -> int:
    """The clock, if it is one of this job's and the job is the user's to see."""
    incident = get_object_or_404(incident_list(user=request.user), pk=pk)
    if not incident.clocks.filter(pk=clock_id, order__isnull=True).exists():
        raise Http404(_("No such clock on this job."))
    return clock_id


@require_POST
@console_required()
def job_clock_delay(request: HttpRequest, console: str, pk: int, clock_id: int) -> HttpResponse:
    """延误说明: why a late clock was late, from the panel."""
    clock_id = _job_clock_id(request, pk, clock_id)

    def step() -> str:
        clock_delay_reason(
            actor=request.user,
            clock_id=clock_id,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
        return _("Delay reason recorded.")

    return _panel_step(request, console, pk, step)


@require_POST
@console_required()
def job_clock_excuse(request: HttpRequest, console: str, pk: int, clock_id: int) -> HttpResponse:
    """免责: a supervisor excuses a breach, from the panel."""
    clock_id = _job_clock_id(request, pk, clock_id)

    def step() -> str:
        clock_excuse(actor=request.user, clock_id=clock_id, reason=request.POST.get("reason", ""))
        return _("Breach excused.")

    return _panel_step(request, console, pk, step)


@require_POST
@console_required()
def job_order_issue(request: HttpRequest, console: str, pk: int) -> HttpResponse:
    """下达指令 from the job panel: `order_issue` with the job's id, then the panel."""
    incident = get_object_or_404(incident_list(user=request.user), pk=pk)
    form = OrderIssueForm(request.POST)
    if not form.is_valid():
        return render_job(
            request, console, pk, status=400, errors=form_errors(form), order_form=form
        )

    def step() -> str:
        order = issue_from_form(actor=request.user, form=form, incident_id=incident.pk)
        return _("Order %(number)s issued to %(recipient)s.") % {
            "number": order.number,
            "recipient": order.recipient,
        }

    return _panel_step(request, console, pk, step, order_form=form)


def caller_context(user, incident: Incident) -> dict:
    """The caller as the panel shows it: masked until the user asks to see them, with
    a purpose (job_caller records each such read)."""
    return {
        "caller_phone": mask_phone(incident.caller_phone),
        "caller_name": mask_name(incident.caller_name),
        "may_reveal_caller": bool(incident.caller_phone or incident.caller_name)
        and may_see_caller(user, incident),
        "reveal_purposes": RevealPurpose.choices,
    }


@require_GET
@console_required()
def job_caller(request: HttpRequest, console: str, pk: int) -> HttpResponse:
    """The caller's number and name unmasked, for a purpose: recorded in the access record."""
    incident = get_object_or_404(incident_list(user=request.user), pk=pk)
    context = {"incident": incident, "console": console, **caller_context(request.user, incident)}
    purpose = request.GET.get("purpose", "")
    status = 200
    if purpose not in RevealPurpose.values:
        context["error"], status = _("Say why you need them."), 400
    else:
        try:
            caller_reveal(actor=request.user, incident=incident, purpose=purpose, request=request)
            context["revealed"] = True
        except DomainError as error:
            context["error"], status = error.message, error.status_code
    return render(request, "consoles/partials/job_caller.html", context, status=status)
