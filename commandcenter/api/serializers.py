"""Serializers of the organisation endpoints."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commandcenter.directory import directory
from commandcenter.models import Bureau, GovernanceCenter, PartnerDepartment, Post, Station, Street


class StationSerializer(serializers.ModelSerializer):
    sector = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sector_name = serializers.CharField(source="sector.name", read_only=True)

    class Meta:
        model = Station
        fields = ["id", "code", "name", "sector", "sector_name", "address", "phone", "lat", "lng"]


class PostSerializer(serializers.ModelSerializer):
    station = serializers.SlugRelatedField(slug_field="code", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)

    class Meta:
        model = Post
        fields = ["id", "code", "name", "station", "station_name", "lat", "lng"]


class StreetSerializer(serializers.ModelSerializer):
    governance_center = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Street
        fields = ["id", "code", "name", "governance_center"]


class GovernanceCenterSerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)

    class Meta:
        model = GovernanceCenter
        fields = ["id", "code", "name", "street", "street_name", "phone", "lat", "lng"]


class PartnerDepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerDepartment
        fields = ["id", "code", "name", "phone"]


GEOJSON_GEOMETRY_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "example": "Polygon"},
        "coordinates": {"type": "array", "items": {}},
    },
}


class DistrictSerializer(serializers.ModelSerializer):
    """The district boundary as a GeoJSON Feature."""

    type = serializers.SerializerMethodField()
    geometry = serializers.SerializerMethodField()
    properties = serializers.SerializerMethodField()

    class Meta:
        model = Bureau
        fields = ["type", "geometry", "properties"]

    def get_type(self, bureau) -> str:
        return "Feature"

    @extend_schema_field(GEOJSON_GEOMETRY_SCHEMA)
    def get_geometry(self, bureau) -> dict:
        return bureau.boundary

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "district_name": {"type": "string"},
            },
        }
    )
    def get_properties(self, bureau) -> dict:
        return {"code": bureau.code, "name": bureau.name, "district_name": bureau.district_name}


@extend_schema_field({"type": "string", "nullable": True})
class DirectoryField(serializers.Field):
    """The code (or name) of a reference row, given its id, from the in-process directory."""

    def __init__(self, model, *, part: str = "code", **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.model, self.part = model, part

    def to_representation(self, pk):
        row = directory.get(self.model, pk)
        return getattr(row, self.part) if row is not None else None
