"""Open311 GeoReport v2 at /open311/v2/, for partner departments' systems.

`discovery` and `services` (with `service_definition`) are public: they hold no
data. `requests` (GET, POST), `requests/{id}` and FixMyStreet's
`servicerequestupdates` (GET, POST) need the partner's machine key, given as the
`api_key` parameter (query or form field, as Open311 clients send it), as the
password of HTTP Basic auth (any user name; `curl -u x:tsk_…`, or a netrc file),
or as `Authorization: Key tsk_…`. Each key is rate-limited (PARTNER_RATE_LIMIT).

Every route answers in the format its suffix names (`.json`, `.xml`), errors too:
the spec's list of `{code, description}` (`errors/error` in XML), with 400 for
bad input, 403 for a missing, unknown or revoked key, 404 for an unknown service
or request, 429 past the rate limit (with Retry-After).

How a job reads as a request: partners.open311_selectors (status open/closed,
status_notes, agency_responsible …). How the updates feed names status changes:

| event on the job                         | update status                        |
|------------------------------------------|--------------------------------------|
| referral.accepted, referral.progress     | IN_PROGRESS                          |
| referral.handled                         | FIXED                                |
| referral.declined                        | NOT_RESPONSIBLE                      |
| referral.police_needed                   | INTERNAL_REFERRAL                    |
| incident.closed                          | CLOSED                               |
| any other status change (incident.*)     | OPEN or CLOSED, by the job's status  |

How posted updates become referral steps: partners.open311_services.
"""

import base64
import binascii
import re

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from commandcenter.api.authentication import MachineKeyAuthentication
from commandcenter.api.throttling import PartnerKeyThrottle
from commandcenter.choices import Role
from commandcenter.idempotency import idempotent
from commandcenter.models import MachineKey, MachineKeyKind
from partners import open311_catalogue as catalogue
from partners import open311_selectors as selectors
from partners import open311_serializers as s
from partners.open311_renderers import Open311JSONRenderer, Open311XMLRenderer
from partners.open311_services import open311_request_file, partner_update_receive

ATTRIBUTE_FIELD = re.compile(r"attribute\[([A-Za-z0-9_\-]{1,40})\]")
# The header commandcenter.idempotency reads on the two writes.
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)
TAGS = ["open311"]


# --- Authentication: the api_key where Open311 clients put it ---------------------------------


class Open311KeyAuthentication(MachineKeyAuthentication):
    """The machine key from `api_key` (query string, then form field), from HTTP
    Basic's password, or from `Authorization: Key …`. No challenge is sent: a
    missing or bad key is 403, as the spec says."""

    def authenticate(self, request):
        raw = request.query_params.get("api_key", "").strip()
        if not raw and request.method == "POST":
            request._request.body  # noqa: B018 - keep the body for Idempotency-Key's hash
            raw = str(request.data.get("api_key", "")).strip()
        if not raw:
            raw = self._basic_password(request)
        if raw:
            return self.authenticate_key(raw)
        return super().authenticate(request)

    @staticmethod
    def _basic_password(request) -> str:
        header = request.META.get("HTTP_AUTHORIZATION", "").split()
        if len(header) != 2 or header[0].lower() != "basic":
            return ""
        try:
            decoded = base64.b64decode(header[1], validate=True).decode()
        except (binascii.Error, UnicodeError):
            raise exceptions.AuthenticationFailed(_("Invalid basic header.")) from None
        return decoded.partition(":")[2].strip()

    def authenticate_header(self, request):
        return None


class Open311KeyScheme(OpenApiAuthenticationExtension):
    """The ways a partner's key is given, in the OpenAPI document."""

    target_class = Open311KeyAuthentication
    name = ["open311ApiKey", "open311Basic"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "query", "name": "api_key"},
            {
                "type": "http",
                "scheme": "basic",
                "description": "Any user name; the machine key as the password.",
            },
        ]


