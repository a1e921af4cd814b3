"""Console pages: call intake and dispatch, the street office, the station view.

Server-rendered HTML; htmx swaps the partials (intake panel, queues, job
panel). Every read goes through the scoped selectors (a job out of scope is a
404), every write through one service; a service's refusal is shown on the
page with its HTTP status, and nothing else changes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from commandcenter.access import may_use_console, scope_of, visible
from commandcenter.choices import DISTRICT_ROLES, Role
from commandcenter.exceptions import DomainError
from commandcenter.models import PartnerDepartment, Station
from commandcenter.views import map_config
from dispatch.choices import ACTIVE_ASSIGNMENT_STATUSES, ASSIGNMENT_TRANSITIONS, AssignmentStatus
from dispatch.models import Assignment
from dispatch.selectors import units_recommend
from dispatch.choices import DISPATCHABLE_STATUSES as DISPATCHABLE
from dispatch.services import assignment_advance, incident_dispatch
from incidents import forms, services
from incidents.choices import TERMINAL_STATUSES, TRANSITIONS, CategoryKind, IncidentStatus, Tier
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.permissions import (
    mask_name,
    mask_phone,
    may_act_as_police,
    may_act_as_street,
    may_see_caller,
)
from incidents.selectors import (
    dispatch_queue,
    incident_list,
    incident_timeline,
    open_incidents,
    street_queue,
)
from patrol.choices import UnitStatus, UnitType
from patrol.models import Team, Unit
from patrol.selectors import patrol_time
from patrol.services import team_set_duty

S = IncidentStatus
A = AssignmentStatus

# Who may open which console. A station chief and a post officer dispatch in
# their own area, so they use the dispatcher console too.
CONSOLE_URL_NAMES = {
    "dispatch": "dispatch-console",
    "street": "street-console",
    "station": "station-console",
}
# Timer colours: amber after a minute, red after five (1-minute response,
# 5 minutes on scene; street forces have the same 5-minute standard).
TIMER_AMBER_SECONDS = 60
TIMER_RED_SECONDS = 5 * 60
STREET_RECENT_WINDOW = timedelta(hours=24)
STREET_FINISHED = (S.RESOLVED, S.REFERRED, S.RETURNED, S.CLOSED)
IN_PROGRESS = (S.DISPATCHED, S.ON_SCENE)
# Assignment steps in the order a unit walks them.
STEP_ORDER = (A.ACKNOWLEDGED, A.EN_ROUTE, A.ON_SCENE, A.CLEARED)
RECOMMENDATION_LIMIT = 10
LIST_LIMIT = 200
# The related rows each page names. Joined here: the selectors keep their
# querysets lean for the API, and a page must not fetch them row by row.
LIST_RELATED = ("category", "station", "post")
FINISHED_RELATED = ("category", "result_code", "referred_to")
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


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def console_required(console: str | None = None):
    """Log in first; then the user's role must be one the console is for (else 403).

    `console` may instead come from the URL (`<console:console>`).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            name = console or kwargs["console"]
            if not request.user.is_authenticated:
                if is_htmx(request):
                    # A poll after the session ended: send the whole page to the login.
                    current = request.headers.get("HX-Current-URL", "")
                    target = urlsplit(current).path or reverse(CONSOLE_URL_NAMES[name])
                    login = redirect_to_login(target)
                    return HttpResponse(headers={"HX-Redirect": login["Location"]})
                return redirect_to_login(request.get_full_path())
            if not may_use_console(request.user, name):
                return render(
                    request,
                    "consoles/forbidden.html",
                    {"console": name},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- What a job shows and offers ----------------------------------------------------


def available_actions(incident: Incident, *, police: bool, street: bool) -> set[str]:
    """The buttons of a job: what its status allows, for its tier, to this user."""
    allowed = TRANSITIONS[incident.status]
    actions: set[str] = set()
    if incident.status == S.LINKED:
        if police:
            actions.add("unlink")
        if police or street:
            actions.add("close")
        return actions
    if police and incident.tier == Tier.POLICE:
        if incident.status in DISPATCHABLE:
            actions.add("dispatch")
        if S.RESOLVED in allowed:
            actions.add("resolve")
        if S.INVALID in allowed:
            actions.add("invalidate")
    if police and S.CANCELLED in allowed:
        actions.add("cancel")  # the command center may also call a diverted job off
    if street and incident.tier == Tier.STREET:
        if S.ACCEPTED in allowed:
            actions.add("accept")
        if incident.status in DISPATCHABLE:
            actions.add("dispatch")
        if S.RESOLVED in allowed:
            actions.add("settle")
        if S.REFERRED in allowed:
            actions.add("refer")
        if S.RETURNED in allowed:
            actions.add("return")
    if (police or street) and S.CLOSED in allowed:
        actions.add("close")
    return actions


COVERING_LABELS = {
    "post": _("Covering post"),
    "station": _("Covering station"),
    "governance_center": _("Own center"),
}


def _duration(seconds: int) -> str:
    """m:ss, the way an arrival estimate is read out on the radio."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def _distance(metres: int) -> str:
    return f"{metres} m" if metres < 1000 else f"{metres / 1000:.1f} km"


def _recommendation_row(recommendation) -> dict:
    return {
        "unit_id": recommendation.unit_id,
        "call_sign": recommendation.call_sign,
        "name": recommendation.name,
        "unit_type": UnitType(recommendation.unit_type).label,
        "distance": _distance(recommendation.distance_m),
        "eta": _duration(recommendation.eta_seconds),
        "eta_seconds": recommendation.eta_seconds,
        "covering": recommendation.covering,
        "covering_label": COVERING_LABELS.get(recommendation.covering, ""),
    }


def _job_context(user, incident: Incident) -> dict:
    police = may_act_as_police(user, incident)
    street = may_act_as_street(user, incident)
    actions = available_actions(incident, police=police, street=street)
    assignments = visible(
        Assignment.objects.filter(incident=incident).select_related("unit", "dispatched_by"), user
    ).order_by("dispatched_at", "id")
    may_work = police or street
    assignment_rows = [
        {
            "assignment": assignment,
            "eta": _duration(assignment.eta_seconds) if assignment.eta_seconds is not None else "",
            "steps": [s for s in STEP_ORDER if s in ASSIGNMENT_TRANSITIONS[assignment.status]]
            if may_work
            else [],
        }
        for assignment in assignments
    ]
    caller_visible = may_see_caller(user, incident)
    caller_phone, caller_name = incident.caller_phone, incident.caller_name
    if not caller_visible:
        caller_phone, caller_name = mask_phone(caller_phone), mask_name(caller_name)
    tier_for_results = Tier.STREET if incident.tier == Tier.STREET else Tier.POLICE
    context = {
        "incident": incident,
        "actions": actions,
        "may_act": police or street,
        "caller_phone": caller_phone,
        "caller_name": caller_name,
        "assignment_rows": assignment_rows,
        "timeline": incident_timeline(incident=incident),
        "recommendations": [
            _recommendation_row(recommendation)
            for recommendation in units_recommend(incident=incident, limit=RECOMMENDATION_LIMIT)
        ]
        if "dispatch" in actions
        else [],
        "is_open": incident.status not in TERMINAL_STATUSES,
        # The job's clock runs from the call until it is resolved or closed.
        "clock_stopped_at": incident.resolved_at or incident.closed_at,
        # Units are already on it: more can be sent, the list is folded away.
        "reinforcing": incident.status in IN_PROGRESS,
    }
    if actions & {"resolve", "settle"}:
        context["result_codes"] = ResultCode.objects.filter(
            active=True, for_tier__in=["", tier_for_results]
        )
    if "invalidate" in actions:
        context["invalid_reasons"] = IncidentCategory.objects.filter(
            active=True, kind=CategoryKind.INVALID
        )
    if "refer" in actions:
        context["partner_departments"] = visible(PartnerDepartment.objects.all(), user)
    return context


# --- The actions on a job -----------------------------------------------------------


@dataclass(frozen=True)
class PageAction:
    form: type[django_forms.Form]
    run: Callable[..., object]  # (actor, incident, data) -> anything
    done: str


def on_incident(service):
    """Run an incident service with the form's cleaned data as its arguments."""

    def run(*, actor, incident, data):
        return service(actor=actor, incident_id=incident.pk, **data)

    return run


def _dispatch(*, actor, incident, data):
    return incident_dispatch(actor=actor, incident_id=incident.pk, unit_ids=data["unit_ids"])


def _advance(*, actor, incident, data):
    if not incident.assignments.filter(pk=data["assignment"]).exists():
        raise Http404(_("No such assignment on this job."))
    return assignment_advance(actor=actor, assignment_id=data["assignment"], target=data["target"])


ACTIONS: dict[str, PageAction] = {
    "dispatch": PageAction(forms.DispatchForm, _dispatch, _("Units dispatched.")),
    "advance": PageAction(forms.AdvanceForm, _advance, _("Unit status recorded.")),
    "resolve": PageAction(
        forms.ResultForm,
        on_incident(services.incident_resolve),
        _("Job resolved."),
    ),
    "close": PageAction(
        forms.FeedbackForm,
        on_incident(services.incident_close),
        _("Job closed."),
    ),
    "cancel": PageAction(
        forms.ReasonForm,
        on_incident(services.incident_cancel),
        _("Job cancelled."),
    ),
    "invalidate": PageAction(
        forms.InvalidReasonForm,
        on_incident(services.incident_invalidate),
        _("Closed as an invalid call."),
    ),
    "unlink": PageAction(
        forms.EmptyForm,
        on_incident(services.incident_unlink),
        _("Unlinked: routed as an incident of its own."),
    ),
    "accept": PageAction(
        forms.EmptyForm,
        on_incident(services.incident_accept),
        _("Job accepted."),
    ),
    "settle": PageAction(
        forms.ResultForm,
        on_incident(services.incident_settle),
        _("Job settled on site."),
    ),
    "refer": PageAction(
        forms.ReferForm,
        on_incident(services.incident_refer),
        _("Job referred."),
    ),
    "return": PageAction(
        forms.ReasonForm,
        on_incident(services.incident_return),
        _("Job returned to the police."),
    ),
}


def _form_messages(form: django_forms.Form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


# --- Shared page context ------------------------------------------------------------


def _categories() -> list[IncidentCategory]:
    return list(IncidentCategory.objects.filter(active=True))


def _intake_map_config() -> dict:
    return map_config(district=reverse("district"), zones=reverse("zone-list") + "?page_size=2000")


def _timer_context() -> dict:
    return {"timer_amber": TIMER_AMBER_SECONDS, "timer_red": TIMER_RED_SECONDS}


def _active_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES).select_related(
            "unit"
        ),
        to_attr="active_assignments",
    )


