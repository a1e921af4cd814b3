"""Read endpoints of the organisation and the district boundary; a person's
API token (issue, revoke)."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from commandcenter.access import visible
from commandcenter.api.authentication import CachedTokenAuthentication
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
from commandcenter.tokens import token_expires_at, token_obtain, token_revoke


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


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(max_length=32, required=False, allow_blank=True)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """A person's API token: issued (POST) and revoked by its owner (DELETE)."""

    authentication_classes = [CachedTokenAuthentication]
    throttle_classes: list = []

    def perform_authentication(self, request):
        # A client that still sends its expired token may ask for a fresh one.
        if request.method != "POST":
            super().perform_authentication(request)

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        summary="Exchange a username and password for an API token",
        description="Send the token as `Authorization: Token <token>` on later requests. "
        "It ends `expires_at` (API_TOKEN_HOURS after issue); ask again for a fresh one. "
        "Accounts with two-factor login send `otp` too (a code from the authenticator or "
        "a backup code). After LOGIN_FAILURE_LIMIT failures the account is locked: 429 "
        "with `Retry-After` seconds.",
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
    )
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = token_obtain(
            request=request._request,
            username=body.validated_data["username"],
            password=body.validated_data["password"],
            otp=body.validated_data.get("otp", ""),
        )
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(summary="Revoke the caller's own API token", request=None, responses={204: None})
    def delete(self, request):
        if not isinstance(request.auth, Token):
            raise exceptions.ValidationError(
                {"detail": _("Send the token to revoke as Authorization: Token <token>.")}
            )
        token_revoke(token=request.auth, request=request._request, reason="owner")
        return Response(status=204)
