"""The thin body of a webhook: what happened, to which record, and where to fetch it.

Only ids, numbers, statuses and the referral's department go out; the caller's
phone and name, the description, the address and any other person's field never
do. A receiver that needs more fetches `data.url` with its machine key, through
the API's own masking and access record.
"""

import json
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import NoReverseMatch, reverse

from commandcenter.models import Event
from webhooks.catalogue import INCIDENT_SUBJECT

# The API record of each subject a webhook names.
DETAIL_ROUTES = {
    INCIDENT_SUBJECT: "incident-detail",
    "dispatch.order": "order-detail",
    "community.alarm": "alarm-detail",
    "community.missingperson": "missing-person-detail",
}
# Fields of an event's payload that may go out as they are.
REFERRAL_FIELDS = ("referral", "referral_status", "department", "expected_at")
OTHER_FIELDS = ("number", "status", "state")


def _api_url(event: Event) -> str | None:
    route = DETAIL_ROUTES.get(event.subject_type)
    if route is None:
        return None
    try:
        path = reverse(route, args=[event.subject_id])
    except NoReverseMatch:
        return None
    return settings.WEBHOOK_PUBLIC_BASE_URL + path


def _timestamp(event: Event) -> str:
    return event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def payload_of(event: Event) -> dict:
    source = event.payload or {}
    data: dict = {
        "event": event.seq,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
    }
    if event.subject_type == INCIDENT_SUBJECT:
        data["incident"] = {
            "id": int(event.subject_id),
            "number": source.get("number"),
            "status": source.get("status"),
            "tier": source.get("tier"),
        }
    else:
        data.update({key: source[key] for key in OTHER_FIELDS if key in source})
        if isinstance(source.get("incident"), int):
            data["incident"] = {"id": source["incident"]}
    data.update({key: source[key] for key in REFERRAL_FIELDS if key in source})
    data["url"] = _api_url(event)
    return {"type": event.kind, "timestamp": _timestamp(event), "data": data}


def body_of(event: Event) -> str:
    """The exact text that is signed and sent: the same on every attempt."""
    return json.dumps(
        payload_of(event), cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    )
