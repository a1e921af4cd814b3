"""Additions to the generated OpenAPI document (drf-spectacular hooks).

drf-spectacular documents the answer an operation gives when it succeeds.
The errors every operation can give (commandcenter/api/exception_handlers.py,
tianshu/bodylimit.py) are added here once, so that a client, and the
schemathesis run in the tests, can hold every answer to the schema.
"""

ERROR_DETAIL = {
    "type": "object",
    "description": "Why the request was refused; `errors` holds a message per field "
    "when there are any.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["detail"],
}
VALIDATION_ERRORS = {
    "type": "object",
    "description": "Messages per field (a list of strings, or nested objects for nested "
    "fields), or `detail` for a body that could not be read at all.",
    "additionalProperties": True,
}
ERRORS = {
    "400": ("Bad input: messages per field.", "ValidationErrors"),
    "401": ("Not authenticated.", "ErrorDetail"),
    "403": ("The role may not do this.", "ErrorDetail"),
    "404": ("No such object, or out of the caller's scope.", "ErrorDetail"),
    "405": ("Method not allowed.", "ErrorDetail"),
    "406": ("The Accept header asks for a format the API does not give.", "ErrorDetail"),
    "409": ("Refused by a rule of the domain (e.g. the current state).", "ErrorDetail"),
    "413": ("The request body is too large.", "ErrorDetail"),
    "415": ("Unsupported media type.", "ErrorDetail"),
    "429": ("Too many requests.", "ErrorDetail"),
    "503": ("The database is unavailable: retry after Retry-After seconds.", "ErrorDetail"),
}


def error_responses(result, generator, request, public):
    """Document the error answers on every operation that does not say otherwise."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    schemas.setdefault("ValidationErrors", VALIDATION_ERRORS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, (description, component) in ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
    return result
