"""走失人员 over the API: the cases of the area, reporting, sightings, found, figures."""

import django_filters
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from community import missing
from community.api.missing_serializers import (
    MissingCloseSerializer,
    MissingFoundSerializer,
    MissingMonthSerializer,
    MissingPersonSerializer,
    MissingReportSerializer,
    SightingInputSerializer,
    SightingSerializer,
)
from community.choices import MissingStatus
from community.missing_models import MissingPerson


class MissingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MissingStatus.choices)

    class Meta:
        model = MissingPerson
        fields = ["status"]


class MissingPersonViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """走失人员: cases where the person was last seen, in the caller's area."""

    serializer_class = MissingPersonSerializer
    filterset_class = MissingFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            missing.cases_visible(self.request.user)
            .select_related("station", "zone", "street", "incident")
            .prefetch_related("sightings")
            .defer("photo")
        )

    def _step(self, request, serializer_class, service):
        """One step of a case in the caller's area: the body checked, then the service."""
        case = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return service(actor=request.user, case_id=case.pk, **serializer.validated_data)

    def _answer(self, case_id: int, code: int = status.HTTP_200_OK) -> Response:
        case = self.get_queryset().get(pk=case_id)
        return Response(self.get_serializer(case).data, status=code)

    @extend_schema(
        request=MissingReportSerializer,
        responses={201: MissingPersonSerializer},
        summary="Report a missing person: opens the case and sends the search notice",
    )
    def create(self, request):
        serializer = MissingReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        photo = data.pop("photo", None)
        case = missing.missing_report(
            actor=request.user,
            data=missing.MissingInput(
                **{k: v for k, v in data.items() if k != "incident"},
                incident_id=data.get("incident"),
                photo=photo.read() if photo else None,
            ),
        )
        return self._answer(case.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=SightingInputSerializer,
        responses={201: SightingSerializer},
        summary="Record a sighting: the search area moves there",
    )
    @action(detail=True, methods=["post"])
    def sightings(self, request, pk=None):
        sighting = self._step(request, SightingInputSerializer, missing.sighting_record)
        return Response(SightingSerializer(sighting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MissingFoundSerializer,
        responses=MissingPersonSerializer,
        summary="Found: close the case with where, when and by whom",
    )
    @action(detail=True, methods=["post"])
    def found(self, request, pk=None):
        return self._answer(self._step(request, MissingFoundSerializer, missing.missing_found).pk)

    @extend_schema(
        request=MissingCloseSerializer,
        responses=MissingPersonSerializer,
        summary="Close the case otherwise (came home, mistaken report)",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._answer(self._step(request, MissingCloseSerializer, missing.missing_close).pk)

    @extend_schema(responses={(200, "image/*"): bytes}, summary="The case's photo")
    @action(detail=True, methods=["get"])
    def photo(self, request, pk=None):
        case = self.get_object()
        row = MissingPerson.objects.only("photo", "photo_type").get(pk=case.pk)
        if not row.photo_type:
            return Response({"detail": "No photo."}, status=status.HTTP_404_NOT_FOUND)
        response = HttpResponse(bytes(row.photo), content_type=row.photo_type)
        response["Cache-Control"] = "private, max-age=300"
        return response

    @extend_schema(
        responses=MissingMonthSerializer(many=True),
        summary="Per month: reported, found, found within 24 h, median hours to find",
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def figures(self, request):
        return Response(missing.missing_months(user=request.user))