class IsPartnerKey(BasePermission):
    message = gettext_lazy("This key is not a partner department's key.")

    def has_permission(self, request, view) -> bool:
        key = request.auth
        user = request.user
        return (
            isinstance(key, MachineKey)
            and key.kind == MachineKeyKind.PARTNER
            and user.role == Role.PARTNER
            and user.partner_department_id is not None
        )


# --- Errors as the spec's list ----------------------------------------------------------------


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{name}: {text}" for name, inner in value.items() for text in _messages(inner)]
    if isinstance(value, list | tuple):
        return [text for inner in value for text in _messages(inner)]
    return [str(value)]


def open311_errors(data, status_code: int) -> list[dict]:
    """Any error body of the API (a detail, messages per field) as Open311's list."""
    if isinstance(data, dict) and "detail" in data:
        texts = [str(data["detail"]), *_messages(data.get("errors") or {})]
    else:
        texts = _messages(data) or [str(status_code)]
    return [{"code": status_code, "description": text} for text in texts]


def _errors_example(status_code: int, description: str) -> OpenApiExample:
    return OpenApiExample(
        f"{status_code}",
        value=[{"code": status_code, "description": description}],
        status_codes=[str(status_code)],
        response_only=True,
    )


ERRORS = {
    400: ("Bad input: one error per field.", "lat: Give lat and long, or address_string."),
    403: ("A missing, unknown or revoked api_key, or not the partner's to do.", "Invalid key."),
    404: ("Unknown service or request, or not the partner's.", "No such service request."),
    405: ("Method not allowed.", 'Method "PUT" not allowed.'),
    409: ("Refused by the state of the job.", "The referral of … is Handled already."),
    415: ("Not form-encoded.", 'Unsupported media type "application/json" in request.'),
    422: ("This Idempotency-Key was used for another request.", "…"),
    429: ("Past the key's rate limit: wait Retry-After seconds.", "Request was throttled."),
}


# The spec's error list (partners.open311_serializers.Open311Error, as a list).
ERROR_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "description": "The HTTP status."},
            "description": {"type": "string"},
        },
        "required": ["code", "description"],
    },
}


def error_responses(*codes: int) -> dict:
    return {
        code: OpenApiResponse(
            response=ERROR_LIST,
            description=ERRORS[code][0],
            examples=[_errors_example(code, ERRORS[code][1])],
        )
        for code in codes
    }


FORMAT_NOTE = (
    "The `.json` route is documented; the same route with `.xml` answers the same data "
    "in Open311's XML elements."
)


# --- Views ------------------------------------------------------------------------------------


class Open311View(APIView):
    """The format from the URL's suffix only (no Accept negotiation, so no 406), and
    every error as the spec's list."""

    # The documented (.json) routes; the .xml ones are the same views answering XML.
    renderer_classes = [Open311JSONRenderer]
    parser_classes = [FormParser, MultiPartParser]
    authentication_classes = [Open311KeyAuthentication]
    permission_classes = [IsPartnerKey]
    throttle_classes = [PartnerKeyThrottle]
    open311_root = ""

    def perform_content_negotiation(self, request, force=False):
        renderer = Open311XMLRenderer() if self.format_kwarg == "xml" else Open311JSONRenderer()
        return renderer, renderer.media_type

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.PermissionDenied(
                _("Give the partner's machine key as api_key (or HTTP Basic's password).")
            )
        super().permission_denied(request, message=message, code=code)

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and not (
            isinstance(response.data, list)
            and all(isinstance(row, dict) and "code" in row for row in response.data)
        ):
            response.data = open311_errors(response.data, response.status_code)
        return super().finalize_response(request, response, *args, **kwargs)


class PublicOpen311View(Open311View):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


