"""REST endpoints of partner integration: a job as a NENA EIDO document."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents.api.views import REVEAL_PARAMETERS
from incidents.models import Incident
from incidents.services import caller_reveal
from partners.eido import eido_document, eido_incident

ERROR_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}

EIDO_EXAMPLE = {
    "$id": "urn:emergency:uid:incidentid:J20260412000123:shangcheng",
    "lastUpdateTimeStamp": "2026-04-12T10:42:05+08:00",
    "updatedByAgencyReference": {"$ref": "urn:tianshu:agency:shangcheng:command-center"},
    "eidoVersion": "1.0",
    "issuingElementIdentification": "urn:tianshu:shangcheng:eido",
    "incidentComponent": {
        "$id": "urn:emergency:uid:incidentid:J20260412000123:shangcheng",
        "lastUpdateTimeStamp": "2026-04-12T10:42:05+08:00",
        "updatedByAgencyReference": {"$ref": "urn:tianshu:agency:shangcheng:command-center"},
        "incidentTypeCommonRegistryText": "CDX",
        "incidentTypeInternalCode": "neighbour_dispute",
        "incidentStatusCommonRegistryText": ["Active"],
    },
    "agencyComponent": [
        {
            "$id": "urn:tianshu:agency:shangcheng:command-center",
            "lastUpdateTimeStamp": "2026-04-12T10:42:05+08:00",
            "updatedByAgencyReference": {"$ref": "urn:tianshu:agency:shangcheng:command-center"},
            "agencyRoleDescriptionRegistryText": ["CallReceiving", "Dispatching"],
            "agencyType": ["psap"],
        }
    ],
}


class IncidentEidoView(APIView):
    """A job as a NENA EIDO 1.0 document (NENA-STA-021)."""

    @extend_schema(
        operation_id="incidents_eido_retrieve",
        summary="The job as a NENA EIDO 1.0 document",
        description="The job, its calls (the job and its repeat calls), location, agencies "
        "(the command center as PSAP; the stations whose units went; the street's "
        "governance center and the partner departments it was handed to, each with a "
        "link), dispatches and unit status, disposition, notes (description, caller, "
        "results, callback, the timeline) and sensor alarms, valid against NENA's EIDO "
        "JSON schema (NENA911/EIDO-JSON, Schema/openapi.yaml). The caller is masked and "
        "partners read free text masked, as in the job's detail.",
        tags=["incidents"],
        parameters=REVEAL_PARAMETERS,
        responses={
            200: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="An EIDO 1.0 document (EmergencyIncidentDataObjectType).",
                examples=[OpenApiExample("A diverted dispute", value=EIDO_EXAMPLE)],
            ),
            401: OpenApiResponse(
                response=ERROR_DETAIL,
                description="Not authenticated.",
                examples=[
                    OpenApiExample(
                        "No credentials",
                        value={"detail": "Authentication credentials were not provided."},
                    )
                ],
            ),
            403: OpenApiResponse(
                response=ERROR_DETAIL,
                description="The caller's details were asked for (`reveal=caller`) by a role "
                "that may not see them.",
                examples=[
                    OpenApiExample(
                        "Caller not for this role",
                        value={
                            "detail": "You may not see this caller's details.",
                            "code": "forbidden",
                        },
                    )
                ],
            ),
            404: OpenApiResponse(
                response=ERROR_DETAIL,
                description="No such job, or not in the caller's scope (a partner sees the "
                "jobs referred to it and those it reported).",
                examples=[
                    OpenApiExample(
                        "Not found or out of scope",
                        value={"detail": "No such job."},
                    )
                ],
            ),
        },
    )
    def get(self, request, pk: int):
        try:
            incident = eido_incident(user=request.user, incident_id=pk)
        except Incident.DoesNotExist:
            raise NotFound("No such job.") from None
        revealed = request.query_params.get("reveal") == "caller"
        if revealed:
            caller_reveal(
                actor=request.user,
                incident=incident,
                purpose=request.query_params.get("purpose", "")[:200],
                request=request,
            )
        return Response(
            eido_document(incident=incident, user=request.user, caller_revealed=revealed)
        )
