"""Unit assignments and orders (指令)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commandcenter.models import GovernanceCenter, PartnerDepartment, Post, Station
from dispatch.choices import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OPEN_REFERRAL_STATUSES,
    AssignmentStatus,
    OrderKind,
    OrderStatus,
    ReferralStatus,
)
from incidents.models import Incident
from patrol.models import Unit


class Assignment(models.Model):
    """One unit sent to one incident, with its own timestamped steps."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("incident")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.DISPATCHED,
    )
    distance_m = models.PositiveIntegerField(_("distance (m)"), null=True, blank=True)
    eta_seconds = models.PositiveIntegerField(_("estimated arrival (s)"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dispatched by"),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    en_route_at = models.DateTimeField(_("en route at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        ordering = ["dispatched_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            # A unit is on one job at a time: the database settles races
            # between dispatchers, not Python.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=sorted(ACTIVE_ASSIGNMENT_STATUSES)),
                name="one_active_assignment_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} → {self.incident_id}"

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.district_wide:
            return Q()
        if scope.post_id:
            return Q(incident__post_id=scope.post_id) | Q(unit__home_post_id=scope.post_id)
        if scope.station_id:
            return Q(incident__station_id=scope.station_id) | Q(
                unit__home_station_id=scope.station_id
            )
        if scope.street_id:
            return Q(unit__home_governance_center__street_id=scope.street_id)
        return Q(pk__in=[])


class Order(models.Model):
    """指令: an instruction with a closed loop (issued → acknowledged → feedback).

    Orders must be cleared the same day (日清日结): one not completed by its
    deadline, or by the end of its local day, is flagged overdue by a beat scan.
    """

    number = models.CharField(_("number"), max_length=24, unique=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=OrderKind.choices, default=OrderKind.INSTRUCTION
    )
    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("incident"),
    )
    content = models.TextField(_("content"), max_length=2000)
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("station"),
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("post"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("unit"),
    )
    governance_center = models.ForeignKey(
        GovernanceCenter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("governance center"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ISSUED
    )
    # Empty for the orders the clocks issue by themselves (reminders, supervision).
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    deadline = models.DateTimeField(_("deadline"))
    # The earlier of the deadline and the end of the local day of issue.
    due_at = models.DateTimeField(_("due at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    feedback = models.TextField(_("feedback"), max_length=2000, blank=True)
    completed_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    overdue_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    # A supervision order left unanswered goes up to the command-center supervisor.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        station__isnull=False,
                        post__isnull=True,
                        unit__isnull=True,
                        governance_center__isnull=True,
                    )
                    | Q(
                        station__isnull=True,
                        post__isnull=False,
                        unit__isnull=True,
                        governance_center__isnull=True,
                    )
                    | Q(
                        station__isnull=True,
                        post__isnull=True,
                        unit__isnull=False,
                        governance_center__isnull=True,
                    )
                    | Q(
                        station__isnull=True,
                        post__isnull=True,
                        unit__isnull=True,
                        governance_center__isnull=False,
                    )
                ),
                name="order_has_exactly_one_recipient",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def recipient(self):
        return self.station or self.post or self.unit or self.governance_center

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.district_wide:
            return Q()
        if scope.post_id:
            return Q(post_id=scope.post_id) | Q(unit__home_post_id=scope.post_id)
        if scope.station_id:
            return (
                Q(station_id=scope.station_id)
                | Q(post__station_id=scope.station_id)
                | Q(unit__home_station_id=scope.station_id)
            )
        if scope.street_id:
            return Q(governance_center__street_id=scope.street_id) | Q(
                unit__home_governance_center__street_id=scope.street_id
            )
        return Q(pk__in=[])


def _person(name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=name,
    )


class Referral(models.Model):
    """转办: one job referred by a street center to a partner department, and the
    department's answer (dispatch.referrals). A job referred again after a
    department declined it gets a second row: the history stays.

    `expected_at` is when the department is to have handled it (Open311's
    expected_datetime); `last_update_at` is the time of the department's latest
    applied update, so an update that arrives late never moves the job back.
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("incident")
    )
    department = models.ForeignKey(
        PartnerDepartment,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("partner department"),
    )
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=ReferralStatus.choices,
        default=ReferralStatus.REFERRED,
    )
    notes = models.TextField(_("notes of the referral"), max_length=2000, blank=True)
    referred_at = models.DateTimeField(_("referred at"))
    referred_by = _person(_("referred by"))
    expected_at = models.DateTimeField(_("to be handled by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = _person(_("accepted by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = _person(_("answered by"))
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    last_update_at = models.DateTimeField(_("last update at"), null=True, blank=True)

    class Meta:
        ordering = ["-referred_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(status__in=sorted(OPEN_REFERRAL_STATUSES)),
                name="one_open_referral_per_incident",
            ),
        ]
        indexes = [models.Index(fields=["department", "referred_at"])]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.department_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.partner_department_id:
            return Q(department_id=scope.partner_department_id)
        if scope.street_id:
            return Q(incident__street_id=scope.street_id)
        return Q(incident__in=Incident.objects.filter(Incident.visible_to(scope)))
