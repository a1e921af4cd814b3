"""Serializers of missing persons (走失人员): the case with its search area, the steps."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.choices import MissingCondition
from community.missing import search_area
from community.missing_models import MissingPerson, Sighting

_code = {"slug_field": "code", "read_only": True, "allow_null": True}


class SightingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sighting
        fields = ["id", "seen_at", "place", "lat", "lng", "note", "recorded_at"]


class SearchAreaSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    radius_m = serializers.IntegerField()
    since = serializers.DateTimeField(help_text="The sighting (or last seen) it grows from.")
    from_sighting = serializers.BooleanField()


class MissingPersonSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    condition_display = serializers.CharField(source="get_condition_display", read_only=True)
    zone = serializers.SlugRelatedField(**_code)
    station = serializers.SlugRelatedField(**_code)
    street = serializers.SlugRelatedField(**_code)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)
    incident_number = serializers.CharField(source="incident.number", read_only=True, default=None)
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)
    has_photo = serializers.SerializerMethodField()
    search_area = serializers.SerializerMethodField()
    sightings = SightingSerializer(many=True, read_only=True)

    class Meta:
        model = MissingPerson
        fields = [
            "id", "number", "status", "status_display", "incident", "incident_number", "name",
            "gender", "age", "condition", "condition_display", "description", "has_photo",
            "last_seen_at", "last_seen_place", "last_seen_lat", "last_seen_lng", "zone",
            "station", "station_name", "street", "contact_name", "contact_phone", "reported_at",
            "found_at", "found_place", "found_lat", "found_lng", "found_by", "closing_note",
            "search_area", "sightings",
        ]  # fmt: skip

    def get_has_photo(self, case) -> bool:
        return bool(case.photo_type)

    @extend_schema_field(SearchAreaSerializer)
    def get_search_area(self, case) -> dict:
        return SearchAreaSerializer(search_area(case)).data


class MissingReportSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    gender = serializers.ChoiceField(choices=[("1", "male"), ("2", "female")], required=False,
                                     allow_blank=True)  # fmt: skip
    age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    condition = serializers.ChoiceField(choices=MissingCondition.choices, required=False,
                                        allow_blank=True)  # fmt: skip
    description = serializers.CharField(max_length=1000)
    last_seen_at = serializers.DateTimeField()
    last_seen_place = serializers.CharField(max_length=200)
    last_seen_lat = serializers.FloatField(min_value=-90, max_value=90)
    last_seen_lng = serializers.FloatField(min_value=-180, max_value=180)
    contact_name = serializers.CharField(max_length=40)
    contact_phone = serializers.CharField(max_length=30)
    incident = serializers.IntegerField(required=False, allow_null=True)
    photo = serializers.FileField(
        required=False, allow_null=True, help_text="JPEG, PNG or WebP, at most 2 MB (multipart)."
    )


class SightingInputSerializer(serializers.Serializer):
    seen_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MissingFoundSerializer(serializers.Serializer):
    found_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    found_by = serializers.CharField(max_length=100)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MissingCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class MissingMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    reported = serializers.IntegerField()
    found = serializers.IntegerField()
    searching = serializers.IntegerField()
    found_within_24h = serializers.IntegerField()
    median_hours_to_find = serializers.FloatField(allow_null=True)
