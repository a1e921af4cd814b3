"""Serializers of the 一标三实 registry: addresses (public) and households (masked or not)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.choices import UnmaskPurpose
from community.registry import plate_token
from community.registry_models import StandardAddress

_code = {"slug_field": "code", "read_only": True, "allow_null": True}


class AddressSerializer(serializers.ModelSerializer):
    element_display = serializers.CharField(source="get_element_display", read_only=True)
    parent = serializers.PrimaryKeyRelatedField(read_only=True)
    zone = serializers.SlugRelatedField(**_code)
    station = serializers.SlugRelatedField(**_code)
    post = serializers.SlugRelatedField(**_code)
    street = serializers.SlugRelatedField(**_code)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)
    plate_url = serializers.SerializerMethodField()

    class Meta:
        model = StandardAddress
        fields = [
            "id", "code", "element", "element_display", "name", "full_name", "parent",
            "lat", "lng", "zone", "station", "station_name", "post", "street",
            "active_from", "retired_on", "plate_url",
        ]  # fmt: skip

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_plate_url(self, address) -> str | None:
        """The plate's public URL (building and room level), what its QR code holds."""
        if not address.plated:
            return None
        path = reverse("house-plate", args=[plate_token(address)])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ResidentRowSerializer(serializers.Serializer):
    """One resident as the household read shows it: masked unless unmasked."""

    id = serializers.IntegerField()
    address_id = serializers.IntegerField()
    address = serializers.CharField()
    room = serializers.CharField(allow_blank=True, help_text="The part below the address read.")
    name = serializers.CharField()
    gender = serializers.CharField()
    birth_date = serializers.CharField(help_text="The year only while masked.")
    id_number = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    household = serializers.CharField()
    presence = serializers.CharField()
    head_relation = serializers.CharField(allow_blank=True)
    moved_in = serializers.DateField()


class HouseholdSerializer(serializers.Serializer):
    address = serializers.IntegerField()
    unmasked = serializers.BooleanField()
    residents = ResidentRowSerializer(many=True)


class UnmaskSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=UnmaskPurpose.choices)
    # The device's position when the page has it; kept in the access record.
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)

    def validate(self, attrs):
        if ("lat" in attrs) != ("lng" in attrs):
            raise serializers.ValidationError({"lng": "Give both lat and lng, or neither."})
        return attrs
