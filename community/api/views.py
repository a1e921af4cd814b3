"""Sites, sensors and alarms: read endpoints (scoped), the gateways' batches, the review."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commandcenter.api.actions import action_response_for, service_action
from commandcenter.api.viewsets import ScopedReadOnlyViewSet
from commandcenter.idempotency import idempotent
from commandcenter.machine_keys import machine_key_kind
from commandcenter.timeparse import aware_time_parse
from community import imports, services
from community.api.serializers import (
    AlarmsBatchSerializer,
    AlarmSerializer,
    AlarmsResultSerializer,
    BatchResultSerializer,
    DismissSerializer,
    HeartbeatsBatchSerializer,
    SensorSerializer,
    SiteSerializer,
)
from community.choices import (
    ON_JOB_STATES,
    PENDING_STATES,
    AlarmState,
    AlarmType,
    SensorStatus,
    SensorType,
    SiteKind,
)
from community.models import Alarm, Sensor, SmartSite
from community.selectors import alarm_job_open

DEVICE_MAX = Sensor._meta.get_field("device_id").max_length


def _refused(result: str, what: str) -> OpenApiResponse:
    """400: the batch result with each refused item, or a body that is no batch at all."""
    return OpenApiResponse(
        response={
            "anyOf": [
                {"$ref": f"#/components/schemas/{result}"},
                {"$ref": "#/components/schemas/ValidationErrors"},
            ]
        },
        description=f"No {what} was accepted (each refused item with its errors), or the "
        "body is not a batch (messages per field).",
    )


class SiteFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=SiteKind.choices)
    station = django_filters.CharFilter(field_name="station__code")
    street = django_filters.CharFilter(field_name="street__code")
    q = django_filters.CharFilter(method="search", label="name, code or address contains")

    class Meta:
        model = SmartSite
        fields = ["kind", "grade", "station", "street", "code", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(address__icontains=value)
        )


IMPORT_REQUEST = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"}},
        "required": ["file"],
    }
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _import(request, kind: str):
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": ["Send the table as `file` (multipart/form-data)."]})
    result = imports.table_import(actor=request.user, kind=kind, upload=upload)
    if request.query_params.get("errors_as") == "xlsx" and result.refused:
        response = HttpResponse(
            imports.refused_xlsx(imports.COLUMNS[kind], result), content_type=XLSX
        )
        response["Content-Disposition"] = f'attachment; filename="{kind}-refused.xlsx"'
        return response
    return Response(result.as_dict(), status=200 if not result.refused else 422)


def import_action(kind: str):
    def table_import(self, request):
        return _import(request, kind)

    # The name is set before @action records it in the method mapping.
    decorate = action(
        detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser]
    )
    return extend_schema(
        request=IMPORT_REQUEST,
        responses={200: OpenApiTypes.OBJECT, 422: OpenApiTypes.OBJECT},
        summary=f"Import {kind} from Excel (.xlsx) or CSV (administrators)",
        description="Good rows are created or updated; refused rows are listed with a message "
        "per column (422 when any was refused). `?errors_as=xlsx` answers the refused rows "
        "as an Excel file with an errors column instead.",
    )(decorate(table_import))


def _count_per_site(rows):
    """How many of `rows` (sensors, alarms) belong to the site of the outer query."""
    counted = rows.filter(site=OuterRef("pk")).order_by().values("site")
    return Coalesce(Subquery(counted.annotate(count=Count("pk")).values("count")), 0)


class SiteViewSet(ScopedReadOnlyViewSet):
    """智安小区/校园/医院: each with its place, grade, and sensor counts."""

    # Counted by subqueries (by site index): joining the sensors and the alarms'
    # history instead multiplies a site's rows (seconds per page of a real district).
    queryset = (
        SmartSite.objects.select_related("zone", "station", "post", "street", "officer")
        .annotate(
            sensors_total=_count_per_site(Sensor.objects.all()),
            sensors_online=_count_per_site(Sensor.objects.filter(status=SensorStatus.ONLINE)),
            alarms_pending=_count_per_site(Alarm.objects.filter(state__in=PENDING_STATES)),
        )
        .order_by("code")
    )
    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    table_import = import_action("sites")


class SensorFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(method="by_site", label="site id or code")
    sensor_type = django_filters.MultipleChoiceFilter(choices=SensorType.choices)
    type = django_filters.MultipleChoiceFilter(field_name="sensor_type", choices=SensorType.choices)
    status = django_filters.MultipleChoiceFilter(choices=SensorStatus.choices)
    station = django_filters.CharFilter(field_name="station__code")
    street = django_filters.CharFilter(field_name="street__code")

    class Meta:
        model = Sensor
        fields = ["site", "sensor_type", "status", "vendor", "device_id", "station", "street"]

    def by_site(self, queryset, name, value):
        by_id = Q(site_id=int(value)) if value.isascii() and value.isdigit() else Q(pk__in=[])
        return queryset.filter(Q(site__code=value) | by_id)


class SensorViewSet(ScopedReadOnlyViewSet):
    """Sensors of the sites: type, place, heartbeat interval and status."""

    queryset = Sensor.objects.select_related("site").order_by("device_id")
    serializer_class = SensorSerializer
    filterset_class = SensorFilter
    table_import = import_action("sensors")


class AlarmFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(method="by_site", label="site id or code")
    state = django_filters.MultipleChoiceFilter(choices=AlarmState.choices)
    alarm_type = django_filters.MultipleChoiceFilter(choices=AlarmType.choices)
    since = django_filters.IsoDateTimeFilter(field_name="first_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="first_at", lookup_expr="lt")
    active = django_filters.BooleanFilter(
        method="by_active", label="pending, or on a job that is still open"
    )
    station = django_filters.CharFilter(field_name="station__code")

    class Meta:
        model = Alarm
        fields = ["site", "state", "alarm_type", "priority", "nature", "incident", "station"]

    by_site = SensorFilter.by_site

    def by_active(self, queryset, name, value):
        active = Q(state__in=PENDING_STATES) | (Q(state__in=ON_JOB_STATES) & alarm_job_open())
        return queryset.filter(active if value else ~active)


class AlarmViewSet(ScopedReadOnlyViewSet):
    """Alarms of the sites' sensors; `POST` is a gateway's batch (see `create`)."""

    queryset = Alarm.objects.select_related("sensor", "site", "incident")
    serializer_class = AlarmSerializer
    filterset_class = AlarmFilter
    service_id_argument = "alarm_id"
    action_response = action_response_for(AlarmSerializer)

    accept = service_action(
        name="accept",
        service=services.alarm_accept,
        response=AlarmSerializer,
        summary="Accept an alarm from the review queue as a job",
    )
    dismiss = service_action(
        name="dismiss",
        service=services.alarm_dismiss,
        request=DismissSerializer,
        response=AlarmSerializer,
        summary="Dismiss an alarm from the review queue (误报, test, …) with a reason",
    )

    @extend_schema(
        request=AlarmsBatchSerializer,
        responses={
            200: AlarmsResultSerializer,
            400: _refused("AlarmsResult", "alarm"),
        },
        summary="Report a batch of alarms (sensor gateways)",
        description="Sent with a sensor gateway's machine key (`Authorization: Key …`). "
        "Good items are kept even when others are refused; each refused item is listed "
        "with its index and a message per field; unknown devices are refused per item. "
        "`Idempotency-Key` is honoured (a retry gets the first answer).",
    )
    @idempotent
    def create(self, request):
        batch = AlarmsBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        return _batch(
            request,
            batch.validated_data["alarms"],
            parse=_parse_alarm,
            record=services.alarms_record,
            argument="items",
        )


class HeartbeatsView(APIView):
    """Heartbeats of the sites' sensors, in batches (up to 1000)."""

    @extend_schema(
        request=HeartbeatsBatchSerializer,
        responses={200: BatchResultSerializer, 400: _refused("BatchResult", "heartbeat")},
        summary="Report a batch of sensor heartbeats (sensor gateways)",
        description="`{device, time, status: online|fault}` per heartbeat. A sensor is "
        "offline after SENSOR_MISSED_HEARTBEATS intervals without one; its next heartbeat "
        "brings it back. `Idempotency-Key` is honoured.",
    )
    @idempotent
    def post(self, request):
        batch = HeartbeatsBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        return _batch(
            request,
            batch.validated_data["heartbeats"],
            parse=_parse_beat,
            record=services.heartbeats_record,
            argument="beats",
        )


