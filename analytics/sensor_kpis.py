"""KPIs of the smart-secure sites: sensor online rate and the alarms' figures.

They are in the one KPI dictionary (`analytics.kpis.kpi_definitions` lists them
after the jobs' KPIs) but read their own tables, not the job rollups:

- online rate: heartbeats received (community.SensorDay, each sensor-day capped
  at one per interval) ÷ heartbeats expected (the seconds of the range each
  sensor was installed, up to now, ÷ its interval), by local day;
- alarms: by the alarm's first report (cohort "alarm"); a repeat of the same
  device and type inside the dedup window is one alarm.

Alarm response clocks are the jobs' clocks: an alarm's job is a job (the
dispatch, arrival and other KPIs of `kpi_query` with category=alarm).
"""

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.kpis import Kpi, month_reads, range_errors
from analytics.models import SensorMonth
from commandcenter.access import Scope
from commandcenter.directory import directory
from commandcenter.models import Station, Street
from community.choices import AlarmNature, AlarmState, SensorType
from community.models import Alarm, Sensor, SensorDay, SmartSite
from patrol.selectors import local_day_bounds

SENSOR_KPIS = [
    Kpi(
        "sensor_online_rate",
        gettext_lazy("Sensor online rate (设备在线率)"),
        "rate",
        gettext_lazy("heartbeats received"),
        gettext_lazy("heartbeats expected: the seconds each sensor was installed, ÷ its interval"),
        gettext_lazy("Sensors of inactive sites; heartbeats beyond one per interval."),
        target=0.98,
        cohort="day",
        source="sensors",
    ),
    Kpi(
        "alarms",
        gettext_lazy("Alarms (感知告警数)"),
        "count",
        gettext_lazy("alarms raised by the sites' sensors"),
        excluded=gettext_lazy("Repeats of one device and type within the dedup window count once."),
        cohort="alarm",
        source="sensors",
    ),
    Kpi(
        "alarms_per_site",
        gettext_lazy("Alarms per site (单点告警数)"),
        "ratio",
        gettext_lazy("alarms"),
        gettext_lazy("active sites"),
        cohort="alarm",
        source="sensors",
        higher_is_better=False,
    ),
    Kpi(
        "false_alarm_rate",
        gettext_lazy("False-alarm rate (误报率)"),
        "rate",
        gettext_lazy("alarms judged false (误报)"),
        gettext_lazy("alarms judged false, real or test"),
        gettext_lazy("Alarms nobody judged (recorded only, recovered, not yet reviewed)."),
        higher_is_better=False,
        cohort="alarm",
        source="sensors",
    ),
    Kpi(
        "alarm_job_rate",
        gettext_lazy("Alarm-to-job rate (告警转警情率)"),
        "rate",
        gettext_lazy("alarms that became a job or joined the site's open job"),
        gettext_lazy("alarms, except those the rules only record"),
        cohort="alarm",
        source="sensors",
    ),
]
SENSOR_KPI_CODES = [k.code for k in SENSOR_KPIS]
# What sensor KPIs are grouped by: the alarms' and the sensors' column for each.
GROUPS = {
    "station": "station_id",
    "street": "street_id",
    "site": "site_id",
    "sensor_type": "sensor_type",
    "vendor": "vendor",
    "device": "id",
}
ALARM_GROUPS = {**GROUPS, "sensor_type": "sensor__sensor_type", "vendor": "sensor__vendor",
                "device": "sensor_id"}  # fmt: skip


def _rate(num, den):
    return round(num / den, 4) if den else None


