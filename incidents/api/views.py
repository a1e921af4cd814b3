"""REST endpoints of call intake and incidents.

The `/incidents/` resource is routed by dispatch, which adds to this viewset
what a job has beyond its incident: the units sent, the recommendations and
the actions (dispatch/actions.py).
"""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from incidents import services
from incidents.api.serializers import (
    CallerHistorySerializer,
    IncidentCategorySerializer,
    IncidentCreatedSerializer,
    IncidentCreateSerializer,
    IncidentRecordSerializer,
    IncidentSerializer,
    ResultCodeSerializer,
)
from incidents.choices import IncidentStatus, Tier
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.selectors import caller_history, incident_list


class IncidentCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """警情类别: the categories a call can be recorded under, invalid-call reasons included."""

    queryset = IncidentCategory.objects.filter(active=True)
    serializer_class = IncidentCategorySerializer
    pagination_class = None
    lookup_field = "code"


class ResultCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """警情处理结果: result codes for resolving a job."""

    queryset = ResultCode.objects.filter(active=True)
    serializer_class = ResultCodeSerializer
    pagination_class = None
    lookup_field = "code"


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    station = django_filters.CharFilter(field_name="station__code")
    post = django_filters.CharFilter(field_name="post__code")
    street = django_filters.CharFilter(field_name="street__code")
    category = django_filters.CharFilter(field_name="category__code")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Incident
        fields = [
            "status",
            "tier",
            "station",
            "post",
            "street",
            "category",
            "priority",
            "number",
            "out_of_jurisdiction",
        ]


# Intake is the hottest path: one instance of each of its serializers serves
# every call. Making one deep-copies all its fields (about a millisecond for
# these two); validating and representing leave the instance unchanged.
INTAKE = IncidentCreateSerializer()
INTAKE_ANSWER = IncidentCreatedSerializer()


class IncidentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """警情: intake, and the lists every console reads."""

    filterset_class = IncidentFilter
    detail_serializer_class = IncidentRecordSerializer

    def get_queryset(self):
        return incident_list(user=self.request.user)

    def filter_queryset(self, queryset):
        # The filters are the list's: building them for one incident by id
        # cost more than finding it.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        if self.action == "create":
            return IncidentCreateSerializer
        if self.action == "list":
            return IncidentSerializer
        return self.detail_serializer_class

    @extend_schema(request=IncidentCreateSerializer, responses={201: IncidentCreatedSerializer})
    def create(self, request, *args, **kwargs):
        fields = INTAKE.run_validation(request.data)
        incident = services.incident_create(actor=request.user, **fields)
        return Response(INTAKE_ANSWER.to_representation(incident), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("phone", OpenApiTypes.STR, description="The caller's number"),
            OpenApiParameter("address", OpenApiTypes.STR, description="Part of the address"),
        ],
        responses=CallerHistorySerializer,
    )
    @action(detail=False, methods=["get"], url_path="caller-history")
    def caller_history(self, request):
        """Earlier calls (last CALLER_HISTORY_DAYS) from a number or at an address, with
        their outcome, and whether the number is a repeat or nuisance caller."""
        history = caller_history(
            user=request.user,
            phone=request.query_params.get("phone", "")[:20],
            address=request.query_params.get("address", "")[:200],
        )
        return Response(CallerHistorySerializer(history).data)
