"""数据看板, the dashboard (/dashboard/): the KPIs a station chief opens every morning.

Station chiefs read their station and posts, the command center every station
(with a station filter), a post its post, a street office its street's diverted
jobs: the scope is kpi_scope's, the one the API reads in. The range is a preset
(今日, 昨日, 本周, 上周, 本月) or two local dates, kept in the query string so a
chief can bookmark "this week".

The page carries its first read of analytics.dashboard.dashboard_data, so the
charts draw at once; the script (frontend/static/js/dashboard/main.js) then reads
/api/v1/dashboard/ with the same query when the range or the station changes,
and every minute while the range includes today.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from analytics.api.kpis import query_range
from analytics.dashboard import dashboard_data, range_presets
from analytics.kpis import kpi_definitions, kpi_scope
from analytics.reports import may_read_reports
from analytics.selectors import job_clocks
from commandcenter.access import may_use_console
from commandcenter.choices import Role
from commandcenter.models import Post, Station, Street
from commandcenter.selectors import station_list
from consoles.forms import ReportForm
from consoles.jobs import JOB_RELATED
from consoles.reports import report_panel_context, station_choices
from consoles.shell import console_required, map_config
from dispatch.selectors import assignment_tracks
from incidents.selectors import incident_list, incident_timeline

PRESET_LABELS = {
    "today": _("Today"),
    "yesterday": _("Yesterday"),
    "this_week": _("This week"),
    "last_week": _("Last week"),
    "this_month": _("This month"),
}
REFRESH_SECONDS = 60


def _scope_place(scope) -> tuple[str, dict]:
    """What the page is about (the post, station or street, else the district), and
    the zones query that draws its zones only."""
    if scope.post_id:
        post = Post.objects.get(pk=scope.post_id)
        return post.name, {"post": post.code}
    if scope.station_id:
        station = Station.objects.get(pk=scope.station_id)
        return station.name, {"station": station.code}
    if scope.street_id:
        street = Street.objects.get(pk=scope.street_id)
        return street.name, {"street": street.code}
    return str(_("All stations")), {}


def _chosen_range(query: QueryDict, today: date) -> tuple[str, date, date, list[str]]:
    """The preset (or "custom") and its local days; today, with the errors, if invalid."""
    preset = query.get("range", "")
    try:
        start, end = query_range(query)
    except ValidationError as error:
        return "today", today, today, error.messages
    if start > end:
        return "today", today, today, [str(_("The first day is after the last."))]
    if not preset:
        preset = "custom" if query.get("from") or query.get("to") else "today"
    return preset, start, end, []


@require_GET
@console_required("dashboard")
def dashboard_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = kpi_scope(user)
    today = timezone.localdate()
    preset, start, end, errors = _chosen_range(request.GET, today)
    stations = chosen = None
    if scope.district_wide:
        stations = list(station_list(user=user))
        code = request.GET.get("station", "")
        if code:
            chosen = next((station for station in stations if station.code == code), None)
            if chosen is None:
                raise Http404(_("No such station."))
    data = dashboard_data(
        scope=scope, start=start, end=end, station=chosen.code if chosen else None
    )
    presets = [
        {
            "code": code,
            "label": PRESET_LABELS[code],
            "from": first.isoformat(),
            "to": last.isoformat(),
        }
        for code, (first, last) in range_presets(today).items()
    ]
    place, zone_filter = _scope_place(scope)
    config = {
        "api": reverse("dashboard"),
        "zones": reverse("zone-list"),
        "zoneFilter": zone_filter,
        "page": reverse("dashboard-page"),
        # A late clock's job: its timeline, clocks and the units' tracks (0 for its id).
        "jobPage": reverse("dashboard-job", kwargs={"pk": 0}),
        # A site's page (its id appended).
        "sitesUrl": reverse("sites-page"),
        "refreshSeconds": REFRESH_SECONDS,
        "today": today.isoformat(),
        "range": preset,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "station": chosen.code if chosen else "",
        "districtWide": scope.district_wide,
    }
    reports = {}
    if may_read_reports(user):
        # The reports (consoles.reports): the list with its downloads, and the form
        # for an ad-hoc report of the range and station on the screen.
        form = ReportForm(
            stations=station_choices(user),
            initial={"start": start, "end": end, "station": chosen.code if chosen else ""},
        )
        reports = report_panel_context(request, form=form)
    return render(
        request,
        "consoles/dashboard.html",
        {
            **reports,
            "console": "dashboard",
            "scope_name": chosen.name if chosen else place,
            "stations": stations,
            "chosen": chosen,
            "presets": presets,
            "preset": preset,
            "start": start,
            "end": end,
            "errors": errors,
            "definitions": kpi_definitions(),
            "dashboard_config": config,
            "dashboard_data": data,
        },
        status=400 if errors else 200,
    )


def _console_job(user, incident) -> str | None:
    """The console where the user works the job, if any (the dispatcher's or the street's)."""
    if user.role == Role.STREET_STAFF and may_use_console(user, "street"):
        return reverse("console-incident", kwargs={"console": "street", "pk": incident.pk})
    if may_use_console(user, "dispatch"):
        return reverse("console-incident", kwargs={"console": "dispatch", "pk": incident.pk})
    return None


@require_GET
@console_required("dashboard")
def dashboard_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job as the dashboard drills down to it, read-only: its clocks, its timeline
    and where the units sent to it drove (their GPS tracks), for the review of a
    late clock. Working the job is the console's (linked)."""
    user = request.user
    incident = get_object_or_404(incident_list(user=user).select_related(*JOB_RELATED), pk=pk)
    tracks = assignment_tracks(user=user, incident=incident)
    track_map = {
        **map_config(district=reverse("district")),
        "job": {"number": incident.number, "lat": incident.lat, "lng": incident.lng},
        "tracks": [
            {
                "call_sign": track["assignment"].unit.call_sign,
                "status": track["assignment"].status,
                "points": [[lat, lng] for _time, lat, lng in track["points"]],
                "first": timezone.localtime(track["points"][0][0]).strftime("%H:%M:%S")
                if track["points"]
                else None,
                "last": timezone.localtime(track["points"][-1][0]).strftime("%H:%M:%S")
                if track["points"]
                else None,
            }
            for track in tracks
        ],
    }
    return render(
        request,
        "consoles/dashboard_job.html",
        {
            "console": "dashboard",
            "incident": incident,
            "clocks": job_clocks(incident),
            "timeline": incident_timeline(incident=incident, viewer=user),
            "tracks": tracks,
            "track_map": track_map,
            "console_job": _console_job(user, incident),
            "back": request.META.get("HTTP_REFERER", "")
            if request.META.get("HTTP_REFERER", "").startswith(
                request.build_absolute_uri(reverse("dashboard-page"))
            )
            else reverse("dashboard-page"),
        },
    )
