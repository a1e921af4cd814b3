"""Choice sets of patrol: unit types and unit status."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    PATROL_CAR = "patrol_car", _("Patrol car")
    MOTORCYCLE = "motorcycle", _("Motorcycle")
    FOOT = "foot", _("Foot patrol")
    PTU = "ptu", _("PTU")
    MOBILE_TEAM = "mobile_team", _("Mobile team")
    STREET_FORCE = "street_force", _("Street force")
    # 义警 / 平安志愿者: one citizen volunteer (community.VolunteerMember), on duty
    # only during its duty sessions; sent to street jobs and non-police matters only.
    VOLUNTEER = "volunteer", _("Volunteer")


class UnitStatus(models.TextChoices):
    """有警处警、无警巡逻: a free unit patrols until it is sent to a job."""

    AVAILABLE = "available", _("Available (patrolling)")
    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    OFF_DUTY = "off_duty", _("Off duty")


BUSY_STATUSES = frozenset({UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE})
