"""接警调度台, the dispatcher console: intake form and map, the queue, the job panel."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from analytics.selectors import with_alert
from commandcenter.access import filing_right
from commandcenter.exceptions import DomainError
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
