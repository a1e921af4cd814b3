"""The webhooks API: an integrator's endpoints, their deliveries and attempts, the
dead letters' replay, and the event types it may subscribe to. Every write calls
one service (webhooks.services); every read goes through webhooks.selectors."""

import django_filters
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from commandcenter.idempotency import idempotent
from webhooks import services
from webhooks.api.serializers import (
    EventTypeSerializer,
    ReplayRangeSerializer,
    ReplayResultSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointChangeSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSecretSerializer,
    WebhookEndpointSerializer,
)
from webhooks.catalogue import WILDCARD, families_for
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.selectors import attempts_of, deliveries_visible, endpoints_visible

ERROR_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
VALIDATION_ERRORS = {"$ref": "#/components/schemas/ValidationErrors"}


def _refusal(description: str, *examples: tuple[str, dict], schema=ERROR_DETAIL):
    return OpenApiResponse(
        response=schema,
        description=description,
        examples=[OpenApiExample(name, value=value) for name, value in examples],
    )


UNAUTHENTICATED = _refusal(
    "Not authenticated (send `Authorization: Key <machine key>` or a token).",
    ("No credentials", {"detail": "Authentication credentials were not provided."}),
)
NOT_FOUND = _refusal(
    "No such endpoint or delivery, or not the caller's.",
    ("Not the caller's", {"detail": "No WebhookEndpoint matches the given query."}),
)
BAD_SUBSCRIPTION = _refusal(
    "Bad input: a message per field (a URL to a host not allowed, an event type out of "
    "the account's reach).",
    (
        "Host not allowed",
        {
            "url": [
                "hooks.elsewhere.com is not among the hosts webhooks may go to "
                "(WEBHOOK_ALLOWED_HOSTS)."
            ]
        },
    ),
    (
        "Event type out of reach",
        {"event_types": ["Not an event type this account may subscribe to: order.*."]},
    ),
    schema=VALIDATION_ERRORS,
)
NOT_A_SUBSCRIBER = _refusal(
    "The account may not subscribe (partner accounts and administrators do; others "
    "through an administrator).",
    (
        "Not a subscriber",
        {
            "detail": "Only partner accounts and administrators subscribe webhooks.",
            "code": "forbidden",
        },
    ),
)
REPLAY_REFUSED = _refusal(
    "Refused by the state: the delivery is no dead letter, or the endpoint is disabled.",
    (
        "Not a dead letter",
        {
            "detail": "Only failed or discarded deliveries are replayed; this one is Succeeded.",
            "code": "invalid_transition",
        },
    ),
    (
        "Endpoint disabled",
        {
            "detail": "Enable the endpoint before replaying its deliveries.",
            "code": "endpoint_disabled",
        },
    ),
)
STATE_REFUSED = _refusal(
    "The endpoint is in that state already.",
    ("Already", {"detail": "The endpoint is disabled already.", "code": "invalid_transition"}),
)
BAD_RANGE = _refusal(
    "Bad times: a message per field.",
    ("End before start", {"end": ["The end must be after the start."]}),
    schema=VALIDATION_ERRORS,
)
COMMON = {401: UNAUTHENTICATED, 404: NOT_FOUND}


