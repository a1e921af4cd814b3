"""Serializers of volunteer teams, volunteers (masked unless the view recorded an
unmasked read), duty and hours."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from community.choices import VolunteerSkill
from community.volunteer_models import VolunteerMember, VolunteerTeam
from incidents.permissions import mask_id_number, mask_name, mask_phone

_code = {"slug_field": "code", "read_only": True, "allow_null": True}


class VolunteerTeamSerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(**_code)
    street_name = serializers.CharField(source="street.name", read_only=True, default=None)
    station = serializers.SlugRelatedField(**_code)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)
    leader_name = serializers.SerializerMethodField(help_text="Masked (张**).")
    members = serializers.IntegerField(source="members_total", read_only=True)
    on_duty = serializers.IntegerField(source="members_on_duty", read_only=True)

    class Meta:
        model = VolunteerTeam
        fields = [
            "id", "code", "name", "street", "street_name", "station", "station_name",
            "leader", "leader_name", "members", "on_duty", "active",
        ]  # fmt: skip

    def get_leader_name(self, team) -> str | None:
        return mask_name(team.leader.name) if team.leader_id else None


class VolunteerSerializer(serializers.ModelSerializer):
    """A volunteer with name, phone and ID number masked; unmasked only where the
    view recorded the read (`?reveal=personal`)."""

    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    call_sign = serializers.CharField(source="unit.call_sign", read_only=True)
    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    skills = serializers.ListField(child=serializers.CharField(), read_only=True)
    skills_display = serializers.SerializerMethodField()
    status = serializers.CharField(source="unit.status", read_only=True)
    on_duty = serializers.SerializerMethodField()
    on_duty_since = serializers.SerializerMethodField()
    patrol_zone = serializers.SerializerMethodField()
    revealed = serializers.SerializerMethodField(help_text="Shown unmasked (and recorded).")

    class Meta:
        model = VolunteerMember
        fields = [
            "id", "team", "team_name", "unit", "call_sign", "name", "phone", "id_number",
            "skills", "skills_display", "active", "joined_on", "status", "on_duty",
            "on_duty_since", "patrol_zone", "revealed",
        ]  # fmt: skip

    def _revealed(self, member) -> bool:
        return self.context.get("revealed") == member.pk

    def get_revealed(self, member) -> bool:
        return self._revealed(member)

    def get_name(self, member) -> str:
        return member.name if self._revealed(member) else mask_name(member.name)

    def get_phone(self, member) -> str:
        return member.phone if self._revealed(member) else mask_phone(member.phone)

    def get_id_number(self, member) -> str:
        return member.id_number if self._revealed(member) else mask_id_number(member.id_number)

    def get_skills_display(self, member) -> list[str]:
        labels = dict(VolunteerSkill.choices)
        return [str(labels.get(skill, skill)) for skill in member.skills]

    def _session(self, member):
        sessions = getattr(member, "open_sessions", None)
        return sessions[0] if sessions else None

    def get_on_duty(self, member) -> bool:
        return self._session(member) is not None

    def get_on_duty_since(self, member) -> str | None:
        session = self._session(member)
        return session.started_at.isoformat() if session else None

    def get_patrol_zone(self, member) -> str | None:
        session = self._session(member)
        return session.zone.code if session and session.zone_id else None


class DutySerializer(serializers.Serializer):
    """Sent on patrol: where (a patrol zone's code in the team's area) and what for."""

    zone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    task = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    team = serializers.CharField(source="team.code")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    zone = serializers.CharField(source="zone.code", default=None, allow_null=True)
    task = serializers.CharField()


class TeamHoursSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    members = serializers.IntegerField(help_text="Members who served in the range.")
    sessions = serializers.IntegerField()
    seconds = serializers.IntegerField()
    hours = serializers.FloatField()


class MemberHoursSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    call_sign = serializers.CharField()
    name = serializers.CharField(help_text="Masked (张**).")
    team = serializers.CharField(allow_null=True)
    sessions = serializers.IntegerField()
    seconds = serializers.IntegerField()
    hours = serializers.FloatField()


# 志愿时长: {from, to, teams, members}; "from" is no Python name, so the whole answer is
# declared inline.
HOURS_SCHEMA = inline_serializer(
    "VolunteerHours",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "teams": TeamHoursSerializer(many=True),
        "members": MemberHoursSerializer(many=True),
    },
)
