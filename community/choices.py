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


# --- 一标三实: standard addresses, residents, housing, organisations ----------------------


class AddressElement(models.TextChoices):
    """地址元素类型 (GA/T 2000.32-2014): the level of a standard address."""

    DISTRICT = "13", _("District (区县)")
    STREET = "23", _("Street office (街道)")
    COMMUNITY = "31", _("Community (社区)")
    VILLAGE = "33", _("Village committee (村委会)")
    ROAD = "41", _("Road or lane (街路巷)")
    COMPOUND = "42", _("Residential compound (小区)")
    COURTYARD = "43", _("Work-unit courtyard (单位院)")
    BUILDING = "50", _("Building (建筑物)")
    UNIT = "61", _("Entrance unit (单元)")
    ROOM = "62", _("Room (室)")


# Levels that carry a digital house plate (数字门牌).
PLATED_ELEMENTS = frozenset({AddressElement.BUILDING, AddressElement.ROOM})
# Levels people live at (a room, or a house that is one building).
DWELLING_ELEMENTS = frozenset({AddressElement.BUILDING, AddressElement.ROOM})


class Gender(models.TextChoices):
    """GB/T 2261.1 sex codes."""

    UNKNOWN = "0", _("Unknown")
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")
    UNSPECIFIED = "9", _("Not stated")


class Household(models.TextChoices):
    """人口类别: registered here, a migrant, from abroad."""

    REGISTERED = "registered", _("Registered resident (户籍)")
    MIGRANT = "migrant", _("Migrant (流动)")
    FOREIGN = "foreign", _("From abroad (境外)")


class Presence(models.TextChoices):
    """人户关系: whether the person lives where the household is registered."""

    BOTH = "both", _("Lives at the registered address (人户一致)")
    AWAY = "away", _("Registered here, lives elsewhere (户在人不在)")
    HERE = "here", _("Lives here, registered elsewhere (人在户不在)")


class MoveOutReason(models.TextChoices):
    """注销类别 (after GA/T 2000.25-2014)."""

    DEATH = "1", _("Died (死亡)")
    MISSING = "2", _("Missing (失踪)")
    MOVED_AWAY = "3", _("Moved away (迁出本地)")
    ABROAD = "4", _("Settled abroad (出国定居)")
    DUPLICATE = "5", _("Duplicate record (重复登记)")
    OTHER = "9", _("Other (其他)")


class HouseUse(models.TextChoices):
    HOME = "home", _("Home (自住)")
    RENTED = "rented", _("Rented out (出租)")
    SHOP = "shop", _("Shop or business (商用)")
    OFFICE = "office", _("Office (办公)")
    STORE = "store", _("Storage (仓储)")
    EMPTY = "empty", _("Empty (空置)")
    OTHER = "other", _("Other use")


class Industry(models.TextChoices):
    """Sections of GB/T 4754-2017 an urban district's organisations fall in."""

    MANUFACTURING = "C", _("Manufacturing")
    CONSTRUCTION = "E", _("Construction")
    TRADE = "F", _("Wholesale and retail")
    TRANSPORT = "G", _("Transport, storage and post")
    HOSPITALITY = "H", _("Hotels and catering")
    IT = "I", _("Information technology")
    FINANCE = "J", _("Finance")
    PROPERTY = "K", _("Real estate")
    BUSINESS = "L", _("Leasing and business services")
    SERVICES = "O", _("Resident services and repair")
    EDUCATION = "P", _("Education")
    HEALTH = "Q", _("Health and social work")
    CULTURE = "R", _("Culture, sport and entertainment")
    PUBLIC = "S", _("Public administration and organisations")
    OTHER = "Z", _("Other")


class UnmaskPurpose(models.TextChoices):
    """Why an officer asks to see a household unmasked (the access record keeps it)."""

    INCIDENT = "incident", _("Handling a call at this address (接处警核查)")
    VISIT = "visit", _("Household visit or check (走访核查)")
    CASE = "case", _("Case investigation (案件侦办)")
    MISSING = "missing", _("Finding a missing person (寻人)")
    RESCUE = "rescue", _("Rescue or emergency contact (救助联系)")
    UPKEEP = "upkeep", _("Keeping the registry current (信息采集)")


# --- 走失人员 ---------------------------------------------------------------------------


class MissingStatus(models.TextChoices):
    SEARCHING = "searching", _("Searching")
    FOUND = "found", _("Found")
    CLOSED = "closed", _("Closed otherwise")


class MissingCondition(models.TextChoices):
    """What the searchers need to know first."""

    DEMENTIA = "dementia", _("Dementia or memory loss (失智)")
    CHILD = "child", _("A child")
    MENTAL = "mental", _("Mental illness")
    DISABILITY = "disability", _("Disability")
    NONE = "none", _("None known")
