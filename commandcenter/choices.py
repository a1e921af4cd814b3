"""Choice sets of the shared core: roles and event kinds' subjects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("Call-taker / dispatcher")
    SUPERVISOR = "supervisor", _("Command-center supervisor")
    STATION_CHIEF = "station_chief", _("Station chief")
    POST_OFFICER = "post_officer", _("Post officer")
    OFFICER = "officer", _("Unit officer")
    # 义警 / 平安志愿者: a citizen volunteer on the officer-terminal page, working
    # its own volunteer unit only; it reads nothing else (no scope).
    VOLUNTEER = "volunteer", _("Volunteer")
    STREET_STAFF = "street_staff", _("Street-office staff")
    PARTNER = "partner", _("Partner department")
    # An AVL gateway (positions of the units its machine key names) or a smart-site
    # sensor gateway (heartbeats and alarms of the district's sensors).
    GATEWAY = "gateway", _("Gateway (positions, sensors)")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that work for the whole district from the bureau's command center.
DISTRICT_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR})

# Roles that work one unit from the officer-terminal page (the unit's binding,
# patrol.UnitOfficer): its steps, its positions, its job.
TERMINAL_ROLES = frozenset({Role.OFFICER, Role.VOLUNTEER})


class AreaClass(models.TextChoices):
    """Arrival targets differ by area: 城区五分钟、城郊十分钟、农村尽快到达."""

    URBAN = "urban", _("Urban")
    SUBURBAN = "suburban", _("Suburban")
    RURAL = "rural", _("Rural")


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
    # Too many households unmasked by one user in a short time (community.registry).
    UNMASK_BURST = "unmask_burst", _("Burst of unmasked reads")


class SecurityResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
