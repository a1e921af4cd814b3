"""Serializers of jobs (an incident with its units), their actions, assignments and orders."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dispatch.models import Order
from incidents.api.serializers import IncidentRecordSerializer


class JobAssignmentSerializer(serializers.Serializer):
    """A unit on a job, as the job's detail lists it."""

    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    call_sign = serializers.CharField(source="unit.call_sign")
    unit_type = serializers.CharField(source="unit.unit_type")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    distance_m = serializers.IntegerField(allow_null=True)
    eta_seconds = serializers.IntegerField(allow_null=True)
    dispatched_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    en_route_at = serializers.DateTimeField(allow_null=True)
    on_scene_at = serializers.DateTimeField(allow_null=True)
    cleared_at = serializers.DateTimeField(allow_null=True)


class IncidentDetailSerializer(IncidentRecordSerializer):
    """A job: the incident, its timeline and the units sent to it."""

    assignments = JobAssignmentSerializer(many=True, read_only=True)


# --- The inputs of the job actions (dispatch/actions.py) ------------------------------
# The job panel validates its forms with the same serializers; their messages
# are the ones a dispatcher reads there.


class ResolveSerializer(serializers.Serializer):
    result_code = serializers.CharField(
        max_length=40,
        error_messages={"required": _("Choose a result."), "blank": _("Choose a result.")},
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SettleSerializer(ResolveSerializer):
    remote = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Settled without staff on scene (by phone, or the parties came in).",
    )


class CloseSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    """Cancel, return to the police: the service says why a reason is needed."""

    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class InvalidateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=40,
        help_text="An invalid-call category code: misdial, prank, silent, repeat.",
        error_messages={
            "required": _("Choose why the call is invalid."),
            "blank": _("Choose why the call is invalid."),
        },
    )


class ReferSerializer(serializers.Serializer):
    to = serializers.CharField(
        max_length=40,
        help_text="`mediation`, or the code of a partner department.",
        error_messages={
            "required": _("Choose where the job is referred to."),
            "blank": _("Choose where the job is referred to."),
        },
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    expected_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        input_formats=["iso-8601", "%Y-%m-%d %H:%M"],
        help_text=(
            "A partner department: when it is to have handled the job (ISO 8601, or "
            "`2026-12-01 18:00` local time); REFERRAL_HANDLE_HOURS from now if empty."
        ),
        error_messages={"invalid": _("Give the time as 2026-12-01 18:00.")},
    )

    def to_internal_value(self, data):
        if hasattr(data, "get") and data.get("expected_at") == "":
            data = {key: data[key] for key in data if key != "expected_at"}
        return super().to_internal_value(data)


class TransferSerializer(serializers.Serializer):
    """The service says what is missing: the taker and the reason."""

    to = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="The neighbouring district or agency that takes the job.",
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


_CHOOSE_UNITS = _("Choose at least one unit.")


class DispatchSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.IntegerField(
            min_value=1, error_messages={"invalid": _("Choose units from the list.")}
        ),
        min_length=1,
        max_length=20,
        error_messages={
            "required": _CHOOSE_UNITS,
            "empty": _CHOOSE_UNITS,
            "min_length": _CHOOSE_UNITS,
        },
    )


class RecommendationQuerySerializer(serializers.Serializer):
    """The query of a job's recommendations: how many units, at least one."""

    limit = serializers.IntegerField(
        min_value=1, default=10, help_text="How many units; more than 50 gives 50."
    )


class RecommendationSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id")
    call_sign = serializers.CharField()
    name = serializers.CharField()
    unit_type = serializers.CharField()
    distance_m = serializers.IntegerField()
    eta_seconds = serializers.IntegerField(
        help_text="Estimated drive time: straight-line distance × detour factor ÷ the unit "
        "type's speed (the same figure as travel_seconds)."
    )
    covering = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    travel_seconds = serializers.IntegerField(
        help_text="Estimated drive time in seconds, before any head start."
    )
    covering_bonus_seconds = serializers.IntegerField(
        help_text="Head start of a unit of the covering post (120 s) or station or "
        "governance center (60 s); 0 for others."
    )
    ranked_seconds = serializers.IntegerField(
        help_text="What the list is ranked by: travel_seconds − covering_bonus_seconds."
    )


# --- Assignments and orders ------------------------------------------------------------


class AssignmentSerializer(JobAssignmentSerializer):
    incident = serializers.IntegerField(source="incident_id")
    incident_number = serializers.CharField(source="incident.number")


class OrderSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    recipient_type = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField()
    recipient_name = serializers.SerializerMethodField()
    incident_number = serializers.CharField(
        source="incident.number", read_only=True, default=None, allow_null=True
    )
    # Empty for the reminders and supervision orders the clocks issue.
    issued_by = serializers.CharField(
        source="issued_by.username", read_only=True, default=None, allow_null=True
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "recipient_type",
            "recipient",
            "recipient_name",
            "incident",
            "incident_number",
            "content",
            "issued_by",
            "issued_at",
            "deadline",
            "due_at",
            "acknowledged_at",
            "feedback",
            "completed_at",
            "overdue",
            "overdue_at",
            "escalated_at",
        ]
        read_only_fields = fields

    def get_recipient_type(self, order) -> str:
        for name in ("station", "post", "unit", "governance_center"):
            if getattr(order, f"{name}_id"):
                return name
        return ""

    def get_recipient(self, order) -> str:
        if order.unit_id:
            return order.unit.call_sign
        return order.recipient.code

    def get_recipient_name(self, order) -> str:
        return order.recipient.name

    def get_overdue(self, order) -> bool:
        return order.overdue_at is not None


class OrderCreateSerializer(serializers.Serializer):
    recipient_type = serializers.ChoiceField(
        choices=["station", "post", "unit", "governance_center"]
    )
    recipient = serializers.CharField(
        max_length=40, help_text="Code of the station/post/center, or a unit's call sign."
    )
    content = serializers.CharField(max_length=2000)
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    incident = serializers.IntegerField(required=False, allow_null=True, default=None)


class FeedbackSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=2000)
