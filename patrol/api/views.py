"""Read endpoints of patrol zones, teams and units."""

import math

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from commandcenter.api.actions import action_response_for, service_action
from commandcenter.api.pagination import FeatureCollectionPagination
from commandcenter.api.viewsets import ScopedReadOnlyViewSet
from commandcenter.directory import directory
from commandcenter.idempotency import IDEMPOTENCY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from commandcenter.machine_keys import machine_key_units
from commandcenter.models import Station
from commandcenter.timeparse import aware_time_parse, day_parse
from patrol import selectors, services
from patrol.api.serializers import (
    PatrolTimeSerializer,
    PatrolZoneFeatureSerializer,
    PositionsBatchSerializer,
    PositionsResultSerializer,
    TeamSerializer,
    UnitSerializer,
)
from patrol.choices import UnitStatus, UnitType
from patrol.models import PatrolZone, Team, Unit
from patrol.services import FixInput


class PatrolZoneFilter(django_filters.FilterSet):
    station = django_filters.CharFilter(field_name="station__code")
    post = django_filters.CharFilter(field_name="post__code")
    street = django_filters.CharFilter(field_name="street__code")
    sector = django_filters.CharFilter(field_name="station__sector__code")

    class Meta:
        model = PatrolZone
        fields = ["station", "post", "street", "sector", "area_class", "code"]


class PatrolZoneViewSet(ScopedReadOnlyViewSet):
    """防区 as a GeoJSON FeatureCollection."""

    queryset = PatrolZone.objects.select_related("station__sector", "post", "street")
    serializer_class = PatrolZoneFeatureSerializer
    pagination_class = FeatureCollectionPagination
    filterset_class = PatrolZoneFilter


class TeamFilter(django_filters.FilterSet):
    station = django_filters.CharFilter(field_name="station__code")

    class Meta:
        model = Team
        fields = ["station", "on_duty"]


class TeamViewSet(ScopedReadOnlyViewSet):
    """班组 and whether each is on duty."""

    queryset = Team.objects.select_related("station")
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    service_id_argument = "team_id"
    action_response = action_response_for(TeamSerializer)

    on_duty = service_action(
        name="on-duty",
        service=services.team_set_duty,
        on_duty=True,
        response=TeamSerializer,
        summary="The team goes on shift: its free units start patrolling",
    )
    off_duty = service_action(
        name="off-duty",
        service=services.team_set_duty,
        on_duty=False,
        response=TeamSerializer,
        summary="The team goes off shift: free units stop; busy ones after their job",
    )


class UnitFilter(django_filters.FilterSet):
    unit_type = django_filters.MultipleChoiceFilter(choices=UnitType.choices)
    status = django_filters.MultipleChoiceFilter(choices=UnitStatus.choices)
    station = django_filters.CharFilter(field_name="home_station__code")
    post = django_filters.CharFilter(field_name="home_post__code")
    street = django_filters.CharFilter(field_name="home_governance_center__street__code")
    team = django_filters.CharFilter(field_name="team__code")

    class Meta:
        model = Unit
        fields = ["unit_type", "status", "station", "post", "street", "team", "call_sign"]


class UnitViewSet(ScopedReadOnlyViewSet):
    """警力: type, home, team, status and last known position."""

    queryset = Unit.objects.select_related(
        "home_station", "home_post", "home_governance_center", "team"
    )
    serializer_class = UnitSerializer
    filterset_class = UnitFilter


# Largest id PostgreSQL's bigint holds; a longer run of digits is no unit of ours.
_MAX_ID = 2**63 - 1
_CALL_SIGN_MAX = Unit._meta.get_field("call_sign").max_length


def _number(raw: dict, key: str, errors: dict, *, required: bool = True) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            errors[key] = "This field is required."
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors[key] = "A number is required."
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        errors[key] = "A number is required."
        return None
    return number


