from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from commandcenter.exceptions import DomainError
from patrol.models import PatrolZone, Team, Unit, UnitOfficer
from patrol.services import patrol_zone_save, team_set_duty, unit_officer_bind


@admin.register(PatrolZone)
class PatrolZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "station", "post", "street", "area_class"]
    list_filter = ["area_class", "station__sector", "station", "street"]
    search_fields = ["code", "name"]
    list_select_related = ["station", "post", "street"]

    def save_model(self, request, obj, form, change):
        patrol_zone_save(zone=obj, actor=request.user)


def _set_duty(modeladmin, request, queryset, *, on_duty: bool) -> None:
    """Through the service, as the station view does: units follow, an event is recorded."""
    for team in queryset:
        try:
            team_set_duty(actor=request.user, team_id=team.pk, on_duty=on_duty)
        except DomainError as error:
            modeladmin.message_user(request, f"{team}: {error.message}", messages.ERROR)


@admin.action(description=_("Start the shift (上岗)"))
def start_shift(modeladmin, request, queryset):
    _set_duty(modeladmin, request, queryset, on_duty=True)


@admin.action(description=_("End the shift (下岗)"))
def end_shift(modeladmin, request, queryset):
    _set_duty(modeladmin, request, queryset, on_duty=False)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "station", "on_duty"]
    list_filter = ["on_duty", "station"]
    search_fields = ["code", "name"]
    # Duty changes move units and are events: only through the actions above.
    readonly_fields = ["on_duty"]
    actions = [start_shift, end_shift]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["call_sign", "name", "unit_type", "status", "home_station", "team"]
    list_filter = ["unit_type", "status", "home_station"]
    search_fields = ["call_sign", "name"]
    list_select_related = ["home_station", "team"]
    # Status follows dispatch and duty, position the unit's fixes: never typed in.
    readonly_fields = ["status", "lat", "lng", "position_at"]


@admin.register(UnitOfficer)
class UnitOfficerAdmin(admin.ModelAdmin):
    """Which unit each officer works for; saved through the service (checked, recorded)."""

    list_display = ["user", "unit", "unit_station"]
    list_filter = ["unit__home_station"]
    search_fields = ["user__username", "unit__call_sign"]
    list_select_related = ["user", "unit__home_station"]
    autocomplete_fields = ["unit"]

    @admin.display(description=_("station"), ordering="unit__home_station__name")
    def unit_station(self, obj: UnitOfficer):
        return obj.unit.home_station

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []  # a binding changes its unit, never its officer

    def save_model(self, request, obj, form, change):
        unit_officer_bind(actor=request.user, user=obj.user, unit=obj.unit)
