"""REST endpoints of the clocks, and the job resource with its clocks.

`/incidents/` is routed here: the job of dispatch (units, actions) plus its
clocks on the detail and its alert level in the list.
"""

import django_filters
from rest_framework import viewsets

from analytics import services
from analytics.api.serializers import (
    ClockDefinitionSerializer,
    ClockedIncidentDetailSerializer,
    ClockedIncidentSerializer,
    ClockSerializer,
    DelayReasonInputSerializer,
    DelayReasonSerializer,
    ExcuseSerializer,
)
from analytics.choices import ClockState
from analytics.models import ClockDefinition, ClockInstance, DelayReason
from analytics.selectors import clock_list, with_alert
from commandcenter.api.actions import action_response_for, service_action
from commandcenter.api.filters import IdFilter
from dispatch.api.views import JobViewSet, job_actions_bind


class ClockedJobViewSet(JobViewSet):
    """警情: intake, the lists every console reads, each job's units, clocks and actions."""

    detail_serializer_class = ClockedIncidentDetailSerializer
    action_response = action_response_for(ClockedIncidentDetailSerializer)

    def get_queryset(self):
        queryset = super().get_queryset()
        return with_alert(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        if self.action == "list":
            return ClockedIncidentSerializer
        return super().get_serializer_class()


job_actions_bind(ClockedJobViewSet, ClockedIncidentDetailSerializer)


class ClockFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ClockState.choices)
    code = django_filters.CharFilter(field_name="definition__code", help_text="A clock's code")
    station = django_filters.CharFilter(field_name="station__code", help_text="A station's code")
    post = django_filters.CharFilter(field_name="post__code", help_text="A post's code")
    street = django_filters.CharFilter(field_name="street__code", help_text="A street's code")
    incident = IdFilter(field_name="incident_id", help_text="The job's id")
    running = django_filters.BooleanFilter(
        field_name="stopped_at", lookup_expr="isnull", help_text="Still running (not stopped)"
    )
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = ClockInstance
        fields = ["state", "code", "station", "post", "street", "incident", "running"]


class ClockViewSet(viewsets.ReadOnlyModelViewSet):
    """时限: every job's and supervision order's clocks, where the caller may see them."""

    serializer_class = ClockSerializer
    filterset_class = ClockFilter
    service_id_argument = "clock_id"
    action_response = action_response_for(ClockSerializer)

    def get_queryset(self):
        return clock_list(user=self.request.user)

    delay_reason = service_action(
        name="delay-reason",
        attribute="delay_reason",
        service=services.clock_delay_reason,
        request=DelayReasonInputSerializer,
        response=ClockSerializer,
        summary="Record why a late clock was late (延误原因)",
    )
    excuse = service_action(
        name="excuse",
        service=services.clock_excuse,
        request=ExcuseSerializer,
        response=ClockSerializer,
        summary="Excuse a breach, with the reason (supervisors)",
    )


class ClockDefinitionViewSet(viewsets.ReadOnlyModelViewSet):
    """The clocks as defined (administrators edit them in the admin)."""

    queryset = ClockDefinition.objects.filter(active=True)
    serializer_class = ClockDefinitionSerializer
    pagination_class = None
    lookup_field = "code"


class DelayReasonViewSet(viewsets.ReadOnlyModelViewSet):
    """延误原因: the reasons a delay can be recorded with."""

    queryset = DelayReason.objects.filter(active=True)
    serializer_class = DelayReasonSerializer
    pagination_class = None
    lookup_field = "code"