class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Webhook endpoints: the caller's own (an administrator's: every one)."""

    serializer_class = WebhookEndpointSerializer

    def get_queryset(self):
        return endpoints_visible(self.request.user)

    def _answer(self, endpoint_id: int, code=status.HTTP_200_OK) -> Response:
        endpoint = self.get_queryset().get(pk=endpoint_id)
        return Response(WebhookEndpointSerializer(endpoint).data, status=code)

    def _with_secret(self, endpoint, secret: str, code=status.HTTP_200_OK) -> Response:
        endpoint = self.get_queryset().get(pk=endpoint.pk)
        endpoint.secret = secret
        return Response(WebhookEndpointSecretSerializer(endpoint).data, status=code)

    @extend_schema(responses={200: WebhookEndpointSerializer(many=True), 401: UNAUTHENTICATED})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: WebhookEndpointSerializer, **COMMON})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Subscribe an endpoint; the answer carries its signing secret, once",
        description="Deliveries are signed per Standard Webhooks (`webhook-id`, "
        "`webhook-timestamp`, `webhook-signature`). Keep `secret`: it is not shown "
        "again (rotate it to get a new one). `Idempotency-Key` is honoured.",
        request=WebhookEndpointInputSerializer,
        responses={
            201: WebhookEndpointSecretSerializer,
            400: BAD_SUBSCRIPTION,
            401: UNAUTHENTICATED,
            403: NOT_A_SUBSCRIBER,
        },
    )
    @idempotent
    def create(self, request):
        body = WebhookEndpointInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(actor=request.user, **body.validated_data)
        return self._with_secret(endpoint, secret, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the URL, the description or the event types",
        request=WebhookEndpointChangeSerializer,
        responses={200: WebhookEndpointSerializer, 400: BAD_SUBSCRIPTION, **COMMON},
    )
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        body = WebhookEndpointChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.endpoint_update(actor=request.user, endpoint_id=endpoint.pk, **body.validated_data)
        return self._answer(endpoint.pk)

    @extend_schema(
        summary="Unsubscribe (deliveries and attempts go too)", responses={204: None, **COMMON}
    )
    def destroy(self, request, pk=None):
        endpoint = self.get_object()
        services.endpoint_delete(actor=request.user, endpoint_id=endpoint.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A new signing secret (shown once); the old one signs too for 24 h",
        request=None,
        responses={200: WebhookEndpointSecretSerializer, **COMMON},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = self.get_object()
        endpoint, secret = services.endpoint_secret_rotate(
            actor=request.user, endpoint_id=endpoint.pk
        )
        return self._with_secret(endpoint, secret)

    @extend_schema(
        summary="Stop sending; what waits is kept as dead letters",
        request=None,
        responses={200: WebhookEndpointSerializer, 409: STATE_REFUSED, **COMMON},
    )
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        endpoint = self.get_object()
        services.endpoint_disable(actor=request.user, endpoint_id=endpoint.pk)
        return self._answer(endpoint.pk)

    @extend_schema(
        summary="Send again (dead letters wait for a replay)",
        request=None,
        responses={
            200: WebhookEndpointSerializer,
            400: BAD_SUBSCRIPTION,
            409: STATE_REFUSED,
            **COMMON,
        },
    )
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        endpoint = self.get_object()
        services.endpoint_enable(actor=request.user, endpoint_id=endpoint.pk)
        return self._answer(endpoint.pk)

    @extend_schema(
        summary="Replay the endpoint's dead letters created in a time range",
        request=ReplayRangeSerializer,
        responses={200: ReplayResultSerializer, 400: BAD_RANGE, 409: REPLAY_REFUSED, **COMMON},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        endpoint = self.get_object()
        body = ReplayRangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        replayed = services.deliveries_replay_range(
            actor=request.user, endpoint_id=endpoint.pk, **body.validated_data
        )
        return Response({"replayed": replayed})


class DeliveryFilter(django_filters.FilterSet):
    # A number, not a choice of all endpoints: another's id answers an empty list, not 400.
    endpoint = django_filters.NumberFilter(field_name="endpoint_id")
    status = django_filters.MultipleChoiceFilter(choices=DeliveryStatus.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type"]


class WebhookDeliveryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Deliveries of the caller's endpoints, newest first, each with its attempts;
    `?status=dead&status=discarded` is the dead-letter list."""

    serializer_class = WebhookDeliverySerializer
    filterset_class = DeliveryFilter

    def get_queryset(self):
        return deliveries_visible(self.request.user).order_by("-created_at", "-pk")

    def get_serializer(self, *args, **kwargs):
        rows = args[0] if args else None
        if rows is not None:
            items = rows if isinstance(rows, list | tuple) else [rows]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["attempts"] = attempts_of(d.pk for d in items)
        return super().get_serializer(*args, **kwargs)

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True), 401: UNAUTHENTICATED})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: WebhookDeliverySerializer, **COMMON})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Send a dead letter again (same webhook-id; its attempts continue)",
        request=None,
        responses={200: WebhookDeliverySerializer, 409: REPLAY_REFUSED, **COMMON},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        delivery = self.get_object()
        services.delivery_replay(actor=request.user, delivery_id=delivery.pk)
        delivery = self.get_queryset().get(pk=delivery.pk)
        return Response(self.get_serializer(delivery).data)


def event_types_of(user) -> list[dict]:
    return [
        {
            "type": family.name + WILDCARD,
            "description": str(family.description),
            "kinds": list(family.kinds),
        }
        for family in families_for(user)
    ]


class WebhookEventTypesView(APIView):
    """The event types the caller may subscribe to."""

    @extend_schema(
        summary="The event types the caller may subscribe to, by family",
        description="A partner gets the families about calls referred to it or filed by "
        "it (incident.*, referral.*, assignment.*); the police and the street also the "
        "located ones (order.*, alarm.*, missing.*).",
        responses={200: EventTypeSerializer(many=True), 401: UNAUTHENTICATED},
    )
    def get(self, request):
        return Response(event_types_of(request.user))
