"""Serializers of patrol zones (GeoJSON features) and units."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commandcenter.api.serializers import GEOJSON_GEOMETRY_SCHEMA
from patrol.models import PatrolZone, Team, Unit


class PatrolZoneFeatureSerializer(serializers.ModelSerializer):
    """A zone as a GeoJSON Feature; its id is the zone's id."""

    type = serializers.SerializerMethodField()
    geometry = serializers.SerializerMethodField()
    properties = serializers.SerializerMethodField()

    class Meta:
        model = PatrolZone
        fields = ["type", "id", "geometry", "properties"]

    def get_type(self, zone) -> str:
        return "Feature"

    @extend_schema_field(GEOJSON_GEOMETRY_SCHEMA)
    def get_geometry(self, zone) -> dict:
        return zone.boundary

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                key: {"type": "string", "nullable": key.startswith("post")}
                for key in (
                    "code",
                    "name",
                    "area_class",
                    "station",
                    "station_name",
                    "post",
                    "post_name",
                    "street",
                    "street_name",
                    "sector",
                    "sector_name",
                )
            },
        }
    )
    def get_properties(self, zone) -> dict:
        return {
            "code": zone.code,
            "name": zone.name,
            "area_class": zone.area_class,
            "station": zone.station.code,
            "station_name": zone.station.name,
            "post": zone.post.code if zone.post else None,
            "post_name": zone.post.name if zone.post else None,
            "street": zone.street.code,
            "street_name": zone.street.name,
            "sector": zone.station.sector.code,
            "sector_name": zone.station.sector.name,
        }


class TeamSerializer(serializers.ModelSerializer):
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "code", "name", "station", "on_duty"]


class UnitSerializer(serializers.ModelSerializer):
    home_station = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    home_post = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    home_governance_center = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    team = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    unit_type_display = serializers.CharField(source="get_unit_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "call_sign",
            "name",
            "unit_type",
            "unit_type_display",
            "status",
            "status_display",
            "home_station",
            "home_post",
            "home_governance_center",
            "team",
            "lat",
            "lng",
            "position_at",
        ]


class FixSerializer(serializers.Serializer):
    """One GPS fix; `unit` is the unit's id or call sign. Documents the batch items."""

    unit = serializers.CharField(max_length=40)
    time = serializers.DateTimeField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    speed = serializers.FloatField(required=False, allow_null=True, default=None)
    heading = serializers.FloatField(required=False, allow_null=True, default=None)


@extend_schema_field(FixSerializer)
class FixItemField(serializers.DictField):
    """A fix as sent: the view parses each one, so a bad fix doesn't refuse the batch."""


class PositionsBatchSerializer(serializers.Serializer):
    fixes = serializers.ListField(child=FixItemField(), min_length=1, max_length=1000)


class PositionsResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = serializers.ListField(
        child=serializers.DictField(), help_text="`{index, errors: {field: message}}` per bad fix"
    )


class PatrolTimeSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    call_sign = serializers.CharField()
    unit_name = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    team_name = serializers.CharField(allow_null=True)
    zone = serializers.CharField(allow_null=True)
    zone_name = serializers.CharField(allow_null=True)
    seconds = serializers.IntegerField()
