"""合作部门工作台, the partner console: the jobs referred to the department (its inbox),
one job's page where it accepts, reports progress and answers, what it answered
lately, the jobs it reported itself, and its figures. Personal data masked as the
API masks it for partners. Every step goes through dispatch.referrals; a refused one
answers the page again with the message (400, 403, 409) and changes nothing.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from analytics.referral_kpis import referral_kpi_query, referral_scope
from commandcenter.exceptions import DomainError
from consoles.shell import LIST_LIMIT, console_required
from dispatch import referrals
from dispatch.choices import REFERRAL_ANSWERS, ReferralStatus
from dispatch.selectors import referral_inbox, referral_of, referrals_answered
from incidents.permissions import mask_personal_text
from incidents.selectors import incident_list, incident_timeline

RECENT = timedelta(days=30)
FIGURE_DAYS = 30


class ProgressForm(forms.Form):
    notes = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[(s.value, s.label) for s in ReferralStatus if s.value in REFERRAL_ANSWERS],
    )
    notes = forms.CharField(
        label=_("Result, or why it goes back"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _figures(user) -> dict:
    today = timezone.localdate()
    first = today - timedelta(days=FIGURE_DAYS - 1)
    return referral_kpi_query(scope=referral_scope(user), start=first, end=today)["figures"]


@require_GET
@console_required("partner")
def partner_console(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - RECENT
    user = request.user
    reported = (
        incident_list(user=user)
        .filter(created_by__partner_department_id=user.partner_department_id)
        .filter(received_at__gte=since)
        .select_related("category")
        .order_by("-received_at")
    )
    context = {
        "console": "partner",
        "inbox": list(referral_inbox(user=user)[:LIST_LIMIT]),
        "answered": list(referrals_answered(user=user, since=since)[:LIST_LIMIT]),
        "reported": list(reported[:LIST_LIMIT]),
        "figures": _figures(user),
        "figure_days": FIGURE_DAYS,
        "now": timezone.now(),
        "demo_receiver": settings.DEMO_WEBHOOK_RECEIVER,
    }
    return render(request, "consoles/partner.html", context)


def _job_page(request: HttpRequest, pk: int, *, status: int = 200, **forms_given) -> HttpResponse:
    incident = incident_list(user=request.user).select_related("category").filter(pk=pk).first()
    if incident is None:
        raise Http404
    referral = referral_of(user=request.user, incident=incident)
    context = {
        "console": "partner",
        "incident": incident,
        "description": mask_personal_text(incident.description),
        "referral": referral,
        "timeline": incident_timeline(incident=incident, viewer=request.user),
        "progress_form": forms_given.get("progress_form") or ProgressForm(),
        "answer_form": forms_given.get("answer_form") or AnswerForm(),
        "now": timezone.now(),
    }
    return render(request, "consoles/partner_job.html", context, status=status)


@require_GET
@console_required("partner")
def partner_job(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_page(request, pk)


ACTIONS = {
    "accept": (None, lambda user, pk, data: referrals.referral_accept(actor=user, incident_id=pk)),
    "progress": (
        ProgressForm,
        lambda user, pk, data: referrals.referral_progress(
            actor=user, incident_id=pk, notes=data["notes"]
        ),
    ),
    "answer": (
        AnswerForm,
        lambda user, pk, data: referrals.referral_answer(
            actor=user, incident_id=pk, answer=data["answer"], notes=data["notes"]
        ),
    ),
}
DONE = {
    "accept": _("Accepted: the job is yours to handle."),
    "progress": _("Progress recorded on the job."),
    "answer": _("Answer recorded: the street center sees it."),
}


@require_POST
@console_required("partner")
def partner_job_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    form_class, step = ACTIONS[action]
    form = form_class(request.POST) if form_class else None
    given = {f"{action}_form": form} if form is not None else {}
    if form is not None and not form.is_valid():
        return _job_page(request, pk, status=400, **given)
    try:
        step(request.user, pk, form.cleaned_data if form is not None else {})
    except ValidationError as error:
        if form is not None:
            for field, texts in error.message_dict.items():
                form.add_error(field if field in form.fields else None, texts)
        else:
            messages.error(request, " ".join(error.messages))
        return _job_page(request, pk, status=400, **given)
    except ObjectDoesNotExist:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return _job_page(request, pk, status=error.status_code, **given)
    messages.success(request, DONE[action])
    return redirect("partner-job", pk=pk)
