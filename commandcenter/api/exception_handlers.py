"""One place where errors become HTTP answers.

Domain errors answer with their status (409 for a refused transition) and a
message; Django validation errors become 400 with field messages, like DRF's.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from commandcenter.exceptions import DomainError


def domain_exception_handler(exc, context):
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
