"""Reads of the clocks: a job's clocks, the scoped list, the jobs' alert levels."""

from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Value, When

from analytics.choices import Alert, ClockState
from analytics.models import ClockInstance
from commandcenter.access import visible


def clock_list(*, user) -> QuerySet:
    """The clocks `user` may see (where the job is), newest first."""
    return (
        visible(ClockInstance.objects.all(), user)
        .select_related(
            "definition", "incident", "order", "delay_reason", "reminder", "supervision"
        )
        .order_by("-started_at", "-id")
    )


def job_clocks(incident) -> list[ClockInstance]:
    """A job's own clocks (not its orders'), in the order they started."""
    return list(
        ClockInstance.objects.filter(incident=incident, order__isnull=True)
        .select_related("definition", "delay_reason", "reminder", "supervision")
        .order_by("started_at", "definition__sort_order", "id")
    )


def _running(**conditions) -> Exists:
    return Exists(
        ClockInstance.objects.filter(
            incident_id=OuterRef("pk"), order__isnull=True, stopped_at__isnull=True, **conditions
        )
    )


def with_alert(queryset: QuerySet) -> QuerySet:
    """Incidents annotated with `clock_alert`: the worst of their running clocks
    (late, at risk, due soon) or "" (analytics.engine.incident_alert, in SQL; a
    test holds the two together)."""
    return queryset.annotate(
        clock_alert=Case(
            When(_running(state=ClockState.BREACHED), then=Value(Alert.BREACHED.value)),
            When(
                _running(state=ClockState.RUNNING, at_risk_at__isnull=False),
                then=Value(Alert.AT_RISK.value),
            ),
            When(
                _running(state=ClockState.RUNNING, warned_at__isnull=False),
                then=Value(Alert.WARNING.value),
            ),
            default=Value(""),
            output_field=CharField(),
        )
    )
