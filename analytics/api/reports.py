"""REST endpoints of the reports (日报, 周报, ad hoc): the list, one report with its
figures, an ad-hoc report for any range and scope, and each as Excel or PDF.

The command center reads every report; a station chief its station's
(analytics.reports). Other roles are refused (403), as for the KPIs.
"""

import django_filters
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from analytics.choices import ReportKind
from analytics.models import Report
from analytics.report_render import (
    PDF,
    RENDERERS,
    XLSX,
    report_download_header,
    report_title,
)
from analytics.reports import may_read_reports, report_build, report_list, report_scope_name
from commandcenter.directory import directory
from commandcenter.models import Station


class ReportReaders(permissions.BasePermission):
    message = gettext_lazy("Your role does not read reports.")

    def has_permission(self, request, view) -> bool:
        return may_read_reports(request.user)


class ReportSerializer(serializers.ModelSerializer):
    """A report in the list: its kind, period and scope, and where to download it."""

    kind = serializers.ChoiceField(choices=ReportKind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    title = serializers.SerializerMethodField()
    # `from` is a Python keyword: declared through the class namespace.
    locals()["from"] = serializers.DateField(
        source="start", read_only=True, help_text="First local day."
    )
    locals()["to"] = serializers.DateField(
        source="end", read_only=True, help_text="Last local day, inclusive."
    )
    station = serializers.CharField(
        source="station.code",
        default=None,
        allow_null=True,
        read_only=True,
        help_text="The station's code; null: the district.",
    )
    scope_name = serializers.SerializerMethodField(
        help_text="The district's or the station's name."
    )
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )
    xlsx = serializers.SerializerMethodField(help_text="The Excel file.")
    pdf = serializers.SerializerMethodField(help_text="The PDF file.")

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "from",
            "to",
            "station",
            "scope_name",
            "created_at",
            "created_by",
            "xlsx",
            "pdf",
        ]
        read_only_fields = fields

    def get_title(self, report) -> str:
        return report_title(report)

    def get_scope_name(self, report) -> str:
        return report_scope_name(report)

    def get_xlsx(self, report) -> str:
        return reverse("report-xlsx", args=[report.pk])

    def get_pdf(self, report) -> str:
        return reverse("report-pdf", args=[report.pk])


class ReportDetailSerializer(ReportSerializer):
    """A report with its figures: each section as kpi_query gave it when it was built."""

    data = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "data"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, report) -> dict:
        return report.data


class ReportCreateSerializer(serializers.Serializer):
    """An ad-hoc report: local days `from` to `to` (inclusive), the district or a station."""

    locals()["from"] = serializers.DateField(
        source="start", help_text="First local day (Asia/Shanghai)."
    )
    locals()["to"] = serializers.DateField(source="end", help_text="Last local day, inclusive.")
    station = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="A station's code; empty: the district (a station chief: its own station).",
    )

    def validate_station(self, code: str) -> Station | None:
        if not code:
            return None
        station = directory.by_code(Station, code)
        if station is None:
            raise serializers.ValidationError(
                _("No station with code “%(code)s”.") % {"code": code}
            )
        return station


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices)
    station = django_filters.CharFilter(
        method="filter_station", help_text="A station's code, or `district`."
    )
    after = django_filters.DateFilter(
        field_name="end", lookup_expr="gte", help_text="Reports ending on or after this day."
    )
    before = django_filters.DateFilter(
        field_name="start", lookup_expr="lte", help_text="Reports starting on or before this day."
    )

    class Meta:
        model = Report
        fields = ["kind", "station", "after", "before"]

    def filter_station(self, queryset, name, value):
        if value == "district":
            return queryset.filter(station__isnull=True)
        return queryset.filter(station__code=value)


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """日报 / 周报 and ad-hoc reports: built by beat at 07:00 local for the district and
    each station (daily: yesterday; weekly, on Mondays: last week), or on demand."""

    permission_classes = [permissions.IsAuthenticated, ReportReaders]
    filterset_class = ReportFilter
    serializer_class = ReportSerializer

    def get_queryset(self):
        return report_list(user=self.request.user, figures=self.action != "list")

    def get_serializer_class(self):
        return ReportSerializer if self.action == "list" else ReportDetailSerializer

    @extend_schema(
        request=ReportCreateSerializer,
        responses={201: ReportDetailSerializer},
        summary="Build an ad-hoc report for a range and the district or a station",
    )
    def create(self, request):
        fields = ReportCreateSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        report = report_build(
            kind=ReportKind.ADHOC,
            start=fields.validated_data["start"],
            end=fields.validated_data["end"],
            station=fields.validated_data.get("station"),
            actor=request.user,
        )
        body = ReportDetailSerializer(report, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _file(self, extension: str) -> HttpResponse:
        report = self.get_object()  # out of scope: 404
        content_type, render = RENDERERS[extension]
        response = HttpResponse(render(report), content_type=content_type)
        response["Content-Disposition"] = report_download_header(report, extension)
        return response

    @extend_schema(
        responses={(200, XLSX): OpenApiTypes.BINARY},
        summary="The report as an Excel workbook (one sheet per section)",
    )
    @action(detail=True, methods=["get"], url_path="xlsx", url_name="xlsx")
    def xlsx(self, request, pk=None):
        return self._file("xlsx")

    @extend_schema(responses={(200, PDF): OpenApiTypes.BINARY}, summary="The report as a PDF")
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        return self._file("pdf")
