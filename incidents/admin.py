from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from commandcenter.admin import ReadOnlyAdmin
from commandcenter.directory import directory
from incidents.models import Incident, IncidentCategory, ResultCode, RoutingRule
from incidents.permissions import mask_name, mask_phone


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "group", "default_priority", "sort_order", "active"]
    list_filter = ["kind", "active"]
    list_editable = ["sort_order", "active"]


@admin.register(ResultCode)
class ResultCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "gat_code", "for_tier", "sort_order", "active"]
    list_filter = ["for_tier", "active"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Routing rules are data: tried by position, first match routes the call.

    Other processes pick up an edit within 30 s (commandcenter.directory).
    """

    list_display = [
        "position",
        "name",
        "category",
        "category_kind",
        "station",
        "street",
        "area_class",
        "target",
        "active",
    ]
    list_editable = ["active"]
    list_display_links = ["name"]
    list_filter = ["target", "active", "category_kind"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        directory.clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        directory.clear()


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Read-only: incidents change only through the lifecycle services."""

    list_display = ["number", "status", "tier", "category", "station", "street", "received_at"]
    list_filter = ["status", "tier", "category", "station"]
    search_fields = ["number", "caller_phone", "caller_name", "address", "description"]
    date_hierarchy = "received_at"
    list_select_related = ["category", "station", "street"]
    # The caller masked here too: the job panel and `?reveal=caller` show them whole,
    # each time recorded in the access record.
    exclude = ["caller_phone", "caller_name"]
    readonly_fields = ["caller"]

    @admin.display(description=_("Caller"))
    def caller(self, incident: Incident) -> str:
        return " · ".join(
            part
            for part in (mask_phone(incident.caller_phone), mask_name(incident.caller_name))
            if part
        )
