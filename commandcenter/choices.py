"""Choice sets of the shared core: roles and event kinds' subjects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("Call-taker / dispatcher")
    SUPERVISOR = "supervisor", _("Command-center supervisor")
    STATION_CHIEF = "station_chief", _("Station chief")
    POST_OFFICER = "post_officer", _("Post officer")
    OFFICER = "officer", _("Unit officer")
    STREET_STAFF = "street_staff", _("Street-office staff")
    PARTNER = "partner", _("Partner department")
    # An AVL gateway or device: reports positions of the units its machine key names.
    GATEWAY = "gateway", _("Position gateway")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that work for the whole district from the bureau's command center.
DISTRICT_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR})


class AreaClass(models.TextChoices):
    """Arrival targets differ by area: 城区五分钟、城郊十分钟、农村尽快到达."""

    URBAN = "urban", _("Urban")
    SUBURBAN = "suburban", _("Suburban")
    RURAL = "rural", _("Rural")


# The arrival standard ("城区五分钟、城郊十分钟", rural 15 min): a job with no unit
# on scene this long after the call is late. A point with no zone (outside
# the district) has no arrival clock.
ARRIVAL_SECONDS: dict[str, int] = {
    AreaClass.URBAN: 5 * 60,
    AreaClass.SUBURBAN: 10 * 60,
    AreaClass.RURAL: 15 * 60,
}
# Street staff on scene of a diverted job within 5 minutes ("5 分钟到场"), wherever it is.
STREET_ARRIVAL_SECONDS = 5 * 60
# "1 分钟响应": a job still waiting for units after this long turns amber.
AMBER_WAITING_SECONDS = 60


def arrival_seconds(area_class: str | None) -> int | None:
    """The arrival standard of an area class, None where no clock runs."""
    return ARRIVAL_SECONDS.get(area_class) if area_class else None


class SecurityEventKind(models.TextChoices):
    """安全日志: what the security log records (等保 2.0: type of each event)."""

    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    UNLOCKED = "unlocked", _("Unlocked")
    LOGOUT = "logout", _("Logged out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    TOKEN_ISSUED = "token_issued", _("Token issued")
    TOKEN_REVOKED = "token_revoked", _("Token revoked")
    KEY_CREATED = "key_created", _("Machine key created")
    KEY_REVOKED = "key_revoked", _("Machine key revoked")
    OTP_ENABLED = "otp_enabled", _("Two-factor enabled")
    OTP_DISABLED = "otp_disabled", _("Two-factor disabled")
    OTP_VERIFIED = "otp_verified", _("Two-factor code accepted")
    OTP_FAILED = "otp_failed", _("Two-factor code refused")
    FORBIDDEN = "forbidden", _("Action refused")


class SecurityResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
