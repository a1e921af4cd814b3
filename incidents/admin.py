from django.contrib import admin

from commandcenter.admin import ReadOnlyAdmin
from incidents.models import Incident, IncidentCategory, ResultCode


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "group", "default_priority", "sort_order", "active"]
    list_filter = ["kind", "active"]
    list_editable = ["sort_order", "active"]


@admin.register(ResultCode)
class ResultCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "gat_code", "for_tier", "sort_order", "active"]
    list_filter = ["for_tier", "active"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Read-only: incidents change only through the lifecycle services."""

    list_display = ["number", "status", "tier", "category", "station", "street", "received_at"]
    list_filter = ["status", "tier", "category", "station"]
    search_fields = ["number", "address", "description"]
    date_hierarchy = "received_at"
    list_select_related = ["category", "station", "street"]
