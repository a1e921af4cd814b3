"""综治中心工作台, the street office console: diverted jobs of the street,
the job panel, and what was finished in the last 24 hours."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from analytics.selectors import with_alert
from consoles.shell import LIST_LIMIT, console_required
from dispatch.selectors import active_assignments_prefetch
from incidents.selectors import street_figures, street_finished, street_queue

RECENT_WINDOW = timedelta(hours=24)
LIST_RELATED = ("category", "station", "post")
FINISHED_RELATED = ("category", "result_code", "referred_to")


def queue_context(user) -> dict:
    since = timezone.now() - RECENT_WINDOW
    return {
        "queue": list(
            with_alert(street_queue(user=user))
            .select_related(*LIST_RELATED)
            .prefetch_related(active_assignments_prefetch())[:LIST_LIMIT]
        ),
        "recent": list(
            street_finished(user=user, since=since).select_related(*FINISHED_RELATED)[:LIST_LIMIT]
        ),
        "figures": street_figures(user=user, since=since),
    }


def render_console(
    request: HttpRequest, *, status: int = 200, extra: dict | None = None
) -> HttpResponse:
    context = {"console": "street", **queue_context(request.user), **(extra or {})}
    return render(request, "consoles/street_console.html", context, status=status)


@require_GET
@console_required("street")
def street_console(request: HttpRequest) -> HttpResponse:
    return render_console(request)


@require_GET
@console_required("street")
def queue_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "consoles/partials/street_queue.html", queue_context(request.user))
