"""Login pages: the password step, the second-factor step, and the two-factor
page where any user turns an authenticator on or off.

A password that is right is not yet a login when the account has an
authenticator or its role must have one: the session only remembers the
pending user (for OTP_LOGIN_PENDING_SECONDS) and the login happens after the
code, or, for a required role without an authenticator, after it is set up.
Until then the person is anonymous everywhere (pages, API, websocket).
The admin's login is this page too, so it has the same lockout and factor.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from commandcenter.exceptions import DomainError
from commandcenter.lockout import account_is_locked, lockout_message, retry_after_seconds
from commandcenter.two_factor import (
    backup_codes_left,
    otp_authenticator,
    otp_check,
    otp_disable,
    otp_enabled,
    otp_enrol_begin,
    otp_enrol_confirm,
    otp_needed_at_login,
    otp_pending_authenticator,
    otp_qr_svg,
    otp_required_for,
    otp_secret_text,
)

PENDING_KEY = "tianshu_pending_login"


class UnknownAction(DomainError):
    status_code = 400
    code = "bad_request"


class LockoutAwareAuthenticationForm(AuthenticationForm):
    """Django's login form, saying "locked until …" when the lockout refused it."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(
                    lockout_message(self.cleaned_data.get("username", "")), code="locked_out"
                ) from None
            raise


def _locked_answer(response: HttpResponse, username: str) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(retry_after_seconds(username) or 1)
    return response


class PasswordLoginView(LoginView):
    authentication_form = LockoutAwareAuthenticationForm
    template_name = "registration/login.html"

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(self.request, "axes_locked_out", False):
            return _locked_answer(response, form.cleaned_data.get("username", ""))
        return response

    def form_valid(self, form):
        user = form.get_user()
        if not otp_needed_at_login(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        if otp_enabled(user):
            return redirect("login-verify")
        return redirect("two-factor")


login_page = PasswordLoginView.as_view()


def _pending(request: HttpRequest) -> tuple[object, dict] | tuple[None, None]:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > settings.OTP_LOGIN_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None, None
    return user, pending


def _login_complete(request: HttpRequest, user, pending: dict, device) -> None:
    request.session.pop(PENDING_KEY, None)
    # django-otp's login receiver stores the device in the session: "verified".
    user.otp_device = device
    auth_login(request, user, backend=pending["backend"])


def _next_url(request: HttpRequest, pending: dict) -> str:
    target = pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _back_to_login(request: HttpRequest) -> HttpResponse:
    messages.warning(request, _("Your login was not finished in time. Please log in again."))
    return redirect("login")


@sensitive_post_parameters("otp")
@csrf_protect
@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator, or a backup code."""
    user, pending = _pending(request)
    if user is None:
        return _back_to_login(request)
    username = user.get_username()
    context = {"username": username}
    if account_is_locked(request, username):
        request.session.pop(PENDING_KEY, None)
        context["locked"] = lockout_message(username)
        return _locked_answer(render(request, "registration/login_verify.html", context), username)
    if request.method == "POST":
        try:
            device = otp_check(
                user=user, code=request.POST.get("otp", ""), request=request, channel="login"
            )
        except DomainError as error:
            if account_is_locked(request, username):
                request.session.pop(PENDING_KEY, None)
                context["locked"] = lockout_message(username)
                response = render(request, "registration/login_verify.html", context)
                return _locked_answer(response, username)
            context["error"] = error.message
            return render(
                request, "registration/login_verify.html", context, status=error.status_code
            )
        target = _next_url(request, pending)
        _login_complete(request, user, pending, device)
        return redirect(target)
    return render(request, "registration/login_verify.html", context)


def _two_factor_context(user) -> dict:
    device = None if otp_enabled(user) else otp_pending_authenticator(user)
    return {
        "subject": user,
        "enabled": otp_enabled(user),
        "required": otp_required_for(user),
        "backup_codes_left": backup_codes_left(user),
        "setup": device is not None,
        "qr_svg": otp_qr_svg(device) if device else "",
        "secret": otp_secret_text(device) if device else "",
    }


@sensitive_post_parameters("otp")
@csrf_protect
@never_cache
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login on (QR code, confirm with a code, backup codes
    shown once) or off (with a code). A required role without an authenticator
    comes here from the login and is logged in once it is set up."""
    pending = None
    if request.user.is_authenticated:
        user = request.user
    else:
        user, pending = _pending(request)
        if user is None:
            return redirect("login")
        if otp_enabled(user):
            return redirect("login-verify")
    template = "registration/two_factor.html"
    if request.method == "POST":
        action = request.POST.get("action")
        code = request.POST.get("otp", "")
        try:
            if action == "begin":
                otp_enrol_begin(user=user)
                return redirect("two-factor")
            if action == "confirm":
                codes = otp_enrol_confirm(user=user, code=code, request=request)
                context = {"codes": codes, "next": reverse(settings.LOGIN_REDIRECT_URL)}
                if pending is not None:
                    context["next"] = _next_url(request, pending)
                    _login_complete(request, user, pending, otp_authenticator(user))
                response = render(request, "registration/backup_codes.html", context)
                response["Cache-Control"] = "no-store"
                return response
            if action == "disable" and pending is None:
                otp_disable(user=user, code=code, request=request)
                messages.success(request, _("Two-factor login is off."))
                return redirect("two-factor")
            raise UnknownAction(_("Unknown action."))
        except DomainError as error:
            context = _two_factor_context(user)
            context.update(error=error.message, pending=pending is not None)
            return render(request, template, context, status=error.status_code)
    context = _two_factor_context(user)
    context["pending"] = pending is not None
    return render(request, template, context)
