"""The station chief's dashboard: everything its page draws, in one read.

Every number comes from kpi_query (the same figures as the API and the
reports), for the chosen range and the one before it of the same length.
"""

from datetime import date, timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.choices import ClockState
from analytics.kpis import (
    KPIS,
    kpi_definitions,
    kpi_query,
    kpi_scalar,
    only_figures,
    previous_range,
)
from analytics.measures import BIN_EDGES
from analytics.models import ClockDefinition, ClockInstance, Report
from analytics.ranking import ranking
from analytics.referral_kpis import referral_kpi_query
from analytics.sensor_kpis import sensor_kpi_query
from commandcenter.access import Scope, located_in
from commandcenter.directory import directory
from commandcenter.models import Station
from patrol.selectors import local_day_bounds

# The cards, in the order a chief reads them.
CARDS = (
    "calls",
    "valid_rate",
    "arrival_rate",
    "arrival_time",
    "dispatch_rate",
    "ack_rate",
    "on_site_rate",
    "diversion_rate",
    "completion_rate",
    "same_day_rate",
    "satisfaction",
    "breaches",
    "patrol_hours",
    "workload",
)
GAUGES = ("arrival_rate", "dispatch_rate", "same_day_rate", "satisfaction")
# A street office reads its diverted jobs: the police clocks are not its own.
STREET_CARDS = (
    "calls",
    "street_settle_rate",
    "street_accept_time",
    "street_arrival_time",
    "on_site_rate",
    "referral_rate",
    "completion_rate",
    "same_day_rate",
    "satisfaction",
    "breaches",
)
STREET_GAUGES = ("completion_rate", "same_day_rate", "satisfaction")
# What the zones can be coloured by.
ZONE_KPIS = ("calls", "arrival_rate", "dispatch_rate", "valid_rate", "breaches")
BREACHES_SHOWN = 50
# The sites with the most alarms the 智安 panel lists.
SENSOR_SITES = 5


def range_presets(today: date) -> dict[str, tuple[date, date]]:
    """今日 / 昨日 / 本周 / 上周 / 本月 in local days (weeks start on Monday)."""
    monday = today - timedelta(days=today.weekday())
    return {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "this_week": (monday, today),
        "last_week": (monday - timedelta(days=7), monday - timedelta(days=1)),
        "this_month": (today.replace(day=1), today),
    }


def _card(code: str, now: dict, before: dict) -> dict:
    current, previous = kpi_scalar(code, now.get(code)), kpi_scalar(code, before.get(code))
    delta = None
    if current is not None and previous is not None:
        delta = round(current - previous, 4)
    kpi = KPIS[code]
    return {
        "code": code,
        "name": str(kpi.name),
        "kind": kpi.kind,
        "higher_is_better": kpi.higher_is_better,
        "figure": now.get(code),
        "value": current,
        "previous": previous,
        "delta": delta,
    }


def _due_slack() -> timedelta:
    """How long after its job's reception a job clock can fall due: the longest
    target of any definition, and a day for end-of-day clocks and late starts."""
    fields = ("target_urban_s", "target_suburban_s", "target_rural_s", "target_other_s")
    longest = ClockDefinition.objects.aggregate(**{f: Max(f) for f in fields})
    return timedelta(seconds=max(s or 0 for s in longest.values()), days=1)


def _breaches(*, scope: Scope, filters: dict, start: date, end: date) -> list[dict]:
    """The late clocks of jobs received in the range, newest first, for drill-down.

    Read down the clock_late_jobs index from the range's end (plus the longest
    a clock can run), so a past range does not walk every later breach first.
    A clock started more than that after its job's reception is left out of
    this list; the breach counts come from the facts and are not affected."""
    begin, finish = local_day_bounds(start)[0], local_day_bounds(end)[1]
    clocks = ClockInstance.objects.filter(
        located_in(scope),
        incident__isnull=False,
        order__isnull=True,
        state__in=(ClockState.BREACHED, ClockState.EXCUSED),
        due_at__gte=begin,
        due_at__lt=finish + _due_slack(),
        incident__received_at__gte=begin,
        incident__received_at__lt=finish,
    ).order_by("-due_at")
    if station := filters.get("station"):
        row = directory.by_code(Station, station)
        clocks = clocks.filter(station_id=row.pk if row else 0)
    now = timezone.now()
    return [
        {
            "clock": c["pk"],
            "incident": c["incident_id"],
            "number": c["incident__number"],
            "clock_name": c["definition__name"],
            "state": c["state"],
            "state_name": str(ClockState(c["state"]).label),
            "due_at": timezone.localtime(c["due_at"]).isoformat(),
            "stopped_at": (
                timezone.localtime(c["stopped_at"]).isoformat() if c["stopped_at"] else None
            ),
            "late_s": int(((c["stopped_at"] or now) - c["due_at"]).total_seconds()),
            "delay_reason": c["delay_reason__name"] or "",
            "station_name": c["incident__station__name"],
        }
        for c in clocks.values(
            "pk",
            "incident_id",
            "incident__number",
            "definition__name",
            "state",
            "due_at",
            "stopped_at",
            "delay_reason__name",
            "incident__station__name",
        )[:BREACHES_SHOWN]
    ]


