"""REST endpoints of jobs (incidents with their units and actions), assignments
(unit steps) and orders (指令)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from commandcenter.access import visible
from commandcenter.api.actions import action_response_for, service_action
from commandcenter.api.filters import IdFilter
from dispatch import services
from dispatch.actions import JOB_ACTIONS
from dispatch.api.serializers import (
    AssignmentSerializer,
    FeedbackSerializer,
    IncidentDetailSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    RecommendationQuerySerializer,
    RecommendationSerializer,
)
from dispatch.choices import AssignmentStatus, OrderKind, OrderStatus
from dispatch.models import Assignment, Order
from dispatch.selectors import units_recommend
from incidents.api.views import IncidentViewSet

RECOMMENDATION_LIMIT_MAX = 50


class JobViewSet(IncidentViewSet):
    """警情: intake, the lists every console reads, each job's units and every action on it."""

    detail_serializer_class = IncidentDetailSerializer
    service_id_argument = "incident_id"
    action_response = action_response_for(IncidentDetailSerializer)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action not in ("list", "recommendations"):
            queryset = queryset.prefetch_related("assignments__unit")
        return queryset

    @extend_schema(
        parameters=[RecommendationQuerySerializer],
        responses=RecommendationSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def recommendations(self, request, pk=None):
        """Free units the caller may send, ranked by estimated arrival for this job."""
        incident = self.get_object()
        query = RecommendationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = min(query.validated_data["limit"], RECOMMENDATION_LIMIT_MAX)
        ranked = units_recommend(incident=incident, user=request.user, limit=limit)
        return Response(RecommendationSerializer(ranked, many=True).data)


def job_actions_bind(viewset, response) -> None:
    """One POST route per registered job action (the same table the job panel
    renders), each answering the job as `response` serialises it."""
    for job_action in JOB_ACTIONS:
        setattr(
            viewset,
            job_action.attribute or job_action.name,
            service_action(
                name=job_action.name,
                attribute=job_action.attribute,
                service=job_action.service,
                request=job_action.request,
                response=response,
                summary=job_action.summary,
            ),
        )


job_actions_bind(JobViewSet, IncidentDetailSerializer)


class AssignmentFilter(django_filters.FilterSet):
    incident = IdFilter(field_name="incident_id", help_text="The job's id")
    status = django_filters.MultipleChoiceFilter(choices=AssignmentStatus.choices)
    unit = django_filters.CharFilter(field_name="unit__call_sign")

    class Meta:
        model = Assignment
        fields = ["status", "unit", "incident"]


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """One unit on one job: 签收 (acknowledge), 出发 (en route), 到场 (on scene), 清场 (clear)."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    service_id_argument = "assignment_id"
    action_response = action_response_for(AssignmentSerializer)

    def get_queryset(self):
        return visible(Assignment.objects.select_related("unit", "incident"), self.request.user)

    acknowledge = service_action(
        name="acknowledge",
        service=services.assignment_advance,
        target=AssignmentStatus.ACKNOWLEDGED,
        response=AssignmentSerializer,
        summary="The unit acknowledges the job (签收)",
    )
    en_route = service_action(
        name="en-route",
        service=services.assignment_advance,
        target=AssignmentStatus.EN_ROUTE,
        response=AssignmentSerializer,
        summary="The unit is on its way",
    )
    on_scene = service_action(
        name="on-scene",
        service=services.assignment_advance,
        target=AssignmentStatus.ON_SCENE,
        response=AssignmentSerializer,
        summary="The unit arrived (到场)",
    )
    clear = service_action(
        name="clear",
        service=services.assignment_advance,
        target=AssignmentStatus.CLEARED,
        response=AssignmentSerializer,
        summary="The unit leaves the job and is free again",
    )


class OrderFilter(django_filters.FilterSet):
    incident = IdFilter(field_name="incident_id", help_text="The job's id")
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=OrderKind.choices)
    overdue = django_filters.BooleanFilter(
        field_name="overdue_at", lookup_expr="isnull", exclude=True
    )
    escalated = django_filters.BooleanFilter(
        field_name="escalated_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Order
        fields = ["status", "kind", "overdue", "escalated", "incident"]


class OrderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """指令: issued by the command center, acknowledged and answered by the recipient."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    service_id_argument = "order_id"
    action_response = action_response_for(OrderSerializer)

    def get_queryset(self):
        return visible(
            Order.objects.select_related(
                "station", "post", "unit", "governance_center", "incident", "issued_by"
            ),
            self.request.user,
        )

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    def create(self, request, *args, **kwargs):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = services.order_issue(
            actor=request.user,
            recipient_type=data["recipient_type"],
            recipient=data["recipient"],
            content=data["content"],
            deadline=data["deadline"],
            incident_id=data["incident"],
        )
        return Response(
            OrderSerializer(self.get_queryset().get(pk=order.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    acknowledge = service_action(
        name="acknowledge",
        service=services.order_acknowledge,
        response=OrderSerializer,
        summary="The recipient acknowledges the order",
    )
    feedback = service_action(
        name="feedback",
        service=services.order_feedback,
        request=FeedbackSerializer,
        response=OrderSerializer,
        summary="The recipient reports what was done; closes the order",
    )
