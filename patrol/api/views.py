"""Read endpoints of patrol zones, teams and units."""

import django_filters

from commandcenter.api.pagination import FeatureCollectionPagination
from commandcenter.api.viewsets import ScopedReadOnlyViewSet
from patrol.api.serializers import PatrolZoneFeatureSerializer, TeamSerializer, UnitSerializer
from patrol.choices import UnitStatus, UnitType
from patrol.models import PatrolZone, Team, Unit


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