def dashboard_data(*, scope: Scope, start: date, end: date, station: str | None = None) -> dict:
    filters = {"station": station} if station else {}
    before_start, before_end = previous_range(start, end)
    now = only_figures(
        kpi_query(scope=scope, start=start, end=end, filters=filters, histograms=True)
    )
    before = only_figures(
        kpi_query(scope=scope, start=before_start, end=before_end, filters=filters)
    )
    street = bool(scope.street_id)
    arrival_kpi = "street_arrival_time" if street else "arrival_time"
    arrival = now.get(arrival_kpi) or {}
    hours = kpi_query(
        scope=scope,
        start=start,
        end=end,
        filters=filters,
        group_by=["weekday", "hour"],
        kpis=["calls"],
    )
    zones = kpi_query(
        scope=scope, start=start, end=end, filters=filters, group_by=["zone"], kpis=list(ZONE_KPIS)
    )
    stations = []
    if scope.district_wide and not station:
        stations = kpi_query(
            scope=scope, start=start, end=end, group_by=["station"], kpis=list(CARDS)
        )["results"]
    team_ranking = (
        ranking(scope=scope, start=start, end=end, level="team", filters=filters)
        if not scope.street_id
        else None
    )
    # The list's columns only: a report's figures (its `data`) are read when it is opened.
    reports = (
        Report.objects.filter(Report.visible_to(scope))
        .only("pk", "kind", "start", "end", "station")
        .order_by("-created_at")[:20]
    )
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "previous": {"from": before_start.isoformat(), "to": before_end.isoformat()},
        "timezone": str(timezone.get_current_timezone()),
        "cohort": _("By the day the call was received"),
        "station": station,
        "cards": [
            _card(code, now, before) for code in (STREET_CARDS if street else CARDS) if code in now
        ],
        "gauges": [
            {
                "code": code,
                "name": str(KPIS[code].name),
                "value": (now.get(code) or {}).get("value"),
                "target": KPIS[code].target,
            }
            for code in (STREET_GAUGES if street else GAUGES)
        ],
        "arrival_histogram": {
            "kpi": arrival_kpi,
            "name": str(KPIS[arrival_kpi].name),
            "edges": list(BIN_EDGES),
            "counts": arrival.get("histogram", []),
            "target_s": arrival.get("target_s"),
            "p50": arrival.get("p50"),
            "p90": arrival.get("p90"),
        },
        "heat": [
            {
                "weekday": r["group"]["weekday"],
                "hour": r["group"]["hour"],
                "calls": r["figures"]["calls"]["value"],
            }
            for r in hours["results"]
        ],
        "zones": {
            "kpis": [{"code": c, "name": str(KPIS[c].name)} for c in ZONE_KPIS],
            "rows": [
                {
                    "zone": r["group"]["zone"],
                    "zone_name": r["group"]["zone_name"],
                    **{c: kpi_scalar(c, r["figures"].get(c)) for c in ZONE_KPIS},
                }
                for r in zones["results"]
                if r["group"]["zone"]
            ],
        },
        "stations": [
            {
                "station": r["group"]["station"],
                "station_name": r["group"]["station_name"],
                **{c: kpi_scalar(c, r["figures"].get(c)) for c in CARDS},
            }
            for r in stations
            if r["group"]["station"]
        ],
        "ranking": team_ranking,
        "breaches": _breaches(scope=scope, filters=filters, start=start, end=end),
        "reports": [
            {
                "id": r.pk,
                "kind": r.kind,
                "kind_name": r.get_kind_display(),
                "from": r.start.isoformat(),
                "to": r.end.isoformat(),
                "station_name": r.station.name if r.station_id else _("District"),
            }
            for r in reports.select_related("station")
        ],
        "sensors": _sensors(scope=scope, start=start, end=end, station=station),
        # 转办: how the partner departments take and handle what the streets refer.
        "referrals": referral_kpi_query(
            scope=scope, start=start, end=end, group_by="department", station=station or ""
        )["groups"],
        "definitions": kpi_definitions(),
    }


def _sensors(*, scope: Scope, start: date, end: date, station: str | None) -> dict:
    """智安 figures of the range and the sites with the most alarms (from sensor_kpis)."""
    query = {"scope": scope, "start": start, "end": end, "station": station or ""}
    by_site = sensor_kpi_query(**query, group_by="site")
    whole, sites = by_site["total"], by_site["results"]
    busiest = sorted(
        (r for r in sites if r["figures"]["alarms"]["value"]),
        key=lambda r: (-r["figures"]["alarms"]["value"], str(r["name"])),
    )[:SENSOR_SITES]
    return {
        "figures": whole,
        "sites": [
            {
                "site": r["key"],
                "name": r["name"],
                "alarms": r["figures"]["alarms"]["value"],
                "pending": r["figures"]["alarms"]["pending"],
                "false_alarm_rate": r["figures"]["false_alarm_rate"]["value"],
                "sensor_online_rate": r["figures"]["sensor_online_rate"]["value"],
            }
            for r in busiest
        ],
    }
