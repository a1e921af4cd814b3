"""The KPI dictionary and the one query every figure is read through.

Each KPI is defined once here (code → what is counted over what, the
interval it reads, its cohort, what it leaves out and why); the dashboard,
the API, the reports and the Excel export all call `kpi_query`, so the same
range and scope give the same numbers everywhere.

Figures are merged from the daily rollups (analytics.facts) at the smallest
grain that holds every dimension asked for; intervals are given as p50/p90
from the rollups' fixed-bin histograms (linear within a bin, so within one
bin width of the exact fractile), the mean, and the share within target.
Per-unit figures, and combinations no grain keeps, are aggregated from the
job facts with the same expressions. Patrol and on-duty time come from the
unit days. Every range is in local days (Asia/Shanghai), cohort: the day the
call was received.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.facts import Targets, aggregate_measures
from analytics.measures import BIN_EDGES, BINS, GRAINS, MEASURES, interval_columns
from commandcenter.access import NO_SCOPE, Scope, scope_of
from commandcenter.choices import AreaClass, Role
from commandcenter.directory import directory
from commandcenter.models import Post, Station, Street
from incidents.categories import category_ancestors, category_branch_ids
from incidents.choices import Tier
from incidents.models import IncidentCategory
from patrol.models import PatrolZone, Team, Unit

RECEIVED = "received"
# The longest range one query may ask for.
MAX_DAYS = 5 * 366


@dataclass(frozen=True)
class Kpi:
    code: str
    name: Promise
    kind: str  # count | rate | interval | satisfaction | hours | ratio
    numerator: Promise
    denominator: Promise | None = None
    excluded: Promise | None = None
    interval: str | None = None  # for intervals: the rollup interval it reads
    num: str | None = None  # the rollup column counted
    den: str | None = None  # the rollup column it is counted over
    target: float | None = None  # for rates: the share to reach
    higher_is_better: bool = True
    unit: str = ""  # how the value reads: %, s, h, per unit-hour
    cohort: str = RECEIVED
    # jobs: the job facts' rollups (kpi_query); sensors: analytics.sensor_kpis.
    source: str = "jobs"

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": str(self.name),
            "kind": self.kind,
            "numerator": str(self.numerator),
            "denominator": str(self.denominator) if self.denominator else None,
            "excluded": str(self.excluded) if self.excluded else None,
            "interval": self.interval,
            "target": self.target,
            "higher_is_better": self.higher_is_better,
            "cohort": self.cohort,
            "source": self.source,
            "formula": kpi_formula(self),
        }


JOBS = gettext_lazy("jobs: valid calls that are not repeats of another call")
NOT_SENT = gettext_lazy(
    "Jobs no unit was sent to (handled by phone, diverted, transferred) have no interval."
)
_KPIS = [
    Kpi(
        "calls",
        gettext_lazy("Calls received (接警总数)"),
        "count",
        gettext_lazy("every call received, valid or not"),
    ),
    Kpi(
        "valid_rate",
        gettext_lazy("Valid-call rate (有效警情率)"),
        "rate",
        gettext_lazy("valid calls"),
        gettext_lazy("every call received"),
        gettext_lazy("Invalid calls (misdial, prank, silent…) are closed with a reason at intake."),
        num="valid",
        den="calls",
    ),
    Kpi(
        "invalid",
        gettext_lazy("Invalid calls (无效报警)"),
        "count",
        gettext_lazy("calls closed as invalid, by reason (the invalid-call category)"),
        num="invalid",
    ),
    Kpi(
        "repeat_rate",
        gettext_lazy("Repeat-call rate (重复报警率)"),
        "rate",
        gettext_lazy("calls linked to an open incident as repeats"),
        gettext_lazy("valid calls"),
        num="repeats",
        den="valid",
        higher_is_better=False,
    ),
    Kpi(
        "diversion_rate",
        gettext_lazy("Diversion rate (分流率)"),
        "rate",
        gettext_lazy("jobs diverted to a street governance center (at intake or later)"),
        JOBS,
        num="street_jobs",
        den="jobs",
    ),
    Kpi(
        "arrival_rate",
        gettext_lazy("Arrival within target (到场率: urban 5, suburban 10, rural 15 min)"),
        "rate",
        gettext_lazy(
            "police jobs whose first unit was on scene within the target of the zone's area class"
        ),
        gettext_lazy("police jobs with a unit on scene"),
        NOT_SENT,
        interval="arrival",
        num="met_arrival",
        den="n_arrival",
        target=0.95,
    ),
    Kpi(
        "arrival_time",
        gettext_lazy("Arrival time (到场时间)"),
        "interval",
        gettext_lazy("call received (or back from the street) → first unit on scene"),
        excluded=NOT_SENT,
        interval="arrival",
        higher_is_better=False,
    ),
    Kpi(
        "dispatch_rate",
        gettext_lazy("Dispatched within 60 s (60秒派警率)"),
        "rate",
        gettext_lazy("police jobs with a first unit sent within 60 s of the call"),
        gettext_lazy("police jobs a unit was sent to"),
        NOT_SENT,
        interval="dispatch",
        num="met_dispatch",
        den="n_dispatch",
        target=0.90,
    ),
    Kpi(
        "dispatch_time",
        gettext_lazy("Call processing time (派警用时)"),
        "interval",
        gettext_lazy("call received → first unit dispatched"),
        excluded=NOT_SENT,
        interval="dispatch",
        higher_is_better=False,
    ),
    Kpi(
        "ack_rate",
        gettext_lazy("Acknowledgement rate (签收率)"),
        "rate",
        gettext_lazy("jobs a unit was sent to whose first unit acknowledged (签收) or moved on"),
        gettext_lazy("jobs a unit was sent to"),
        num="acknowledged",
        den="dispatched",
        target=0.98,
    ),
    Kpi(
        "ack_time",
        gettext_lazy("Acknowledgement time (签收用时)"),
        "interval",
        gettext_lazy("first unit dispatched → first acknowledgement (1-minute response)"),
        excluded=NOT_SENT,
        interval="ack",
        higher_is_better=False,
    ),
    Kpi(
        "on_site_rate",
        gettext_lazy("On-site resolution rate (现场处结率)"),
        "rate",
        gettext_lazy("jobs resolved or settled after a unit or street staff reached the scene"),
        gettext_lazy("jobs resolved, settled or referred"),
        gettext_lazy("Open jobs are not counted until they are resolved."),
        num="on_site",
        den="resolved",
    ),
    Kpi(
        "street_settle_rate",
        gettext_lazy("Street settlement rate (街道化解率)"),
        "rate",
        gettext_lazy("diverted jobs the street settled itself (化解)"),
        gettext_lazy("jobs diverted to a street"),
        num="street_settled",
        den="street_jobs",
    ),
    Kpi(
        "street_accept_time",
        gettext_lazy("Street acceptance time (街道签收用时)"),
        "interval",
        gettext_lazy("diverted → accepted by the street's governance center"),
        excluded=gettext_lazy("Jobs returned before acceptance have no interval."),
        interval="street_accept",
        higher_is_better=False,
    ),
    Kpi(
        "street_arrival_time",
        gettext_lazy("Street arrival time (街道到场用时)"),
        "interval",
        gettext_lazy("accepted by the street → its staff on scene (5-minute arrival)"),
        interval="street_arrival",
        higher_is_better=False,
    ),
    Kpi(
        "referral_rate",
        gettext_lazy("Referral rate (转办率)"),
        "rate",
        gettext_lazy("jobs referred to the mediation center or a department"),
        JOBS,
        num="referred",
        den="jobs",
        higher_is_better=False,
    ),
    Kpi(
        "completion_rate",
        gettext_lazy("Completion rate (办结率)"),
        "rate",
        gettext_lazy("jobs resolved, settled, referred or closed by now"),
        JOBS,
        num="completed",
        den="jobs",
        target=0.95,
    ),
    Kpi(
        "same_day_rate",
        gettext_lazy("Closed the same day (日清日结率)"),
        "rate",
        gettext_lazy("jobs closed on the local day they were received"),
        JOBS,
        num="closed_same_day",
        den="jobs",
        target=0.90,
    ),
    Kpi(
        "resolve_time",
        gettext_lazy("Time to resolution (处结用时)"),
        "interval",
        gettext_lazy("call received → resolved, settled or referred"),
        excluded=gettext_lazy("Jobs still open have no interval."),
        interval="resolve",
        higher_is_better=False,
    ),
    Kpi(
        "breaches",
        gettext_lazy("Clock breaches (超时)"),
        "count",
        gettext_lazy("clocks of the jobs that ran past their due time, excused ones included"),
        num="clocks_breached",
        higher_is_better=False,
    ),
    Kpi(
        "excused",
        gettext_lazy("Excused breaches (核减)"),
        "count",
        gettext_lazy("breaches a supervisor excused with a reason"),
        num="clocks_excused",
        higher_is_better=False,
    ),
    Kpi(
        "breaches_unexplained_p1",
        gettext_lazy("Unexplained breaches on urgent jobs"),
        "count",
        gettext_lazy("breaches on priority-1 jobs with no delay reason and not excused"),
        num="breaches_unexplained_p1",
        higher_is_better=False,
    ),
    Kpi(
        "satisfaction",
        gettext_lazy("Satisfaction (满意率)"),
        "satisfaction",
        gettext_lazy("satisfied + w × basically satisfied callback replies"),
        gettext_lazy("valid replies (satisfied, basically satisfied, unsatisfied)"),
        gettext_lazy("Not reached (未接通) and declined (拒访) are no reply."),
        target=0.95,
    ),
    Kpi(
        "patrol_hours",
        gettext_lazy("Patrol time (巡防时长)"),
        "hours",
        gettext_lazy("hours units were free and inside a zone on their GPS track"),
        excluded=gettext_lazy("Time on jobs and gaps in the track longer than 5 minutes."),
        cohort="day",
    ),
    Kpi(
        "duty_hours",
        gettext_lazy("On-duty unit-hours (在岗时长)"),
        "hours",
        gettext_lazy("hours of GPS track of units on duty"),
        cohort="day",
    ),
    Kpi(
        "workload",
        gettext_lazy("Workload (每在岗小时警情)"),
        "ratio",
        gettext_lazy("jobs a unit was sent to"),
        gettext_lazy("on-duty unit-hours"),
        gettext_lazy("Counted for the first unit sent to each job."),
        num="dispatched",
        cohort="day",
    ),
]
KPIS: dict[str, Kpi] = {k.code: k for k in _KPIS}
UNIT_DAY_KPIS = frozenset({"patrol_hours", "duty_hours", "workload"})


def satisfaction_weight() -> float:
    return float(getattr(settings, "CALLBACK_SATISFACTION_WEIGHT", 0.5))


def kpi_formula(kpi: Kpi) -> str:
    if kpi.kind == "satisfaction":
        return _("(satisfied + %(w)s × basically satisfied) / valid replies") % {
            "w": satisfaction_weight()
        }
    if kpi.kind == "interval":
        return _("p50 / p90 / mean of (%(what)s); %% within the clock's target") % {
            "what": kpi.numerator
        }
    if kpi.denominator:
        return f"{kpi.numerator} / {kpi.denominator}"
    return str(kpi.numerator)


def kpi_definitions() -> list[dict]:
    """The one KPI dictionary: the jobs' KPIs, then the smart-secure sites', then the
    referral loop's (partner departments)."""
    from analytics.referral_kpis import REFERRAL_KPIS  # they build on this module
    from analytics.sensor_kpis import SENSOR_KPIS

    return [k.as_dict() for k in (*_KPIS, *SENSOR_KPIS, *REFERRAL_KPIS)]