class DiscoveryView(PublicOpen311View):
    open311_root = "discovery"

    @extend_schema(
        tags=TAGS,
        operation_id="open311_discovery",
        summary="Open311 discovery",
        description=FORMAT_NOTE,
        responses={200: s.Discovery, **error_responses(405)},
    )
    def get(self, request, **kwargs):
        base = request.build_absolute_uri(reverse("open311-discovery-json")).rsplit("/", 1)[0]
        return Response(
            {
                "changeset": catalogue.CHANGESET,
                "contact": _("The command center of the district public-security bureau."),
                "key_service": _(
                    "Machine keys of partner departments are issued by the command center "
                    "(administration, machine keys)."
                ),
                "endpoints": [
                    {
                        "specification": catalogue.SPECIFICATION,
                        "url": f"{base}/",
                        "changeset": catalogue.CHANGESET,
                        "type": "production",
                        "formats": list(catalogue.FORMATS),
                    }
                ],
            }
        )


class ServiceListView(PublicOpen311View):
    """The active non-police categories, each a service (service_code = category code)."""

    open311_root = "services"

    @extend_schema(
        tags=TAGS,
        operation_id="open311_services",
        summary="Open311 services",
        description=FORMAT_NOTE,
        parameters=[OpenApiParameter("jurisdiction_id", OpenApiTypes.STR, description="Ignored.")],
        responses={200: s.Service(many=True), **error_responses(405)},
    )
    def get(self, request, **kwargs):
        return Response(selectors.service_list())


class ServiceDefinitionView(PublicOpen311View):
    open311_root = "service_definition"

    @extend_schema(
        tags=TAGS,
        operation_id="open311_service_definition",
        summary="Open311 service definition",
        description=FORMAT_NOTE,
        parameters=[
            OpenApiParameter(
                "service_code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=r"^[A-Za-z0-9_-]+$",
            ),
            OpenApiParameter("jurisdiction_id", OpenApiTypes.STR, description="Ignored."),
        ],
        responses={200: s.ServiceDefinition, **error_responses(404, 405)},
    )
    def get(self, request, service_code: str, **kwargs):
        category = selectors.service_category(service_code)
        if category is None:
            raise exceptions.NotFound(
                _("Unknown service_code “%(code)s”.") % {"code": service_code}
            )
        return Response(selectors.service_definition(category))


KEY_PARAMETER = OpenApiParameter(
    "api_key",
    OpenApiTypes.STR,
    description="The partner's machine key (or HTTP Basic's password, or `Authorization: Key …`).",
)


class RequestListView(Open311View):
    open311_root = "service_requests"

    @extend_schema(
        tags=TAGS,
        operation_id="open311_requests_list",
        summary="Open311 requests of the partner",
        description="The jobs referred to the key's department or filed by it, newest "
        "first: by default those requested in the last 90 days, at most 1,000 (a page). "
        + FORMAT_NOTE,
        parameters=[s.RequestListQuery, KEY_PARAMETER],
        responses={200: s.ServiceRequest(many=True), **error_responses(400, 403, 405, 429)},
    )
    def get(self, request, **kwargs):
        query = s.RequestListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            selectors.request_list(
                user=request.user, query=selectors.RequestQuery(**query.validated_data)
            )
        )

    @extend_schema(
        tags=TAGS,
        operation_id="open311_requests_create",
        summary="Open311: file a request",
        description="Form-encoded. The request becomes a call of source partner_api; "
        "a point outside the district is held by the command center for transfer "
        "(service_notice says so). Attributes of the service as attribute[code]=value. "
        "Takes an `Idempotency-Key` header. " + FORMAT_NOTE,
        request={
            "application/x-www-form-urlencoded": s.RequestCreate,
            "multipart/form-data": s.RequestCreate,
        },
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: s.ServiceRequestCreated(many=True),
            **error_responses(400, 403, 404, 405, 409, 415, 422, 429),
        },
    )
    @idempotent
    def post(self, request, **kwargs):
        form = s.RequestCreate(data=request.data)
        form.is_valid(raise_exception=True)
        fields = form.validated_data
        category = selectors.service_category(fields["service_code"])
        if category is None:
            raise exceptions.NotFound(
                _("Unknown service_code “%(code)s”.") % {"code": fields["service_code"]}
            )
        address = fields.get("address_string", "")
        if fields.get("lat") is not None:
            lat, lng = fields["lat"], fields["long"]
        else:
            place = selectors.address_point(text=address, code=fields.get("address_id", ""))
            if place is None:
                field = "address_id" if fields.get("address_id") else "address_string"
                raise exceptions.ValidationError({field: _("No standard address matches this.")})
            lat, lng, address = place.lat, place.lng, address or place.full_name
        attributes = {
            match[1]: str(value)
            for name, value in request.data.items()
            if (match := ATTRIBUTE_FIELD.fullmatch(name))
        }
        incident = open311_request_file(
            actor=request.user,
            category=category,
            lat=lat,
            lng=lng,
            description=fields.get("description", ""),
            address=address,
            attributes=attributes,
            caller_phone=fields.get("phone", ""),
            caller_name=f"{fields.get('last_name', '')}{fields.get('first_name', '')}",
        )
        return Response(
            [
                {
                    "service_request_id": str(incident.pk),
                    "service_notice": incident.routing_reason,
                    "account_id": fields.get("account_id") or None,
                }
            ],
            status=status.HTTP_201_CREATED,
        )


