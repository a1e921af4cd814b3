"""Serializers of the intake and incident endpoints."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incidents.choices import Priority, Source
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.permissions import mask_phone, may_see_caller
from incidents.selectors import incident_timeline


class IncidentCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentCategory
        fields = ["code", "name", "kind", "group", "default_priority"]


class ResultCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultCode
        fields = ["code", "name", "gat_code", "for_tier"]


class IncidentCreateSerializer(serializers.Serializer):
    """What a call-taker (or a partner system) sends for a new call."""

    category = serializers.CharField(max_length=40, help_text="Category code, e.g. `dispute`.")
    description = serializers.CharField(max_length=2000)
    caller_phone = serializers.RegexField(
        r"^\+?[0-9\- ]{0,20}$", max_length=20, required=False, allow_blank=True, default=""
    )
    caller_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.PHONE_110)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)


def _code(related) -> str | None:
    return related.code if related else None


class IncidentSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    tier_display = serializers.CharField(source="get_tier_display", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    zone = serializers.SerializerMethodField()
    station = serializers.SerializerMethodField()
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)
    post = serializers.SerializerMethodField()
    post_name = serializers.CharField(source="post.name", read_only=True, default=None)
    street = serializers.SerializerMethodField()
    street_name = serializers.CharField(source="street.name", read_only=True, default=None)
    sector = serializers.SerializerMethodField()
    governance_center = serializers.SerializerMethodField()
    governance_center_name = serializers.CharField(
        source="governance_center.name", read_only=True, default=None
    )
    routing_rule = serializers.CharField(source="routing_rule.name", read_only=True, default=None)
    repeat_of_number = serializers.CharField(
        source="repeat_of.number", read_only=True, default=None
    )
    result_code = serializers.SlugRelatedField(slug_field="code", read_only=True)
    invalid_reason = serializers.SlugRelatedField(slug_field="code", read_only=True)
    referred_to = serializers.SlugRelatedField(slug_field="code", read_only=True)
    caller_phone = serializers.SerializerMethodField()
    caller_name = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "tier",
            "tier_display",
            "source",
            "category",
            "category_name",
            "priority",
            "description",
            "caller_phone",
            "caller_name",
            "address",
            "lat",
            "lng",
            "zone",
            "station",
            "station_name",
            "post",
            "post_name",
            "street",
            "street_name",
            "sector",
            "out_of_jurisdiction",
            "routing_rule",
            "routing_reason",
            "governance_center",
            "governance_center_name",
            "repeat_of",
            "repeat_of_number",
            "call_count",
            "result_code",
            "result_notes",
            "feedback",
            "status_reason",
            "invalid_reason",
            "referred_to",
            "referred_to_mediation",
            "received_at",
            "dispatched_at",
            "on_scene_at",
            "diverted_at",
            "accepted_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_zone(self, incident) -> str | None:
        return _code(incident.zone)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_station(self, incident) -> str | None:
        return _code(incident.station)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_post(self, incident) -> str | None:
        return _code(incident.post)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_street(self, incident) -> str | None:
        return _code(incident.street)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sector(self, incident) -> str | None:
        return _code(incident.sector)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_governance_center(self, incident) -> str | None:
        return _code(incident.governance_center)

    def _caller_visible(self, incident) -> bool:
        request = self.context.get("request")
        return request is not None and may_see_caller(request.user, incident)

    def get_caller_phone(self, incident) -> str:
        if self._caller_visible(incident):
            return incident.caller_phone
        return mask_phone(incident.caller_phone)

    def get_caller_name(self, incident) -> str:
        if self._caller_visible(incident) or not incident.caller_name:
            return incident.caller_name
        return incident.caller_name[0] + "*" * (len(incident.caller_name) - 1)


class IncidentAssignmentSerializer(serializers.Serializer):
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


class TimelineEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    time = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField()
    detail = serializers.CharField()
    status = serializers.CharField(allow_null=True)
    actor = serializers.CharField(allow_null=True)
    actor_name = serializers.CharField(allow_null=True)


class IncidentDetailSerializer(IncidentSerializer):
    assignments = IncidentAssignmentSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = IncidentSerializer.Meta.fields + ["assignments", "timeline"]
        read_only_fields = fields

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, incident) -> list[dict]:
        return TimelineEntrySerializer(incident_timeline(incident=incident), many=True).data


class ResolveSerializer(serializers.Serializer):
    result_code = serializers.CharField(max_length=40)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class InvalidateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=40, help_text="An invalid-call category code: misdial, prank, silent, repeat."
    )


class ReferSerializer(serializers.Serializer):
    to = serializers.CharField(
        max_length=40, help_text="`mediation`, or the code of a partner department."
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DispatchSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=20
    )


class RecommendationSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id")
    call_sign = serializers.CharField()
    name = serializers.CharField()
    unit_type = serializers.CharField()
    distance_m = serializers.IntegerField()
    eta_seconds = serializers.IntegerField()
    covering = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
