"""走失人员, the missing-persons page: the open cases of the area with their search
areas, the month's figures, the report form (police), and one case's page where
sightings, found and closing are recorded. Everything goes through
community.missing; a bad form answers 400 with its messages and writes nothing.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from community import missing
from community.choices import MissingCondition, MissingStatus
from community.missing_models import MissingPerson
from consoles.shell import console_required
from incidents.selectors import incident_list

LIST_SIZE = 100


# Typed as 2026-12-01 08:30 in a plain field, as everywhere in the consoles (a browser's
# picker follows the browser's locale); Django reads it in Asia/Shanghai.
LOCAL_TIME = forms.DateTimeInput(
    format="%Y-%m-%d %H:%M",
    attrs={"placeholder": _("YYYY-MM-DD hh:mm"), "inputmode": "numeric", "autocomplete": "off"},
)


class MissingForm(forms.Form):
    incident = forms.CharField(
        label=_("Call number"),
        max_length=24,
        required=False,
        help_text=_("The 110 call it came in by (e.g. 20261204-0031); empty for a walk-in."),
    )
    name = forms.CharField(label=_("Name"), max_length=40)
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "—"), ("1", _("Male")), ("2", _("Female"))]
    )
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=120)
    condition = forms.ChoiceField(
        label=_("Condition"), required=False, choices=[("", "—"), *MissingCondition.choices]
    )
    description = forms.CharField(
        label=_("What they look like and wear"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    last_seen_at = forms.DateTimeField(label=_("Last seen at"), widget=LOCAL_TIME)
    address = forms.CharField(
        label=_("Last seen where"),
        max_length=200,
        help_text=_(
            "Type part of a standard address and pick it, or describe the place and give its point."
        ),
    )
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    contact_name = forms.CharField(label=_("Contact"), max_length=40)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    photo = forms.FileField(label=_("Photo"), required=False)


class SightingForm(forms.Form):
    seen_at = forms.DateTimeField(label=_("Seen at"), widget=LOCAL_TIME)
    address = forms.CharField(label=_("Where"), max_length=200)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class FoundForm(forms.Form):
    found_at = forms.DateTimeField(label=_("Found at"), widget=LOCAL_TIME)
    place = forms.CharField(label=_("Where"), max_length=200)
    found_by = forms.CharField(label=_("Found by"), max_length=100)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Why is the case closed?"), max_length=500)


def _incident_of(user, form: MissingForm):
    """The call the report names (one the user may see), or None; a form error if none."""
    number = form.cleaned_data["incident"].strip()
    if not number:
        return None
    incident = incident_list(user=user).filter(number=number).first()
    if incident is None:
        form.add_error("incident", _("No call of yours with this number."))
    return incident


def _now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's field messages on the form's fields (its names where they differ)."""
    names = {"last_seen_lat": "lat", "last_seen_lng": "lng", "last_seen_place": "address",
             "place": "address" if "address" in form.fields else "place"}  # fmt: skip
    for field, messages in error.message_dict.items():
        name = names.get(field, field)
        form.add_error(name if name in form.fields else None, messages)


@require_http_methods(["GET", "POST"])
@console_required("missing")
def missing_page(request: HttpRequest) -> HttpResponse:
    may_report = missing.may_report(request.user)
    initial = {"last_seen_at": _now_minute(), "incident": request.GET.get("incident", "")[:24]}
    form, status = MissingForm(initial=initial), 200
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied
        form = MissingForm(request.POST, request.FILES)
        incident = _incident_of(request.user, form) if form.is_valid() else None
        if form.is_valid():  # the call's number may have added an error
            data = form.cleaned_data
            photo = data["photo"]
            try:
                case = missing.missing_report(
                    actor=request.user,
                    data=missing.MissingInput(
                        name=data["name"], gender=data["gender"], age=data["age"],
                        condition=data["condition"], description=data["description"],
                        last_seen_at=data["last_seen_at"], last_seen_place=data["address"],
                        last_seen_lat=data["lat"], last_seen_lng=data["lng"],
                        contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                        photo=photo.read() if photo else None,
                        incident_id=incident.pk if incident else None,
                    ),
                )  # fmt: skip
                return redirect("missing-case", pk=case.pk)
            except ValidationError as error:
                _form_errors(form, error)
        status = 400
    cases = missing.cases_visible(request.user).select_related("station").defer("photo")
    searching = list(cases.filter(status=MissingStatus.SEARCHING).order_by("-reported_at"))
    recent = list(cases.exclude(status=MissingStatus.SEARCHING)[:LIST_SIZE])
    return render(
        request,
        "consoles/missing.html",
        {
            "console": "missing",
            "form": form,
            "may_report": may_report,
            "searching": [(c, missing.search_area(c)) for c in searching],
            "recent": recent,
            "figures": missing.missing_months(user=request.user, months=6),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@console_required("missing")
def missing_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = (
        missing.cases_visible(request.user).select_related("station", "zone", "incident")
        .defer("photo").filter(pk=pk).first()
    )  # fmt: skip
    if case is None:
        raise Http404
    now = _now_minute()
    forms_ = {
        "sighting": SightingForm(initial={"seen_at": now}),
        "found": FoundForm(initial={"found_at": now}),
        "close": CloseForm(),
    }
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in forms_ or not missing.may_report(request.user):
            raise PermissionDenied
        form = forms_[step] = type(forms_[step])(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if step == "sighting":
                    missing.sighting_record(
                        actor=request.user, case_id=case.pk, seen_at=data["seen_at"],
                        place=data["address"], lat=data["lat"], lng=data["lng"],
                        note=data["note"],
                    )  # fmt: skip
                elif step == "found":
                    missing.missing_found(actor=request.user, case_id=case.pk, **data)
                else:
                    missing.missing_close(actor=request.user, case_id=case.pk, **data)
                return redirect("missing-case", pk=case.pk)
            except ValidationError as error:
                _form_errors(form, error)
        status = 400
    return render(
        request,
        "consoles/missing_case.html",
        {
            "console": "missing",
            "case": case,
            "area": missing.search_area(case),
            "sightings": case.sightings.order_by("-seen_at"),
            "notice": missing.notice_text(case),
            "open": case.status == MissingStatus.SEARCHING,
            "may_work": missing.may_report(request.user),
            "forms": forms_,
            "has_photo": MissingPerson.objects.filter(pk=case.pk).exclude(photo_type="").exists(),
        },
        status=status,
    )
