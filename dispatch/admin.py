from django.contrib import admin

from commandcenter.admin import ReadOnlyAdmin
from commandcenter.directory import directory
from dispatch.models import Assignment, Order, RoutingRule


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


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["incident", "unit", "status", "dispatched_at", "on_scene_at", "cleared_at"]
    list_filter = ["status"]
    list_select_related = ["incident", "unit"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "recipient", "issued_at", "due_at", "overdue_at"]
    list_filter = ["status"]
    search_fields = ["number", "content"]