def _batch(request, raw_items, *, parse, record, argument) -> Response:
    """Parse each item (a bad one is refused alone), record the good ones, answer both."""
    items, positions, rejected = [], [], []
    for index, raw in enumerate(raw_items):
        item, errors = parse(raw)
        if errors:
            rejected.append({"index": index, "errors": errors})
        else:
            items.append(item)
            positions.append(index)
    result = record(actor=request.user, key_kind=machine_key_kind(request), **{argument: items})
    rejected += [{**r, "index": positions[r["index"]]} for r in result.rejected]
    body = {"accepted": result.accepted, "rejected": sorted(rejected, key=lambda r: r["index"])}
    if result.alarms or argument == "items":
        body["alarms"] = [{**a, "index": positions[a["index"]]} for a in result.alarms]
    return Response(body, status=200 if result.accepted else 400)


def _device(raw: dict, errors: dict) -> str:
    device = raw.get("device")
    if not isinstance(device, str) or not device.strip() or len(device) > DEVICE_MAX:
        errors["device"] = "A device id is required."
        return ""
    return device.strip()


def _time(raw: dict, errors: dict):
    if not isinstance(raw.get("time"), str):
        errors["time"] = "An ISO 8601 date-time with time zone is required."
        return None
    try:
        return aware_time_parse(raw["time"])
    except DjangoValidationError as error:
        errors["time"] = error.messages[0]
        return None


def _integer(raw: dict, key: str, errors: dict, default=None):
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[key] = "An integer is required."
        return None
    return value


def _text(raw: dict, key: str, errors: dict) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or not value.isprintable():
        errors[key] = "Text is required."
        return ""
    return value


def _parse_beat(raw: dict):
    errors: dict = {}
    device, moment = _device(raw, errors), _time(raw, errors)
    status = raw.get("status", SensorStatus.ONLINE)
    if not isinstance(status, str):
        errors["status"] = "online or fault."
    if errors:
        return None, errors
    return services.BeatInput(device=device, time=moment, status=status), {}


def _parse_alarm(raw: dict):
    errors: dict = {}
    device, moment = _device(raw, errors), _time(raw, errors)
    alarm_type = raw.get("type")
    if not isinstance(alarm_type, str):
        errors["type"] = "An alarm type is required."
    priority = _integer(raw, "priority", errors, default=3)
    method = _integer(raw, "method", errors)
    type_code = _integer(raw, "type_code", errors)
    texts = {k: _text(raw, k, errors) for k in ("description", "snapshot_url", "video_url")}
    recovered = raw.get("recovered", False)
    if not isinstance(recovered, bool):
        errors["recovered"] = "true or false."
    if errors:
        return None, errors
    return services.AlarmInput(
        device=device,
        time=moment,
        alarm_type=alarm_type,
        priority=priority,
        method=method,
        type_code=type_code,
        recovered=recovered,
        **texts,
    ), {}
