"""Clocks in the API: on a job's detail, in the list, and the two writes on them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.choices import Alert, ClockState
from analytics.models import ClockDefinition, DelayReason
from analytics.selectors import job_clocks
from dispatch.api.serializers import IncidentDetailSerializer
from incidents.api.serializers import IncidentSerializer


class JobClockSerializer(serializers.Serializer):
    """One clock of a job: what is timed, since when, by when, how it stands."""

    id = serializers.IntegerField()
    code = serializers.CharField(source="definition.code")
    name = serializers.CharField(source="definition.name")
    state = serializers.ChoiceField(choices=ClockState.choices)
    state_display = serializers.CharField(source="get_state_display")
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    stopped_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    warned_at = serializers.DateTimeField(allow_null=True)
    at_risk_at = serializers.DateTimeField(allow_null=True)
    delay_reason = serializers.CharField(source="delay_reason.code", default=None, allow_null=True)
    delay_reason_name = serializers.CharField(
        source="delay_reason.name", default=None, allow_null=True
    )
    delay_note = serializers.CharField()
    excused_at = serializers.DateTimeField(allow_null=True)
    excuse_reason = serializers.CharField()
    reminder = serializers.CharField(source="reminder.number", default=None, allow_null=True)
    supervision = serializers.CharField(source="supervision.number", default=None, allow_null=True)


class ClockSerializer(JobClockSerializer):
    """A clock in the list: its job (or order) and where it is."""

    incident = serializers.IntegerField(source="incident_id", allow_null=True)
    incident_number = serializers.CharField(source="incident.number", default=None, allow_null=True)
    order = serializers.IntegerField(source="order_id", allow_null=True)
    order_number = serializers.CharField(source="order.number", default=None, allow_null=True)
    area_class = serializers.CharField()
    station = serializers.IntegerField(source="station_id", allow_null=True)
    post = serializers.IntegerField(source="post_id", allow_null=True)
    street = serializers.IntegerField(source="street_id", allow_null=True)


class ClockedIncidentSerializer(IncidentSerializer):
    """An incident in the list, with its alert level from the clocks."""

    alert = serializers.ChoiceField(
        choices=[("", ""), *Alert.choices], source="clock_alert", read_only=True, default=""
    )


class ClockedIncidentDetailSerializer(IncidentDetailSerializer):
    """A job: the incident, its timeline, its units and its clocks."""

    clocks = serializers.SerializerMethodField()

    @extend_schema_field(JobClockSerializer(many=True))
    def get_clocks(self, incident) -> list[dict]:
        return JobClockSerializer(job_clocks(incident), many=True).data


class ClockDefinitionSerializer(serializers.ModelSerializer):
    # Empty matches any: plain strings (the read-only enums leave out the blank).
    tier = serializers.CharField(read_only=True, help_text="`police`, `street`, or empty: any")
    order_kind = serializers.CharField(
        read_only=True, help_text="For order clocks: `supervision`, `reminder`, or empty: any"
    )

    class Meta:
        model = ClockDefinition
        fields = [
            "code",
            "name",
            "subject",
            "start",
            "stop",
            "tier",
            "priority_max",
            "order_kind",
            "due_rule",
            "target_urban_s",
            "target_suburban_s",
            "target_rural_s",
            "target_other_s",
            "warn_before_s",
            "at_risk",
            "remind",
            "supervise_after_s",
            "escalate",
        ]
        read_only_fields = fields


class DelayReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = DelayReason
        fields = ["code", "name"]
        read_only_fields = fields


class DelayReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=40, help_text="A delay reason's code")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ExcuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the breach is excused")
