from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from analytics.choices import ScoringTier
from analytics.kpis import KPIS
from analytics.models import (
    ClockDefinition,
    ClockInstance,
    DelayReason,
    Report,
    ScoringItem,
    ScoringScheme,
)
from commandcenter.admin import ReadOnlyAdmin


@admin.register(ClockDefinition)
class ClockDefinitionAdmin(admin.ModelAdmin):
    """Clocks are data: an edit applies to the clocks that start after it
    (within one sweep); running clocks keep the due time they started with."""

    list_display = [
        "code",
        "name",
        "start",
        "stop",
        "tier",
        "target_urban_s",
        "target_suburban_s",
        "target_rural_s",
        "target_other_s",
        "remind",
        "supervise_after_s",
        "active",
    ]
    list_filter = ["subject", "tier", "active"]
    fieldsets = [
        (None, {"fields": ["code", "name", "subject", "start", "stop", "active", "sort_order"]}),
        (_("Which jobs"), {"fields": ["tier", "category", "priority_max", "order_kind"]}),
        (
            _("Targets"),
            {
                "fields": [
                    "due_rule",
                    "target_urban_s",
                    "target_suburban_s",
                    "target_rural_s",
                    "target_other_s",
                    "warn_before_s",
                    "at_risk",
                ]
            },
        ),
        (_("Supervision"), {"fields": ["remind", "supervise_after_s", "escalate"]}),
    ]


@admin.register(DelayReason)
class DelayReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order", "active"]
    list_editable = ["sort_order", "active"]


@admin.register(ClockInstance)
class ClockInstanceAdmin(ReadOnlyAdmin):
    list_display = [
        "definition",
        "incident",
        "order",
        "state",
        "started_at",
        "due_at",
        "stopped_at",
    ]
    list_filter = ["state", "definition"]
    list_select_related = ["definition", "incident", "order"]
    search_fields = ["incident__number", "order__number"]


class ScoringItemForm(forms.ModelForm):
    """The KPI an item scores is one of the dictionary's (analytics.kpis.KPIS)."""

    kpi = forms.ChoiceField(label=_("KPI"), choices=())

    class Meta:
        model = ScoringItem
        fields = [
            "tier",
            "name",
            "kpi",
            "comparison",
            "threshold",
            "points",
            "per_workload",
            "sort_order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [(k.code, k.name) for k in KPIS.values()]

    def clean(self):
        data = super().clean()
        tier, threshold = data.get("tier"), data.get("threshold")
        if tier in (ScoringTier.VETO, ScoringTier.BASE) and threshold is None:
            self.add_error("threshold", _("A veto or base item needs a threshold."))
        return data


class ScoringItemInline(admin.TabularInline):
    model = ScoringItem
    form = ScoringItemForm
    extra = 0


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    """赋分方案: the ranking scores teams, posts and stations by the active scheme."""

    list_display = ["code", "name", "active"]
    inlines = [ScoringItemInline]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["kind", "start", "end", "station", "created_at"]
    list_filter = ["kind", "station"]
