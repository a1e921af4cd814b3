"""一标三实 over the API: the address type-ahead and detail, households masked,
and the one audited call that unmasks a household."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from community import registry
from community.api.registry_serializers import (
    AddressSerializer,
    HouseholdSerializer,
    ResidentRowSerializer,
    UnmaskSerializer,
)

SEARCH_ROWS = 50


class AddressViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """标准地址: the type-ahead (`?q=`), browsing the tree (`?parent=`), one address."""

    serializer_class = AddressSerializer

    def get_queryset(self):
        return registry.addresses_of(self.request.user).select_related(
            "station", "zone", "post", "street"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Type-ahead: any parts of the address, "
                             "e.g. 翠苑 3幢 301, 3-2-301, or pinyin initials (cyyq)."),
            OpenApiParameter("parent", int, description="The children of one address."),
        ],
        summary="Standard addresses: type-ahead or the children of one",
    )  # fmt: skip
    def list(self, request, *args, **kwargs):
        if query := request.query_params.get("q", "").strip():
            # The best few, as one page of the list (the schema's shape either way).
            rows = self.get_serializer(
                registry.address_search(query, within=self.get_queryset()), many=True
            ).data
            return Response({"count": len(rows), "next": None, "previous": None, "results": rows})
        rows = self.get_queryset()
        parent = request.query_params.get("parent", "")
        rows = (
            rows.filter(parent_id=int(parent))
            if parent.isdigit()
            else rows.filter(parent__isnull=True)
        )
        page = self.paginate_queryset(rows.order_by("code"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        responses=HouseholdSerializer,
        summary="The household at an address, masked (police roles of the area)",
    )
    @action(detail=True, methods=["get"])
    def household(self, request, pk=None):
        address = self.get_object()
        rows = registry.household(address, request.user)
        return Response({"address": address.pk, "unmasked": False, "residents": rows})

    @extend_schema(
        request=UnmaskSerializer,
        responses={200: HouseholdSerializer, 403: OpenApiTypes.OBJECT},
        summary="Unmask the household, stating why (audited: one access record per person)",
    )
    @household.mapping.post
    def household_unmask(self, request, pk=None):
        address = self.get_object()
        serializer = UnmaskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        position = (data["lat"], data["lng"]) if "lat" in data else None
        rows = registry.household_unmask(
            address, request.user, purpose=data["purpose"], request=request, position=position
        )
        return Response({"address": address.pk, "unmasked": True, "residents": rows})


class ResidentSearchView(APIView):
    """实有人口 search: by exact name, ID number or phone, masked (unmask one household
    through its address's household call, with a purpose)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("name", str, description="The exact name."),
            OpenApiParameter("id_number", str, description="The 18-character ID number."),
            OpenApiParameter("phone", str, description="The phone number."),
        ],
        responses=ResidentRowSerializer(many=True),
        summary="Find residents of your area, masked (police roles)",
    )
    def get(self, request):
        params = {k: request.query_params.get(k, "")[:40] for k in ("name", "id_number", "phone")}
        if not any(v.strip() for v in params.values()):
            raise ValidationError({"name": ["Give a name, an ID number or a phone."]})
        rows = registry.residents_find(request.user, **params)[:SEARCH_ROWS]
        return Response([registry.resident_masked(r) for r in rows])
