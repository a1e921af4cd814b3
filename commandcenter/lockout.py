"""Login lockout (django-axes) and the security log of logins.

An account is locked after LOGIN_FAILURE_LIMIT failed logins in a row
(wrong passwords and wrong two-factor codes alike) and refused, even with
the right password, for LOGIN_LOCKOUT_MINUTES from the failure that locked
it. The lockout is per username, on every entry point: the HTML login (which
the admin's login also uses), the token endpoint and anything else that
calls `django.contrib.auth.authenticate` with a request. An administrator
unlocks in the admin (`account_unlock`).

The receivers here write logins, logouts, failures and lockouts to the
security log (commandcenter.audit.security_record).
"""

import math
from datetime import datetime, timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.audit import security_record
from commandcenter.choices import SecurityEventKind, SecurityResult

# Set on a request whose failed login must not be written as `login_failed`
# (a refused two-factor code is written as `otp_failed` instead).
SKIP_FAILURE_RECORD = "tianshu_skip_failure_record"
# Set on a request whose logout is an ended session (`session_expired`).
SESSION_ENDED = "tianshu_session_ended"


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check before the password is tried. Code that authenticates with
    no request (Django's test client `login`, a shell) is not an entry point
    from the network and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _http_request(request):
    """The Django request under a DRF one (axes flags the object it is given)."""
    return getattr(request, "_request", request)


def lockout_ends_at(username: str) -> datetime | None:
    """When the lockout of `username` ends, None if it is not locked."""
    attempts = AccessAttempt.objects.filter(username=username)
    failures = sum(a.failures_since_start for a in attempts)
    if failures < settings.LOGIN_FAILURE_LIMIT:
        return None
    last = max(a.attempt_time for a in attempts)
    ends = last + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return ends if ends > timezone.now() else None


def retry_after_seconds(username: str) -> int:
    """Whole seconds until `username` may try again (at least 1 while locked)."""
    ends = lockout_ends_at(username)
    if ends is None:
        return 0
    return max(1, math.ceil((ends - timezone.now()).total_seconds()))


def account_is_locked(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(_http_request(request), {"username": username})


def lockout_message(username: str) -> str:
    """The sentence a locked-out person reads, with the local time to try again."""
    ends = lockout_ends_at(username)
    if ends is None:
        return _("This account is locked after too many failed logins. Try again later.")
    return _("This account is locked after too many failed logins. Try again after %(time)s.") % {
        "time": timezone.localtime(ends).strftime("%H:%M")
    }


def login_failure_count(*, request: HttpRequest, username: str, reason: str) -> None:
    """Count one failed login that did not go through `authenticate` (a wrong
    two-factor code) towards the lockout of `username`."""
    http_request = _http_request(request)
    setattr(http_request, SKIP_FAILURE_RECORD, True)
    try:
        AxesProxyHandler.user_login_failed(
            sender=login_failure_count,
            credentials={"username": username},
            request=http_request,
            reason=reason,
        )
    finally:
        setattr(http_request, SKIP_FAILURE_RECORD, False)


def login_failures_reset(*, username: str) -> None:
    """A login that passed every check (the token endpoint, which sends no
    logged-in signal) starts the failure count again, as a page login does."""
    AccessAttempt.objects.filter(username=username).delete()


def account_unlock(*, actor, username: str, request: HttpRequest | None = None) -> int:
    """Lift the lockout (and the failure count) of one account; 0 if there was none."""
    count, _deleted = AccessAttempt.objects.filter(username=username).delete()
    if count:
        security_record(
            kind=SecurityEventKind.UNLOCKED,
            request=request,
            actor=actor,
            username=username,
            detail={"by": getattr(actor, "username", "")},
        )
    return count


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What axes' middleware answers for a locked-out login. Our own login page
    and token endpoint answer it themselves (429), and that answer is kept."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    username = (credentials or {}).get("username") or ""
    retry = retry_after_seconds(username) or settings.LOGIN_LOCKOUT_MINUTES * 60
    message = lockout_message(username)
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry)
    return response


@receiver(user_logged_in, dispatch_uid="tianshu-security-login")
def _record_login(sender, request, user, **kwargs):
    security_record(kind=SecurityEventKind.LOGIN, request=request, actor=user)


@receiver(user_logged_out, dispatch_uid="tianshu-security-logout")
def _record_logout(sender, request, user, **kwargs):
    if user is None or getattr(request, SESSION_ENDED, False):
        return
    security_record(kind=SecurityEventKind.LOGOUT, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="tianshu-security-login-failed")
def _record_login_failed(sender, credentials, request=None, **kwargs):
    if request is None or getattr(request, SKIP_FAILURE_RECORD, False):
        return
    # Axes' receiver ran first (its app is installed before ours) and flagged
    # a try refused because the account was already locked.
    refused_while_locked = (
        getattr(request, "axes_locked_out", False)
        and getattr(request, "axes_failures_since_start", None) is None
    )
    reason = "locked_out" if refused_while_locked else "bad_credentials"
    security_record(
        kind=SecurityEventKind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username") or ""),
        result=SecurityResult.FAILURE,
        detail={"reason": reason},
    )


@receiver(user_locked_out, dispatch_uid="tianshu-security-locked-out")
def _record_locked_out(sender, request, username, **kwargs):
    # Axes also signals each try refused during a lockout; only the failure
    # that locked the account has its failure count set.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    security_record(
        kind=SecurityEventKind.LOCKED_OUT,
        request=request,
        username=username or "",
        result=SecurityResult.FAILURE,
        detail={
            "failures": request.axes_failures_since_start,
            "minutes": settings.LOGIN_LOCKOUT_MINUTES,
        },
    )
