"""Two-factor login (TOTP, with static backup codes), on django-otp.

Every user may turn it on; the roles in OTP_REQUIRED_ROLES must. A user with
a confirmed authenticator gives a code after the password on the login page
and on the token endpoint; the session then holds django-otp's device id
(`otp_device_id`), which is what "verified" means here.

Each user has at most one TOTP device ("authenticator") and one static
device ("backup") holding 10 single-use codes, shown once when made.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commandcenter.audit import security_record
from commandcenter.choices import SecurityEventKind, SecurityResult
from commandcenter.exceptions import DomainError
from commandcenter.lockout import login_failure_count

AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup"
BACKUP_CODE_COUNT = 10


class CodeRefused(DomainError):
    """A two-factor code that is missing, wrong or already used."""

    status_code = 401
    code = "otp_refused"


def otp_required_for(user) -> bool:
    """Whether the user's role must log in with a second factor."""
    return bool(user.role) and user.role in settings.OTP_REQUIRED_ROLES


def otp_authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_needed_at_login(user) -> bool:
    """Whether a login of this user needs a second step (a code, or enrolment)."""
    return otp_required_for(user) or otp_enabled(user)


def session_is_verified(session) -> bool:
    return bool(session.get(DEVICE_ID_SESSION_KEY))


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def otp_secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app's manual entry takes it (base32, in fours)."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otp_qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG, drawn on the server (no script, no CDN)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=False
    )


@transaction.atomic
def otp_enrol_begin(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (any earlier unconfirmed one
    is replaced). Refused while a confirmed one exists."""
    if otp_enabled(user):
        raise DomainError(_("Two-factor login is already on for this account."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def otp_pending_authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def _backup_codes_new(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def otp_enrol_confirm(*, user, code: str, request: HttpRequest | None = None) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns the new
    backup codes (to be shown once). A refused code is recorded (outside the
    transaction of the change, so the record stays)."""
    device = otp_pending_authenticator(user)
    if device is None:
        raise DomainError(_("Start the set-up again: no authenticator is waiting."))
    if not device.verify_token(_digits(code)):
        security_record(
            kind=SecurityEventKind.OTP_FAILED,
            request=request,
            actor=user,
            result=SecurityResult.FAILURE,
            detail={"stage": "enrol"},
        )
        raise CodeRefused(
            _("That code is not right. Check the time on your phone and try again."),
            field_errors={"otp": [_("That code is not right.")]},
        )
    with transaction.atomic():
        confirmed = TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True)
        if not confirmed:
            raise DomainError(_("Start the set-up again: no authenticator is waiting."))
        codes = _backup_codes_new(user)
        security_record(kind=SecurityEventKind.OTP_ENABLED, request=request, actor=user)
    return codes


def _digits(code: str) -> str:
    return "".join((code or "").split())


def otp_check(*, user, code: str, request: HttpRequest, channel: str) -> TOTPDevice | StaticDevice:
    """Check a login's second factor: a code from the authenticator or one
    backup code (used up). A wrong code counts towards the lockout.
    `channel` ("login", "token") goes into the security log."""
    code = _digits(code)
    if not code:
        raise CodeRefused(
            _("Enter the code from your authenticator."),
            field_errors={"otp": [_("This account needs a two-factor code.")]},
        )
    device = _otp_match(user, code)
    if device is None:
        security_record(
            kind=SecurityEventKind.OTP_FAILED,
            request=request,
            actor=user,
            result=SecurityResult.FAILURE,
            detail={"channel": channel},
        )
        login_failure_count(request=request, username=user.get_username(), reason="otp")
        raise CodeRefused(
            _("That code is not right."), field_errors={"otp": [_("That code is not right.")]}
        )
    security_record(
        kind=SecurityEventKind.OTP_VERIFIED,
        request=request,
        actor=user,
        detail={"channel": channel, "backup_code": isinstance(device, StaticDevice)},
    )
    return device


def _otp_match(user, code: str) -> TOTPDevice | StaticDevice | None:
    authenticator = otp_authenticator(user)
    if authenticator is not None and code.isdigit() and authenticator.verify_token(code):
        return authenticator
    # A backup code is used up by a compare-and-set delete: of two requests
    # sending the same code at once, one deletes the row and the other gets 0.
    backup = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if backup is not None:
        deleted, _rows = StaticToken.objects.filter(device=backup, token=code.lower()).delete()
        if deleted:
            backup.set_last_used_timestamp(commit=True)
            return backup
    return None


def otp_disable(*, user, code: str, request: HttpRequest) -> None:
    """Turn two-factor login off with a current code (or a backup code).
    Refused for a role that must have it."""
    if otp_required_for(user):
        raise DomainError(_("Your role must log in with two-factor: it cannot be turned off."))
    if not otp_enabled(user):
        raise DomainError(_("Two-factor login is not on for this account."))
    otp_check(user=user, code=code, request=request, channel="disable")
    with transaction.atomic():
        _devices_delete(user)
        security_record(kind=SecurityEventKind.OTP_DISABLED, request=request, actor=user)


@transaction.atomic
def otp_reset(*, actor, user, request: HttpRequest | None = None) -> None:
    """An administrator removes a user's authenticator and backup codes (a lost
    phone); a user of a required role enrols again at the next login."""
    _devices_delete(user)
    security_record(
        kind=SecurityEventKind.OTP_DISABLED,
        request=request,
        actor=actor,
        username=user.get_username(),
        detail={"reset_by_administrator": True},
    )


def _devices_delete(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
