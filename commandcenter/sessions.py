"""How long a login session lasts: an idle timeout and an absolute lifetime.

A session ends SESSION_IDLE_MINUTES after the user last acted and
SESSION_MAX_HOURS after the login, whichever comes first. Acting is what a
person does: any request that is not a GET (a form sent, an API write), or a
GET of a whole page. The consoles' own refreshes (htmx partials, the
scripts' fetches of JSON, the websocket) are not acting, so a console left
open does not keep its session alive, while someone typing a call and
sending it does.

An ended session is logged out and recorded (`session_expired`); a page is
sent to the login with a message, an htmx request gets an HX-Redirect, an
API request a 401. The same rule is checked when the live websocket
connects (`session_is_current`).

This middleware also ends a session of a role that must use two-factor
login but never gave a second factor (a session made before the role was
required, or by code that skipped the login page).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.audit import security_record
from commandcenter.choices import SecurityEventKind
from commandcenter.lockout import SESSION_ENDED

STARTED_KEY = "tianshu_login_at"
ACTIVE_KEY = "tianshu_active_at"
# The last-activity stamp is rewritten at most this often (a session write).
ACTIVITY_RESOLUTION_SECONDS = 30


def _now() -> float:
    return timezone.now().timestamp()


@receiver(user_logged_in, dispatch_uid="tianshu-session-stamps")
def _stamp_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = _now()
    request.session[STARTED_KEY] = now
    request.session[ACTIVE_KEY] = now


def session_end_reason(session, now: float | None = None) -> str | None:
    """Why a logged-in session is over ("idle", "lifetime"), None if it is current."""
    now = _now() if now is None else now
    started = session.get(STARTED_KEY)
    active = session.get(ACTIVE_KEY, started)
    if started is None:
        # Made before these stamps existed: it ends now, then lives by the rules.
        return "lifetime"
    if now - started >= settings.SESSION_MAX_HOURS * 3600:
        return "lifetime"
    if now - active >= settings.SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


def session_is_current(session) -> bool:
    return session_end_reason(session) is None


def _second_factor_missing(session, user) -> bool:
    # Imported here: two_factor reads django-otp's models, not loaded when this module is.
    from commandcenter.two_factor import otp_required_for, session_is_verified

    if not settings.OTP_REQUIRED_ROLES or session_is_verified(session):
        return False
    return otp_required_for(user)


def session_allows_stream(session, user) -> bool:
    """The live websocket's check of the same rules (it sees no middleware)."""
    if session is None:
        return False
    return session_is_current(session) and not _second_factor_missing(session, user)


def is_activity(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return True
    if request.headers.get("HX-Request") == "true" or request.path.startswith("/api/"):
        return False
    # A script's fetch() says so; a page the user opens is a navigation.
    mode = request.headers.get("Sec-Fetch-Mode")
    return mode in (None, "navigate")


def _ended_answer(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "session_expired"}, status=401)
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", "")).path or "/"
        login = redirect_to_login(current)
        return HttpResponse(headers={"HX-Redirect": login["Location"]})
    messages.warning(request, message)
    target = request.get_full_path() if request.method == "GET" else "/"
    return redirect_to_login(target)


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        # Requests with no logged-in session (API tokens, keys, anonymous) pass untouched.
        if SESSION_KEY not in session:
            return self.get_response(request)
        now = _now()
        reason = session_end_reason(session, now)
        if reason is not None:
            return self._end(request, reason, _("Your session has ended. Please log in again."))
        if _second_factor_missing(session, request.user):
            return self._end(
                request,
                "second_factor",
                _("Your role must log in with two-factor. Please log in again."),
            )
        if is_activity(request) and now - session.get(ACTIVE_KEY, 0) >= (
            ACTIVITY_RESOLUTION_SECONDS
        ):
            session[ACTIVE_KEY] = now
        return self.get_response(request)

    def _end(self, request: HttpRequest, reason: str, message: str) -> HttpResponse:
        security_record(
            kind=SecurityEventKind.SESSION_EXPIRED,
            request=request,
            actor=request.user,
            detail={"reason": reason},
        )
        setattr(request, SESSION_ENDED, True)
        logout(request)
        return _ended_answer(request, message)
