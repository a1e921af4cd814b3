"""Volunteers (义警 / 平安志愿者): teams, members and their duty sessions.

A team belongs to a street (its governance center sends it), to a station, or
to both (joint patrols). Each member is one `patrol.Unit` of type volunteer,
homed where its team is, so it is sent through the same dispatch and
assignment lifecycle as any unit and seen by whoever sees the team; and,
when it has an account, one user of the volunteer role bound to that unit
(`patrol.UnitOfficer`) who works it from the officer-terminal page. A duty
session is the time the member is on duty (its unit available); the hours
are the sum of the sessions.

Personal data (name, phone, ID number) is read masked; an unmasked read goes
through `community.volunteer_services.volunteer_reveal`, which records it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commandcenter.models import Station, Street
from patrol.models import PatrolZone, Unit


class VolunteerTeam(models.Model):
    """义警队: a team of a street, a station, or both."""

    code = models.SlugField(_("code"), max_length=40, unique=True, allow_unicode=True)
    name = models.CharField(_("name"), max_length=100)
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("street"),
    )  # fmt: skip
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("station"),
    )  # fmt: skip
    leader = models.ForeignKey(
        "community.VolunteerMember", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("leader"),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        constraints = [
            models.CheckConstraint(
                condition=Q(street__isnull=False) | Q(station__isnull=False),
                name="volunteer_team_has_home",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def visible_to(cls, scope) -> Q:
        """The command center all; a station (and its posts) its own; a street its own."""
        if scope.district_wide:
            return Q()
        if scope.station_id:
            return Q(station_id=scope.station_id)
        if scope.street_id:
            return Q(street_id=scope.street_id)
        return Q(pk__in=[])


class VolunteerMember(models.Model):
    """平安志愿者: one volunteer, its skills, its unit and (optionally) its account."""

    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.PROTECT, related_name="members", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    # VolunteerSkill values.
    skills = models.JSONField(_("skills"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined"), default=timezone.localdate)
    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("unit")
    )
    # The account it logs in with on the terminal page; none for a member its
    # team's staff put on duty.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="volunteer", verbose_name=_("account"),
    )  # fmt: skip

    class Meta:
        ordering = ["team", "unit__call_sign"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.unit.call_sign if self.unit_id else "?"

    @classmethod
    def visible_to(cls, scope) -> Q:
        condition = VolunteerTeam.visible_to(scope)
        if not condition:
            return Q()
        return Q(team__in=VolunteerTeam.objects.filter(condition))


class VolunteerSession(models.Model):
    """One stretch on duty: from the member (its terminal) or its team's staff (sent
    on patrol), until either ends it. Hours are the sum of these."""

    member = models.ForeignKey(
        VolunteerMember, on_delete=models.PROTECT, related_name="sessions",
        verbose_name=_("volunteer"),
    )  # fmt: skip
    # The member's team then: hours stay with the team they were given to.
    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("team")
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("started by"),
    )  # fmt: skip
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("ended by"),
    )  # fmt: skip
    # Where it was sent to patrol, if somewhere in particular.
    zone = models.ForeignKey(
        PatrolZone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("patrol zone"),
    )  # fmt: skip
    task = models.CharField(_("task"), max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("duty session")
        verbose_name_plural = _("duty sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_at__isnull=True),
                name="volunteer_one_open_session",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="volunteer_session_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "started_at"], name="volunteer_session_member"),
            models.Index(fields=["team", "started_at"], name="volunteer_session_team"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.started_at:%Y-%m-%d %H:%M}"

    @classmethod
    def visible_to(cls, scope) -> Q:
        condition = VolunteerTeam.visible_to(scope)
        if not condition:
            return Q()
        return Q(team__in=VolunteerTeam.objects.filter(condition))
