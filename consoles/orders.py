"""指令 / 督办, the orders inbox: what the user's station, post or governance
center must answer (acknowledge, then feedback), and for the command center
every order issued, with a form to issue one. Overdue orders come first and
stand out; the page follows the live stream (`order.` events).

Each button calls one service (dispatch/services.py), which decides; a
refusal is shown above the list with its HTTP status, and nothing changes.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commandcenter.access import consoles_of, scope_of
from commandcenter.exceptions import DomainError
from consoles.forms import OrderIssueForm
from consoles.shell import LIST_LIMIT, console_required, forbidden, is_htmx
from dispatch.choices import OrderKind, OrderStatus
from dispatch.models import Order
from dispatch.selectors import (
    OPEN_ORDER_STATUSES,
    order_inbox,
    order_list,
    order_recipients,
    orders_addressed_to,
)
from dispatch.services import (
    may_answer_order,
    may_issue_orders,
    order_acknowledge,
    order_feedback,
    order_issue,
)
from incidents.models import Incident
from incidents.selectors import incident_list

RECIPIENT_TYPE_LABELS = {
    "station": gettext_lazy("Station"),
    "post": gettext_lazy("Post"),
    "governance_center": gettext_lazy("Governance center"),
    "unit": gettext_lazy("Unit"),
}
OVERDUE_FILTERS = {"1": True, "0": False}


def recipient_groups(user, incident: Incident | None = None) -> list[dict]:
    """The issue form's recipient select: one group per recipient type."""
    return [
        {
            "type": kind,
            "label": RECIPIENT_TYPE_LABELS[kind],
            "options": [(f"{kind}:{code}", name) for code, name in options],
        }
        for kind, options in order_recipients(user=user, incident=incident)
    ]


def order_rows(user, orders) -> list[dict]:
    """Orders as the inbox lists them: open, overdue, and whether the user may answer."""
    rows = []
    for order in orders:
        is_open = order.status in OPEN_ORDER_STATUSES
        rows.append(
            {
                "order": order,
                "is_open": is_open,
                "overdue": is_open and order.overdue_at is not None,
                "may_answer": is_open and may_answer_order(user, order),
            }
        )
    return rows


def issue_from_form(*, actor, form: OrderIssueForm, incident_id: int | None = None) -> Order:
    """Hand a valid issue form to `order_issue`."""
    recipient_type, recipient = form.cleaned_data["recipient"]
    return order_issue(
        actor=actor,
        recipient_type=recipient_type,
        recipient=recipient,
        content=form.cleaned_data["content"],
        deadline=form.cleaned_data["deadline"],
        incident_id=incident_id,
    )


def default_recipient(incident: Incident) -> str:
    """Whom an order about this job goes to most often: its post, else station, else center."""
    if incident.post:
        return f"post:{incident.post.code}"
    if incident.station:
        return f"station:{incident.station.code}"
    if incident.governance_center:
        return f"governance_center:{incident.governance_center.code}"
    return ""


def form_errors(form: OrderIssueForm) -> list[str]:
    return [str(message) for messages_ in form.errors.values() for message in messages_]


def _filters(request: HttpRequest) -> dict:
    statuses = [s for s in request.GET.getlist("status") if s in OrderStatus.values]
    kinds = [k for k in request.GET.getlist("kind") if k in OrderKind.values]
    return {
        "statuses": statuses,
        "kinds": kinds,
        "overdue": OVERDUE_FILTERS.get(request.GET.get("overdue", "")),
    }


def inbox_context(request: HttpRequest) -> dict:
    user = request.user
    filters = _filters(request)
    command_center = scope_of(user).district_wide
    to_us = orders_addressed_to(order_inbox(user=user), user=user)
    issued = order_inbox(user=user, **filters) if command_center else Order.objects.none()
    query = request.GET.copy()
    return {
        "console": "orders",
        "command_center": command_center,
        "to_us": order_rows(user, to_us[:LIST_LIMIT]),
        "issued": order_rows(user, issued[:LIST_LIMIT]),
        "statuses": OrderStatus.choices,
        "chosen_statuses": filters["statuses"],
        "kinds": OrderKind.choices,
        "chosen_kinds": filters["kinds"],
        "chosen_overdue": request.GET.get("overdue", ""),
        "query": query.urlencode(),
        # Where a linked job opens: the user's own console for jobs.
        "job_console": next((c for c in ("dispatch", "street") if c in consoles_of(user)), ""),
    }


