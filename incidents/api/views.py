"""REST endpoints of call intake and incidents.

The `/incidents/` resource is routed by dispatch, which adds to this viewset
what a job has beyond its incident: the units sent, the recommendations and
the actions (dispatch/actions.py).
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from commandcenter.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
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
from incidents.export import EXPORT_FORMATS, export_filename
from incidents.filters import IncidentFilter
from incidents.models import IncidentCategory, ResultCode
from incidents.selectors import caller_history, incident_list

# `?reveal=caller&purpose=…` on a job's detail (and its EIDO document, partners.api).
REVEAL_PARAMETERS = [
    OpenApiParameter(
        "reveal",
        OpenApiTypes.STR,
        enum=["caller"],
        description="`caller`: the caller's phone and name unmasked (to those who may "
        "call back); each such read is kept in the access record. Otherwise masked.",
    ),
    OpenApiParameter(
        "purpose",
        OpenApiTypes.STR,
        description="Why the caller is shown (contact, verify, follow_up, or words); "
        "kept in the access record.",
    ),
]


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
        listing = self.action in ("list", "export")
        return super().filter_queryset(queryset) if listing else queryset

    def get_serializer_class(self):
        if self.action == "create":
            return IncidentCreateSerializer
        if self.action == "list":
            return IncidentSerializer
        return self.detail_serializer_class

    @extend_schema(parameters=REVEAL_PARAMETERS)
    def retrieve(self, request, *args, **kwargs):
        incident = self.get_object()
        context = self.get_serializer_context()
        if request.query_params.get("reveal") == "caller":
            services.caller_reveal(
                actor=request.user,
                incident=incident,
                purpose=request.query_params.get("purpose", "")[:200],
                request=request,
            )
            context["caller_revealed"] = incident.pk
        return Response(self.get_serializer_class()(incident, context=context).data)

    @extend_schema(
        request=IncidentCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: IncidentCreatedSerializer, **IDEMPOTENCY_RESPONSES},
        description="`Idempotency-Key` is honoured: a caller that lost the answer sends the "
        "call again with the same key and gets the first answer, with no second incident.",
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        fields = INTAKE.run_validation(request.data)
        incident = services.incident_create(actor=request.user, **fields)
        return Response(INTAKE_ANSWER.to_representation(incident), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file_format",
                OpenApiTypes.STR,
                enum=list(EXPORT_FORMATS),
                description="csv or xlsx",
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
        },
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The list's filters as a file (CSV or Excel), at most EXPORT_LIMIT rows, the
        caller masked as on screen."""
        extension = request.query_params.get("file_format", "csv")
        if extension not in EXPORT_FORMATS:
            raise ValidationError({"file_format": _("Choose csv or xlsx.")})
        content_type, render = EXPORT_FORMATS[extension]
        incidents = self.filter_queryset(self.get_queryset())
        response = HttpResponse(
            render(user=request.user, incidents=incidents), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(extension)}"'
        return response

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
