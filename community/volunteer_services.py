"""Writes of volunteers (义警): teams, members (each with its volunteer unit and
terminal binding), duty sessions, and the audited unmasked read.

Who manages a team (puts its members on duty, sends them on patrol, reads
their details unmasked): the command center, the staff of the team's street
(its governance center) and the chief of the team's station. A member puts
itself on and off duty from its terminal. Sending a volunteer to a job is
dispatch's (`dispatch.services.incident_dispatch`), which refuses police jobs.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.audit import access_record
from commandcenter.choices import DISTRICT_ROLES, Role
from commandcenter.exceptions import ActionForbidden, InvalidTransition
from commandcenter.models import GovernanceCenter, Station, Street
from commandcenter.services import event_record
from community.choices import VolunteerSkill
from community.volunteer_models import VolunteerMember, VolunteerSession, VolunteerTeam
from incidents.permissions import mask_name
from patrol.choices import BUSY_STATUSES, UnitStatus, UnitType
from patrol.models import PatrolZone, Unit
from patrol.services import unit_officer_bind

# The fields an unmasked read shows, as the access record names them.
PERSONAL_FIELDS = ("name", "phone", "id_number")
CALL_SIGN_PREFIX = "YJ"  # 义警


def may_manage_team(actor, team: VolunteerTeam) -> bool:
    """The command center; the team's street's staff; the team's station's chief."""
    if not actor.is_authenticated:
        return False
    if actor.is_superuser or actor.role in DISTRICT_ROLES:
        return True
    if actor.role == Role.STREET_STAFF:
        return team.street_id is not None and team.street_id == actor.street_id
    if actor.role == Role.STATION_CHIEF:
        return team.station_id is not None and team.station_id == actor.station_id
    return False


def _require_manager(actor, team: VolunteerTeam) -> None:
    if not may_manage_team(actor, team):
        raise ActionForbidden(
            _("Only the team's street, its station or the command center manages %(team)s.")
            % {"team": team.name}
        )


def _is_own(actor, member: VolunteerMember) -> bool:
    return actor.is_authenticated and member.user_id is not None and member.user_id == actor.pk


def _team_location(team: VolunteerTeam) -> dict:
    return {"station_id": team.station_id, "street_id": team.street_id}


# --- Teams and members ------------------------------------------------------------


@transaction.atomic
def volunteer_team_create(
    *,
    actor,
    code: str,
    name: str,
    street: Street | None = None,
    station: Station | None = None,
) -> VolunteerTeam:
    """A new team of a street, a station, or both (joint patrols)."""
    team = VolunteerTeam(code=code, name=name, street=street, station=station)
    if actor is not None:
        _require_manager(actor, team)
    if street is not None and not GovernanceCenter.objects.filter(street=street).exists():
        raise ValidationError({"street": _("The street has no governance center to send it.")})
    team.full_clean()
    team.save()
    event_record(
        kind="volunteer_team.created",
        subject=team,
        actor=actor,
        payload={"team": team.pk, "code": team.code, "name": team.name},
        **_team_location(team),
    )
    return team


def _skills_clean(skills) -> list[str]:
    skills = list(dict.fromkeys(skills or ()))
    unknown = [skill for skill in skills if skill not in VolunteerSkill.values]
    if unknown:
        raise ValidationError(
            {"skills": _("Unknown skills: %(skills)s.") % {"skills": ", ".join(map(str, unknown))}}
        )
    return skills


def _home_of(team: VolunteerTeam) -> dict:
    """Where a team's units live: its station and its street's governance center, so
    whoever manages the team sees (and may send) them (patrol.Unit.visible_to)."""
    center = GovernanceCenter.objects.filter(street_id=team.street_id).first()
    return {"home_station_id": team.station_id, "home_governance_center": center}


@transaction.atomic
def volunteer_member_create(
    *,
    actor,
    team_id: int,
    name: str,
    phone: str,
    id_number: str = "",
    skills=(),
    user=None,
    leader: bool = False,
) -> VolunteerMember:
    """A volunteer joins a team: its unit (off duty), and its account bound to it.

    The unit's name carries the masked name only (the map and unit lists show
    it to anyone who sees the unit); the person's details stay on the member.
    """
    team = VolunteerTeam.objects.select_for_update().get(pk=team_id)
    if actor is not None:
        _require_manager(actor, team)
    if user is not None and user.role != Role.VOLUNTEER:
        raise ValidationError({"user": _("A volunteer's account has the volunteer role.")})
    name, phone, id_number = name.strip(), phone.strip(), id_number.strip().upper()
    if not name or not phone:
        raise ValidationError({"name": _("A volunteer needs a name and a phone number.")})
    number = VolunteerMember.objects.filter(team=team).count() + 1
    call_sign = f"{CALL_SIGN_PREFIX}-{team.code}-{number:02d}"
    while Unit.objects.filter(call_sign=call_sign).exists():
        number += 1
        call_sign = f"{CALL_SIGN_PREFIX}-{team.code}-{number:02d}"
    unit = Unit(
        call_sign=call_sign,
        name=f"{team.name} {mask_name(name)}"[:100],
        unit_type=UnitType.VOLUNTEER,
        status=UnitStatus.OFF_DUTY,
        **_home_of(team),
    )
    unit.full_clean()
    unit.save()
    member = VolunteerMember(
        team=team,
        name=name,
        phone=phone,
        id_number=id_number,
        skills=_skills_clean(skills),
        unit=unit,
        user=user,
    )
    member.full_clean()
    member.save()
    if user is not None:
        # The manager was checked above; the binding is the terminal's permission.
        unit_officer_bind(actor=None, user=user, unit=unit)
    if leader:
        team.leader = member
        team.save(update_fields=["leader"])
    event_record(
        kind="volunteer.joined",
        subject=member,
        actor=actor,
        payload={"member": member.pk, "unit": unit.pk, "call_sign": unit.call_sign,
                 "team": team.code, "leader": leader},
        **_team_location(team),
    )  # fmt: skip
    return member


# --- Duty sessions -----------------------------------------------------------------


def _member_for_duty(actor, member_id: int) -> tuple[VolunteerMember, Unit]:
    """The member and its locked unit, if `actor` is the member or manages its team."""
    try:
        member = VolunteerMember.objects.select_related("team").get(pk=member_id)
    except VolunteerMember.DoesNotExist:
        raise VolunteerMember.DoesNotExist(_("No such volunteer.")) from None
    if not _is_own(actor, member):
        _require_manager(actor, member.team)
    unit = Unit.objects.select_for_update().get(pk=member.unit_id)
    return member, unit


def _duty_event(kind: str, *, actor, member, unit, session) -> None:
    """On the stream as the unit's own event (unit and status), so the map's unit
    layer moves it; no personal data."""
    event_record(
        kind=kind,
        subject=unit,
        actor=actor,
        payload={
            "unit": unit.pk,
            "status": unit.status,
            "call_sign": unit.call_sign,
            "member": member.pk,
            "team": member.team.code,
            "session": session.pk,
            "zone": session.zone.code if session.zone_id else None,
            "task": session.task,
            "on_behalf": not _is_own(actor, member),
        },
        **_team_location(member.team),
    )


@transaction.atomic
def volunteer_session_start(
    *, actor, member_id: int, zone_id: int | None = None, task: str = ""
) -> VolunteerSession:
    """上岗: the volunteer comes on duty (its unit is free to be sent), from its own
    terminal or sent on patrol by its team's street or station (`zone`, `task`)."""
    member, unit = _member_for_duty(actor, member_id)
    if not member.active or not member.team.active:
        raise InvalidTransition(_("%(unit)s is not an active volunteer.") % {"unit": unit})
    if unit.status != UnitStatus.OFF_DUTY:
        raise InvalidTransition(_("%(unit)s is already on duty.") % {"unit": unit})
    zone = None
    if zone_id is not None:
        zone = PatrolZone.objects.filter(pk=zone_id).first()
        team = member.team
        if zone is None or not (
            (team.street_id and zone.street_id == team.street_id)
            or (team.station_id and zone.station_id == team.station_id)
        ):
            raise ValidationError({"zone": _("Choose a patrol zone in the team's area.")})
    task = (task or "").strip()
    if len(task) > VolunteerSession._meta.get_field("task").max_length:
        raise ValidationError({"task": _("At most 100 characters.")})
    session = VolunteerSession.objects.create(
        member=member,
        team=member.team,
        started_at=timezone.now(),
        started_by=actor if actor.is_authenticated else None,
        zone=zone,
        task=task,
    )
    unit.status = UnitStatus.AVAILABLE
    unit.save(update_fields=["status"])
    _duty_event("volunteer.on_duty", actor=actor, member=member, unit=unit, session=session)
    return session


