"""One place where errors become HTTP answers.

Domain errors answer with their status (409 for a refused transition) and a
message; Django validation errors become 400 with field messages, like DRF's.
A database that cannot be reached (or dropped the connection) is no fault of
the request: 503 with Retry-After, so a machine retries instead of giving up.
"""

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from commandcenter.exceptions import DomainError

logger = logging.getLogger(__name__)

# What the database driver raises when the server is down, restarting, refuses
# connections or dropped one mid-request (Django's wrapped psycopg2/sqlite errors).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable_body() -> tuple[dict, dict]:
    """The 503's JSON body and headers, for DRF and for Django's error handler alike."""
    body = {"detail": _("The database is unavailable; try again shortly."), "code": "unavailable"}
    return body, {"Retry-After": str(settings.DATABASE_RETRY_AFTER_SECONDS)}


def domain_exception_handler(exc, context):
    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.warning("database unavailable: %s", exc)
        body, headers = database_unavailable_body()
        return Response(body, status=503, headers=headers)
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field_errors:
            body["errors"] = exc.field_errors
        return Response(body, status=exc.status_code, headers=getattr(exc, "headers", None))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound(str(exc) or None)
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        # A body that is no object at all (`null`, `[]`): messages not tied to a
        # field. Keep a 400 an object of messages per field, as documented.
        exc = exceptions.ValidationError({"non_field_errors": exc.detail})
    return exception_handler(exc, context)
