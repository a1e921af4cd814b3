"""Patrol zones, shift teams and units."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commandcenter.access import located_in
from commandcenter.choices import AreaClass, Role
from commandcenter.models import GovernanceCenter, OrgUnit, Post, Station, Street
from patrol.choices import UnitStatus, UnitType


class PatrolZone(OrgUnit):
    """防区: a patrol polygon of one station, optionally one post, and one street."""

    boundary = models.JSONField(_("boundary (GeoJSON)"))
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="zones", verbose_name=_("station")
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="zones",
        verbose_name=_("post"),
    )
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="zones", verbose_name=_("street")
    )
    area_class = models.CharField(
        _("area class"), max_length=10, choices=AreaClass.choices, default=AreaClass.URBAN
    )
    # 网格民警: the community officer who answers for the zone's addresses (their house
    # plates name them); empty: the post's officer, if the zone has a post.
    community_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community officer"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta(OrgUnit.Meta):
        verbose_name = _("patrol zone")
        verbose_name_plural = _("patrol zones")

    @classmethod
    def visible_to(cls, scope) -> Q:
        return located_in(scope)


class Team(OrgUnit):
    """班组: a shift team of a station; the unit of KPI ranking."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="teams", verbose_name=_("station")
    )
    on_duty = models.BooleanField(_("on duty"), default=False)

    class Meta(OrgUnit.Meta):
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.district_wide:
            return Q()
        if scope.post_id:
            return Q(station__posts=scope.post_id)
        if scope.station_id:
            return Q(station_id=scope.station_id)
        return Q(pk__in=[])


class Unit(models.Model):
    """警力: a car, motorcycle, foot patrol, PTU, mobile team or street force."""

    call_sign = models.CharField(_("call sign"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit_type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=UnitStatus.choices, default=UnitStatus.OFF_DUTY
    )
    home_station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("home station"),
    )
    home_post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("home post"),
    )
    home_governance_center = models.ForeignKey(
        GovernanceCenter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("home governance center"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("team"),
    )
    lat = models.FloatField(_("last latitude"), null=True, blank=True)
    lng = models.FloatField(_("last longitude"), null=True, blank=True)
    position_at = models.DateTimeField(_("last position time"), null=True, blank=True)

    class Meta:
        ordering = ["call_sign"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(home_station__isnull=False) | Q(home_governance_center__isnull=False),
                name="unit_has_home",
            ),
        ]

    def __str__(self) -> str:
        return self.call_sign

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.district_wide:
            return Q()
        if scope.post_id:
            return Q(home_post_id=scope.post_id)
        if scope.station_id:
            return Q(home_station_id=scope.station_id)
        if scope.street_id:
            return Q(home_governance_center__street_id=scope.street_id)
        return Q(pk__in=[])


class PositionFix(models.Model):
    """One GPS fix from a unit's terminal: the track history behind patrol time."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="fixes", verbose_name=_("unit")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    speed = models.FloatField(_("speed (m/s)"), null=True, blank=True)
    heading = models.FloatField(_("heading (°)"), null=True, blank=True)
    # Where the fix lay and whether the unit was on a job then, decided at
    # receipt: patrol time counts free time in each zone.
    zone = models.ForeignKey(
        PatrolZone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zone"),
    )
    on_job = models.BooleanField(_("on a job"), default=False)

    class Meta:
        verbose_name = _("position fix")
        verbose_name_plural = _("position fixes")
        # One fix per unit and instant: a terminal that resends a batch (its answer
        # was lost) stores nothing twice. The constraint's index serves track reads.
        constraints = [
            models.UniqueConstraint(fields=["unit", "recorded_at"], name="positionfix_unit_time"),
        ]
        indexes = [models.Index(fields=["recorded_at"])]

    def __str__(self) -> str:
        return f"{self.unit_id} @ {self.recorded_at:%H:%M:%S}"

    @classmethod
    def visible_to(cls, scope) -> Q:
        unit_condition = Unit.visible_to(scope)
        if not unit_condition:
            return Q()
        return Q(unit__in=Unit.objects.filter(unit_condition))


class UnitOfficer(models.Model):
    """警员终端的绑定: the one unit a user of the officer role works for, or the
    volunteer unit of a volunteer (community.VolunteerMember keeps both in step).

    The binding lives here, not on the user: the core (commandcenter) knows
    roles and org units, never units. An officer's unit's home station must be
    the user's station, so what the officer reads and what it works agree; a
    volunteer reads nothing but its own unit's job, and is bound to a volunteer
    unit only.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="unit_officer",
        verbose_name=_("officer"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="officers", verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("unit officer")
        verbose_name_plural = _("unit officers")

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"

    def clean(self) -> None:
        errors = {}
        role = self.user.role if self.user_id else None
        volunteer_unit = self.unit_id is not None and self.unit.unit_type == UnitType.VOLUNTEER
        if role not in (None, Role.OFFICER, Role.VOLUNTEER):
            errors["user"] = _("Only a unit officer or a volunteer is bound to a unit.")
        elif role == Role.VOLUNTEER and self.unit_id and not volunteer_unit:
            errors["unit"] = _("A volunteer is bound to a volunteer unit only.")
        elif role == Role.OFFICER and self.unit_id:
            if volunteer_unit:
                errors["unit"] = _("A volunteer unit is worked by its volunteer.")
            elif self.unit.home_station_id != self.user.station_id:
                errors["unit"] = _("The unit's home station must be the officer's station.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def visible_to(cls, scope) -> Q:
        return Q(unit__in=Unit.objects.filter(Unit.visible_to(scope)))
