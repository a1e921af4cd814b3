"""Serializers of assignments and orders."""

from rest_framework import serializers

from dispatch.models import Order
from incidents.api.serializers import IncidentAssignmentSerializer


class AssignmentSerializer(IncidentAssignmentSerializer):
    incident = serializers.IntegerField(source="incident_id")
    incident_number = serializers.CharField(source="incident.number")


class OrderSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    recipient_type = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField()
    recipient_name = serializers.SerializerMethodField()
    incident_number = serializers.CharField(source="incident.number", read_only=True, default=None)
    issued_by = serializers.CharField(source="issued_by.username", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
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
