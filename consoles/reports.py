"""Reports (日报, 周报, ad hoc) in the consoles: the list with its downloads, and the
form for an ad-hoc report, both for the dashboard to include.

`report_rows(user)` is what the list partial
(frontend/templates/consoles/partials/report_list.html, context `reports`)
reads; `report_panel_context(request)` gives the panel (form and list,
partials/report_panel.html). The form posts with htmx to `reports-create`,
which builds the report with analytics.reports.report_build and answers
with the panel again: the form's errors in it (400, 403), or the new report
at the top of the list. Who reads which report is analytics.reports's rule.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analytics.choices import ReportKind
from analytics.report_render import report_title
from analytics.reports import may_read_reports, report_build, report_list
from commandcenter.access import scope_of
from commandcenter.directory import directory
from commandcenter.models import Station
from commandcenter.selectors import station_list
from consoles.forms import ReportForm
from consoles.shell import console_required, forbidden, is_htmx

# The newest this many reports are listed (the API pages through all of them).
REPORTS_LISTED = 30
# Service errors by the API's field names → the form's.
FORM_FIELDS = {"from": "start", "to": "end", "station": "station"}


def reports_required(view):
    """A police console user (logged in first) whose role reads reports, else 403."""

    @console_required("station")
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not may_read_reports(request.user):
            return forbidden(request, "station")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def report_rows(user, *, limit: int = REPORTS_LISTED) -> list[dict]:
    """The newest reports `user` reads, as the list shows them (with their downloads)."""
    return [
        {
            "id": report.pk,
            "kind": report.kind,
            "kind_display": report.get_kind_display(),
            "title": report_title(report),
            "from": report.start,
            "to": report.end,
            "scope_name": report.scope_name,
            "created_at": report.created_at,
            "created_by": report.created_by.username if report.created_by_id else "",
            "xlsx": reverse("report-xlsx", args=[report.pk]),
            "pdf": reverse("report-pdf", args=[report.pk]),
        }
        for report in report_list(user=user)[:limit]
    ]


def station_choices(user) -> list[tuple[str, str]]:
    """The scopes the form offers: the district and every station to the command
    center, a chief its own station only."""
    stations = [(s.code, s.name) for s in station_list(user=user)]
    if scope_of(user).district_wide:
        return [("", _("District")), *stations]
    return stations


def _form(user, data=None) -> ReportForm:
    yesterday = timezone.localdate() - timedelta(days=1)
    return ReportForm(
        data,
        stations=station_choices(user),
        initial={"start": yesterday, "end": yesterday},
    )


def report_panel_context(request: HttpRequest, *, form=None, errors=None, notice="") -> dict:
    return {
        "report_form": form or _form(request.user),
        "report_errors": errors or [],
        "report_notice": notice,
        "reports": report_rows(request.user),
    }


def _panel(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    return render(
        request,
        "consoles/partials/report_panel.html",
        report_panel_context(request, **context),
        status=status,
    )


@require_GET
@reports_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """报表: the reports the user reads, and the form for an ad-hoc one."""
    return render(
        request, "consoles/reports.html", {"console": "reports", **report_panel_context(request)}
    )


@require_GET
@reports_required
def report_list_partial(request: HttpRequest) -> HttpResponse:
    """The list alone, for the dashboard to refresh."""
    return render(
        request, "consoles/partials/report_list.html", {"reports": report_rows(request.user)}
    )


@require_POST
@reports_required
def report_create(request: HttpRequest) -> HttpResponse:
    """An ad-hoc report from the form; the panel again, with the form's errors or the
    new report listed first."""
    form = _form(request.user, request.POST)
    if not form.is_valid():
        return _respond(request, status=400, form=form)
    code = form.cleaned_data["station"]
    try:
        report = report_build(
            kind=ReportKind.ADHOC,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            station=directory.by_code(Station, code) if code else None,
            actor=request.user,
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            form.add_error(FORM_FIELDS.get(name), messages)
        return _respond(request, status=400, form=form)
    except PermissionDenied as error:
        return _respond(request, status=403, form=form, errors=[str(error)])
    notice = _("Report built: %(title)s.") % {"title": report_title(report)}
    return _respond(request, notice=notice)


def _respond(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    if is_htmx(request):
        return _panel(request, status=status, **context)
    if status == 200:
        messages.success(request, context.get("notice", ""))
        return redirect("reports")
    return render(
        request,
        "consoles/reports.html",
        {"console": "reports", **report_panel_context(request, **context)},
        status=status,
    )
