"""A person's API token: issued for username, password (and a two-factor code
where the account has or needs one), ends API_TOKEN_HOURS after issue, is
revoked by its owner (`DELETE /api/v1/auth/token/`) and by a password change.

One token per user (DRF's authtoken table); asking again while it is current
returns the same token, after it has expired a fresh one.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from commandcenter.audit import security_record
from commandcenter.choices import SecurityEventKind
from commandcenter.exceptions import DomainError
from commandcenter.lockout import (
    account_is_locked,
    lockout_message,
    login_failures_reset,
    retry_after_seconds,
)


class LoginRefused(DomainError):
    """Wrong username or password (DRF's token endpoint answered 400 for it)."""

    status_code = 400
    code = "invalid_credentials"


class SecondFactorMissing(DomainError):
    status_code = 400
    code = "otp_missing"


class LockedOut(DomainError):
    status_code = 429
    code = "locked_out"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


def token_expires_at(token: Token) -> datetime:
    return token.created + timedelta(hours=settings.API_TOKEN_HOURS)


def token_is_expired(token: Token, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


def _locked_out(username: str) -> LockedOut:
    return LockedOut(lockout_message(username), retry_after=retry_after_seconds(username))


def token_obtain(*, request: HttpRequest, username: str, password: str, otp: str = "") -> Token:
    """Check the credentials (lockout, password, second factor) and issue the
    user's token. Nothing is issued when any check refuses."""
    from commandcenter.two_factor import otp_check, otp_enabled, otp_required_for

    if account_is_locked(request, username):
        raise _locked_out(username)
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise _locked_out(username)
        message = _("Unable to log in with the username and password given.")
        raise LoginRefused(message, field_errors={"non_field_errors": [message]})
    if otp_required_for(user) and not otp_enabled(user):
        message = _("This account must set up two-factor login on the web page first.")
        raise SecondFactorMissing(message, field_errors={"otp": [message]})
    if otp_enabled(user):
        if not (otp or "").strip():
            message = _("This account needs a two-factor code.")
            raise SecondFactorMissing(message, field_errors={"otp": [message]})
        try:
            otp_check(user=user, code=otp, request=request, channel="token")
        except DomainError:
            if account_is_locked(request, username):
                raise _locked_out(username) from None
            raise
    login_failures_reset(username=user.get_username())
    return token_issue(user=user, request=request)


@transaction.atomic
def token_issue(*, user, request: HttpRequest | None = None) -> Token:
    """The user's current token, or a fresh one when it has none or it expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not token_is_expired(token):
        return token
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    security_record(
        kind=SecurityEventKind.TOKEN_ISSUED,
        request=request,
        actor=user,
        detail={"expires_at": token_expires_at(token).isoformat()},
    )
    return token


@transaction.atomic
def token_revoke(*, token: Token, request: HttpRequest | None = None, reason: str) -> None:
    deleted, _rows = Token.objects.filter(pk=token.pk).delete()
    # The remembered copy in this process is forgotten by the delete signal
    # (commandcenter/api/authentication.py).
    if deleted:
        security_record(
            kind=SecurityEventKind.TOKEN_REVOKED,
            request=request,
            actor=token.user,
            detail={"reason": reason},
        )


def tokens_revoke_for_password_change(*, user) -> None:
    """After a password change: delete the user's tokens, record both."""
    with transaction.atomic():
        security_record(kind=SecurityEventKind.PASSWORD_CHANGED, actor=user)
        for token in Token.objects.filter(user=user):
            token_revoke(token=token, reason="password_changed")
