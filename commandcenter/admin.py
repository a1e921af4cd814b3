from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from commandcenter.models import (
    AccessRecord,
    Bureau,
    Event,
    GovernanceCenter,
    PartnerDepartment,
    Post,
    Sector,
    SecurityEvent,
    Station,
    Street,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through services (events, incidents …)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district_name"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "bureau"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sector", "phone"]
    list_filter = ["sector"]
    search_fields = ["code", "name"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "station"]
    list_filter = ["station"]
    search_fields = ["code", "name"]


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(GovernanceCenter)
class GovernanceCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street", "phone"]
    search_fields = ["code", "name"]


@admin.register(PartnerDepartment)
class PartnerDepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "station", "post", "street", "is_active"]
    list_filter = ["role", "is_active", "station", "street"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Role and scope"),
            {"fields": ["role", "station", "post", "street", "partner_department"]},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (
            _("Role and scope"),
            {"fields": ["role", "station", "post", "street", "partner_department"]},
        ),
    )


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The event log is append-only, here as everywhere."""

    list_display = ["seq", "occurred_at", "kind", "subject_type", "subject_id", "actor"]
    list_filter = ["kind", "subject_type"]
    search_fields = ["subject_id", "kind"]


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    """访问记录: who saw personal data unmasked; never changed or deleted."""

    list_display = [
        "at",
        "actor",
        "object_type",
        "object_id",
        "fields",
        "purpose",
        "client_address",
    ]
    list_filter = ["object_type", "at"]
    search_fields = ["actor__username", "object_id", "purpose", "client_address"]
    date_hierarchy = "at"


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """安全日志: logins, failures, lockouts, tokens, keys, two-factor, refusals."""

    list_display = ["at", "kind", "result", "actor", "username", "client_address", "path"]
    list_filter = ["kind", "result", "at"]
    search_fields = ["username", "actor__username", "client_address", "path"]
    date_hierarchy = "at"