@transaction.atomic
def volunteer_session_end(*, actor, member_id: int) -> VolunteerSession:
    """下岗: the session ends and the unit goes off duty, its last position cleared
    (a citizen is not shown where it went home). Not while it is on a job: it
    leaves the scene first."""
    member, unit = _member_for_duty(actor, member_id)
    session = (
        VolunteerSession.objects.select_for_update()
        .filter(member=member, ended_at__isnull=True)
        .first()
    )
    if session is None:
        raise InvalidTransition(_("%(unit)s is not on duty.") % {"unit": unit})
    if unit.status in BUSY_STATUSES:
        raise InvalidTransition(
            _("%(unit)s is on a job: leave the scene first, then end the duty.") % {"unit": unit}
        )
    now = timezone.now()
    session.ended_at = max(now, session.started_at)
    session.ended_by = actor if actor.is_authenticated else None
    session.save(update_fields=["ended_at", "ended_by"])
    unit.status = UnitStatus.OFF_DUTY
    unit.lat = unit.lng = unit.position_at = None
    unit.save(update_fields=["status", "lat", "lng", "position_at"])
    _duty_event("volunteer.off_duty", actor=actor, member=member, unit=unit, session=session)
    return session


# --- Personal data -----------------------------------------------------------------


def may_see_volunteer(actor, member: VolunteerMember) -> bool:
    """Unmasked details go to those who call the volunteer out: its team's managers
    (and the volunteer itself)."""
    return _is_own(actor, member) or may_manage_team(actor, member.team)


def volunteer_reveal(*, actor, member: VolunteerMember, purpose: str = "", request=None) -> None:
    """Show a volunteer's name, phone and ID number unmasked to `actor`, recorded in
    the access record (in the caller's transaction: a read that fails to record fails)."""
    if not may_see_volunteer(actor, member):
        raise ActionForbidden(_("You may not see this volunteer's details."))
    access_record(
        actor=actor,
        object_type=VolunteerMember._meta.label_lower,
        object_id=member.pk,
        fields=PERSONAL_FIELDS,
        request=request,
        purpose=purpose,
    )
