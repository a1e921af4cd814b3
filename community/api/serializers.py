"""Serializers of sites, sensors and alarms, and of the gateways' batches."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commandcenter.api.serializers import GEOJSON_GEOMETRY_SCHEMA
from community.choices import AlarmType, DismissReason, SensorStatus
from community.models import Alarm, Sensor, SmartSite

_code = {"slug_field": "code", "read_only": True, "allow_null": True}


class SiteSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)
    zone = serializers.SlugRelatedField(**_code)
    station = serializers.SlugRelatedField(**_code)
    post = serializers.SlugRelatedField(**_code)
    street = serializers.SlugRelatedField(**_code)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None)
    street_name = serializers.CharField(source="street.name", read_only=True, default=None)
    officer_name = serializers.SerializerMethodField()
    boundary = serializers.SerializerMethodField()
    sensors = serializers.IntegerField(source="sensors_total", read_only=True)
    sensors_online = serializers.IntegerField(read_only=True)
    alarms_pending = serializers.IntegerField(read_only=True)

    class Meta:
        model = SmartSite
        fields = [
            "id", "code", "name", "kind", "kind_display", "grade", "grade_display", "address",
            "lat", "lng", "boundary", "zone", "station", "station_name", "post", "street",
            "street_name", "officer_name", "contact_name", "contact_phone", "active",
            "sensors", "sensors_online", "alarms_pending",
        ]  # fmt: skip

    def get_officer_name(self, site) -> str | None:
        return site.officer.get_full_name() or site.officer.username if site.officer else None

    @extend_schema_field({**GEOJSON_GEOMETRY_SCHEMA, "nullable": True})
    def get_boundary(self, site) -> dict | None:
        return {"type": "Polygon", "coordinates": site.boundary} if site.boundary else None


class SensorSerializer(serializers.ModelSerializer):
    site_code = serializers.CharField(source="site.code", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    sensor_type_display = serializers.CharField(source="get_sensor_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Sensor
        fields = [
            "id", "device_id", "gb_code", "name", "sensor_type", "sensor_type_display", "vendor",
            "site", "site_code", "site_name", "lat", "lng", "heartbeat_seconds", "status",
            "status_display", "status_since", "last_heartbeat_at",
        ]  # fmt: skip


class AlarmSerializer(serializers.ModelSerializer):
    device = serializers.CharField(source="sensor.device_id", read_only=True)
    sensor_type = serializers.CharField(source="sensor.sensor_type", read_only=True)
    site_code = serializers.CharField(source="site.code", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    lat = serializers.FloatField(source="sensor.lat", read_only=True)
    lng = serializers.FloatField(source="sensor.lng", read_only=True)
    alarm_type_display = serializers.CharField(source="get_alarm_type_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    incident_number = serializers.CharField(source="incident.number", read_only=True, default=None)

    class Meta:
        model = Alarm
        fields = [
            "id", "alarm_type", "alarm_type_display", "priority", "method", "type_code",
            "description", "snapshot_url", "video_url", "first_at", "last_at", "count",
            "received_at", "state", "state_display", "nature", "recovered_at", "hold_until",
            "incident", "incident_number", "handled_at", "dismiss_reason", "dismiss_note",
            "sensor", "device", "sensor_type", "site", "site_code", "site_name", "lat", "lng",
        ]  # fmt: skip


class DismissSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DismissReason.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# --- Gateway batches (the views parse each item: one bad item refuses only itself) --------


class HeartbeatSerializer(serializers.Serializer):
    """One heartbeat; documents the batch items."""

    device = serializers.CharField(max_length=40)
    time = serializers.DateTimeField()
    status = serializers.ChoiceField(
        choices=[SensorStatus.ONLINE, SensorStatus.FAULT], default=SensorStatus.ONLINE
    )


class AlarmItemSerializer(serializers.Serializer):
    """One alarm report; documents the batch items. `recovered: true` clears the
    device's alarm of this type (a detector that reset itself)."""

    device = serializers.CharField(max_length=40)
    time = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=AlarmType.choices)
    priority = serializers.IntegerField(min_value=1, max_value=4, default=3)
    method = serializers.IntegerField(min_value=1, max_value=7, required=False)
    type_code = serializers.IntegerField(min_value=0, max_value=99, required=False)
    description = serializers.CharField(max_length=300, required=False)
    snapshot_url = serializers.URLField(required=False)
    video_url = serializers.CharField(required=False)
    recovered = serializers.BooleanField(default=False)


@extend_schema_field(HeartbeatSerializer)
class HeartbeatItemField(serializers.DictField):
    pass


@extend_schema_field(AlarmItemSerializer)
class AlarmItemField(serializers.DictField):
    pass


class HeartbeatsBatchSerializer(serializers.Serializer):
    heartbeats = serializers.ListField(child=HeartbeatItemField(), min_length=1, max_length=1000)


class AlarmsBatchSerializer(serializers.Serializer):
    alarms = serializers.ListField(child=AlarmItemField(), min_length=1, max_length=1000)


class BatchResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = serializers.ListField(
        child=serializers.DictField(), help_text="`{index, errors: {field: message}}` per bad item"
    )


class AlarmsResultSerializer(BatchResultSerializer):
    alarms = serializers.ListField(
        child=serializers.DictField(),
        help_text="`{index, alarm, state, count, incident, outcome}` per accepted item; "
        "outcome is new, repeat (counted on the alarm already there) or recovered",
    )