def render_inbox(
    request: HttpRequest,
    *,
    status: int = 200,
    errors: list[str] | None = None,
    notice: str = "",
    form: OrderIssueForm | None = None,
) -> HttpResponse:
    """The inbox region (htmx), or the whole page."""
    context = {
        **inbox_context(request),
        "errors": errors or [],
        "notice": notice,
        "response_status": status,
    }
    if is_htmx(request):
        return render(request, "consoles/partials/orders_inbox.html", context, status=status)
    if may_issue_orders(request.user):
        context["issue_form"] = form or OrderIssueForm()
        context["recipient_groups"] = recipient_groups(request.user)
    return render(request, "consoles/orders.html", context, status=status)


@require_GET
@console_required("orders")
def orders_page(request: HttpRequest) -> HttpResponse:
    return render_inbox(request)


@require_GET
@console_required("orders")
def inbox_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "consoles/partials/orders_inbox.html", inbox_context(request))


def _render_issue_form(request, *, status=200, form=None, errors=None, notice="") -> HttpResponse:
    return render(
        request,
        "consoles/partials/order_issue.html",
        {
            "issue_form": form or OrderIssueForm(),
            "recipient_groups": recipient_groups(request.user),
            "errors": errors or [],
            "notice": notice,
        },
        status=status,
    )


@require_POST
@console_required("orders")
def order_issue_page(request: HttpRequest) -> HttpResponse:
    """The form at the top of the inbox: an order not tied to a job."""
    form = OrderIssueForm(request.POST)
    errors: list[str] = []
    status = 400
    order = None
    if not form.is_valid():
        errors = form_errors(form)
    else:
        try:
            order = issue_from_form(actor=request.user, form=form)
        except ValidationError as error:
            errors = error.messages
        except DomainError as error:
            errors, status = [error.message], error.status_code
    if order is None:
        if is_htmx(request):
            return _render_issue_form(request, status=status, form=form, errors=errors)
        return render_inbox(request, status=status, errors=errors, form=form)
    done = _("Order %(number)s issued to %(recipient)s.") % {
        "number": order.number,
        "recipient": order.recipient,
    }
    if not is_htmx(request):
        messages.success(request, done)
        return redirect("orders")
    response = _render_issue_form(request, notice=done)
    response["HX-Trigger"] = "queue-changed"
    return response


ORDER_ACTIONS = ("acknowledge", "feedback")


@require_POST
@console_required("orders")
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """签收 or 反馈 one order: one service call, then the inbox as it now is."""
    if action not in ORDER_ACTIONS:
        raise Http404(_("No such action."))
    order = get_object_or_404(order_list(user=request.user), pk=pk)
    try:
        if action == "acknowledge":
            order_acknowledge(actor=request.user, order_id=order.pk)
            done = _("Order %(number)s acknowledged.") % {"number": order.number}
        else:
            order_feedback(
                actor=request.user, order_id=order.pk, feedback=request.POST.get("feedback", "")
            )
            done = _("Feedback on order %(number)s recorded.") % {"number": order.number}
    except ValidationError as error:
        return render_inbox(request, status=400, errors=error.messages)
    except DomainError as error:
        return render_inbox(request, status=error.status_code, errors=[error.message])
    except ObjectDoesNotExist as error:
        raise Http404(str(error)) from None
    if not is_htmx(request):
        messages.success(request, done)
        return redirect("orders")
    response = render_inbox(request, notice=done)
    response["HX-Trigger"] = "queue-changed"
    return response


@require_http_methods(["GET", "POST"])
@console_required("orders")
def map_order(request: HttpRequest, pk: int) -> HttpResponse:
    """下达指令 from the live map's job panel: the form (GET), then the order (POST).

    The answer is the form again, with the refusal or with the order issued
    and a fresh form for the next one; the map swaps it in place.
    """
    if not may_issue_orders(request.user):
        return forbidden(request, "orders")
    incident = get_object_or_404(
        incident_list(user=request.user).select_related("post", "station", "governance_center"),
        pk=pk,
    )
    context = {
        "incident": incident,
        "recipient_groups": recipient_groups(request.user, incident),
        "default": default_recipient(incident),
        "errors": [],
        "notice": "",
    }
    if request.method == "GET":
        return render(request, "consoles/partials/map_order.html", context)
    form = OrderIssueForm(request.POST)
    status = 400
    if not form.is_valid():
        context["errors"] = form_errors(form)
    else:
        try:
            order = issue_from_form(actor=request.user, form=form, incident_id=incident.pk)
        except ValidationError as error:
            context["errors"] = error.messages
        except DomainError as error:
            context["errors"], status = [error.message], error.status_code
        else:
            context["notice"] = _("Order %(number)s issued to %(recipient)s.") % {
                "number": order.number,
                "recipient": order.recipient,
            }
            return render(request, "consoles/partials/map_order.html", context)
    context["form"] = form
    return render(request, "consoles/partials/map_order.html", context, status=status)
