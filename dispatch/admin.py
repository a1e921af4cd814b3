from django.contrib import admin

from commandcenter.admin import ReadOnlyAdmin
from dispatch.models import Assignment, Order


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
