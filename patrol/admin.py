from django.contrib import admin

from patrol.models import PatrolZone, Team, Unit
from patrol.services import patrol_zone_save


@admin.register(PatrolZone)
class PatrolZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "station", "post", "street", "area_class"]
    list_filter = ["area_class", "station__sector", "station", "street"]
    search_fields = ["code", "name"]
    list_select_related = ["station", "post", "street"]

    def save_model(self, request, obj, form, change):
        patrol_zone_save(zone=obj, actor=request.user)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "station", "on_duty"]
    list_filter = ["on_duty", "station"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["call_sign", "name", "unit_type", "status", "home_station", "team"]
    list_filter = ["unit_type", "status", "home_station"]
    search_fields = ["call_sign", "name"]
    list_select_related = ["home_station", "team"]