class RequestDetailView(Open311View):
    open311_root = "service_requests"

    @extend_schema(
        tags=TAGS,
        operation_id="open311_request",
        summary="Open311 request (a list of one)",
        description=FORMAT_NOTE,
        parameters=[
            OpenApiParameter("service_request_id", OpenApiTypes.STR, OpenApiParameter.PATH),
            OpenApiParameter("jurisdiction_id", OpenApiTypes.STR, description="Ignored."),
            KEY_PARAMETER,
        ],
        responses={200: s.ServiceRequest(many=True), **error_responses(403, 404, 405, 429)},
    )
    def get(self, request, service_request_id: str, **kwargs):
        row = None
        if service_request_id.isdigit() and len(service_request_id) <= 18:
            row = selectors.request_one(user=request.user, incident_id=int(service_request_id))
        if row is None:
            raise exceptions.NotFound(_("No such service request."))
        return Response([row])


class UpdateListView(Open311View):
    """FixMyStreet's servicerequestupdates."""

    open311_root = "service_request_updates"

    @extend_schema(
        tags=TAGS,
        operation_id="open311_updates_list",
        summary="Open311 updates (FixMyStreet's extension)",
        description="Every status change between start_date and end_date (at most 90 "
        "days apart; default the last 90 days) of the jobs the partner reads, in commit "
        "order: update_id increases with every update. " + FORMAT_NOTE,
        parameters=[s.UpdateListQuery, KEY_PARAMETER],
        responses={
            200: s.ServiceRequestUpdate(many=True),
            **error_responses(400, 403, 405, 429),
        },
    )
    def get(self, request, **kwargs):
        query = s.UpdateListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.update_list(user=request.user, **query.validated_data))

    @extend_schema(
        tags=TAGS,
        operation_id="open311_updates_create",
        summary="Open311: post an update of a job referred to the partner",
        description="Form-encoded. IN_PROGRESS (INVESTIGATING, ACTION_SCHEDULED) accepts "
        "the job or, with a description, reports progress; FIXED (CLOSED) answers it "
        "handled; NOT_RESPONSIBLE not the department's (a description says why); "
        "INTERNAL_REFERRAL needs the police. An update dated before the department's "
        "latest is recorded and the job is not moved back; the same update_id again "
        "answers the first answer. Takes an `Idempotency-Key` header. " + FORMAT_NOTE,
        request={
            "application/x-www-form-urlencoded": s.UpdateCreate,
            "multipart/form-data": s.UpdateCreate,
        },
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: s.ServiceRequestUpdateReceived(many=True),
            **error_responses(400, 403, 404, 405, 409, 415, 422, 429),
        },
    )
    @idempotent
    def post(self, request, **kwargs):
        form = s.UpdateCreate(data=request.data)
        form.is_valid(raise_exception=True)
        fields = form.validated_data
        answer = partner_update_receive(
            actor=request.user,
            update_id=fields["update_id"].strip(),
            incident_id=int(fields["service_request_id"]),
            status=fields["status"],
            description=fields.get("description", ""),
            at=fields["at"],
        )
        return Response(answer)
