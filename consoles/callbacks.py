"""回访, the callback page: the queue of closed jobs whose callers are still to be
asked (oldest due first, overdue marked), a form per job for the result and
a comment, and today's results with the running satisfaction and its formula.

The call-taker sees the caller's number masked; 查看报警人 shows it for a
follow-up (回访), recorded in the access record (incidents.services.caller_reveal).
Saving calls the one service (analytics.callbacks.callback_record) and swaps
the row: a refusal (400, 403, 409) is shown in the row's form, and nothing
changes. Station chiefs read their station's callbacks; they record nothing.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from analytics.callbacks import (
    COMMENT_MAX_CHARS,
    MAX_ATTEMPTS,
    callback_list,
    callback_queue,
    callback_record,
    callbacks_recorded,
    may_record_callbacks,
    overdue,
    satisfaction_since,
    start_of_local_day,
)
from analytics.choices import CallbackResult, CallbackState
from analytics.models import Callback
from commandcenter.access import consoles_of
from commandcenter.directory import directory
from commandcenter.exceptions import ActionForbidden, DomainError
from commandcenter.models import AccessRecord, GovernanceCenter, Post, Station
from consoles.shell import LIST_LIMIT, console_required, is_htmx
from incidents.choices import RevealPurpose, Tier
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.permissions import mask_phone
from incidents.services import caller_reveal

CONSOLE = "callbacks"
RECENT_LIMIT = 50
SUMMARY_CHARS = 80
# A caller shown to the call-taker (and recorded) stays shown to them in the
# queue this long: the live refresh of the queue must not mask the number
# while they dial it. Nobody else sees it, and no new read is recorded.
REVEAL_KEPT = timedelta(minutes=10)


class CallbackRecordForm(forms.Form):
    """What the browser sent; the service decides (an unsatisfied reply needs a comment)."""

    result = forms.ChoiceField(
        choices=CallbackResult.choices,
        error_messages={
            "required": gettext_lazy("Choose what the caller said."),
            "invalid_choice": gettext_lazy("Choose what the caller said."),
        },
    )
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_CHARS,
        error_messages={"max_length": gettext_lazy("At most %(limit_value)d characters.")},
    )


def _name(model, pk) -> str:
    row = directory.get(model, pk)
    return row.name if row else ""


def callback_row(user, callback: Callback, *, now=None, **extra) -> dict:
    """One callback as the page shows it."""
    incident = callback.incident
    street_job = incident.tier == Tier.STREET
    consoles = consoles_of(user)
    job_console = "street" if street_job and "street" in consoles else "dispatch"
    result_code = directory.get(ResultCode, incident.result_code_id)
    return {
        "callback": callback,
        "incident": incident,
        "category": _name(IncidentCategory, incident.category_id),
        "station": _name(Station, callback.station_id),
        "post": _name(Post, callback.post_id),
        "center": _name(GovernanceCenter, incident.governance_center_id) if street_job else "",
        "summary": incident.description[:SUMMARY_CHARS],
        "summary_cut": len(incident.description) > SUMMARY_CHARS,
        "result_code": result_code.name if result_code else "",
        "caller_phone": mask_phone(incident.caller_phone),
        "revealed": False,
        "overdue": overdue(callback, now),
        "pending": callback.state == CallbackState.PENDING,
        "tries_left": MAX_ATTEMPTS - callback.attempts,
        "job_console": job_console if job_console in consoles else "",
        "may_record": may_record_callbacks(user),
        "results": CallbackResult.choices,
        "errors": {},
        "chosen": "",
        "comment": "",
        "notice": "",
        **extra,
    }


def revealed_to(user, incident_ids, now=None) -> set[int]:
    """The jobs whose caller `user` was shown (and recorded) within REVEAL_KEPT."""
    if not incident_ids or not may_record_callbacks(user):
        return set()
    since = (now or timezone.now()) - REVEAL_KEPT
    shown = AccessRecord.objects.filter(
        actor=user,
        object_type=Incident._meta.label_lower,
        object_id__in=[str(pk) for pk in incident_ids],
        at__gte=since,
    ).values_list("object_id", flat=True)
    return {int(pk) for pk in shown}


def _queue_context(user) -> dict:
    now = timezone.now()
    queue = callback_queue(user=user)
    callbacks = list(queue[:LIST_LIMIT])
    shown = revealed_to(user, [c.incident_id for c in callbacks], now)
    rows = [
        callback_row(user, callback, now=now, revealed=callback.incident_id in shown)
        for callback in callbacks
    ]
    return {
        "rows": rows,
        "pending_count": queue.count() if len(rows) >= LIST_LIMIT else len(rows),
        "overdue_count": queue.filter(due_at__lt=now).count(),
        "max_attempts": MAX_ATTEMPTS,
    }


def _recent_context(user) -> dict:
    since = start_of_local_day()
    figure = satisfaction_since(user=user, since=since)
    recent = callbacks_recorded(user=user, since=since)[:RECENT_LIMIT]
    return {
        "recent": [callback_row(user, callback) for callback in recent],
        "figure": figure,
        "percent": None if figure["value"] is None else round(figure["value"] * 100, 1),
        "weight": figure["weight"],
        "orders_console": "orders" in consoles_of(user),
    }


def page_context(request: HttpRequest) -> dict:
    return {
        "console": CONSOLE,
        **_queue_context(request.user),
        **_recent_context(request.user),
        "may_record": may_record_callbacks(request.user),
    }


@require_GET
@console_required(CONSOLE)
def callbacks_page(request: HttpRequest) -> HttpResponse:
    return render(request, "consoles/callbacks.html", page_context(request))


@require_GET
@console_required(CONSOLE)
def queue_partial(request: HttpRequest) -> HttpResponse:
    """The queue, read again when the live stream reports a job closed or a callback."""
    return render(request, "consoles/partials/callback_queue.html", _queue_context(request.user))


@require_GET
@console_required(CONSOLE)
def recent_partial(request: HttpRequest) -> HttpResponse:
    """Today's results and satisfaction, read again after each save."""
    return render(request, "consoles/partials/callbacks_recent.html", _recent_context(request.user))


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for m in messages_] for field, messages_ in error.message_dict.items()
        }
    return {"__all__": [str(m) for m in error.messages]}


