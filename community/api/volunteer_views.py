"""Volunteers (义警): teams and members (masked; one audited unmasked read), on and
off duty (sent on patrol by the team's street or station), and hours."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from commandcenter.api.viewsets import ScopedReadOnlyViewSet
from commandcenter.timeparse import day_parse
from community import volunteer_selectors as selectors
from community import volunteer_services as services
from community.api.volunteer_serializers import (
    HOURS_SCHEMA,
    DutySerializer,
    MemberHoursSerializer,
    SessionSerializer,
    TeamHoursSerializer,
    VolunteerSerializer,
    VolunteerTeamSerializer,
)
from community.choices import VolunteerSkill
from community.volunteer_models import VolunteerMember, VolunteerTeam
from patrol.choices import UnitStatus
from patrol.models import PatrolZone

# The longest range of days the hours are summed over in one read.
HOURS_MAX_DAYS = 366


class VolunteerTeamFilter(django_filters.FilterSet):
    street = django_filters.CharFilter(field_name="street__code")
    station = django_filters.CharFilter(field_name="station__code")

    class Meta:
        model = VolunteerTeam
        fields = ["street", "station", "code", "active"]


class VolunteerTeamViewSet(ScopedReadOnlyViewSet):
    """义警队: each with its street or station, masked leader and members on duty."""

    serializer_class = VolunteerTeamSerializer
    filterset_class = VolunteerTeamFilter
    queryset = VolunteerTeam.objects.none()  # the selector's, scoped

    def get_queryset(self):
        return selectors.volunteer_team_list(user=self.request.user)


class VolunteerFilter(django_filters.FilterSet):
    team = django_filters.CharFilter(field_name="team__code")
    street = django_filters.CharFilter(field_name="team__street__code")
    station = django_filters.CharFilter(field_name="team__station__code")
    skill = django_filters.ChoiceFilter(choices=VolunteerSkill.choices, method="by_skill")
    on_duty = django_filters.BooleanFilter(method="by_duty", label="on duty now")
    call_sign = django_filters.CharFilter(field_name="unit__call_sign")

    class Meta:
        model = VolunteerMember
        fields = ["team", "street", "station", "skill", "on_duty", "active", "call_sign"]

    def by_skill(self, queryset, name, value):
        # Skills are a JSON list of choice values: the quoted value is in its text on
        # PostgreSQL and SQLite alike (no value is part of another's quoted form).
        return queryset.filter(skills__icontains=f'"{value}"')

    def by_duty(self, queryset, name, value):
        off = Q(unit__status=UnitStatus.OFF_DUTY)
        return queryset.filter(~off if value else off)


class VolunteerViewSet(ScopedReadOnlyViewSet):
    """平安志愿者: masked everywhere; `?reveal=personal` on one volunteer unmasks it for
    its team's managers, and the read is kept in the access record."""

    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilter
    queryset = VolunteerMember.objects.none()  # the selector's, scoped

    def get_queryset(self):
        return selectors.volunteer_list(user=self.request.user)

    def filter_queryset(self, queryset):
        listing = self.action == "list"
        return super().filter_queryset(queryset) if listing else queryset

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "reveal",
                OpenApiTypes.STR,
                enum=["personal"],
                description="`personal`: name, phone and ID number unmasked (to the team's "
                "street, station or the command center); each such read is kept in the "
                "access record. Otherwise masked.",
            ),
            OpenApiParameter(
                "purpose", OpenApiTypes.STR, description="Why; kept in the access record."
            ),
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        member = self.get_object()
        context = self.get_serializer_context()
        if request.query_params.get("reveal") == "personal":
            services.volunteer_reveal(
                actor=request.user,
                member=member,
                purpose=request.query_params.get("purpose", "")[:200],
                request=request,
            )
            context["revealed"] = member.pk
        return Response(VolunteerSerializer(member, context=context).data)

    def _answer(self, pk) -> Response:
        member = self.get_queryset().get(pk=pk)
        return Response(VolunteerSerializer(member, context=self.get_serializer_context()).data)

    @extend_schema(
        request=DutySerializer,
        responses=VolunteerSerializer,
        summary="On duty (上岗): from its terminal, or sent on patrol by its street or station",
    )
    @action(detail=True, methods=["post"], url_path="on-duty", url_name="on-duty")
    def on_duty(self, request, pk=None):
        member = self.get_object()
        body = DutySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        zone_id = None
        if code := body.validated_data["zone"].strip():
            zone_id = PatrolZone.objects.filter(code=code).values_list("pk", flat=True).first()
            if zone_id is None:
                raise ValidationError({"zone": _("No patrol zone “%(code)s”.") % {"code": code}})
        services.volunteer_session_start(
            actor=request.user,
            member_id=member.pk,
            zone_id=zone_id,
            task=body.validated_data["task"],
        )
        return self._answer(member.pk)

    @extend_schema(
        request=None,
        responses=VolunteerSerializer,
        summary="Off duty (下岗): not while on a job",
    )
    @action(detail=True, methods=["post"], url_path="off-duty", url_name="off-duty")
    def off_duty(self, request, pk=None):
        member = self.get_object()
        services.volunteer_session_end(actor=request.user, member_id=member.pk)
        return self._answer(member.pk)

    @extend_schema(responses=SessionSerializer(many=True), summary="The volunteer's duty sessions")
    @action(detail=True, methods=["get"])
    def sessions(self, request, pk=None):
        member = self.get_object()
        sessions = member.sessions.select_related("team", "zone").order_by("-started_at")[:200]
        return Response(SessionSerializer(sessions, many=True).data)


def _day(params, name: str, default):
    text = params.get(name)
    if not text:
        return default
    try:
        return day_parse(text)
    except DjangoValidationError as error:
        raise ValidationError({name: error.messages}) from None


class VolunteerHoursView(APIView):
    """志愿时长: hours on duty per team and member over local days `from`..`to`."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First local day (default today)."
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last local day, inclusive."),
            OpenApiParameter("team", OpenApiTypes.STR, description="A team's code."),
        ],
        responses=HOURS_SCHEMA,
        summary="Volunteer hours per team and member",
    )
    def get(self, request):
        params, today = request.query_params, timezone.localdate()
        first = _day(params, "from", today)
        last = _day(params, "to", first if params.get("from") else today)
        if last < first:
            raise ValidationError({"to": _("The last day is before the first.")})
        if (last - first).days >= HOURS_MAX_DAYS:
            raise ValidationError(
                {"to": _("At most %(days)s days at a time.") % {"days": HOURS_MAX_DAYS}}
            )
        team_id = None
        if code := request.query_params.get("team"):
            team = selectors.volunteer_team_list(user=request.user).filter(code=code).first()
            if team is None:
                raise ValidationError({"team": _("No team “%(code)s”.") % {"code": code[:40]}})
            team_id = team.pk
        start, end = selectors.local_days_bounds(first, last)
        hours = selectors.volunteer_hours(user=request.user, start=start, end=end, team_id=team_id)
        return Response(
            {
                "from": first,
                "to": last,
                "teams": TeamHoursSerializer(hours["teams"], many=True).data,
                "members": MemberHoursSerializer(hours["members"], many=True).data,
            }
        )
