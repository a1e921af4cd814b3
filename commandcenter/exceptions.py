"""Domain errors: raised by services, turned into HTTP answers in one place."""


class DomainError(Exception):
    """A rule of the domain refused the action; maps to HTTP 409 by default."""

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, *, field_errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidTransition(DomainError):
    code = "invalid_transition"


class ActionForbidden(DomainError):
    status_code = 403
    code = "forbidden"
