"""Incidents (警情), the calls that report them, categories, result codes and routing rules."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commandcenter.access import located_in
from commandcenter.choices import AreaClass
from commandcenter.models import GovernanceCenter, PartnerDepartment, Post, Sector, Station, Street
from incidents.choices import (
    JOB_TIERS,
    OPEN_STATUSES,
    CategoryKind,
    IncidentStatus,
    Linkage,
    Priority,
    RoutingTarget,
    Source,
    Tier,
)
from patrol.models import PatrolZone


class IncidentCategory(models.Model):
    """警情类别: what happened, whether it is a police matter, its default priority.

    A tree of two or three levels in the GA/T style (刑事案件 → 盗窃 → 电动车被盗):
    a sub-category keeps its branch's kind and repeat group, and synonyms let the
    call-taker find it by the caller's words ("电瓶车"). Categories of kind
    "invalid" are the reasons an invalid call is closed with (misdial, prank …).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    synonyms = models.CharField(
        _("synonyms"),
        max_length=300,
        blank=True,
        help_text=_("Other words callers use for it, separated by spaces or commas."),
    )
    # Fire and medical calls are handed to 119 / 120 at once (联动).
    linkage = models.CharField(_("linkage"), max_length=10, choices=Linkage.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CategoryKind.choices)
    # Calls of the same group near an open incident are taken as repeats of it.
    group = models.SlugField(_("repeat group"), max_length=40)
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")

    def __str__(self) -> str:
        return self.name


class ResultCode(models.Model):
    """警情处理结果 (after GA/T 2000.152): how a job ended."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    gat_code = models.CharField(_("GA/T code"), max_length=10, blank=True)
    for_tier = models.CharField(
        _("used for"),
        max_length=10,
        choices=JOB_TIERS,
        blank=True,
        help_text=_("Empty: usable for both police and street jobs."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("result code")
        verbose_name_plural = _("result codes")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Category × area → tier and target, editable by an administrator.

    Rules are tried in `position` order; the first whose conditions all match
    routes the incident. An empty condition matches anything.
    """

    position = models.PositiveSmallIntegerField(_("position"), default=100)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        IncidentCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    category_kind = models.CharField(
        _("category kind"), max_length=12, choices=CategoryKind.choices[:2], blank=True
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station"),
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("street"),
    )
    area_class = models.CharField(
        _("area class"), max_length=10, choices=AreaClass.choices, blank=True
    )
    target = models.CharField(_("target"), max_length=20, choices=RoutingTarget.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"#{self.position} {self.name}"


def _optional(to, name, *, on_delete=models.PROTECT, indexed: bool = False):
    """A reference an incident may lack, not followed back from the other side."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name="+",
        db_index=indexed,
        verbose_name=name,
    )


class Incident(models.Model):
    """警情: one reported event, walked through its lifecycle by services only."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    category = models.ForeignKey(
        IncidentCategory,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("category"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    # Open311 allows a request 4,000 characters; the consoles' intake takes 2,000.
    description = models.TextField(_("description"), max_length=4000)
    caller_phone = models.CharField(_("caller phone"), max_length=20, blank=True)
    caller_name = models.CharField(_("caller name"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))

    status = models.CharField(_("status"), max_length=12, choices=IncidentStatus.choices)
    tier = models.CharField(_("tier"), max_length=8, choices=Tier.choices)

    # Where the point lies (empty when outside the district).
    zone = _optional(PatrolZone, _("patrol zone"))
    station = _optional(Station, _("station"), indexed=True)
    post = _optional(Post, _("post"), indexed=True)
    street = _optional(Street, _("street"), indexed=True)
    sector = _optional(Sector, _("sector"))
    out_of_jurisdiction = models.BooleanField(_("out of jurisdiction"), default=False)

    # Who it was routed to, by which rule and why.
    routing_rule = _optional(RoutingRule, _("routing rule"), on_delete=models.SET_NULL)
    routing_reason = models.CharField(_("routing reason"), max_length=300)
    governance_center = _optional(GovernanceCenter, _("governance center"), indexed=True)
    referred_to = _optional(PartnerDepartment, _("referred to"))
    referred_to_mediation = models.BooleanField(_("referred to mediation center"), default=False)
    # The agency (119, 120) the call-taker handed the call to at intake, if any.
    linkage = models.CharField(_("linkage"), max_length=10, choices=Linkage.choices, blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=100, blank=True)

    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        db_index=False,
        verbose_name=_("repeat of"),
    )
    call_count = models.PositiveIntegerField(_("calls"), default=1)

    result_code = _optional(ResultCode, _("result"))
    result_notes = models.TextField(_("result notes"), max_length=2000, blank=True)
    feedback = models.TextField(_("feedback"), max_length=2000, blank=True)
    status_reason = models.CharField(_("reason of the last change"), max_length=300, blank=True)
    invalid_reason = _optional(IncidentCategory, _("invalid-call reason"))

    # The clocks (UTC). The full history is in the event log.
    received_at = models.DateTimeField(_("received at"), db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    diverted_at = models.DateTimeField(_("diverted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    created_by = _optional(settings.AUTH_USER_MODEL, _("recorded by"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        # Few indexes on purpose: every call is an insert into each of them.
        # Foreign keys that nothing looks incidents up by have none.
        indexes = [
            models.Index(fields=["status", "received_at"]),
            # Repeat-call detection: open, unlinked incidents near a point.
            models.Index(
                fields=["lat", "lng"],
                condition=Q(status__in=sorted(OPEN_STATUSES), repeat_of__isnull=True),
                name="incident_open_point",
            ),
            # Caller history at intake: earlier calls from the number.
            models.Index(
                fields=["caller_phone", "received_at"],
                condition=~Q(caller_phone=""),
                name="incident_caller_phone",
            ),
            # The calls linked to an incident. Only linked rows are in it, so
            # the planner never takes it to find unlinked ones.
            models.Index(
                fields=["repeat_of"],
                condition=Q(repeat_of__isnull=False),
                name="incident_repeats",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def visible_to(cls, scope) -> Q:
        if scope.street_id:
            # A street sees the jobs it was sent, including ones it returned.
            return Q(street_id=scope.street_id, diverted_at__isnull=False)
        if scope.partner_department_id:
            # A partner sees what it reported and what was ever referred to it
            # (dispatch.Referral: a job it declined stays in its history).
            return Q(referrals__department_id=scope.partner_department_id) | Q(
                created_by__partner_department_id=scope.partner_department_id
            )
        return located_in(scope)
