"""Administration of sites, sensors and the alarm rules; alarms are read here, handled in
the dispatcher console's review queue."""

from django.contrib import admin

from community.models import Alarm, AlarmRule, Sensor, SmartSite
from community.services import site_place


@admin.register(SmartSite)
class SmartSiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "grade", "station", "street", "active"]
    list_filter = ["kind", "grade", "active", "station", "street"]
    search_fields = ["code", "name", "address"]
    list_select_related = ["station", "street"]
    readonly_fields = ["zone", "station", "post", "street"]
    raw_id_fields = ["officer"]

    def save_model(self, request, obj, form, change):
        """Placed by the zone index; its sensors follow it."""
        site_place(obj)
        super().save_model(request, obj, form, change)
        obj.sensors.update(**obj.location)


@admin.register(Sensor)
class SensorAdmin(admin.ModelAdmin):
    list_display = ["device_id", "name", "sensor_type", "vendor", "site", "status",
                    "last_heartbeat_at"]  # fmt: skip
    list_filter = ["sensor_type", "status", "vendor"]
    search_fields = ["device_id", "gb_code", "name", "site__name"]
    list_select_related = ["site"]
    raw_id_fields = ["site"]
    readonly_fields = ["status", "status_since", "last_heartbeat_at", "offline_after",
                       "station", "post", "street"]  # fmt: skip

    def save_model(self, request, obj, form, change):
        obj.station_id, obj.post_id, obj.street_id = (
            obj.site.station_id,
            obj.site.post_id,
            obj.site.street_id,
        )
        super().save_model(request, obj, form, change)


@admin.register(AlarmRule)
class AlarmRuleAdmin(admin.ModelAdmin):
    list_display = ["alarm_type", "max_priority", "min_grade", "action", "category",
                    "hold_seconds", "active"]  # fmt: skip
    list_filter = ["action", "active"]
    list_editable = ["action", "hold_seconds", "active"]


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["first_at", "alarm_type", "priority", "site", "sensor", "count", "state",
                    "nature", "incident"]  # fmt: skip
    list_filter = ["state", "nature", "alarm_type", "priority"]
    search_fields = ["sensor__device_id", "site__name", "incident__number"]
    list_select_related = ["site", "sensor", "incident"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
