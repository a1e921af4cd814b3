"""Serializers of the intake and incident endpoints."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commandcenter.api.serializers import DirectoryField
from commandcenter.models import GovernanceCenter, PartnerDepartment, Post, Sector, Station, Street
from incidents.categories import category_linkage, category_path
from incidents.choices import IncidentStatus, Linkage, Priority, Source, Tier
from incidents.models import IncidentCategory, ResultCode, RoutingRule
from incidents.permissions import (
    FREE_TEXT_FIELDS,
    mask_name,
    mask_personal_text,
    mask_phone,
    sees_text_masked,
)
from incidents.selectors import incident_timeline
from patrol.models import PatrolZone


class IncidentCategorySerializer(serializers.ModelSerializer):
    parent = DirectoryField(IncidentCategory, source="parent_id")
    path = serializers.SerializerMethodField()
    linkage = serializers.SerializerMethodField()

    class Meta:
        model = IncidentCategory
        fields = [
            "code",
            "name",
            "parent",
            "path",
            "synonyms",
            "kind",
            "group",
            "default_priority",
            "linkage",
        ]

    def get_path(self, category) -> str:
        """刑事案件 › 盗窃 › 电动车被盗"""
        return category_path(category)

    def get_linkage(self, category) -> str:
        """119 or 120 when the branch's calls are handed to that service too."""
        return category_linkage(category)


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
    source = serializers.ChoiceField(
        choices=Source.choices,
        required=False,
        help_text="Default: the role's own (110 for the command center, walk-in for a station, "
        "street_transfer for street staff; a partner's is always partner_api).",
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    linkage = serializers.ChoiceField(
        choices=Linkage.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="119 or 120 when the call was also handed to that service (联动).",
    )


class IncidentCreatedSerializer(serializers.Serializer):
    """What intake answers: the number, the state, where it lies and who takes it.

    Kept short on purpose: intake is the hottest write path, and the full
    record is one GET away.
    """

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=IncidentStatus.choices, read_only=True)
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    source = serializers.ChoiceField(choices=Source.choices, read_only=True)
    category = DirectoryField(IncidentCategory, source="category_id")
    priority = serializers.IntegerField(read_only=True)
    zone = DirectoryField(PatrolZone, source="zone_id")
    station = DirectoryField(Station, source="station_id")
    post = DirectoryField(Post, source="post_id")
    street = DirectoryField(Street, source="street_id")
    sector = DirectoryField(Sector, source="sector_id")
    governance_center = DirectoryField(GovernanceCenter, source="governance_center_id")
    out_of_jurisdiction = serializers.BooleanField(read_only=True)
    routing_rule = DirectoryField(RoutingRule, part="name", source="routing_rule_id")
    routing_reason = serializers.CharField(read_only=True)
    repeat_of = serializers.IntegerField(source="repeat_of_id", read_only=True, allow_null=True)
    repeat_of_number = serializers.CharField(
        source="repeat_of.number", read_only=True, default=None, allow_null=True
    )
    invalid_reason = DirectoryField(IncidentCategory, source="invalid_reason_id")
    received_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class IncidentSerializer(serializers.Serializer):
    """An incident as every console and partner sees it (read-only).

    A plain Serializer with declared fields: ModelSerializer's per-request
    field introspection cost more than the rest of an intake request.
    """

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=IncidentStatus.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    tier_display = serializers.CharField(source="get_tier_display", read_only=True)
    source = serializers.ChoiceField(choices=Source.choices, read_only=True)
    category = DirectoryField(IncidentCategory, source="category_id")
    category_name = DirectoryField(IncidentCategory, part="name", source="category_id")
    priority = serializers.IntegerField(read_only=True)
    description = serializers.CharField(read_only=True)
    caller_phone = serializers.SerializerMethodField()
    caller_name = serializers.SerializerMethodField()
    address = serializers.CharField(read_only=True)
    lat = serializers.FloatField(read_only=True)
    lng = serializers.FloatField(read_only=True)
    zone = DirectoryField(PatrolZone, source="zone_id")
    area_class = DirectoryField(PatrolZone, part="area_class", source="zone_id")
    station = DirectoryField(Station, source="station_id")
    station_name = DirectoryField(Station, part="name", source="station_id")
    post = DirectoryField(Post, source="post_id")
    post_name = DirectoryField(Post, part="name", source="post_id")
    street = DirectoryField(Street, source="street_id")
    street_name = DirectoryField(Street, part="name", source="street_id")
    sector = DirectoryField(Sector, source="sector_id")
    out_of_jurisdiction = serializers.BooleanField(read_only=True)
    routing_rule = DirectoryField(RoutingRule, part="name", source="routing_rule_id")
    routing_reason = serializers.CharField(read_only=True)
    governance_center = DirectoryField(GovernanceCenter, source="governance_center_id")
    governance_center_name = DirectoryField(
        GovernanceCenter, part="name", source="governance_center_id"
    )
    repeat_of = serializers.IntegerField(source="repeat_of_id", read_only=True, allow_null=True)
    repeat_of_number = serializers.CharField(
        source="repeat_of.number", read_only=True, default=None, allow_null=True
    )
    call_count = serializers.IntegerField(read_only=True)
    result_code = DirectoryField(ResultCode, source="result_code_id")
    result_notes = serializers.CharField(read_only=True)
    feedback = serializers.CharField(read_only=True)
    status_reason = serializers.CharField(read_only=True)
    invalid_reason = DirectoryField(IncidentCategory, source="invalid_reason_id")
    referred_to = DirectoryField(PartnerDepartment, source="referred_to_id")
    referred_to_mediation = serializers.BooleanField(read_only=True)
    linkage = serializers.CharField(read_only=True)
    received_at = serializers.DateTimeField(read_only=True)
    dispatched_at = serializers.DateTimeField(read_only=True, allow_null=True)
    on_scene_at = serializers.DateTimeField(read_only=True, allow_null=True)
    diverted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def _viewer(self):
        request = self.context.get("request")
        return request.user if request is not None else None

    def _caller_revealed(self, incident) -> bool:
        # Unmasked only where the view recorded the read (`?reveal=caller`).
        return self.context.get("caller_revealed") == incident.pk

    def get_caller_phone(self, incident) -> str:
        if self._caller_revealed(incident):
            return incident.caller_phone
        return mask_phone(incident.caller_phone)

    def get_caller_name(self, incident) -> str:
        if self._caller_revealed(incident):
            return incident.caller_name
        return mask_name(incident.caller_name)

    def to_representation(self, incident) -> dict:
        data = super().to_representation(incident)
        if sees_text_masked(self._viewer()):
            for field in FREE_TEXT_FIELDS:
                if data.get(field):
                    data[field] = mask_personal_text(data[field])
        return data


class TimelineEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    time = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField()
    detail = serializers.CharField()
    status = serializers.CharField(allow_null=True)
    actor = serializers.CharField(allow_null=True)
    actor_name = serializers.CharField(allow_null=True)


class IncidentRecordSerializer(IncidentSerializer):
    """One incident with its timeline (dispatch adds the units sent to it)."""

    timeline = serializers.SerializerMethodField()

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, incident) -> list[dict]:
        timeline = incident_timeline(incident=incident, viewer=self._viewer())
        return TimelineEntrySerializer(timeline, many=True).data


class CallerHistoryCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    received_at = serializers.DateTimeField()
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    status_display = serializers.CharField(source="get_status_display")
    tier = serializers.ChoiceField(choices=Tier.choices)
    address = serializers.CharField()
    result = serializers.CharField(source="result_code.name", default=None, allow_null=True)
    invalid_reason = serializers.CharField(
        source="invalid_reason.name", default=None, allow_null=True
    )


class CallerHistorySerializer(serializers.Serializer):
    """Earlier calls from a number or at an address, and what they say of the caller."""

    calls = CallerHistoryCallSerializer(many=True)
    by_phone = serializers.IntegerField(help_text="Calls from this number in the window.")
    invalid_by_phone = serializers.IntegerField(help_text="Of which closed as invalid.")
    repeat_caller = serializers.BooleanField()
    nuisance_caller = serializers.BooleanField()
