"""Shapes of the webhooks API: endpoints (the secret only on create and rotation),
deliveries with their attempts, the catalogue of event types, replay."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webhooks.choices import DeliveryStatus, DisabledReason
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

EVENT_TYPES_MAX = 50


class WebhookEndpointSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    disabled_reason = serializers.ChoiceField(choices=DisabledReason.choices, read_only=True)
    event_types = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "owner",
            "active",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "previous_secret_expires_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    """Answered only on create and on rotation: the secret is never shown again."""

    secret = serializers.CharField(read_only=True, help_text="`whsec_` + base64 of 32 bytes.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=60),
        max_length=EVENT_TYPES_MAX,
        help_text="Kinds (`referral.accepted`) or families (`referral.*`) from "
        "/api/v1/webhook-event-types/.",
    )


class WebhookEndpointChangeSerializer(WebhookEndpointInputSerializer):
    url = serializers.CharField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=60), max_length=EVENT_TYPES_MAX, required=False
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "started_at",
            "status_code",
            "error",
            "latency_ms",
            "response_snippet",
            "retry_after_seconds",
        ]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = serializers.IntegerField(source="event_id", read_only=True)
    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    attempt_history = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_type",
            "webhook_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "succeeded_at",
            "failed_at",
            "attempt_history",
        ]
        read_only_fields = fields

    @extend_schema_field(WebhookAttemptSerializer(many=True))
    def get_attempt_history(self, delivery) -> list[dict]:
        """Every attempt, oldest first (the view reads them in one query)."""
        attempts = self.context.get("attempts", {}).get(delivery.pk, [])
        return WebhookAttemptSerializer(attempts, many=True).data


class ReplayRangeSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="Created at or after (ISO 8601 with a zone).")
    end = serializers.DateTimeField(help_text="Created before.")


class ReplayResultSerializer(serializers.Serializer):
    replayed = serializers.IntegerField()


class EventTypeSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The family, to subscribe to all of it: `referral.*`.")
    description = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
