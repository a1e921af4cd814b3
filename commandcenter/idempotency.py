"""`Idempotency-Key` for machines' writes (the IETF httpapi draft's header).

A POST sent with the header is done once per (account, key): the first answer
(2xx or 4xx) is kept for IDEMPOTENCY_HOURS and a retry with the same key and
the same method, path and body gets it again, marked `Idempotent-Replayed:
true`, with nothing written. The same key with another request is refused
(422); a retry while the first is still at work is told to wait (409). The
record is inserted before the work, so the database settles two retries racing.
"""

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.response import Response

from commandcenter.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_MAX = IdempotencyRecord._meta.get_field("key").max_length
# A first request that has not answered after this long has died: a retry may take over.
STALE_AFTER = timedelta(minutes=2)

# How an operation decorated with `idempotent` documents the header and its refusals
# (`parameters=[IDEMPOTENCY_PARAMETER]`, `responses={**IDEMPOTENCY_RESPONSES, …}`).
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=f"A key of the client's choosing (at most {KEY_MAX} printable ASCII characters, "
    "e.g. a UUID) that makes a retry safe: the same request sent again with the same key "
    "within IDEMPOTENCY_HOURS (24 h) gets the first answer, marked "
    "`Idempotent-Replayed: true`, and writes nothing.",
)
IDEMPOTENCY_RESPONSES = {
    409: OpenApiResponse(
        response={"$ref": "#/components/schemas/ErrorDetail"},
        description="Refused by a rule of the domain, or the first request with this "
        "Idempotency-Key is still at work (retry after Retry-After seconds).",
    ),
    422: OpenApiResponse(
        response={"$ref": "#/components/schemas/ErrorDetail"},
        description="This Idempotency-Key was used for a different request.",
    ),
}


def _request_hash(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(request._request.body)
    return digest.hexdigest()


def _claim(user, key: str, request_hash: str, now) -> tuple[IdempotencyRecord, bool]:
    """(record, True) when this request does the work; (record, False) when one did it."""
    kept = timedelta(hours=settings.IDEMPOTENCY_HOURS)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, request_hash=request_hash, created_at=now
                )
            return record, True
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if record is None:
                continue  # deleted meanwhile: try again
            expired = record.created_at < now - kept
            stale = record.status is None and record.created_at < now - STALE_AFTER
            if not expired and not stale:
                return record, False
            # Compare-and-delete: only the retry that removes it takes over.
            IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
    return record, False


def idempotent(method):
    """Decorate an APIView's post(): honour the `Idempotency-Key` header."""

    @wraps(method)
    def handler(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return method(self, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > KEY_MAX or not key.isprintable() or not key.isascii():
            return Response(
                {HEADER: [_("At most %(n)d printable ASCII characters.") % {"n": KEY_MAX}]},
                status=400,
            )
        request_hash = _request_hash(request)
        record, mine = _claim(request.user, key, request_hash, timezone.now())
        if not mine:
            if record.request_hash != request_hash:
                return Response(
                    {"detail": _("This Idempotency-Key was used for a different request.")},
                    status=422,
                )
            if record.status is None:
                return Response(
                    {"detail": _("The first request with this Idempotency-Key is still at work.")},
                    status=409,
                    headers={"Retry-After": "1"},
                )
            replayed = {"Idempotent-Replayed": "true"}
            return Response(record.body, status=record.status, headers=replayed)
        try:
            response = method(self, request, *args, **kwargs)
        except BaseException:
            record.delete()  # nothing was written: a retry does the work
            raise
        if response.status_code >= 500:
            record.delete()
        else:
            record.status = response.status_code
            record.body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
            record.save(update_fields=["status", "body"])
        return response

    return handler


def idempotency_purge(*, now=None) -> int:
    """Forget the answers older than IDEMPOTENCY_HOURS."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.IDEMPOTENCY_HOURS)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
