"""REST endpoints of the measures: KPI figures, the KPI dictionary, the ranking and
the dashboard's data. All read through analytics.kpis.kpi_query, scoped by role."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.dashboard import dashboard_data, range_presets
from analytics.kpis import FILTERS, GROUPS, KPIS, kpi_definitions, kpi_query, kpi_scope
from analytics.ranking import LEVELS, ranking
from analytics.referral_kpis import GROUPS as REFERRAL_GROUPS
from analytics.referral_kpis import REFERRAL_KPI_CODES, referral_kpi_query, referral_scope
from analytics.sensor_kpis import GROUPS as SENSOR_GROUPS
from analytics.sensor_kpis import SENSOR_KPI_CODES, sensor_kpi_query


def _date(params, name: str, default: date) -> date:
    raw = params.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            {name: _("Enter a date as YYYY-MM-DD (local, Asia/Shanghai).")}
        ) from None


def _list(params, name: str) -> list[str]:
    return [part.strip() for part in params.get(name, "").split(",") if part.strip()]


def query_range(params) -> tuple[date, date]:
    """`from`/`to` (local dates, inclusive), or a `range` preset; default today."""
    today = timezone.localdate()
    preset = params.get("range")
    if preset:
        presets = range_presets(today)
        if preset not in presets:
            raise ValidationError(
                {"range": _("Choose one of: %(names)s.") % {"names": ", ".join(presets)}}
            )
        return presets[preset]
    start = _date(params, "from", today)
    return start, _date(params, "to", start if params.get("from") else today)


RANGE_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First local day (default today)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last local day, inclusive."),
    OpenApiParameter(
        "range",
        OpenApiTypes.STR,
        enum=["today", "yesterday", "this_week", "last_week", "this_month"],
        description="A preset range instead of from/to (weeks start on Monday).",
    ),
]
FILTER_PARAMETERS = [
    OpenApiParameter(
        name,
        OpenApiTypes.STR,
        description=(
            "A unit's call sign."
            if name == "unit"
            else "police, street or invalid."
            if name == "tier"
            else f"A {name}'s code" + (" (with its sub-categories)." if name == "category" else ".")
        ),
    )
    for name in FILTERS
]
FIGURES = inline_serializer(
    "KpiResult",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "timezone": serializers.CharField(),
        "cohort": serializers.CharField(),
        "grain": serializers.CharField(),
        "group_by": serializers.ListField(child=serializers.CharField()),
        "results": serializers.ListField(
            child=inline_serializer(
                "KpiGroup",
                {
                    "group": serializers.DictField(),
                    "figures": serializers.DictField(
                        child=serializers.DictField(),
                        help_text="KPI code → its figure (see /api/v1/kpi-definitions/).",
                    ),
                },
            )
        ),
    },
)


class KpiReaders(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        kpi_scope(request.user)  # raises PermissionDenied for roles that read none
        return True


class KpiView(APIView):
    """KPI figures for a range of local days, per group; scoped by role."""

    permission_classes = [permissions.IsAuthenticated, KpiReaders]

    @extend_schema(
        operation_id="kpis_list",
        parameters=[
            *RANGE_PARAMETERS,
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "group_by",
                OpenApiTypes.STR,
                description="Comma-separated, from: " + ", ".join(GROUPS) + ".",
            ),
            OpenApiParameter(
                "kpi", OpenApiTypes.STR, description="Comma-separated KPI codes (default all)."
            ),
        ],
        responses={200: FIGURES},
    )
    def get(self, request):
        start, end = query_range(request.query_params)
        filters = {name: request.query_params.get(name) for name in FILTERS}
        return Response(
            kpi_query(
                user=request.user,
                start=start,
                end=end,
                filters=filters,
                group_by=_list(request.query_params, "group_by"),
                kpis=_list(request.query_params, "kpi") or None,
            )
        )


DEFINITION = inline_serializer(
    "KpiDefinition",
    many=True,
    fields={
        "code": serializers.ChoiceField(choices=[*KPIS, *SENSOR_KPI_CODES, *REFERRAL_KPI_CODES]),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "numerator": serializers.CharField(),
        "denominator": serializers.CharField(allow_null=True),
        "excluded": serializers.CharField(allow_null=True),
        "interval": serializers.CharField(allow_null=True),
        "target": serializers.FloatField(allow_null=True),
        "higher_is_better": serializers.BooleanField(),
        "cohort": serializers.CharField(),
        "source": serializers.ChoiceField(
            choices=["jobs", "sensors", "referrals"],
            help_text=(
                "jobs: GET /api/v1/kpis/; sensors: GET /api/v1/sensor-kpis/; "
                "referrals: GET /api/v1/referral-kpis/."
            ),
        ),
        "formula": serializers.CharField(),
    },
)


class KpiDefinitionView(APIView):
    """The KPI dictionary: what each figure counts, over what, and what it leaves out."""

    permission_classes = [permissions.IsAuthenticated, KpiReaders]

    @extend_schema(operation_id="kpi_definitions_list", responses={200: DEFINITION})
    def get(self, request):
        return Response(kpi_definitions())


class RankingView(APIView):
    """赋分排名 of teams, posts or stations for a range, with the previous period's."""

    permission_classes = [permissions.IsAuthenticated, KpiReaders]

    @extend_schema(
        operation_id="ranking_retrieve",
        parameters=[
            *RANGE_PARAMETERS,
            OpenApiParameter("level", OpenApiTypes.STR, enum=list(LEVELS)),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        start, end = query_range(request.query_params)
        return Response(
            ranking(
                scope=kpi_scope(request.user),
                start=start,
                end=end,
                level=request.query_params.get("level") or "team",
            )
        )


class DashboardView(APIView):
    """Everything the dashboard draws for a range: cards with the change from the previous
    period, gauges, the arrival distribution, the hour × weekday strip, zones, the
    ranking, the breaches and the reports."""

    permission_classes = [permissions.IsAuthenticated, KpiReaders]

    @extend_schema(
        operation_id="dashboard_retrieve",
        parameters=[
            *RANGE_PARAMETERS,
            OpenApiParameter("station", OpenApiTypes.STR, description="A station's code."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        start, end = query_range(request.query_params)
        return Response(
            dashboard_data(
                scope=kpi_scope(request.user),
                start=start,
                end=end,
                station=request.query_params.get("station") or None,
            )
        )


class SensorKpiView(APIView):
    """智安 KPIs for a range of local days: sensor online rate, alarms, alarms per site,
    false-alarm rate, alarm-to-job rate; whole or per group; scoped by role."""

    permission_classes = [permissions.IsAuthenticated, KpiReaders]

    @extend_schema(
        operation_id="sensor_kpis_retrieve",
        parameters=[
            *RANGE_PARAMETERS,
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(SENSOR_GROUPS)),
            OpenApiParameter("station", OpenApiTypes.STR, description="A station's code."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        start, end = query_range(request.query_params)
        return Response(
            sensor_kpi_query(
                scope=kpi_scope(request.user),
                station=request.query_params.get("station") or "",
                start=start,
                end=end,
                group_by=request.query_params.get("group_by") or None,
            )
        )


class ReferralKpiView(APIView):
    """转办 KPIs for a range of local days (by the day a job was referred): referrals,
    accepted in time, handled on time, handling hours, declined; whole or per partner
    department. A partner department reads its own."""

    @extend_schema(
        operation_id="referral_kpis_retrieve",
        parameters=[
            *RANGE_PARAMETERS,
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(REFERRAL_GROUPS)),
            OpenApiParameter("department", OpenApiTypes.STR, description="A department's code."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        start, end = query_range(request.query_params)
        return Response(
            referral_kpi_query(
                scope=referral_scope(request.user),
                start=start,
                end=end,
                group_by=request.query_params.get("group_by") or None,
                department=request.query_params.get("department") or "",
            )
        )
