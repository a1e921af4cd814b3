"""REST endpoints of call intake and the incident lifecycle."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from commandcenter.api.actions import action_response_for, service_action
from dispatch.selectors import units_recommend
from dispatch.services import incident_dispatch
from incidents import services
from incidents.api.serializers import (
    CloseSerializer,
    DispatchSerializer,
    IncidentCategorySerializer,
    IncidentCreatedSerializer,
    IncidentCreateSerializer,
    IncidentDetailSerializer,
    IncidentSerializer,
    InvalidateSerializer,
    ReasonSerializer,
    RecommendationSerializer,
    ReferSerializer,
    ResolveSerializer,
    ResultCodeSerializer,
)
from incidents.choices import IncidentStatus, Tier
from incidents.models import Incident, IncidentCategory, ResultCode
from incidents.selectors import incident_list


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
    """警情: intake, the lists every console reads, and each step of the lifecycle."""

    filterset_class = IncidentFilter
    service_id_argument = "incident_id"
    action_response = action_response_for(IncidentDetailSerializer)

    def get_queryset(self):
        queryset = incident_list(user=self.request.user)
        if self.action not in ("list", "recommendations"):
            queryset = queryset.prefetch_related("assignments__unit")
        return queryset

    def filter_queryset(self, queryset):
        # The filters are the list's: building them for one incident by id
        # cost more than finding it.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        if self.action == "create":
            return IncidentCreateSerializer
        if self.action == "list":
            return IncidentSerializer
        return IncidentDetailSerializer

    @extend_schema(request=IncidentCreateSerializer, responses={201: IncidentCreatedSerializer})
    def create(self, request, *args, **kwargs):
        fields = INTAKE.run_validation(request.data)
        incident = services.incident_create(actor=request.user, **fields)
        return Response(INTAKE_ANSWER.to_representation(incident), status=status.HTTP_201_CREATED)

    @extend_schema(responses=RecommendationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def recommendations(self, request, pk=None):
        """Free units ranked by estimated arrival for this job."""
        incident = self.get_object()
        limit = min(int(request.query_params.get("limit", 10)), 50)
        ranked = units_recommend(incident=incident, limit=limit)
        return Response(RecommendationSerializer(ranked, many=True).data)

    dispatch_units = service_action(
        name="dispatch",
        attribute="dispatch_units",
        service=lambda *, units, **kw: incident_dispatch(unit_ids=units, **kw),
        request=DispatchSerializer,
        response=IncidentDetailSerializer,
        summary="Send one or more free units (all or none)",
    )
    resolve = service_action(
        name="resolve",
        service=services.incident_resolve,
        request=ResolveSerializer,
        response=IncidentDetailSerializer,
        summary="Record the result; units are cleared",
    )
    close = service_action(
        name="close",
        service=services.incident_close,
        request=CloseSerializer,
        response=IncidentDetailSerializer,
        summary="Write feedback and close the job",
    )
    invalidate = service_action(
        name="invalidate",
        service=services.incident_invalidate,
        request=InvalidateSerializer,
        response=IncidentDetailSerializer,
        summary="Close as an invalid call, with its reason",
    )
    cancel = service_action(
        name="cancel",
        service=services.incident_cancel,
        request=ReasonSerializer,
        response=IncidentDetailSerializer,
        summary="Cancel the job, with a reason",
    )
    unlink = service_action(
        name="unlink",
        service=services.incident_unlink,
        response=IncidentDetailSerializer,
        summary="Undo a repeat-call link: route this call as an incident of its own",
    )
    accept = service_action(
        name="accept",
        service=services.incident_accept,
        response=IncidentDetailSerializer,
        summary="Street: accept (签收) a diverted job",
    )
    settle = service_action(
        name="settle",
        service=services.incident_settle,
        request=ResolveSerializer,
        response=IncidentDetailSerializer,
        summary="Street: settle the job, with a result",
    )
    refer = service_action(
        name="refer",
        service=services.incident_refer,
        request=ReferSerializer,
        response=IncidentDetailSerializer,
        summary="Street: refer to the mediation center or a partner department",
    )
    return_to_police = service_action(
        name="return",
        attribute="return_to_police",
        service=services.incident_return,
        request=ReasonSerializer,
        response=IncidentDetailSerializer,
        summary="Street: return the job to the police",
    )