def _dispatch_queue_context(user) -> dict:
    return {
        "queue": list(dispatch_queue(user=user).select_related(*LIST_RELATED)[:LIST_LIMIT]),
        "in_progress": list(
            open_incidents(user=user)
            .filter(tier=Tier.POLICE, status__in=IN_PROGRESS)
            .select_related(*LIST_RELATED)
            .prefetch_related(_active_assignments())[:LIST_LIMIT]
        ),
        **_timer_context(),
    }


def _street_queue_context(user) -> dict:
    since = timezone.now() - STREET_RECENT_WINDOW
    return {
        "queue": list(
            street_queue(user=user)
            .select_related(*LIST_RELATED)
            .prefetch_related(_active_assignments())[:LIST_LIMIT]
        ),
        "recent": list(
            incident_list(user=user)
            .filter(diverted_at__isnull=False, status__in=STREET_FINISHED, updated_at__gte=since)
            .select_related(*FINISHED_RELATED)
            .order_by("-updated_at")[:LIST_LIMIT]
        ),
        **_timer_context(),
    }


def _console_context(request: HttpRequest, console: str) -> dict:
    user = request.user
    if console == "dispatch":
        categories = _categories()
        context = {
            "intake_form": forms.IntakeForm(categories=categories),
            "categories": categories,
            "map_config": _intake_map_config(),
            **_dispatch_queue_context(user),
        }
    else:
        context = _street_queue_context(user)
    return {"console": console, **context}


