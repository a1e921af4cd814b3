"""回访 over the API: the callbacks a user may read, and the call-taker's record.

GET /api/v1/callbacks/ (filters: state, result, station, from, to — local
dates of the job's closing, inclusive), GET /api/v1/callbacks/{id}/ and
POST /api/v1/callbacks/{id}/record/ {result, comment}. Call-takers and
supervisors record; the command center and station chiefs (their station's)
read; any other role is refused (403). The caller's number is masked here:
the job's `?reveal=caller` shows it, recorded in the access record.
"""

from datetime import datetime, time, timedelta

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets

from analytics.callbacks import (
    COMMENT_MAX_CHARS,
    callback_list,
    callback_record,
    may_read_callbacks,
    overdue,
)
from analytics.choices import CallbackResult, CallbackState
from analytics.models import Callback
from commandcenter.api.actions import action_response_for, service_action
from commandcenter.api.filters import IdFilter
from commandcenter.directory import directory
from commandcenter.models import Post, Station, Street
from incidents.models import IncidentCategory
from incidents.permissions import mask_phone


class MayReadCallbacks(permissions.BasePermission):
    message = "Only the command center and station chiefs read callbacks."

    def has_permission(self, request, view) -> bool:
        return may_read_callbacks(request.user)


def _code(model, pk) -> str | None:
    row = directory.get(model, pk)
    return row.code if row else None


def _name(model, pk) -> str | None:
    row = directory.get(model, pk)
    return row.name if row else None


class CallbackSerializer(serializers.ModelSerializer):
    """A callback: its job, where it is, by when, and what the caller said."""

    incident = serializers.IntegerField(source="incident_id", read_only=True)
    incident_number = serializers.CharField(source="incident.number", read_only=True)
    category = serializers.SerializerMethodField()
    category_name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    caller_phone = serializers.SerializerMethodField(
        help_text="Masked; the job's `?reveal=caller` shows it (recorded)"
    )
    closed_at = serializers.DateTimeField(source="created_at", read_only=True)
    station = serializers.SerializerMethodField()
    station_name = serializers.SerializerMethodField()
    post = serializers.SerializerMethodField()
    street = serializers.SerializerMethodField()
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    result = serializers.CharField(read_only=True, help_text="A CallbackResult, or empty: no try")
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(
        source="recorded_by.username", default=None, allow_null=True, read_only=True
    )
    supervision = serializers.CharField(
        source="supervision.number", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Callback
        fields = [
            "id",
            "incident",
            "incident_number",
            "category",
            "category_name",
            "description",
            "caller_phone",
            "closed_at",
            "station",
            "station_name",
            "post",
            "street",
            "state",
            "state_display",
            "due_at",
            "overdue",
            "attempts",
            "result",
            "result_display",
            "comment",
            "recorded_at",
            "recorded_by",
            "supervision",
        ]
        read_only_fields = fields

    def get_category(self, callback) -> str | None:
        return _code(IncidentCategory, callback.incident.category_id)

    def get_category_name(self, callback) -> str | None:
        return _name(IncidentCategory, callback.incident.category_id)

    def get_description(self, callback) -> str:
        return callback.incident.description[:120]

    def get_caller_phone(self, callback) -> str:
        return mask_phone(callback.incident.caller_phone)

    def get_station(self, callback) -> str | None:
        return _code(Station, callback.station_id)

    def get_station_name(self, callback) -> str | None:
        return _name(Station, callback.station_id)

    def get_post(self, callback) -> str | None:
        return _code(Post, callback.post_id)

    def get_street(self, callback) -> str | None:
        return _code(Street, callback.street_id)

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, callback) -> bool:
        return overdue(callback)


class CallbackRecordSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=CallbackResult.choices)
    comment = serializers.CharField(
        max_length=COMMENT_MAX_CHARS,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the caller said; required for `unsatisfied` (it goes to the station)",
    )


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class CallbackFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CallbackState.choices)
    result = django_filters.MultipleChoiceFilter(choices=CallbackResult.choices)
    station = django_filters.CharFilter(method="filter_station", help_text="A station's code")
    incident = IdFilter(field_name="incident_id", help_text="The job's id")
    # `from` is a Python keyword: the filters are declared by name below.

    class Meta:
        model = Callback
        fields = ["state", "result", "station", "incident"]

    def filter_station(self, queryset, name, value):
        station = directory.by_code(Station, value)
        return queryset.filter(station_id=station.pk) if station else queryset.none()

    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_local_midnight(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_local_midnight(value + timedelta(days=1)))


CallbackFilter.base_filters["from"] = django_filters.DateFilter(
    method="filter_from", help_text="Closed on or after this local date (Asia/Shanghai)"
)
CallbackFilter.base_filters["to"] = django_filters.DateFilter(
    method="filter_to", help_text="Closed on or before this local date (inclusive)"
)


class CallbackViewSet(viewsets.ReadOnlyModelViewSet):
    """回访: callbacks to the callers of closed jobs, the oldest due first."""

    serializer_class = CallbackSerializer
    filterset_class = CallbackFilter
    permission_classes = [permissions.IsAuthenticated, MayReadCallbacks]
    service_id_argument = "callback_id"
    action_response = action_response_for(CallbackSerializer)

    def get_queryset(self):
        return callback_list(user=self.request.user)

    record = service_action(
        name="record",
        service=callback_record,
        request=CallbackRecordSerializer,
        response=CallbackSerializer,
        summary="Record what the caller said (满意 / 基本满意 / 不满意 / 未接通 / 拒访)",
    )