def _names(group_by: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if group_by == "station":
        return {k: directory.get(Station, k).name for k in keys if directory.get(Station, k)}
    if group_by == "street":
        return {k: directory.get(Street, k).name for k in keys if directory.get(Street, k)}
    if group_by == "site":
        return dict(SmartSite.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "sensor_type":
        return {k: str(SensorType(k).label) for k in keys if k in SensorType.values}
    if group_by == "device":
        return dict(Sensor.objects.filter(pk__in=keys).values_list("pk", "device_id"))
    return {k: k or _("(none)") for k in keys}


# A sensor-day's heartbeats count at most one per interval.
CAPPED = Least(F("heartbeats"), 86400 / F("sensor__heartbeat_seconds"))


def _month_after(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _sums(rows, key: str | None, value) -> dict:
    if key is None:
        return {None: rows.aggregate(n=Sum(value))["n"] or 0}
    return {row[key]: row["n"] for row in rows.values(key).annotate(n=Sum(value)).order_by()}


def _months_touched(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = _month_after(month)
    return months


def _online(sensors, start: date, end: date, column: str | None) -> dict:
    """(received, expected) heartbeats per group key over local days start..end: whole
    closed months from the month rows, the rest from the sensor days."""
    begin = local_day_bounds(start)[0]
    finish = local_day_bounds(end)[1]
    finish = min(finish, timezone.now())
    expected: dict = defaultdict(float)
    fields = ["heartbeat_seconds", "installed_at", *([column] if column else [])]
    for row in sensors.filter(installed_at__lt=finish).values_list(*fields):
        seconds = (finish - max(begin, row[1])).total_seconds()
        expected[row[2] if column else None] += max(0.0, seconds) / row[0]
    this_month = timezone.localdate().replace(day=1)
    closed = [m for m in _months_touched(start, end) if m < this_month]
    rowed = set(
        SensorMonth.objects.filter(month__in=closed).values_list("month", flat=True).distinct()
    )
    # Closed months with their rows, the rest from the sensor days (month_reads).
    months, day_spans, less_spans = month_reads(start, end, has_month=rowed.__contains__)
    written = [m for m in months if m in rowed]
    day_spans += [(m, _month_after(m) - timedelta(days=1)) for m in months if m not in rowed]
    key = f"sensor__{column}" if column else None
    received: dict = defaultdict(int)
    if written:
        rows = SensorMonth.objects.filter(sensor__in=sensors, month__in=written)
        for k, n in _sums(rows, key, F("received")).items():
            received[k] += n or 0
    for chosen, sign in ((day_spans, 1), (less_spans, -1)):
        if chosen:
            in_spans = Q()
            for first, last in chosen:
                in_spans |= Q(day__gte=first, day__lte=last)
            rows = SensorDay.objects.filter(in_spans, sensor__in=sensors)
            for k, n in _sums(rows, key, CAPPED).items():
                received[k] += sign * (n or 0)
    return {k: (int(received.get(k) or 0), expected[k]) for k in set(expected) | set(received)}


def sensor_months_update(*, today: date | None = None) -> list[date]:
    """Write the month rows of the closed months: the last one every time (late
    heartbeats of its last days), older ones only where they have none. Returns the
    months written. Idempotent: each month is replaced in one transaction."""
    this_month = (today or timezone.localdate()).replace(day=1)
    last_closed = (this_month - timedelta(days=1)).replace(day=1)
    first_day = SensorDay.objects.aggregate(first=Min("day"))["first"]
    if first_day is None:
        return []
    have = set(SensorMonth.objects.values_list("month", flat=True).distinct())
    months, month = [], first_day.replace(day=1)
    while month < this_month:
        if month == last_closed or month not in have:
            months.append(month)
        month = _month_after(month)
    for month in months:
        days = SensorDay.objects.filter(day__gte=month, day__lt=_month_after(month))
        rows = [
            SensorMonth(sensor_id=row["sensor_id"], month=month, received=row["n"] or 0)
            for row in days.values("sensor_id").annotate(n=Sum(CAPPED)).order_by()
        ]
        with transaction.atomic():
            SensorMonth.objects.filter(month=month).delete()
            SensorMonth.objects.bulk_create(rows, batch_size=2000)
    return months


def _alarm_counts(alarms, column: str | None) -> dict:
    judged = (AlarmNature.FALSE, AlarmNature.REAL, AlarmNature.TEST)
    measures = {
        "alarms": Count("pk"),
        "reports": Sum("count"),
        "false": Count("pk", filter=Q(nature=AlarmNature.FALSE)),
        "judged": Count("pk", filter=Q(nature__in=judged)),
        "jobs": Count("pk", filter=Q(state__in=(AlarmState.INCIDENT, AlarmState.ATTACHED))),
        "actionable": Count("pk", filter=~Q(state=AlarmState.RECORDED)),
        "pending": Count("pk", filter=Q(state__in=(AlarmState.HELD, AlarmState.REVIEW))),
    }
    if column is None:
        return {None: alarms.aggregate(**measures)}
    return {row.pop(column): row for row in alarms.values(column).annotate(**measures).order_by()}


def _in(queryset, scope: Scope, station_id: int | None):
    """The rows a KPI scope reads (located rows: no join repeats them), one station's if set."""
    queryset = queryset.filter(queryset.model.visible_to(scope))
    return queryset.filter(station_id=station_id) if station_id else queryset


def sensor_kpi_query(
    *, start: date, end: date, scope: Scope, group_by: str | None = None, station: str = ""
) -> dict:
    """The sensor KPIs over local days start..end in a KPI scope (analytics.kpis.kpi_scope),
    whole or by group; `station` (a code) narrows to one station."""
    errors = {}
    station_id = None
    if station:
        found = directory.by_code(Station, station)
        if found is None:
            errors["station"] = _("No station “%(code)s”.") % {"code": station}
        station_id = found.pk if found else None
    errors.update(range_errors(start, end))
    if group_by and group_by not in GROUPS:
        errors["group_by"] = _("Group by one of: %(names)s.") % {"names": ", ".join(GROUPS)}
    if errors:
        raise ValidationError(errors)
    sensors = _in(Sensor.objects.filter(site__active=True), scope, station_id)
    begin = local_day_bounds(start)[0]
    finish = local_day_bounds(end)[1]
    alarms = _in(Alarm.objects.filter(first_at__gte=begin, first_at__lt=finish), scope, station_id)
    online = _online(sensors, start, end, GROUPS[group_by] if group_by else None)
    counts = _alarm_counts(alarms, ALARM_GROUPS[group_by] if group_by else None)
    site_column = {"station": "station_id", "street": "street_id", "site": "pk"}.get(group_by)
    sites = _in(SmartSite.objects.filter(active=True), scope, station_id)
    if group_by is None:
        site_counts = {None: sites.count()}
    elif site_column:
        site_counts = dict(sites.values_list(site_column).annotate(n=Count("pk")).order_by())
    else:
        site_counts = {}
    keys = sorted(set(online) | set(counts), key=lambda k: (k is None, str(k)))
    names = _names(group_by, keys) if group_by else {}
    results = []
    total_online, total_counts = [0, 0.0], defaultdict(int)
    for key in keys:
        received, expected = online.get(key, (0, 0.0))
        total_online[0] += received
        total_online[1] += expected
        c = counts.get(key) or {}
        for name, value in c.items():
            total_counts[name] += value or 0
        figures = _figures(received, expected, c, site_counts.get(key))
        group = {"key": key, "name": names.get(key, key)} if group_by else {}
        results.append({**group, "figures": figures})
    # The whole range and scope, from the groups' parts (one set of queries, not two).
    total = _figures(*total_online, total_counts, sites.count() if group_by else site_counts[None])
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "group_by": group_by,
        "cohorts": {"sensor_online_rate": "day", "alarms": "alarm"},
        "results": results,
        "total": total,
    }


def _figures(received: int, expected: float, c: dict, n_sites: int | None) -> dict:
    return {
        "sensor_online_rate": {
            "value": min(1.0, _rate(received, expected)) if expected else None,
            "num": received,
            "den": round(expected),
        },
        "alarms": {
            "value": c.get("alarms", 0),
            "reports": c.get("reports") or 0,
            "pending": c.get("pending", 0),
        },
        "alarms_per_site": {
            "value": round(c.get("alarms", 0) / n_sites, 2) if n_sites else None,
            "num": c.get("alarms", 0),
            "den": n_sites,
        },
        "false_alarm_rate": {
            "value": _rate(c.get("false", 0), c.get("judged", 0)),
            "num": c.get("false", 0),
            "den": c.get("judged", 0),
        },
        "alarm_job_rate": {
            "value": _rate(c.get("jobs", 0), c.get("actionable", 0)),
            "num": c.get("jobs", 0),
            "den": c.get("actionable", 0),
        },
    }
