"""所 / 站视图, the station view: open jobs by post and station, the area's
units and what each is on, shift teams, and patrol time per unit for a day."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from analytics.selectors import with_alert
from commandcenter.access import scope_of
from commandcenter.choices import DISTRICT_ROLES, Role
from commandcenter.exceptions import DomainError
from commandcenter.selectors import station_list
from commandcenter.timeparse import day_parse
from consoles.shell import LIST_LIMIT, console_required
from dispatch.selectors import active_assignments_prefetch, current_jobs
from incidents.models import Incident
from incidents.selectors import open_incidents
from patrol.choices import UnitStatus
from patrol.selectors import patrol_time_cached, station_units, team_list
from patrol.services import team_set_duty

LIST_RELATED = ("category", "station", "post")


def _station_groups(incidents: list[Incident]) -> list[dict]:
    """Open jobs grouped by the post, else the station, that covers them."""
    groups: dict[tuple, dict] = {}
    for incident in incidents:
        key = (incident.station_id, incident.post_id)
        if key not in groups:
            groups[key] = {"station": incident.station, "post": incident.post, "incidents": []}
        groups[key]["incidents"].append(incident)

    def order(group: dict) -> tuple:
        station, post = group["station"], group["post"]
        return (station is None, station.name if station else "", post is not None, str(post or ""))

    return sorted(groups.values(), key=order)


def _patrol_summary(rows: list[dict]) -> list[dict]:
    """Patrol time per unit (minutes), its zones longest first."""
    units: dict[int, dict] = {}
    for row in rows:
        unit = units.setdefault(
            row["unit"],
            {"call_sign": row["call_sign"], "team": row["team_name"], "seconds": 0, "zones": []},
        )
        unit["seconds"] += row["seconds"]
        unit["zones"].append((row["zone_name"], round(row["seconds"] / 60)))
    for unit in units.values():
        unit["minutes"] = round(unit["seconds"] / 60)
        unit["zones"].sort(key=lambda zone: -zone[1])
    return sorted(units.values(), key=lambda unit: -unit["seconds"])


@require_POST
@console_required("station")
def team_duty(request: HttpRequest, pk: int) -> HttpResponse:
    """班组上岗 / 下岗 from the station view."""
    team = get_object_or_404(team_list(user=request.user), pk=pk)
    try:
        team_set_duty(
            actor=request.user, team_id=team.pk, on_duty=request.POST.get("on_duty") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
    # Back where the form was, if that is a page of this site; anywhere else
    # (another host, a scheme-relative //host, javascript:) is the station page.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("station-console")
    return redirect(target)


@require_GET
@console_required("station")
def station_console(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_of(user)
    stations = chosen = None
    if scope.district_wide:
        stations = list(station_list(user=user))
        code = request.GET.get("station", "")
        if code:
            chosen = next((station for station in stations if station.code == code), None)
            if chosen is None:
                raise Http404(_("No such station."))
    station_id = chosen.pk if chosen else scope.station_id
    jobs = with_alert(open_incidents(user=user)).select_related(*LIST_RELATED)
    if chosen:
        jobs = jobs.filter(station=chosen)
    jobs = list(jobs.prefetch_related(active_assignments_prefetch())[:LIST_LIMIT])
    units = list(station_units(user=user, station_id=chosen.pk if chosen else None))
    job_ids = {incident.pk for incident in jobs}
    current = current_jobs(unit_ids=[unit.pk for unit in units])
    unit_rows = [
        {
            "unit": unit,
            "incident": current.get(unit.pk),
            "linkable": unit.pk in current and current[unit.pk].pk in job_ids,
        }
        for unit in units
    ]
    counts = {status: 0 for status in UnitStatus.values}
    for unit in units:
        counts[unit.status] += 1
    day, day_errors = timezone.localdate(), []
    if request.GET.get("date", "").strip():
        try:
            day = day_parse(request.GET["date"])
        except ValidationError as error:
            day_errors = error.messages
    patrol_rows = patrol_time_cached(user=user, day=day, station_id=station_id)
    return render(
        request,
        "consoles/station_console.html",
        {
            "teams": list(team_list(user=user, station_id=station_id)),
            "may_set_duty": bool(user.role in DISTRICT_ROLES or user.role == Role.STATION_CHIEF),
            "patrol_day": day,
            "patrol_day_errors": day_errors,
            "patrol_rows": _patrol_summary(patrol_rows),
            "console": "station",
            "groups": _station_groups(jobs),
            "job_count": len(jobs),
            "unit_rows": unit_rows,
            "unit_counts": [(UnitStatus(status).label, status, n) for status, n in counts.items()],
            "stations": stations,
            "chosen": chosen,
        },
        status=400 if day_errors else 200,
    )
