"""Choice sets of community: smart-secure sites, their sensors and alarms.

Alarm methods and video/device type codes follow GB/T 28181 (as the
open-source wvp-GB28181-pro `DeviceAlarm` implements them); our own alarm
type is what the rules and the dispatcher read.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    COMPOUND = "compound", _("Residential compound (小区)")
    CAMPUS = "campus", _("Campus (校园)")
    HOSPITAL = "hospital", _("Hospital (医院)")
    ENTERPRISE = "enterprise", _("Enterprise (企业)")
    MARKET = "market", _("Market (市场)")
    OTHER = "other", _("Other site")


class SiteGrade(models.IntegerChoices):
    """智安 level: how fully the site is equipped and connected."""

    ONE = 1, _("Grade 1 (一星)")
    TWO = 2, _("Grade 2 (二星)")
    THREE = 3, _("Grade 3 (三星)")


class SensorType(models.TextChoices):
    CAMERA = "camera", _("Camera")
    ACCESS_GATE = "access_gate", _("Access gate")
    INTRUSION = "intrusion", _("Infrared / intrusion detector")
    SMOKE = "smoke", _("Smoke detector")
    GAS = "gas", _("Gas detector")
    EBIKE_CHARGING = "ebike_charging", _("E-bike charging point")
    ELEVATOR = "elevator", _("Elevator")
    EMERGENCY_BUTTON = "emergency_button", _("Emergency button")
    OTHER = "other", _("Other sensor")


class SensorStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")
    FAULT = "fault", _("Fault")


class AlarmType(models.TextChoices):
    INTRUSION = "intrusion", _("Intrusion (入侵)")
    EMERGENCY_BUTTON = "emergency_button", _("Emergency button (一键报警)")
    SMOKE = "smoke", _("Smoke (烟感)")
    GAS = "gas", _("Gas leak (燃气泄漏)")
    EBIKE_FIRE = "ebike_fire", _("E-bike charging fire risk (电瓶车充电)")
    ELEVATOR_TRAPPED = "elevator_trapped", _("Trapped in an elevator (电梯困人)")
    TAILGATING = "tailgating", _("Tailgating at a gate (尾随闯闸)")
    LOITERING = "loitering", _("Loitering (徘徊)")
    TRIPWIRE = "tripwire", _("Tripwire crossed (越界)")
    CROWD = "crowd", _("Crowd density (人员聚集)")
    TAMPER = "tamper", _("Device tampered (防拆)")
    VIDEO_LOSS = "video_loss", _("Video loss (视频丢失)")
    DEVICE_FAULT = "device_fault", _("Device fault (设备故障)")
    OTHER = "other", _("Other alarm")


class AlarmMethod(models.IntegerChoices):
    """GB/T 28181 报警方式."""

    PHONE = 1, _("Phone")
    DEVICE = 2, _("Device")
    SMS = 3, _("SMS")
    GPS = 4, _("GPS")
    VIDEO = 5, _("Video analysis")
    FAULT = 6, _("Device fault")
    OTHER = 7, _("Other")


class AlarmState(models.TextChoices):
    """Where an alarm is in the pipeline."""

    HELD = "held", _("Held (waiting for a recovery)")
    REVIEW = "review", _("Awaiting review")
    INCIDENT = "incident", _("Became a job")
    ATTACHED = "attached", _("Attached to a job")
    DISMISSED = "dismissed", _("Dismissed")
    SUPPRESSED = "suppressed", _("Recovered (suppressed)")
    RECORDED = "recorded", _("Recorded only")


# An alarm still waiting for someone or something.
PENDING_STATES = frozenset({AlarmState.HELD, AlarmState.REVIEW})
# An alarm that became a job or joined one: active while that job is open.
ON_JOB_STATES = frozenset({AlarmState.INCIDENT, AlarmState.ATTACHED})


class AlarmNature(models.TextChoices):
    """误报 / 真实 / 测试."""

    UNKNOWN = "", _("Not judged")
    FALSE = "false", _("False alarm (误报)")
    REAL = "real", _("Real (真实)")
    TEST = "test", _("Test (测试)")


class RuleAction(models.TextChoices):
    INCIDENT = "incident", _("Create a job")
    REVIEW = "review", _("Review queue")
    RECORD = "record", _("Record only")


class DismissReason(models.TextChoices):
    FALSE_ALARM = "false_alarm", _("False alarm (误报)")
    TEST = "test", _("Test or maintenance (测试)")
    DUPLICATE = "duplicate", _("Already handled (重复)")
    NO_ACTION = "no_action", _("Nothing to do (无需处置)")


class VolunteerSkill(models.TextChoices):
    """What a volunteer (义警) can do beyond walking the streets."""

    FIRST_AID = "first_aid", _("First aid")
    LANGUAGE = "language", _("Foreign language")
    SIGN_LANGUAGE = "sign_language", _("Sign language")
    MEDIATION = "mediation", _("Mediation")
    LEGAL = "legal", _("Legal advice")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    DRIVING = "driving", _("Driving")
    SEARCH = "search", _("Search and rescue")