def _render_console(
    request: HttpRequest, console: str, *, status: int = 200, extra: dict | None = None
) -> HttpResponse:
    context = _console_context(request, console)
    context.update(extra or {})
    return render(request, f"consoles/{console}_console.html", context, status=status)


def _render_job(
    request: HttpRequest,
    console: str,
    incident_id: int,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    notice: str = "",
) -> HttpResponse:
    """The job panel (htmx) or the console page with the job open."""
    incident = get_object_or_404(
        incident_list(user=request.user).select_related(*JOB_RELATED), pk=incident_id
    )
    job = {
        **_job_context(request.user, incident),
        "console": console,
        "errors": errors or [],
        "notice": notice,
        **_timer_context(),
    }
    if is_htmx(request):
        return render(request, "consoles/partials/job.html", job, status=status)
    return _render_console(request, console, status=status, extra=job)


# --- Dispatcher console -------------------------------------------------------------


@require_GET
@console_required("dispatch")
def dispatch_console(request: HttpRequest) -> HttpResponse:
    """接警调度台: intake form and map, the dispatch queue, the job panel."""
    taken = None
    if request.GET.get("taken", "").isdigit():
        taken = incident_list(user=request.user).filter(pk=request.GET["taken"]).first()
    return _render_console(request, "dispatch", extra={"taken": taken})


