"""Read endpoints of the organisation, the district boundary and the token login."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound
from rest_framework.settings import api_settings

from commandcenter.access import visible
from commandcenter.api.serializers import (
    DistrictSerializer,
    GovernanceCenterSerializer,
    PartnerDepartmentSerializer,
    PostSerializer,
    StationSerializer,
    StreetSerializer,
)
from commandcenter.api.viewsets import ScopedReadOnlyViewSet
from commandcenter.models import Bureau, GovernanceCenter, PartnerDepartment, Post, Station, Street


class StationFilter(django_filters.FilterSet):
    sector = django_filters.CharFilter(field_name="sector__code")

    class Meta:
        model = Station
        fields = ["sector", "code"]


class StationViewSet(ScopedReadOnlyViewSet):
    """派出所 of the district."""

    queryset = Station.objects.select_related("sector")
    serializer_class = StationSerializer
    filterset_class = StationFilter


class PostFilter(django_filters.FilterSet):
    station = django_filters.CharFilter(field_name="station__code")

    class Meta:
        model = Post
        fields = ["station", "code"]


class PostViewSet(ScopedReadOnlyViewSet):
    """警务站 and the station that backs each up."""

    queryset = Post.objects.select_related("station")
    serializer_class = PostSerializer
    filterset_class = PostFilter


class StreetViewSet(ScopedReadOnlyViewSet):
    """街道 and their governance centers."""

    queryset = Street.objects.select_related("governance_center")
    serializer_class = StreetSerializer
    filterset_fields = ["code"]


class GovernanceCenterFilter(django_filters.FilterSet):
    street = django_filters.CharFilter(field_name="street__code")

    class Meta:
        model = GovernanceCenter
        fields = ["street", "code"]


class GovernanceCenterViewSet(ScopedReadOnlyViewSet):
    """综治中心, one per street."""

    queryset = GovernanceCenter.objects.select_related("street")
    serializer_class = GovernanceCenterSerializer
    filterset_class = GovernanceCenterFilter


class PartnerDepartmentViewSet(ScopedReadOnlyViewSet):
    """职能部门 that take referred jobs."""

    queryset = PartnerDepartment.objects.all()
    serializer_class = PartnerDepartmentSerializer
    filterset_fields = ["code"]


class DistrictView(generics.RetrieveAPIView):
    """The district boundary as a GeoJSON Feature."""

    serializer_class = DistrictSerializer

    def get_object(self):
        bureau = visible(Bureau.objects.order_by("id"), self.request.user).first()
        if bureau is None:
            raise NotFound("No district has been set up yet.")
        return bureau


@extend_schema(
    summary="Exchange a username and password for an API token",
    description="Send the token as `Authorization: Token <token>` on later requests.",
)
class TokenView(ObtainAuthToken):
    # ObtainAuthToken names DRF's plain parsers; ours refuse too-deep JSON with a 400.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
