"""Reads of volunteers (义警): teams, members, their sessions and hours, each scoped
by the one policy (a street its teams, a station its own, the command center all)."""

from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from commandcenter.access import visible
from community.volunteer_models import VolunteerMember, VolunteerSession, VolunteerTeam
from incidents.permissions import mask_name
from patrol.choices import UnitStatus


def volunteer_team_list(*, user) -> QuerySet[VolunteerTeam]:
    """The teams `user` may see, with their member counts and leader."""
    return visible(
        VolunteerTeam.objects.select_related("street", "station", "leader").annotate(
            members_total=Count("members", filter=Q(members__active=True), distinct=True),
            members_on_duty=Count(
                "members",
                filter=Q(members__active=True) & ~Q(members__unit__status=UnitStatus.OFF_DUTY),
                distinct=True,
            ),
        ),
        user,
    ).order_by("code")


def volunteer_list(*, user) -> QuerySet[VolunteerMember]:
    """The volunteers `user` may see, with their team, unit and open session."""
    open_sessions = VolunteerSession.objects.filter(ended_at__isnull=True).select_related("zone")
    return visible(
        VolunteerMember.objects.select_related("team", "unit").prefetch_related(
            Prefetch("sessions", queryset=open_sessions, to_attr="open_sessions")
        ),
        user,
    ).order_by("team__code", "unit__call_sign")


def volunteer_of(user) -> VolunteerMember | None:
    """The volunteer a user of the volunteer role is, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        VolunteerMember.objects.select_related("team", "unit")
        .filter(user=user, active=True)
        .first()
    )


def volunteer_open_session(member: VolunteerMember) -> VolunteerSession | None:
    return (
        VolunteerSession.objects.select_related("zone")
        .filter(member=member, ended_at__isnull=True)
        .first()
    )


def local_days_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From the start of local day `first` to the end of local day `last` (inclusive)."""
    start = timezone.make_aware(datetime.combine(first, time.min))
    return start, timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


def volunteer_hours(
    *, user, start: datetime, end: datetime, team_id: int | None = None
) -> dict[str, list[dict]]:
    """志愿时长: time on duty inside [start, end), per member and per team.

    Each session counts its part inside the range; a session still open counts
    up to now. Teams `user` sees are all listed (with zero if nobody served);
    members only when they served.
    """
    now = timezone.now()
    sessions = visible(VolunteerSession.objects.all(), user).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start), started_at__lt=min(end, now)
    )
    if team_id is not None:
        sessions = sessions.filter(team_id=team_id)
    moment = DateTimeField()
    inside = ExpressionWrapper(
        Least(Coalesce("ended_at", Value(now, moment)), Value(end, moment), output_field=moment)
        - Greatest(F("started_at"), Value(start, moment), output_field=moment),
        output_field=DurationField(),
    )
    rows = list(
        sessions.values("member_id", "team_id")
        .annotate(sessions=Count("id"), duration=Sum(inside))
        .order_by()
    )
    members = {
        member.pk: member
        for member in VolunteerMember.objects.filter(
            pk__in={row["member_id"] for row in rows}
        ).select_related("unit")
    }
    teams = volunteer_team_list(user=user)
    if team_id is not None:
        teams = teams.filter(pk=team_id)
    by_team: dict[int, dict] = {
        team.pk: {
            "team": team.pk,
            "code": team.code,
            "name": team.name,
            "members": 0,
            "sessions": 0,
            "seconds": 0,
        }
        for team in teams
    }
    member_rows = []
    for row in rows:
        seconds = max(0, int((row["duration"] or timedelta()).total_seconds()))
        member = members[row["member_id"]]
        team = by_team.get(row["team_id"])
        if team is not None:
            team["members"] += 1
            team["sessions"] += row["sessions"]
            team["seconds"] += seconds
        member_rows.append(
            {
                "member": member.pk,
                "call_sign": member.unit.call_sign,
                "name": mask_name(member.name),
                "team": team["code"] if team else None,
                "sessions": row["sessions"],
                "seconds": seconds,
            }
        )
    member_rows.sort(key=lambda r: (r["team"] or "", -r["seconds"], r["call_sign"]))
    for entry in [*by_team.values(), *member_rows]:
        entry["hours"] = round(entry["seconds"] / 3600, 2)
    return {"teams": list(by_team.values()), "members": member_rows}