def _render_row(request: HttpRequest, row: dict, *, status: int = 200) -> HttpResponse:
    return render(request, "consoles/partials/callback_row.html", {"row": row}, status=status)


@require_POST
@console_required(CONSOLE)
def callback_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """保存: one try of one callback, then its row as it now is."""
    callback = get_object_or_404(callback_list(user=request.user), pk=pk)
    form = CallbackRecordForm(request.POST)
    chosen, comment = request.POST.get("result", ""), request.POST.get("comment", "")
    errors: dict[str, list[str]] = {}
    status = 400
    if not form.is_valid():
        errors = _field_errors(ValidationError(form.errors.as_data()))
    else:
        try:
            callback = callback_record(
                callback_id=callback.pk,
                actor=request.user,
                result=form.cleaned_data["result"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            errors = _field_errors(error)
        except DomainError as error:
            errors, status = {"form": [error.message]}, error.status_code
        except ObjectDoesNotExist as error:
            raise Http404(str(error)) from None
    if errors:
        callback = get_object_or_404(callback_list(user=request.user), pk=pk)
        row = callback_row(
            request.user,
            callback,
            errors=errors,
            chosen=chosen,
            comment=comment,
            revealed=bool(revealed_to(request.user, [callback.incident_id])),
        )
        if not is_htmx(request):
            context = page_context(request)
            context["rows"] = [row if r["callback"].pk == pk else r for r in context["rows"]]
            return render(request, "consoles/callbacks.html", context, status=status)
        return _render_row(request, row, status=status)
    done = _recorded_words(callback)
    if not is_htmx(request):
        messages.success(request, done)
        return redirect("callbacks")
    revealed = bool(revealed_to(request.user, [callback.incident_id]))
    row = callback_row(request.user, callback, notice=done, revealed=revealed)
    response = _render_row(request, row)
    response["HX-Trigger"] = "callback-recorded"
    return response


def _recorded_words(callback: Callback) -> str:
    words = {
        "number": callback.incident.number,
        "result": callback.get_result_display(),
        "left": MAX_ATTEMPTS - callback.attempts,
    }
    if callback.state == CallbackState.PENDING:
        return (
            ngettext(
                "%(number)s: %(result)s — %(left)d more try, it stays in the queue.",
                "%(number)s: %(result)s — %(left)d more tries, it stays in the queue.",
                words["left"],
            )
            % words
        )
    done = _("%(number)s: %(result)s recorded.") % words
    if callback.supervision_id:
        done += " " + _("Supervision order %(order)s issued to %(recipient)s.") % {
            "order": callback.supervision.number,
            "recipient": callback.supervision.recipient,
        }
    return done


@require_GET
@console_required(CONSOLE)
def callback_caller(request: HttpRequest, pk: int) -> HttpResponse:
    """查看报警人: the caller's number for the callback, recorded in the access record."""
    callback = get_object_or_404(callback_list(user=request.user), pk=pk)
    incident = callback.incident
    context = {
        "callback": callback,
        "incident": incident,
        "caller_phone": mask_phone(incident.caller_phone),
        "revealed": False,
        "may_record": True,
    }
    try:
        if not may_record_callbacks(request.user):
            raise ActionForbidden(_("Only call-takers and supervisors call the callers back."))
        caller_reveal(
            actor=request.user, incident=incident, purpose=RevealPurpose.FOLLOW_UP, request=request
        )
    except DomainError as error:
        context["error"] = error.message
        return render(
            request, "consoles/partials/callback_caller.html", context, status=error.status_code
        )
    context["revealed"] = True
    return render(request, "consoles/partials/callback_caller.html", context)