# --- Figures from summed measures ---------------------------------------------------


def percentile(histogram: list[int], p: float) -> float | None:
    """The p-fractile of a fixed-bin histogram, linear within its bin."""
    total = sum(histogram)
    if total == 0:
        return None
    rank, seen = p * total, 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            low = BIN_EDGES[index]
            high = BIN_EDGES[index + 1] if index + 1 < BINS else low
            return round(low + (high - low) * (rank - seen) / count, 1)
        seen += count
    return float(BIN_EDGES[-1])


def _rate(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def histogram_of(sums: dict, interval: str) -> list[int]:
    return [int(sums.get(f"h_{interval}_{i}", 0)) for i in range(BINS)]


def figure(kpi: Kpi, sums: dict, *, histograms: bool = False, targets=None) -> dict:
    """One KPI's figure from summed rollup measures (and unit-day hours)."""
    if kpi.kind == "count":
        return {"value": int(sums.get(kpi.num or kpi.code, 0))}
    if kpi.kind == "rate":
        num, den = int(sums.get(kpi.num, 0)), int(sums.get(kpi.den, 0))
        return {
            "value": _rate(num, den),
            "numerator": num,
            "denominator": den,
            "target": kpi.target,
        }
    if kpi.kind == "interval":
        interval = kpi.interval
        n = int(sums.get(f"n_{interval}", 0))
        histogram = histogram_of(sums, interval)
        result = {
            "n": n,
            "p50": percentile(histogram, 0.5),
            "p90": percentile(histogram, 0.9),
            "mean": round(sums.get(f"sum_{interval}", 0) / n, 1) if n else None,
            "within_target": (
                _rate(int(sums.get(f"met_{interval}", 0)), n)
                if targets is None or targets.get(interval)
                else None
            ),
            "target_s": (targets or {}).get(interval),
        }
        if histograms:
            result["histogram"] = histogram
        return result
    if kpi.kind == "satisfaction":
        weight = satisfaction_weight()
        s, b, u = (int(sums.get(c, 0)) for c in ("cb_satisfied", "cb_basic", "cb_unsatisfied"))
        valid = s + b + u
        return {
            "value": round((s + weight * b) / valid, 4) if valid else None,
            "numerator": s + weight * b,
            "denominator": valid,
            "weight": weight,
            "satisfied": s,
            "basic": b,
            "unsatisfied": u,
            "unreached": int(sums.get("cb_unreached", 0)),
            "refused": int(sums.get("cb_refused", 0)),
            "target": kpi.target,
        }
    if kpi.kind == "hours":
        column = {"patrol_hours": "patrol_s", "duty_hours": "on_duty_s"}[kpi.code]
        seconds = sums.get(column)
        return {"value": None if seconds is None else round(seconds / 3600, 1)}
    if kpi.kind == "ratio":
        hours = sums.get("on_duty_s")
        num = int(sums.get(kpi.num, 0))
        hours = None if hours is None else round(hours / 3600, 2)
        return {
            "value": round(num / hours, 3) if hours else None,
            "numerator": num,
            "denominator": hours,
        }
    raise ValueError(kpi.kind)


# --- The query ----------------------------------------------------------------------

FILTERS = ("station", "post", "team", "unit", "zone", "street", "category", "tier")
GROUPS = (
    "station",
    "post",
    "team",
    "unit",
    "zone",
    "street",
    "category",
    "tier",
    "area_class",
    "day",
    "hour",
    "weekday",
)
FILTER_MODELS = {
    "station": Station,
    "post": Post,
    "team": Team,
    "zone": PatrolZone,
    "street": Street,
    "category": IncidentCategory,
}
# Readers of KPIs: the command center, the station and post chiefs, the streets.
READERS = frozenset(
    {
        Role.DISPATCHER,
        Role.SUPERVISOR,
        Role.ADMINISTRATOR,
        Role.STATION_CHIEF,
        Role.POST_OFFICER,
        Role.STREET_STAFF,
    }
)
SYSTEM_SCOPE = Scope(role=Role.ADMINISTRATOR, district_wide=True)


def kpi_scope(user) -> Scope:
    """The scope a user reads KPIs in; PermissionDenied for roles that read none."""
    scope = scope_of(user)
    if scope is NO_SCOPE or scope.role not in READERS:
        raise PermissionDenied(_("Your role does not read KPIs."))
    return scope


def _resolve(filters: dict) -> dict:
    """Codes of the filters → ids (a category → its whole branch); ValidationError if unknown."""
    resolved, errors = {}, {}
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name not in FILTERS:
            errors[name] = _("Unknown filter.")
        elif name == "tier":
            if value not in Tier.values:
                errors[name] = _("Unknown tier “%(value)s”.") % {"value": value}
            else:
                resolved[name] = value
        elif name == "unit":
            unit = Unit.objects.filter(call_sign=value).values_list("pk", flat=True).first()
            if unit is None:
                errors[name] = _("No unit with call sign “%(value)s”.") % {"value": value}
            else:
                resolved[name] = unit
        else:
            row = directory.by_code(FILTER_MODELS[name], value)
            if row is None:
                errors[name] = _("No %(what)s with code “%(value)s”.") % {
                    "what": FILTER_MODELS[name]._meta.verbose_name,
                    "value": value,
                }
            else:
                resolved[name] = category_branch_ids(row) if name == "category" else row.pk
    if errors:
        raise ValidationError(errors)
    return resolved


def _scoped(filters: dict, scope: Scope) -> dict:
    """The filters narrowed to where the scope reads; PermissionDenied for a place outside it."""
    forced = {}
    if scope.district_wide:
        return filters
    if scope.post_id:
        forced = {"post": scope.post_id}
    elif scope.station_id:
        forced = {"station": scope.station_id}
    elif scope.street_id:
        # A street reads the jobs diverted to it.
        forced = {"street": scope.street_id, "tier": Tier.STREET}
    for name, value in forced.items():
        if filters.get(name) not in (None, value):
            raise PermissionDenied(_("That is outside your area."))
    return {**filters, **forced}


def range_errors(start: date, end: date) -> dict:
    """What is wrong with a range of local days start..end, by field (empty: nothing)."""
    if end < start:
        return {"to": _("The end of the range is before its start.")}
    if (end - start).days + 1 > MAX_DAYS:
        return {"to": _("A range may span at most %(n)s days.") % {"n": MAX_DAYS}}
    return {}


def _check_range(start: date, end: date) -> None:
    if errors := range_errors(start, end):
        raise ValidationError(errors)


def _grain(needed: set[str]) -> str | None:
    """The smallest grain that keeps every needed dimension (None: read the facts)."""
    if "unit" in needed:
        return None
    fitting = [g for g, kept in GRAINS.items() if needed <= set(kept)]
    return min(fitting, key=lambda g: len(GRAINS[g])) if fitting else None


def _filter_sql(filters: dict) -> tuple[list[str], list]:
    clauses, params = [], []
    for name, value in filters.items():
        if name == "category":
            clauses.append(f"category IN ({', '.join(['%s'] * len(value))})")
            params += sorted(value)
        else:
            clauses.append(f"{name} = %s")
            params.append(value)
    return clauses, params


def _where(filters: dict, start: date, end: date) -> tuple[str, list]:
    clauses, params = _filter_sql(filters)
    return " AND ".join(["day >= %s", "day <= %s", *clauses]), [start, end, *params]


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_spans(start: date, end: date) -> tuple[list[date], list[tuple[date, date]]]:
    """The whole months inside start..end (their first days) and the day ranges left."""
    first = start if start.day == 1 else _next_month(start)
    months, month = [], first
    while _next_month(month) - timedelta(days=1) <= end:
        months.append(month)
        month = _next_month(month)
    if not months:
        return [], [(start, end)]
    days = []
    if start < months[0]:
        days.append((start, months[0] - timedelta(days=1)))
    after = _next_month(months[-1])
    if after <= end:
        days.append((after, end))
    return months, days


def _by_month(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """The spans cut at month boundaries (month_spans leaves one across two months)."""
    cut = []
    for first, last in spans:
        while first <= last:
            month_last = _next_month(first.replace(day=1)) - timedelta(days=1)
            cut.append((first, min(last, month_last)))
            first = month_last + timedelta(days=1)
    return cut


def month_reads(
    start: date, end: date, *, has_month=lambda month: True
) -> tuple[list[date], list[tuple[date, date]], list[tuple[date, date]]]:
    """How to read start..end from month and day rows: (months to add, day spans to add,
    day spans to take away). Whole months come from their month rows; a ragged end that
    covers more than half of its month (and `has_month` says its row is there) comes
    from the month row less the days left out, the others from their day rows: a year
    from the 5th reads four days of its first month, not twenty-seven. Every measure is
    a count or a sum, so taking days away is exact."""
    months, days = month_spans(start, end)
    added, taken = [], []
    for first, last in _by_month(days):
        month = first.replace(day=1)
        month_last = _next_month(month) - timedelta(days=1)
        if (last - first).days + 1 > (month_last - month).days / 2 and has_month(month):
            months.append(month)
            if first > month:
                taken.append((month, first - timedelta(days=1)))
            if last < month_last:
                taken.append((last + timedelta(days=1), month_last))
        else:
            added.append((first, last))
    return sorted(months), added, taken


def _rollup_where(
    filters: dict, start: date, end: date, *, by_day: bool
) -> tuple[tuple[str, list], tuple[str, list] | None]:
    """The rows to add and the rows to take away (or None): whole months from month
    rows, the rest from day rows (month_reads); only day rows when grouping by day or
    weekday."""
    if by_day:
        months, days, taken = [], [(start, end)], []
    else:
        months, days, taken = month_reads(start, end)
    clauses, filter_params = _filter_sql(filters)

    def where(months, days) -> tuple[str, list]:
        spans, params = [], []
        if months:
            spans.append(f"(period = 'month' AND day IN ({', '.join(['%s'] * len(months))}))")
            params += months
        for first, last in days:
            spans.append("(period = 'day' AND day >= %s AND day <= %s)")
            params += [first, last]
        return " AND ".join([f"({' OR '.join(spans)})", *clauses]), params + filter_params

    return where(months, days), (where([], taken) if taken else None)


def measures_of(codes) -> list[str]:
    """The rollup columns the KPIs read."""
    names = {"calls"}
    for code in codes:
        kpi = KPIS[code]
        if kpi.kind == "interval":
            names |= set(interval_columns(kpi.interval))
        elif kpi.kind == "satisfaction":
            names |= {c for c in MEASURES if c.startswith("cb_")}
        else:
            names |= {c for c in (kpi.num, kpi.den) if c and c in MEASURES}
    return [m for m in MEASURES if m in names]


def _sql_groups(group_by: list[str], grain: str | None) -> list[str]:
    """The columns grouped by in SQL (weekday is folded from days where the grain does
    not keep it)."""
    columns = []
    for name in group_by:
        column = name
        if name == "weekday" and (grain is None or "weekday" not in GRAINS[grain]):
            column = "day"
        if column not in columns:
            columns.append(column)
    return columns


def _measure_rows(*, grain, filters, start, end, group_by, measures) -> list[tuple[dict, dict]]:
    """(group values, summed measures) per group, from the rollups or the facts."""
    columns = _sql_groups(group_by, grain)
    group_sql = " GROUP BY " + ", ".join(columns) if columns else ""
    queries = []
    if grain is not None:
        plus, minus = _rollup_where(filters, start, end, by_day="day" in columns)
        select = ", ".join([*columns, *(f"SUM({connection.ops.quote_name(m)})" for m in measures)])
        for (where, params), sign in [(plus, 1), *([(minus, -1)] if minus else [])]:
            sql = f"SELECT {select} FROM analytics_rollup WHERE grain = %s AND {where}"
            queries.append((sql + group_sql, [grain, *params], sign))
    else:
        where, params = _where(filters, start, end)
        select = [*columns, *aggregate_measures(measures)]
        sql = f"SELECT {', '.join(select)} FROM analytics_jobfact WHERE {where}"
        queries.append((sql + group_sql, params, 1))
    totals: dict[tuple, list[int]] = {}
    with connection.cursor() as cursor:
        for sql, params, sign in queries:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                key = tuple(row[: len(columns)])
                sums = totals.setdefault(key, [0] * len(measures))
                for index, value in enumerate(row[len(columns) :]):
                    sums[index] += sign * int(value or 0)
    result = []
    for key, values in totals.items():
        group = dict(zip(columns, key, strict=True))
        sums = dict(zip(measures, values, strict=True))
        # A group whose rows were all in the days taken away is no group of the range.
        if (not columns and not sums["calls"]) or not any(values):
            continue
        result.append((group, sums))
    return result


def _unit_day_rows(*, filters, start, end, group_by) -> list[tuple[dict, dict]] | None:
    """On-duty and patrol seconds per group, None where unit days don't have the dimensions."""
    if set(filters) - {"station", "post", "team", "unit"} or set(group_by) - {
        "station",
        "post",
        "team",
        "unit",
        "day",
        "weekday",
    }:
        return None
    columns = _sql_groups(group_by, None)
    where, params = _where(filters, start, end)
    sql = (
        f"SELECT {', '.join([*columns, 'SUM(on_duty_s)', 'SUM(patrol_s)'])} "
        f"FROM analytics_unitday WHERE {where}"
    )
    if columns:
        sql += " GROUP BY " + ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (
            dict(zip(columns, row[: len(columns)], strict=True)),
            {"on_duty_s": int(row[-2] or 0), "patrol_s": int(row[-1] or 0)},
        )
        for row in rows
    ]


def _category_level(filters: dict) -> int:
    """Group categories at the level below the filtered one (top level without a filter)."""
    if "category" not in filters:
        return 0
    top = [
        pk
        for pk in filters["category"]
        if directory.get(IncidentCategory, pk).parent_id not in filters["category"]
    ]
    return len(category_ancestors(directory.get(IncidentCategory, top[0]))) if top else 0


def _fold(group: dict, *, level: int) -> tuple:
    """The key a SQL group folds into: a weekday from a day, a category at a level."""
    key = []
    for name, value in group.items():
        if name == "category" and value:
            chain = list(reversed(category_ancestors(directory.get(IncidentCategory, value))))
            if chain:
                value = chain[min(level, len(chain) - 1)].pk
        key.append((name, value))
    return tuple(key)


WEEKDAYS = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]
NAMED = {
    "station": Station,
    "post": Post,
    "team": Team,
    "zone": PatrolZone,
    "street": Street,
    "category": IncidentCategory,
}


