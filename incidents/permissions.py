"""Who may act on an incident: police actions, street actions, intake.

Reads are scoped by `commandcenter.access`; these checks guard the writes and
raise ActionForbidden (HTTP 403) with a message the caller can show.
"""

import re

from django.utils.translation import gettext as _

from commandcenter.choices import DISTRICT_ROLES, Role
from commandcenter.exceptions import ActionForbidden
from incidents.choices import Tier
from incidents.models import Incident


def may_act_as_police(actor, incident: Incident) -> bool:
    """The command center anywhere; a station in its area; a post in its zones."""
    if actor.role in DISTRICT_ROLES or actor.is_superuser:
        return True
    if actor.role == Role.STATION_CHIEF:
        return incident.station_id is not None and incident.station_id == actor.station_id
    if actor.role == Role.POST_OFFICER:
        return incident.post_id is not None and incident.post_id == actor.post_id
    return False


def may_act_as_street(actor, incident: Incident) -> bool:
    """The street's own governance-center staff (and administrators)."""
    if actor.role == Role.ADMINISTRATOR or actor.is_superuser:
        return True
    return (
        actor.role == Role.STREET_STAFF
        and incident.tier == Tier.STREET
        and incident.street_id == actor.street_id
    )


def require_police_actor(actor, incident: Incident) -> None:
    if not may_act_as_police(actor, incident):
        raise ActionForbidden(
            _("You may not act on incident %(number)s: it is outside your area or role.")
            % {"number": incident.number}
        )


def require_street_actor(actor, incident: Incident) -> None:
    if not may_act_as_street(actor, incident):
        raise ActionForbidden(
            _("Only the staff of the street's governance center may act on incident %(number)s.")
            % {"number": incident.number}
        )


def require_closer(actor, incident: Incident) -> None:
    """Feedback closes a job: the police side, or the street for its own jobs."""
    if not (may_act_as_police(actor, incident) or may_act_as_street(actor, incident)):
        require_police_actor(actor, incident)


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a repeat caller, not to call them."""
    if len(phone) <= 4:
        return "*" * len(phone)
    keep_head = 3 if len(phone) >= 11 else 0
    return phone[:keep_head] + "*" * (len(phone) - keep_head - 4) + phone[-4:]


def mask_name(name: str) -> str:
    """张** : the surname only."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_id_number(number: str) -> str:
    """330102********123X: the issuing area and the last four, as on a receipt."""
    if len(number) < 15:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def may_see_caller(actor, incident: Incident) -> bool:
    """Caller details go to those who must call back: police and the street."""
    if actor.role == Role.PARTNER:
        return incident.created_by_id == actor.id
    return True


# --- Partners see free text with personal numbers masked -----------------------------

# A mainland mobile number (with or without +86 and separators) and an 18-digit ID card.
MOBILE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?([0-9]{4})[- ]?([0-9]{4})(?![0-9])"
)
ID_CARD_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9Xx])")
# Fields of an incident partners read that people type into.
FREE_TEXT_FIELDS = ("description", "result_notes", "feedback", "status_reason")
CALLER_FIELDS = ("caller_phone", "caller_name")


def mask_personal_text(text: str) -> str:
    """Free text with mobile numbers (138****5678) and ID-card numbers
    (330102********123X) masked; the rest as typed."""
    if not text:
        return text
    text = ID_CARD_IN_TEXT.sub(lambda m: f"{m[1]}{'*' * 8}{m[2]}", text)
    return MOBILE_IN_TEXT.sub(lambda m: f"{m[1]}****{m[3]}", text)


def sees_text_masked(viewer) -> bool:
    """Partners read what police and streets wrote with personal numbers masked,
    and officers as their org unit, not by name."""
    return viewer is not None and viewer.role == Role.PARTNER


# The org units a user may belong to, the narrowest first.
ACTOR_ORG_UNITS = ("post", "station", "street", "partner_department")


def actor_as_org_unit(actor) -> str:
    """Who acted, as a partner is told: the org unit, never the person."""
    if actor is None:
        return ""
    for org_unit in ACTOR_ORG_UNITS:
        if getattr(actor, f"{org_unit}_id", None):
            return str(getattr(actor, org_unit))
    if actor.role in DISTRICT_ROLES or actor.is_superuser:
        return _("Command center")
    return actor.get_role_display()