@require_POST
@console_required("dispatch")
def incident_intake(request: HttpRequest) -> HttpResponse:
    """Record a call with `incident_create`; show the routing, or the errors and the typing."""
    categories = _categories()
    form = forms.IntakeForm(request.POST, categories=categories)
    incident = None
    if form.is_valid():
        try:
            incident = services.incident_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, field_errors in getattr(error, "error_dict", {None: error}).items():
                form.add_error(field if field in form.fields else None, field_errors)
        except DomainError as error:
            form.add_error(None, error.message)
    if incident is None:
        if is_htmx(request):
            return render(
                request,
                "consoles/partials/intake.html",
                {"intake_form": form, "categories": categories},
                status=400,
            )
        return _render_console(request, "dispatch", status=400, extra={"intake_form": form})
    if not is_htmx(request):
        return redirect(f"{reverse('dispatch-console')}?taken={incident.pk}")
    response = render(
        request,
        "consoles/partials/intake.html",
        {
            "intake_form": forms.IntakeForm(categories=categories),
            "categories": categories,
            "taken": incident,
        },
    )
    response["HX-Trigger"] = "queue-changed"
    return response


@require_GET
@console_required("dispatch")
def dispatch_queue_partial(request: HttpRequest) -> HttpResponse:
    return render(
        request, "consoles/partials/dispatch_queue.html", _dispatch_queue_context(request.user)
    )


# --- A job, in the dispatcher or the street console ----------------------------------


@require_GET
@console_required()
def incident_detail(request: HttpRequest, console: str, pk: int) -> HttpResponse:
    return _render_job(request, console, pk)


@require_POST
@console_required()
def incident_action(request: HttpRequest, console: str, pk: int, action: str) -> HttpResponse:
    """One button of the job panel: one service call, then the panel as it now is."""
    page_action = ACTIONS.get(action)
    if page_action is None:
        raise Http404(_("No such action."))
    incident = get_object_or_404(incident_list(user=request.user), pk=pk)
    form = page_action.form(request.POST)
    if not form.is_valid():
        return _render_job(request, console, pk, status=400, errors=_form_messages(form))
    try:
        page_action.run(actor=request.user, incident=incident, data=form.cleaned_data)
    except ValidationError as error:
        return _render_job(request, console, pk, status=400, errors=error.messages)
    except DomainError as error:
        return _render_job(request, console, pk, status=error.status_code, errors=[error.message])
    except ObjectDoesNotExist as error:
        raise Http404(str(error)) from None
    if not is_htmx(request):
        messages.success(request, page_action.done)
        return redirect("console-incident", console=console, pk=pk)
    response = _render_job(request, console, pk, notice=page_action.done)
    response["HX-Trigger"] = "queue-changed"
    return response


# --- Street office console ------------------------------------------------------------


@require_GET
@console_required("street")
def street_console(request: HttpRequest) -> HttpResponse:
    """综治中心工作台: diverted jobs of the street, the job panel, what was finished today."""
    return _render_console(request, "street")


@require_GET
@console_required("street")
def street_queue_partial(request: HttpRequest) -> HttpResponse:
    return render(
        request, "consoles/partials/street_queue.html", _street_queue_context(request.user)
    )


# --- Station view -----------------------------------------------------------------------