def _label(name: str, value, units: dict) -> dict:
    if name in NAMED:
        row = directory.get(NAMED[name], value) if value else None
        return {name: row.code if row else None, f"{name}_name": row.name if row else _("none")}
    if name == "unit":
        unit = units.get(value)
        return {"unit": unit[0] if unit else None, "unit_name": unit[1] if unit else _("none")}
    if name == "day":
        return {"day": value.isoformat() if hasattr(value, "isoformat") else str(value)}
    if name == "weekday":
        return {"weekday": value, "weekday_name": str(WEEKDAYS[value])}
    if name == "tier":
        return {"tier": value, "tier_name": str(Tier(value).label) if value else _("none")}
    if name == "area_class":
        return {
            "area_class": value,
            "area_class_name": str(AreaClass(value).label) if value else _("none"),
        }
    return {name: value}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def kpi_query(
    *,
    start: date,
    end: date,
    user=None,
    scope: Scope | None = None,
    filters: dict | None = None,
    group_by: list[str] | None = None,
    kpis: list[str] | None = None,
    histograms: bool = False,
) -> dict:
    """The KPI figures for local days start..end (inclusive), per group."""
    scope = scope or kpi_scope(user)
    group_by = list(dict.fromkeys(group_by or []))
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown:
        raise ValidationError(
            {"group_by": _("Unknown grouping: %(names)s.") % {"names": ", ".join(unknown)}}
        )
    codes = list(kpis or KPIS)
    if bad := [c for c in codes if c not in KPIS]:
        raise ValidationError({"kpi": _("Unknown KPI: %(codes)s.") % {"codes": ", ".join(bad)}})
    _check_range(start, end)
    filters = _scoped(_resolve(filters or {}), scope)
    needed = {f for f in filters if f != "tier"} | {
        g for g in group_by if g not in ("day", "weekday")
    }
    # By weekday: a grain that keeps it (months of rows), else days folded into weekdays.
    grain = _grain(needed | {"weekday"}) if "weekday" in group_by else None
    grain = grain or _grain(needed)
    level = _category_level(filters)
    merged: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for group, sums in _measure_rows(
        grain=grain,
        filters=filters,
        start=start,
        end=end,
        group_by=group_by,
        measures=measures_of(codes),
    ):
        _merge(merged, group, sums, group_by, level)
    unit_days = None
    if UNIT_DAY_KPIS & set(codes) and "tier" not in filters:
        unit_days = _unit_day_rows(filters=filters, start=start, end=end, group_by=group_by)
        for group, sums in unit_days or []:
            _merge(merged, group, sums, group_by, level)
    if unit_days is not None:
        for sums in merged.values():
            sums.setdefault("on_duty_s", 0)
            sums.setdefault("patrol_s", 0)
    units = {}
    if "unit" in group_by:
        ids = {dict(k).get("unit") for k in merged}
        units = {
            pk: (cs, n)
            for pk, cs, n in Unit.objects.filter(pk__in=ids).values_list("pk", "call_sign", "name")
        }
    targets = interval_targets()
    results = []
    for key in sorted(merged, key=lambda k: tuple(str(v) for _n, v in k)):
        sums = merged[key]
        label = {}
        for name, value in key:
            label.update(_label(name, value, units))
        results.append(
            {
                "group": label,
                "figures": {
                    code: figure(KPIS[code], sums, histograms=histograms, targets=targets)
                    for code in codes
                    if code not in UNIT_DAY_KPIS or unit_days is not None
                },
            }
        )
    if not group_by and not results:
        results = [
            {"group": {}, "figures": {c: figure(KPIS[c], {}, targets=targets) for c in codes}}
        ]
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "timezone": settings.TIME_ZONE,
        "cohort": RECEIVED,
        "grain": grain or "facts",
        "group_by": group_by,
        "results": results,
    }


def _merge(merged, group: dict, sums: dict, group_by: list[str], level: int) -> None:
    values = {}
    for name in group_by:
        value = group.get(name, group.get("day") if name == "weekday" else None)
        if name == "weekday" and "weekday" not in group:
            value = _as_date(value).weekday()
        elif name == "day":
            value = _as_date(value)
        values[name] = value
    key = _fold(values, level=level)
    target = merged[key]
    for column, value in sums.items():
        target[column] += value


def interval_targets() -> dict[str, int | None]:
    """The target of each interval's clock (the urban one for arrival, area classes differ)."""
    targets = Targets()
    return {
        interval: targets.of(interval, AreaClass.URBAN)
        for interval in ("dispatch", "ack", "arrival", "street_accept", "street_arrival")
    }


def kpi_scalar(code: str, figure: dict | None) -> float | None:
    """The one number a KPI is compared, ranked and shown by: an interval's p90, otherwise
    its value (a rate's share, a count)."""
    if not figure:
        return None
    return figure.get("p90") if KPIS[code].kind == "interval" else figure.get("value")


def only_figures(result: dict) -> dict:
    """The figures of an ungrouped kpi_query result."""
    return result["results"][0]["figures"] if result["results"] else {}


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The range of the same length just before."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)
