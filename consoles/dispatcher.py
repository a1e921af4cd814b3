"""接警调度台, the dispatcher console: intake form and map, the queue, the job panel,
and the review queue of sensor alarms (告警研判) the rules left for a person.

Each alarm action calls one service (community.services.alarm_accept or
alarm_dismiss), which decides; a refusal (handled by someone else already: 409;
a reason that is none: 400) is shown above the alarms, and nothing changes.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analytics.selectors import with_alert
from commandcenter.access import filing_right
from commandcenter.exceptions import DomainError
from community.choices import AlarmState, DismissReason
from community.models import Alarm
from community.selectors import alarm_review_queue
from community.services import alarm_accept, alarm_dismiss
from consoles.forms import IntakeForm
from consoles.shell import LIST_LIMIT, console_required, district_layers, is_htmx, map_config
from dispatch.selectors import active_assignments_prefetch
from incidents import services
from incidents.selectors import (
    active_categories,
    caller_history,
    dispatch_queue,
    in_progress,
    incident_list,
)

# The related rows each list names, joined in the list's query.
LIST_RELATED = ("category", "station", "post")


def queue_context(user) -> dict:
    return {
        "queue": list(
            with_alert(dispatch_queue(user=user)).select_related(*LIST_RELATED)[:LIST_LIMIT]
        ),
        "in_progress": list(
            with_alert(in_progress(user=user))
            .select_related(*LIST_RELATED)
            .prefetch_related(active_assignments_prefetch())[:LIST_LIMIT]
        ),
    }


def review_context(
    user, *, errors: list[str] | None = None, notice: str = "", job=None, status: int = 200
) -> dict:
    """The alarm review panel: the alarms awaiting review, and what the last action did."""
    return {
        "review_alarms": list(alarm_review_queue(user=user)[:LIST_LIMIT]),
        "dismiss_reasons": DismissReason.choices,
        "review_errors": errors or [],
        "review_notice": notice,
        "review_job": job,
        "review_status": status,
    }


def _intake_context(user, form: IntakeForm | None = None, **extra) -> dict:
    categories = active_categories()
    return {
        "intake_form": form or IntakeForm(categories=categories, right=filing_right(user)),
        "categories": categories,
        **extra,
    }


def render_console(
    request: HttpRequest, *, status: int = 200, extra: dict | None = None
) -> HttpResponse:
    context = {
        "console": "dispatch",
        **_intake_context(request.user),
        "map_config": map_config(**district_layers()),
        **queue_context(request.user),
        **review_context(request.user),
        **(extra or {}),
    }
    return render(request, "consoles/dispatch_console.html", context, status=status)


@require_GET
@console_required("dispatch")
def dispatch_console(request: HttpRequest) -> HttpResponse:
    taken = None
    if request.GET.get("taken", "").isdigit():
        taken = incident_list(user=request.user).filter(pk=request.GET["taken"]).first()
    return render_console(request, extra={"taken": taken})


@require_POST
@console_required("dispatch")
def incident_intake(request: HttpRequest) -> HttpResponse:
    """Record a call with `incident_create`; show the routing, or the errors and the typing."""
    form = IntakeForm(
        request.POST, categories=active_categories(), right=filing_right(request.user)
    )
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
                _intake_context(request.user, form),
                status=400,
            )
        return render_console(request, status=400, extra={"intake_form": form})
    if not is_htmx(request):
        return redirect(f"{reverse('dispatch-console')}?taken={incident.pk}")
    response = render(
        request, "consoles/partials/intake.html", _intake_context(request.user, taken=incident)
    )
    response["HX-Trigger"] = "queue-changed"
    return response


@require_GET
@console_required("dispatch")
def caller_history_partial(request: HttpRequest) -> HttpResponse:
    """来电历史 beside the intake form, for the number or address being typed."""
    history = caller_history(
        user=request.user,
        phone=request.GET.get("caller_phone", "")[:20],
        address=request.GET.get("address", "")[:200],
    )
    return render(
        request,
        "consoles/partials/caller_history.html",
        {"history": history, "days": settings.CALLER_HISTORY_DAYS},
    )


@require_GET
@console_required("dispatch")
def queue_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "consoles/partials/dispatch_queue.html", queue_context(request.user))


# --- The alarm review queue (告警研判) -----------------------------------------------------

ALARM_ACTIONS = ("accept", "dismiss")


@require_GET
@console_required("dispatch")
def alarm_review_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "consoles/partials/alarm_review.html", review_context(request.user))


def _alarm_acted(alarm: Alarm) -> str:
    if alarm.state == AlarmState.DISMISSED:
        return _("Alarm dismissed: %(reason)s.") % {"reason": alarm.get_dismiss_reason_display()}
    if alarm.state == AlarmState.ATTACHED:
        return _("Alarm attached to the site's open job %(number)s.") % {
            "number": alarm.incident.number
        }
    return _("Alarm accepted: job %(number)s is waiting for dispatch.") % {
        "number": alarm.incident.number
    }


@require_POST
@console_required("dispatch")
def alarm_review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """受理 (accept as a job) or 排除 (dismiss with a reason) one alarm, then the panel
    as it now is."""
    if action not in ALARM_ACTIONS:
        raise Http404(_("No such action."))
    errors, status, alarm = [], 200, None
    try:
        if action == "accept":
            alarm = alarm_accept(actor=request.user, alarm_id=pk)
        else:
            alarm = alarm_dismiss(
                actor=request.user,
                alarm_id=pk,
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
            )
    except ValidationError as error:
        errors, status = error.messages, 400
    except DomainError as error:
        errors, status = [error.message], error.status_code
    except Alarm.DoesNotExist:
        errors, status = [_("There is no such alarm in your area.")], 404
    if alarm is None:
        context = review_context(request.user, errors=errors, status=status)
        if is_htmx(request):
            return render(request, "consoles/partials/alarm_review.html", context, status=status)
        return render_console(request, status=status, extra=context)
    done = _alarm_acted(alarm)
    if not is_htmx(request):
        messages.success(request, done)
        return redirect("dispatch-console")
    job = alarm.incident if alarm.state != AlarmState.DISMISSED else None
    response = render(
        request,
        "consoles/partials/alarm_review.html",
        review_context(request.user, notice=done, job=job),
    )
    if job is not None:
        # The new job is in the dispatch queue now: read it without waiting for the stream.
        response["HX-Trigger"] = "queue-changed"
    return response
