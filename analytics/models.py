"""Response-time clocks: their definitions (rows an administrator edits), the
instances each job and order gets, the delay reasons, and the engine's place
in the event log.

A clock instance is read from the event log: it starts at its definition's
start event and stops at its stop event, both by the events' own times, so
clocks and KPIs agree by construction. `next_check_at` is the next moment the
sweep has work on it (a warning, the breach, the supervision check); the
partial index over the rows that have one is all the sweep reads.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from analytics.choices import (
    ORDER_POINTS,
    PARTNER_POINTS,
    CallbackResult,
    CallbackState,
    ClockPoint,
    ClockState,
    ClockSubject,
    Comparison,
    DueRule,
    ReportKind,
    ScoringTier,
)
from analytics.measures import BIG_MEASURES, DIMENSIONS, INTERVALS, MEASURES
from commandcenter.access import located_in
from commandcenter.choices import AreaClass, Role
from commandcenter.models import Post, Station, Street
from dispatch.choices import OrderKind
from dispatch.models import Order
from incidents.choices import JOB_TIERS, Priority
from incidents.models import Incident, IncidentCategory


class ClockDefinition(models.Model):
    """时限: what is timed, from which event to which, for which jobs, how long."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    subject = models.CharField(
        _("timed object"),
        max_length=10,
        choices=ClockSubject.choices,
        default=ClockSubject.INCIDENT,
    )
    start = models.CharField(_("starts at"), max_length=20, choices=ClockPoint.choices)
    stop = models.CharField(_("stops at"), max_length=20, choices=ClockPoint.choices)
    # Which jobs it applies to; empty matches any.
    tier = models.CharField(_("tier"), max_length=8, choices=JOB_TIERS, blank=True)
    category = models.ForeignKey(
        IncidentCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category (with its sub-categories)"),
    )
    priority_max = models.PositiveSmallIntegerField(
        _("up to priority"),
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Applies to jobs of this priority and more urgent ones; empty: all."),
    )
    order_kind = models.CharField(
        _("order kind"),
        max_length=12,
        choices=OrderKind.choices,
        blank=True,
        help_text=_("For order clocks: the kind of order timed; empty: every order."),
    )
    due_rule = models.CharField(
        _("due"), max_length=12, choices=DueRule.choices, default=DueRule.AFTER_START
    )
    # Targets by the area class of the job's zone (城区 / 城郊 / 农村), in seconds.
    target_urban_s = models.PositiveIntegerField(_("target, urban (s)"), null=True, blank=True)
    target_suburban_s = models.PositiveIntegerField(
        _("target, suburban (s)"), null=True, blank=True
    )
    target_rural_s = models.PositiveIntegerField(_("target, rural (s)"), null=True, blank=True)
    target_other_s = models.PositiveIntegerField(
        _("target, outside every zone (s)"),
        null=True,
        blank=True,
        help_text=_("Orders and points outside the district's zones; empty: no clock there."),
    )
    warn_before_s = models.JSONField(
        _("warnings (s before the target)"),
        default=list,
        blank=True,
        help_text=_("e.g. [120, 60]: a warning two minutes and one minute before it is due."),
    )
    at_risk = models.BooleanField(
        _("watch for arrival at risk"),
        default=False,
        help_text=_("While units are on their way: warn when their estimated arrival is too late."),
    )
    remind = models.BooleanField(
        _("reminder on breach"),
        default=False,
        help_text=_("A breach sends a reminder (提示单) to the job's post, station or center."),
    )
    supervise_after_s = models.PositiveIntegerField(
        _("supervision after (s)"),
        null=True,
        blank=True,
        help_text=_(
            "This long after the breach, a job still not on scene or settled gets a "
            "supervision order (督办令) to the station chief; empty: none."
        ),
    )
    escalate = models.BooleanField(
        _("escalate on breach"),
        default=False,
        help_text=_("For supervision orders: a breach escalates to the command-center supervisor."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("clock definition")
        verbose_name_plural = _("clock definitions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        for field in ("start", "stop"):
            point = getattr(self, field)
            if point and (point in ORDER_POINTS) != (self.subject == ClockSubject.ORDER):
                raise ValidationError(
                    {
                        field: _(
                            "An order's clock starts and stops at order steps, "
                            "a job's at job steps."
                        )
                    }
                )
        if self.due_rule == DueRule.EXPECTED and self.start not in PARTNER_POINTS:
            raise ValidationError(
                {"due_rule": _("Only a referral to a partner department gives a time to meet.")}
            )
        if self.due_rule == DueRule.AFTER_START and not any(
            (self.target_urban_s, self.target_suburban_s, self.target_rural_s, self.target_other_s)
        ):
            raise ValidationError({"target_urban_s": _("Give at least one target.")})
        warnings = self.warn_before_s or []
        if not isinstance(warnings, list) or not all(
            isinstance(s, int) and s > 0 for s in warnings
        ):
            raise ValidationError(
                {"warn_before_s": _("A list of whole seconds before the target, e.g. [120, 60].")}
            )

    def target_for(self, area_class: str | None) -> int | None:
        """Seconds from start to due for a job in `area_class`, None where no clock runs."""
        return {
            AreaClass.URBAN: self.target_urban_s,
            AreaClass.SUBURBAN: self.target_suburban_s,
            AreaClass.RURAL: self.target_rural_s,
        }.get(area_class, self.target_other_s)


class DelayReason(models.Model):
    """延误原因: why a job was late, as the unit or station says."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("delay reason")
        verbose_name_plural = _("delay reasons")

    def __str__(self) -> str:
        return self.name


class ClockInstance(models.Model):
    """One clock of one job or order, from its start event to its stop event."""

    definition = models.ForeignKey(
        ClockDefinition, on_delete=models.PROTECT, related_name="+", verbose_name=_("clock")
    )
    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clocks",
        verbose_name=_("incident"),
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clocks",
        verbose_name=_("order"),
    )
    # Where the job is, for scoping (as Event.visible_to).
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area_class = models.CharField(
        _("area class"), max_length=10, choices=AreaClass.choices, blank=True
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    start_seq = models.BigIntegerField(_("start event"))
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    # Warnings still to come, as seconds before due (from the definition at start).
    warnings_left = models.JSONField(default=list, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    at_risk_at = models.DateTimeField(_("at risk at"), null=True, blank=True)
    # What the at-risk warning said: the unit, its estimate, the time left, a nearer unit.
    at_risk_detail = models.JSONField(default=dict, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    # The breach was announced (event, reminder); a clock found late only at
    # its stop is breached without one.
    breach_announced = models.BooleanField(default=False)
    supervise_at = models.DateTimeField(_("supervision check at"), null=True, blank=True)
    # The steps of the supervision chain this breach set off.
    reminder = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reminder"),
    )
    supervision = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervision order"),
    )
    stop_seq = models.BigIntegerField(_("stop event"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    delay_reason = models.ForeignKey(
        DelayReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delay reason"),
    )
    delay_note = models.CharField(_("delay note"), max_length=300, blank=True)
    delay_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    excused_at = models.DateTimeField(_("excused at"), null=True, blank=True)
    excused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    excuse_reason = models.CharField(_("excuse"), max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        constraints = [
            # Reading the log twice starts nothing twice.
            models.UniqueConstraint(
                fields=["definition", "start_seq"], name="one_clock_per_start_event"
            ),
        ]
        indexes = [
            # The sweep reads only the clocks with work pending.
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="clock_pending",
            ),
            models.Index(fields=["state", "started_at"]),
            # The dashboard's breaches, newest first: read from the top until enough.
            models.Index(
                fields=["-due_at"],
                condition=Q(
                    state__in=(ClockState.BREACHED, ClockState.EXCUSED), order__isnull=True
                ),
                name="clock_late_jobs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} {self.incident_id} {self.state}"

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @classmethod
    def visible_to(cls, scope) -> Q:
        return located_in(scope)


class ClockCursor(models.Model):
    """How far the clock engine has read the event log (one row)."""

    name = models.CharField(max_length=20, primary_key=True)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_seq}"


# --- Measuring: job facts, daily rollups, unit days ------------------------------


class JobFact(models.Model):
    """One row per call: its place, its flags and its intervals, read from the event log.

    Kept by the fact consumer (analytics.facts), which recomputes a job's row
    from its whole history whenever an event about it arrives: replaying the
    log from any point gives the same row. Dimensions are plain numbers (0:
    none), the way the rollups key them. Cohort: the local day received.
    """

    incident = models.OneToOneField(
        Incident, on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    received_at = models.DateTimeField(_("received at"))
    day = models.DateField(_("day received (local)"))
    hour = models.PositiveSmallIntegerField(_("hour received (local)"))
    station = models.PositiveIntegerField(default=0)
    post = models.PositiveIntegerField(default=0)
    team = models.PositiveIntegerField(default=0)
    unit = models.PositiveIntegerField(default=0)
    zone = models.PositiveIntegerField(default=0)
    street = models.PositiveIntegerField(default=0)
    category = models.PositiveIntegerField(default=0)
    tier = models.CharField(max_length=8, blank=True)
    area_class = models.CharField(max_length=10, blank=True)
    priority = models.PositiveSmallIntegerField(default=0)
    valid = models.BooleanField(default=True)
    repeat = models.BooleanField(default=False)
    diverted = models.BooleanField(default=False)
    returned = models.BooleanField(default=False)
    referred = models.BooleanField(default=False)
    transferred = models.BooleanField(default=False)
    dispatched = models.BooleanField(default=False)
    acknowledged = models.BooleanField(default=False)
    resolved = models.BooleanField(default=False)
    on_site = models.BooleanField(default=False)
    street_settled = models.BooleanField(default=False)
    completed = models.BooleanField(default=False)
    closed_same_day = models.BooleanField(default=False)
    breaches = models.PositiveSmallIntegerField(default=0)
    excused = models.PositiveSmallIntegerField(default=0)
    unexplained = models.PositiveSmallIntegerField(default=0)
    callback = models.CharField(max_length=12, blank=True)
    for _interval in INTERVALS:
        locals()[f"{_interval}_s"] = models.PositiveIntegerField(null=True, blank=True)
        locals()[f"{_interval}_met"] = models.BooleanField(null=True, blank=True)
    del _interval
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("job fact")
        verbose_name_plural = _("job facts")
        indexes = [
            models.Index(fields=["unit", "day"], name="fact_unit_day"),
            models.Index(fields=["team", "day"], name="fact_team_day"),
        ]

    def __str__(self) -> str:
        return f"fact {self.incident_id}"

    @property
    def weekday(self) -> int:
        """Monday 0 … Sunday 6 of the local day received (a rollup dimension)."""
        return self.day.weekday()


class Rollup(models.Model):
    """The sums of the job facts of one local day at one grain and key.

    Columns are generated from analytics.measures: counts, and per interval
    its count, sum, count within target and fixed-bin histogram, so p50/p90
    of any range is a merge of bins. Dimensions a grain does not keep are 0
    (or ''). Maintained by the fact consumer with signed deltas; rebuilt from
    the facts by one aggregation, which gives the same rows.
    """

    grain = models.CharField(max_length=20)
    period = models.CharField(max_length=5, default="day")
    day = models.DateField(help_text="The local day, or the first day of the month")
    station = models.PositiveIntegerField(default=0)
    post = models.PositiveIntegerField(default=0)
    team = models.PositiveIntegerField(default=0)
    zone = models.PositiveIntegerField(default=0)
    street = models.PositiveIntegerField(default=0)
    category = models.PositiveIntegerField(default=0)
    weekday = models.PositiveSmallIntegerField(default=0, help_text="Monday 0 … Sunday 6")
    hour = models.PositiveSmallIntegerField(default=0)
    tier = models.CharField(max_length=8, blank=True, default="")
    area_class = models.CharField(max_length=10, blank=True, default="")
    for _measure in MEASURES:
        locals()[_measure] = (
            models.BigIntegerField(default=0)
            if _measure in BIG_MEASURES
            else models.IntegerField(default=0)
        )
    del _measure

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period", "day", *DIMENSIONS], name="one_rollup_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["grain", "period", name, "day"], name=f"rollup_{name}")
            for name in ("station", "post", "team", "zone", "street", "category")
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day}"


class SensorMonth(models.Model):
    """The heartbeats a sensor sent in a closed local calendar month, each of its days
    capped at one per interval (the online rate's numerator): a long range reads these
    and only its ragged ends, and months without rows, from the sensor days. Written
    by beat (analytics.sensor_kpis.sensor_months_update) once a month has closed."""

    sensor = models.ForeignKey("community.Sensor", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The month's first day")
    received = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sensor month")
        verbose_name_plural = _("sensor months")
        constraints = [
            models.UniqueConstraint(fields=["sensor", "month"], name="one_sensor_month"),
        ]
        indexes = [models.Index(fields=["month"], name="sensor_month_month")]

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.month}"


class UnitDay(models.Model):
    """A unit's local day: time on duty, patrolling (巡防时长) and on jobs, from its GPS track."""

    day = models.DateField()
    unit = models.PositiveIntegerField()
    team = models.PositiveIntegerField(default=0)
    station = models.PositiveIntegerField(default=0)
    post = models.PositiveIntegerField(default=0)
    on_duty_s = models.PositiveIntegerField(default=0)
    patrol_s = models.PositiveIntegerField(default=0)
    on_job_s = models.PositiveIntegerField(default=0)
    assignments = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("unit day")
        verbose_name_plural = _("unit days")
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="one_unit_day")]
        indexes = [models.Index(fields=["station", "day"], name="unitday_station")]

    def __str__(self) -> str:
        return f"{self.unit} {self.day}"


# --- Callbacks (回访) ------------------------------------------------------------


class Callback(models.Model):
    """回访: after a job is closed, a call-taker asks the caller how it went."""

    incident = models.OneToOneField(
        Incident, on_delete=models.PROTECT, related_name="callback", verbose_name=_("job")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CallbackState.choices, default=CallbackState.PENDING
    )
    created_at = models.DateTimeField(_("queued at"))
    due_at = models.DateTimeField(_("call back by"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result = models.CharField(
        _("result"), max_length=12, choices=CallbackResult.choices, blank=True
    )
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    supervision = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervision order"),
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(state="pending"),
                name="callback_pending",
            )
        ]

    def __str__(self) -> str:
        return f"callback {self.incident_id} {self.state}"

    @classmethod
    def visible_to(cls, scope) -> Q:
        return located_in(scope)


# --- Ranking (赋分排名) -----------------------------------------------------------


class ScoringScheme(models.Model):
    """赋分方案: how teams, posts and stations are scored for a period."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("The ranking uses the active scheme.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")

    def __str__(self) -> str:
        return self.name


class ScoringItem(models.Model):
    """One line of a scheme: a veto, a pass/fail base item or a weighted stretch item."""

    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.CASCADE, related_name="items", verbose_name=_("scheme")
    )
    tier = models.CharField(_("tier"), max_length=8, choices=ScoringTier.choices)
    name = models.CharField(_("name"), max_length=60)
    kpi = models.CharField(_("KPI"), max_length=40)
    comparison = models.CharField(
        _("passes when"), max_length=8, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    points = models.FloatField(_("points"), default=0)
    per_workload = models.BooleanField(
        _("per on-duty unit-hour"),
        default=False,
        help_text=_(
            "Divide a count by the on-duty unit-hours, so a busy team is not ranked "
            "down for being busy."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        ordering = ["scheme", "sort_order", "id"]
        verbose_name = _("scoring item")
        verbose_name_plural = _("scoring items")

    def __str__(self) -> str:
        return self.name


# --- Reports (日报 / 周报) ---------------------------------------------------------


class Report(models.Model):
    """A stored report: its period, scope and the figures as they were computed."""

    kind = models.CharField(_("kind"), max_length=8, choices=ReportKind.choices)
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station (empty: the district)"),
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to (inclusive)"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    data = models.JSONField(_("figures"), default=dict)

    class Meta:
        ordering = ["-start", "kind", "station_id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "start", "station"],
                condition=~Q(kind="adhoc"),
                name="one_periodic_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}"

    @classmethod
    def visible_to(cls, scope) -> Q:
        # The command center reads every report; a station chief its station's (a
        # post officer's or an officer's scope names a station too, but reports are
        # the chief's: analytics.reports).
        if scope.district_wide:
            return Q()
        if scope.station_id and scope.role == Role.STATION_CHIEF:
            return Q(station_id=scope.station_id)
        return Q(pk__in=[])
