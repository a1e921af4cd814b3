"""The two audit trails (等保 2.0 level 3, ASVS V7): who read personal data
unmasked (AccessRecord) and what happened to accounts and credentials
(SecurityEvent). Both are append-only: the database refuses UPDATE and
DELETE (commandcenter/migrations/0007_audit.py), and the application has
no code path that changes them.

Write with `access_record` and `security_record`; each is a plain INSERT
in the caller's transaction, so a read that fails to record fails whole.
"""

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest

from commandcenter.choices import SecurityEventKind, SecurityResult
from commandcenter.models import AccessRecord, SecurityEvent

PATH_LENGTH = 300


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (behind the proxy, Uvicorn's
    --proxy-headers has already put the forwarded address in REMOTE_ADDR)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _path(request: HttpRequest | None) -> str:
    return request.get_full_path()[:PATH_LENGTH] if request is not None else ""


def access_record(
    *,
    actor,
    object_type: str,
    object_id,
    fields: Iterable[str],
    request: HttpRequest | None = None,
    purpose: str = "",
) -> AccessRecord:
    """Record that `actor` was shown `fields` of one object unmasked."""
    return AccessRecord.objects.create(
        actor=actor,
        object_type=object_type,
        object_id=str(object_id),
        fields=sorted(set(fields)),
        purpose=purpose[:200],
        client_address=client_address(request),
        path=_path(request),
    )


def access_record_many(
    *,
    actor,
    object_type: str,
    object_ids: Iterable,
    fields: Iterable[str],
    request: HttpRequest | None = None,
    purpose: str = "",
) -> None:
    """One record per object shown unmasked in a list (an export, a search page)."""
    shown = sorted(set(fields))
    address, path = client_address(request), _path(request)
    AccessRecord.objects.bulk_create(
        AccessRecord(
            actor=actor,
            object_type=object_type,
            object_id=str(object_id),
            fields=shown,
            purpose=purpose[:200],
            client_address=address,
            path=path,
        )
        for object_id in object_ids
    )


def security_record(
    *,
    kind: SecurityEventKind | str,
    request: HttpRequest | None = None,
    actor=None,
    username: str = "",
    result: SecurityResult | str = SecurityResult.SUCCESS,
    detail: dict | None = None,
) -> SecurityEvent:
    """Record one security event; `actor` may be None (an unknown username)."""
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    return SecurityEvent.objects.create(
        kind=kind,
        result=result,
        actor=actor,
        username=(username or getattr(actor, "username", "") or "")[:150],
        client_address=client_address(request),
        path=_path(request),
        detail=detail or {},
    )


def refusal_record(request: HttpRequest, response) -> None:
    """A refused action (403) in the security log, written after the view, whatever
    its transaction did (commandcenter.middleware.RefusalLogMiddleware)."""
    user = getattr(request, "user", None)
    detail = getattr(response, "data", None)
    message = detail.get("detail", "") if isinstance(detail, dict) else ""
    with transaction.atomic():  # a savepoint inside a transaction, else its own
        security_record(
            kind=SecurityEventKind.FORBIDDEN,
            request=request,
            actor=user,
            result=SecurityResult.FAILURE,
            detail={"method": request.method, "detail": str(message)[:300]},
        )