def _unit_key(unit) -> int | str | None:
    """A unit's id or call sign as sent, or None when it cannot name one: the
    digits of an id are ASCII ("²".isdigit() is true, int("²") raises), a call
    sign has no control characters (PostgreSQL refuses NUL) and fits the column."""
    if isinstance(unit, int) and not isinstance(unit, bool):
        return unit if 0 < unit <= _MAX_ID else None
    if not isinstance(unit, str):
        return None
    unit = unit.strip()
    if unit.isascii() and unit.isdigit():
        return int(unit) if 0 < int(unit) <= _MAX_ID else None
    if not unit or len(unit) > _CALL_SIGN_MAX or not unit.isprintable():
        return None
    try:
        unit.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None
    return unit


def _parse_fix(raw: dict) -> tuple[FixInput | None, dict]:
    """Types only (ranges are the service's): hand-rolled, as a serializer per fix
    cost more than storing the fix. Nothing in a fix makes it raise."""
    errors: dict = {}
    unit = _unit_key(raw.get("unit"))
    if unit is None:
        errors["unit"] = "A unit id or call sign is required."
    recorded_at = None
    if isinstance(raw.get("time"), str):
        try:
            recorded_at = aware_time_parse(raw["time"])
        except DjangoValidationError as error:
            errors["time"] = error.messages[0]
    else:
        errors["time"] = "An ISO 8601 date-time with time zone is required."
    lat, lng = _number(raw, "lat", errors), _number(raw, "lng", errors)
    speed = _number(raw, "speed", errors, required=False)
    heading = _number(raw, "heading", errors, required=False)
    if errors:
        return None, errors
    return FixInput(
        unit=unit, recorded_at=recorded_at, lat=lat, lng=lng, speed=speed, heading=heading
    ), {}


class PositionsView(APIView):
    """GPS fixes from unit terminals, in batches (up to 1000)."""

    @extend_schema(
        request=PositionsBatchSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            **IDEMPOTENCY_RESPONSES,
            200: PositionsResultSerializer,
            # No fix kept: the result with each fix's errors; a body that is no
            # batch at all (no `fixes`, more than 1000): messages per field.
            400: OpenApiResponse(
                response={
                    "anyOf": [
                        {"$ref": "#/components/schemas/PositionsResult"},
                        {"$ref": "#/components/schemas/ValidationErrors"},
                    ]
                },
                description="No fix was kept (each refused fix with its errors), or the "
                "body is not a batch (messages per field).",
            ),
        },
        summary="Report a batch of GPS fixes",
        description="Good fixes are kept even when others are refused; each refused fix is "
        "listed with its index in the batch and a message per field. 400 only when no fix "
        "was kept. Fix: `{unit (id or call sign), time, lat, lng, speed (m/s), heading (°)}`. "
        "A unit has one fix per instant: a fix stored before (a resent batch) is skipped and "
        "counts as accepted. `Idempotency-Key` is honoured (a retry gets the first answer).",
    )
    @idempotent
    def post(self, request):
        batch = PositionsBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        fixes, positions, rejected = [], [], []
        for index, raw in enumerate(batch.validated_data["fixes"]):
            fix, errors = _parse_fix(raw)
            if errors:
                rejected.append({"index": index, "errors": errors})
            else:
                fixes.append(fix)
                positions.append(index)
        result = services.positions_record(
            actor=request.user, fixes=fixes, gateway_units=machine_key_units(request)
        )
        rejected += [{**r, "index": positions[r["index"]]} for r in result.rejected]
        body = {"accepted": result.accepted, "rejected": sorted(rejected, key=lambda r: r["index"])}
        return Response(body, status=200 if result.accepted else 400)


class PatrolTimeView(APIView):
    """巡防时长: seconds each unit patrolled in each zone on a day, time on jobs excluded."""

    @extend_schema(
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="Local day; default today"),
            OpenApiParameter("station", str, description="Station code"),
        ],
        responses=PatrolTimeSerializer(many=True),
    )
    def get(self, request):
        day_text = request.query_params.get("date")
        try:
            day = day_parse(day_text) if day_text else timezone.localdate()
        except DjangoValidationError as error:
            raise ValidationError({"date": error.messages}) from None
        station_id = None
        if code := request.query_params.get("station"):
            station = directory.by_code(Station, code)
            if station is None:
                raise ValidationError({"station": f"No station {code!r}."})
            station_id = station.pk
        rows = selectors.patrol_time(user=request.user, day=day, station_id=station_id)
        return Response(PatrolTimeSerializer(rows, many=True).data)
