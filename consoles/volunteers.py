"""义警 / 平安志愿者, the volunteers page: the teams and members in the user's area
(masked), who is on duty and where, their hours over a range of days; the
team's street, station or the command center sends a member on patrol or ends
its duty. Sending one to a job is the job panel's, like any unit."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commandcenter.exceptions import DomainError
from commandcenter.timeparse import day_parse
from community.choices import VolunteerSkill
from community.volunteer_selectors import (
    local_days_bounds,
    volunteer_hours,
    volunteer_list,
    volunteer_team_list,
)
from community.volunteer_services import (
    may_manage_team,
    volunteer_session_end,
    volunteer_session_start,
)
from consoles.shell import LIST_LIMIT, console_required
from incidents.permissions import mask_name, mask_phone
from patrol.choices import UnitStatus
from patrol.models import PatrolZone

# The hours shown by default: the last week, today included.
DEFAULT_DAYS = 7
MAX_DAYS = 366


def _range(request: HttpRequest) -> tuple:
    """The page's days (`from`, `to`, inclusive) and what was wrong with them."""
    today = timezone.localdate()
    first, last, errors = today - timedelta(days=DEFAULT_DAYS - 1), today, []
    try:
        if request.GET.get("from", "").strip():
            first = day_parse(request.GET["from"])
        if request.GET.get("to", "").strip():
            last = day_parse(request.GET["to"])
    except ValidationError as error:
        errors = error.messages
    if not errors and (last < first or (last - first).days >= MAX_DAYS):
        errors = [_("Choose a first day before the last, at most a year apart.")]
    if errors:
        first, last = today - timedelta(days=DEFAULT_DAYS - 1), today
    return first, last, errors


def _zones_by_team(teams) -> dict[int, list[PatrolZone]]:
    """The patrol zones each team may be sent to: its street's and its station's."""
    streets = {team.street_id for team in teams if team.street_id}
    stations = {team.station_id for team in teams if team.station_id}
    zones = list(
        PatrolZone.objects.filter(Q(street_id__in=streets) | Q(station_id__in=stations)).order_by(
            "code"
        )
    )
    return {
        team.pk: [
            zone
            for zone in zones
            if (team.street_id and zone.street_id == team.street_id)
            or (team.station_id and zone.station_id == team.station_id)
        ]
        for team in teams
    }


@require_GET
@console_required("volunteers")
def volunteers_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    first, last, errors = _range(request)
    start, end = local_days_bounds(first, last)
    hours = volunteer_hours(user=user, start=start, end=end)
    team_hours = {row["team"]: row for row in hours["teams"]}
    member_hours: dict[int, float] = {}
    for row in hours["members"]:
        member_hours[row["member"]] = member_hours.get(row["member"], 0) + row["hours"]
    teams = list(volunteer_team_list(user=user))
    managed = {team.pk for team in teams if may_manage_team(user, team)}
    zones = _zones_by_team([team for team in teams if team.pk in managed])
    members = list(volunteer_list(user=user).filter(active=True)[:LIST_LIMIT])
    skill_names = dict(VolunteerSkill.choices)
    rows = [
        {
            "member": member,
            "name": mask_name(member.name),
            "phone": mask_phone(member.phone),
            "skills": [skill_names.get(skill, skill) for skill in member.skills],
            "session": member.open_sessions[0] if member.open_sessions else None,
            "on_duty": member.unit.status != UnitStatus.OFF_DUTY,
            "hours": round(member_hours.get(member.pk, 0), 2),
            "may_send": member.team_id in managed,
            "zones": zones.get(member.team_id, []),
        }
        for member in members
    ]
    return render(
        request,
        "consoles/volunteers.html",
        {
            "console": "volunteers",
            "teams": [
                {
                    "team": team,
                    "leader": mask_name(team.leader.name) if team.leader_id else "",
                    "hours": team_hours.get(team.pk, {}).get("hours", 0),
                }
                for team in teams
            ],
            "rows": rows,
            "first": first,
            "last": last,
            "range_errors": errors,
            "total_hours": round(sum(row["hours"] for row in hours["teams"]), 2),
        },
        status=400 if errors else 200,
    )


@require_POST
@console_required("volunteers")
def volunteer_duty(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a member on patrol (a zone of its team's area, a task) or end its duty."""
    member = get_object_or_404(volunteer_list(user=request.user), pk=pk)
    try:
        if request.POST.get("on_duty") == "1":
            code = request.POST.get("zone", "").strip()
            zone = PatrolZone.objects.filter(code=code).first() if code else None
            if code and zone is None:
                raise ValidationError(_("No such patrol zone."))
            volunteer_session_start(
                actor=request.user,
                member_id=member.pk,
                zone_id=zone.pk if zone else None,
                task=request.POST.get("task", ""),
            )
            messages.success(request, _("%(unit)s is on patrol.") % {"unit": member.unit.call_sign})
        else:
            volunteer_session_end(actor=request.user, member_id=member.pk)
            messages.success(request, _("%(unit)s is off duty.") % {"unit": member.unit.call_sign})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("volunteers")
