"""Webhooks in the partner console (/partner/webhooks/): the account's endpoints with
their state, subscribing one (the secret shown once), rotating, disabling and
enabling, one endpoint's deliveries with their attempts, and the dead letters with
replay of one or of a time range. Partner accounts and administrators open them;
everything goes through webhooks.services, and a bad form answers 400 with its
messages and changes nothing.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from commandcenter.choices import Role
from commandcenter.exceptions import DomainError
from consoles.shell import forbidden
from webhooks import services
from webhooks.catalogue import WILDCARD, families_for
from webhooks.choices import DEAD_LETTERS
from webhooks.selectors import (
    attempts_of,
    deliveries_visible,
    endpoint_notices,
    endpoints_visible,
    is_webhook_administrator,
    may_self_subscribe,
)

DELIVERIES_SHOWN = 50
DEAD_LETTERS_SHOWN = 100
# Typed as 2026-12-01 08:30 in a plain field, as everywhere in the consoles; read in
# Asia/Shanghai.
LOCAL_FORMAT = "%Y-%m-%d %H:%M"
LOCAL_TIME = forms.DateTimeInput(
    format=LOCAL_FORMAT,
    attrs={"placeholder": _("YYYY-MM-DD hh:mm"), "inputmode": "numeric", "autocomplete": "off"},
)


def webhooks_page(view):
    """Partner accounts and administrators; anyone else is refused (403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role != Role.PARTNER and not is_webhook_administrator(user):
            return forbidden(request, "partner")
        return view(request, *args, **kwargs)

    return wrapped


def event_type_choices(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """Checkboxes grouped by family: the whole family first, then its kinds."""
    groups = []
    for family in families_for(user):
        whole = family.name + WILDCARD
        options = [(whole, _t("All of %(family)s") % {"family": whole})]
        # A kind shows once, in its own family (incident.referred also opens a referral).
        own = [kind for kind in family.kinds if kind.startswith(family.name + ".")]
        options += [(kind, kind) for kind in own]
        groups.append((str(family.description), options))
    return groups


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("What it is for"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Event types"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = event_type_choices(user)


class ReplayRangeForm(forms.Form):
    start = forms.DateTimeField(label=_("From"), widget=LOCAL_TIME, input_formats=[LOCAL_FORMAT])
    end = forms.DateTimeField(label=_("Until"), widget=LOCAL_TIME, input_formats=[LOCAL_FORMAT])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


def _errors_on(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _secret_page(request, endpoint, secret: str, status: int = 200) -> HttpResponse:
    """The secret, on this one answer only (never in a URL, a message or a log)."""
    response = render(
        request,
        "consoles/partner_webhooks_secret.html",
        {"console": "partner", "endpoint": endpoint, "secret": secret},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@webhooks_page
def partner_webhooks(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_subscribe = may_self_subscribe(user)
    form, status = EndpointForm(user=user), 200
    if request.method == "POST":
        if not may_subscribe:
            return forbidden(request, "partner")
        form = EndpointForm(request.POST, user=user)
        if form.is_valid():
            try:
                endpoint, secret = services.endpoint_create(actor=user, **form.cleaned_data)
                return _secret_page(request, endpoint, secret, status=201)
            except ValidationError as error:
                _errors_on(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
        status = 400
    return render(
        request,
        "consoles/partner_webhooks.html",
        {
            "console": "partner",
            "endpoints": list(endpoints_visible(user).order_by("-created_at")),
            "notices": list(endpoint_notices(user)),
            "form": form,
            "may_subscribe": may_subscribe,
        },
        status=status,
    )


ACTIONS = ("rotate", "disable", "enable", "delete", "replay", "replay_range")


@require_http_methods(["GET", "POST"])
@webhooks_page
def partner_webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    endpoint = endpoints_visible(user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    range_form, status, refusal = ReplayRangeForm(), 200, ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            status, refusal = 400, _t("Unknown action.")
        else:
            try:
                if action == "rotate":
                    endpoint, secret = services.endpoint_secret_rotate(actor=user, endpoint_id=pk)
                    return _secret_page(request, endpoint, secret)
                if action == "disable":
                    services.endpoint_disable(actor=user, endpoint_id=pk)
                    messages.success(request, _t("The endpoint is disabled."))
                elif action == "enable":
                    services.endpoint_enable(actor=user, endpoint_id=pk)
                    messages.success(request, _t("The endpoint is enabled."))
                elif action == "delete":
                    services.endpoint_delete(actor=user, endpoint_id=pk)
                    messages.success(request, _t("The endpoint is deleted."))
                    return redirect("partner-webhooks")
                elif action == "replay":
                    delivery_id = request.POST.get("delivery", "")
                    if not delivery_id.isdigit():
                        raise ValidationError({"delivery": _t("Pick a delivery.")})
                    services.delivery_replay(actor=user, delivery_id=int(delivery_id))
                    messages.success(request, _t("The delivery is sent again."))
                else:
                    range_form = ReplayRangeForm(request.POST)
                    if not range_form.is_valid():
                        raise ValidationError({})
                    count = services.deliveries_replay_range(
                        actor=user, endpoint_id=pk, **range_form.cleaned_data
                    )
                    messages.success(
                        request, _t("%(count)d delivery(ies) sent again.") % {"count": count}
                    )
                return redirect("partner-webhook-detail", pk=pk)
            except ObjectDoesNotExist:
                raise Http404 from None
            except ValidationError as error:
                status = 400
                if hasattr(error, "error_dict") and error.error_dict:
                    if action == "replay_range":
                        _errors_on(range_form, error)
                    else:
                        refusal = " ".join(m for ms in error.message_dict.values() for m in ms)
            except DomainError as error:
                status, refusal = error.status_code, error.message
        endpoint = endpoints_visible(user).filter(pk=pk).first() or endpoint
    deliveries = list(deliveries_visible(user).filter(endpoint=endpoint)[:DELIVERIES_SHOWN])
    dead = list(
        deliveries_visible(user)
        .filter(endpoint=endpoint, status__in=DEAD_LETTERS)
        .order_by("-created_at")[:DEAD_LETTERS_SHOWN]
    )
    attempts = attempts_of({d.pk for d in deliveries} | {d.pk for d in dead})
    return render(
        request,
        "consoles/partner_webhooks_detail.html",
        {
            "console": "partner",
            "endpoint": endpoint,
            "deliveries": [(d, attempts.get(d.pk, [])) for d in deliveries],
            "dead": dead,
            "range_form": range_form,
            "refusal": refusal,
        },
        status=status,
    )