def _station_groups(incidents: list[Incident]) -> list[dict]:
    """Open jobs grouped by the post, else the station, that covers them."""
    groups: dict[tuple, dict] = {}
    for incident in incidents:
        key = (incident.station_id, incident.post_id)
        if key not in groups:
            groups[key] = {"station": incident.station, "post": incident.post, "incidents": []}
        groups[key]["incidents"].append(incident)

    def order(group: dict) -> tuple:
        station, post = group["station"], group["post"]
        return (station is None, station.name if station else "", post is not None, str(post or ""))

    return sorted(groups.values(), key=order)


def _patrol_summary(rows: list[dict]) -> list[dict]:
    """Patrol time per unit (minutes), its zones longest first."""
    units: dict[int, dict] = {}
    for row in rows:
        unit = units.setdefault(
            row["unit"],
            {
                "call_sign": row["call_sign"],
                "team": row["team_name"],
                "seconds": 0,
                "zones": [],
            },
        )
        unit["seconds"] += row["seconds"]
        unit["zones"].append((row["zone_name"], round(row["seconds"] / 60)))
    for unit in units.values():
        unit["minutes"] = round(unit["seconds"] / 60)
        unit["zones"].sort(key=lambda zone: -zone[1])
    return sorted(units.values(), key=lambda unit: -unit["seconds"])


@require_POST
@console_required("station")
def team_duty(request: HttpRequest, pk: int) -> HttpResponse:
    """班组上岗 / 下岗 from the station view."""
    team = get_object_or_404(visible(Team.objects.all(), request.user), pk=pk)
    try:
        team_set_duty(
            actor=request.user, team_id=team.pk, on_duty=request.POST.get("on_duty") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(request.POST.get("next") or reverse("station-console"))


@require_GET
@console_required("station")
def station_console(request: HttpRequest) -> HttpResponse:
    """所 / 站视图: open jobs of the area by post and station, and the area's units."""
    user = request.user
    jobs = (
        open_incidents(user=user)
        .select_related(*LIST_RELATED)
        .prefetch_related(_active_assignments())
    )
    units = visible(
        Unit.objects.filter(home_station__isnull=False).select_related(
            "home_station", "home_post", "team"
        ),
        user,
    ).order_by("home_station__name", "call_sign")
    stations = None
    chosen = None
    if scope_of(user).district_wide:
        stations = list(visible(Station.objects.all(), user).order_by("name"))
        code = request.GET.get("station", "")
        if code:
            chosen = next((station for station in stations if station.code == code), None)
            if chosen is None:
                raise Http404(_("No such station."))
            jobs = jobs.filter(station=chosen)
            units = units.filter(home_station=chosen)
    jobs = list(jobs[:LIST_LIMIT])
    units = list(units)
    job_ids = {incident.pk for incident in jobs}
    current = {
        assignment.unit_id: assignment.incident
        for assignment in Assignment.objects.filter(
            unit__in=[unit.pk for unit in units], status__in=ACTIVE_ASSIGNMENT_STATUSES
        ).select_related("incident")
    }
    unit_rows = [
        {
            "unit": unit,
            "incident": current.get(unit.pk),
            "linkable": unit.pk in current and current[unit.pk].pk in job_ids,
        }
        for unit in units
    ]
    counts = {status: 0 for status in UnitStatus.values}
    for unit in units:
        counts[unit.status] += 1
    station_id = chosen.pk if chosen else scope_of(user).station_id
    teams = visible(Team.objects.select_related("station"), user).order_by("station__name", "code")
    if station_id:
        teams = teams.filter(station_id=station_id)
    day = parse_date(request.GET.get("date", "")) or timezone.localdate()
    return render(
        request,
        "consoles/station_console.html",
        {
            "teams": list(teams),
            "may_set_duty": bool(user.role in DISTRICT_ROLES or user.role == Role.STATION_CHIEF),
            "patrol_day": day,
            "patrol_rows": _patrol_summary(patrol_time(user=user, day=day, station_id=station_id)),
            "console": "station",
            "groups": _station_groups(jobs),
            "job_count": len(jobs),
            "unit_rows": unit_rows,
            "unit_counts": [(UnitStatus(status).label, status, n) for status, n in counts.items()],
            "stations": stations,
            "chosen": chosen,
            **_timer_context(),
        },
    )
