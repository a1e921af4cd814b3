"""Smart-secure sites (智安小区/校园/医院), their sensors, heartbeat counts and alarms.

A site is placed by the zone index like a call (zone, station, post, street
from its point); its sensors and alarms are seen where the site is. A sensor's
status comes from its heartbeats: `offline_after` is the deadline a beat scan
reads (community.services.sensors_scan), kept in the database, never a timer.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.choices import (
    AlarmMethod,
    AlarmNature,
    AlarmState,
    AlarmType,
    DismissReason,
    RuleAction,
    SensorStatus,
    SensorType,
    SiteGrade,
    SiteKind,
)
from community.located import Located  # noqa: F401 (the models' base, from here too)
from incidents.models import Incident, IncidentCategory
from patrol.models import PatrolZone

# GB/T 28181 device and channel codes are 20 digits.
gb28181_code = RegexValidator(r"^\d{20}$", _("A GB/T 28181 code is 20 digits."))


class SmartSite(Located):
    """A smart compound, campus, hospital, enterprise or market and its security set-up."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    grade = models.PositiveSmallIntegerField(
        _("智安 grade"), choices=SiteGrade.choices, default=SiteGrade.ONE
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    # GeoJSON Polygon coordinates ([[[lng, lat], …]]), or empty for a point site.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    zone = models.ForeignKey(
        PatrolZone, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("patrol zone"),
    )  # fmt: skip
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("responsible officer"),
    )  # fmt: skip
    contact_name = models.CharField(_("security contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("security contact phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("smart-secure site")
        verbose_name_plural = _("smart-secure sites")

    def __str__(self) -> str:
        return self.name


class Sensor(Located):
    """A device of a site: its type, identity, place and the heartbeats it owes."""

    site = models.ForeignKey(
        SmartSite, on_delete=models.PROTECT, related_name="sensors", verbose_name=_("site")
    )
    device_id = models.CharField(_("device id"), max_length=40, unique=True)
    gb_code = models.CharField(
        _("GB/T 28181 code"), max_length=20, blank=True, validators=[gb28181_code]
    )
    sensor_type = models.CharField(_("type"), max_length=20, choices=SensorType.choices)
    vendor = models.CharField(_("vendor"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    heartbeat_seconds = models.PositiveIntegerField(
        _("heartbeat interval (s)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(86400)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SensorStatus.choices, default=SensorStatus.OFFLINE
    )
    status_since = models.DateTimeField(_("status since"), null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    # last heartbeat + missed intervals × interval: past it, the scan marks the sensor offline.
    offline_after = models.DateTimeField(_("offline after"), null=True, blank=True)
    # From when heartbeats are owed (the online rate's expected count starts here).
    installed_at = models.DateTimeField(_("installed"), default=timezone.now)

    class Meta:
        ordering = ["device_id"]
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        indexes = [
            models.Index(
                fields=["offline_after"],
                name="sensor_offline_due",
                condition=~Q(status="offline"),
            ),
            models.Index(fields=["site", "sensor_type"], name="sensor_site_type"),
        ]

    def __str__(self) -> str:
        return self.name or self.device_id


class SensorDay(models.Model):
    """Heartbeats a sensor sent on a local day: the online rate is these ÷ expected."""

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"))
    heartbeats = models.PositiveIntegerField(_("heartbeats"), default=0)
    # Seconds of the day the sensor was online (heartbeat intervals that arrived).
    online_s = models.PositiveIntegerField(_("seconds online"), default=0)

    class Meta:
        verbose_name = _("sensor day")
        verbose_name_plural = _("sensor days")
        constraints = [
            models.UniqueConstraint(fields=["sensor", "day"], name="sensor_day_unique"),
        ]
        indexes = [models.Index(fields=["day"], name="sensor_day_day")]

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.day}"


class AlarmRule(models.Model):
    """What an alarm becomes, by type × priority × site grade; the most specific rule wins.

    Empty fields match any value; `hold_seconds` keeps the alarm back that long
    so a recovery message (a detector clearing itself) can suppress it first.
    """

    alarm_type = models.CharField(
        _("alarm type"), max_length=20, choices=AlarmType.choices, blank=True
    )
    max_priority = models.PositiveSmallIntegerField(
        _("priority 1 to"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("The rule matches priorities 1 (most urgent) up to this; empty: any."),
    )
    min_grade = models.PositiveSmallIntegerField(
        _("site grade at least"), choices=SiteGrade.choices, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=10, choices=RuleAction.choices)
    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("job category"), help_text=_("Empty: 感知告警 (alarm)."),
    )  # fmt: skip
    hold_seconds = models.PositiveIntegerField(
        _("hold (s)"), default=0, validators=[MaxValueValidator(600)]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["alarm_type", "max_priority", "min_grade"]
        verbose_name = _("alarm rule")
        verbose_name_plural = _("alarm rules")

    def __str__(self) -> str:
        return f"{self.alarm_type or '*'} P≤{self.max_priority or '*'} G≥{self.min_grade or '*'}"


class Alarm(Located):
    """One alarm of one device: repeats of the same type within the window count here."""

    sensor = models.ForeignKey(
        Sensor, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("sensor")
    )
    site = models.ForeignKey(
        SmartSite, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("site")
    )
    alarm_type = models.CharField(_("alarm type"), max_length=20, choices=AlarmType.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    method = models.PositiveSmallIntegerField(
        _("GB/T 28181 method"), choices=AlarmMethod.choices, null=True, blank=True
    )
    type_code = models.PositiveSmallIntegerField(_("GB/T 28181 type"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    snapshot_url = models.URLField(_("snapshot"), max_length=500, blank=True)
    video_url = models.URLField(_("video"), max_length=500, blank=True)
    # Device times: the first and the latest report of this alarm.
    first_at = models.DateTimeField(_("first reported"), db_index=True)
    last_at = models.DateTimeField(_("last reported"))
    count = models.PositiveIntegerField(_("reports"), default=1)
    received_at = models.DateTimeField(_("received"))
    state = models.CharField(_("state"), max_length=10, choices=AlarmState.choices)
    nature = models.CharField(
        _("nature"), max_length=5, choices=AlarmNature.choices, blank=True, default=""
    )
    rule = models.ForeignKey(
        AlarmRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("rule"),
    )  # fmt: skip
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("recovered"), null=True, blank=True)
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="alarms",
        verbose_name=_("job"),
    )  # fmt: skip
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("handled by"),
    )  # fmt: skip
    dismiss_reason = models.CharField(
        _("dismissed as"), max_length=20, choices=DismissReason.choices, blank=True
    )
    dismiss_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-first_at", "-pk"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        indexes = [
            # Dedup: the latest alarm of a device and type.
            models.Index(fields=["sensor", "alarm_type", "-last_at"], name="alarm_dedup"),
            models.Index(fields=["site", "-first_at"], name="alarm_site_time"),
            models.Index(fields=["hold_until"], name="alarm_held", condition=Q(state="held")),
            models.Index(
                fields=["state", "-first_at"], name="alarm_review", condition=Q(state="review")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_alarm_type_display()} · {self.sensor_id}"


# Volunteers (义警) live in their own module; importing it here registers its models.
# 一标三实 lives in its own module too.
from community.missing_models import MissingPerson, Sighting  # noqa: E402, F401
from community.registry_models import (  # noqa: E402, F401
    House,
    Organisation,
    Resident,
    StandardAddress,
)
from community.volunteer_models import (  # noqa: E402, F401
    VolunteerMember,
    VolunteerSession,
    VolunteerTeam,
)
