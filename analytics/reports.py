"""日报 / 周报 and ad-hoc reports: their figures, computed once and stored.

A report is a set of sections, each one or more `kpi_query` results kept as
they came (the same call the dashboard and the API make), so every figure in
a report is the dashboard's figure for the same range and scope:

- summary: every KPI of the range, with its definition;
- comparison: each KPI's figure against the previous period of the same length;
- units: by station (district reports) or by team (a station's);
- categories: by top-level category; hours: by hour of the day received;
- breaches: the late clocks of the jobs received in the range (the rows behind
  the `breaches` KPI), and the ranking of the teams where a scheme is active.

Beat builds the daily report (yesterday) at 07:00 local and the weekly one
(last Monday to Sunday) on Mondays, for the district and each station;
rebuilding a periodic report replaces it. Who reads which: the command center
every report, a station chief its station's (not the district's: the
district report names every station's figures and ranks every team).
Rendering (Excel, PDF) is analytics.report_render.
"""

import json
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.choices import ClockState, ReportKind
from analytics.kpis import (
    KPIS,
    MAX_DAYS,
    SYSTEM_SCOPE,
    kpi_query,
    kpi_scalar,
    only_figures,
    previous_range,
)
from analytics.models import ClockInstance, Report
from analytics.ranking import ranking
from commandcenter.access import scope_of, visible
from commandcenter.choices import DISTRICT_ROLES, Role
from commandcenter.models import Bureau, Station
from commandcenter.services import event_record
from patrol.selectors import local_day_bounds

DATA_VERSION = 1
# The KPIs of the tables by unit, category and hour (the summary has them all).
UNIT_KPIS = (
    "calls",
    "valid_rate",
    "dispatch_rate",
    "arrival_rate",
    "arrival_time",
    "ack_rate",
    "on_site_rate",
    "diversion_rate",
    "completion_rate",
    "same_day_rate",
    "satisfaction",
    "breaches",
)
CATEGORY_KPIS = ("calls", "valid_rate", "arrival_rate", "arrival_time", "completion_rate")
HOUR_KPIS = ("calls", "dispatch_rate", "arrival_rate", "arrival_time")
# A month of a busy district can have thousands of late clocks; the report
# keeps the first ones (the count is the KPI's) and says how many it left out.
BREACH_ROWS = 2000
# Who reads and makes reports: the command center, and a station chief for its station.
REPORT_ROLES = frozenset({*DISTRICT_ROLES, Role.STATION_CHIEF})


# --- Who reads which -----------------------------------------------------------------


def may_read_reports(user) -> bool:
    scope = scope_of(user)
    return scope.district_wide or (scope.role == Role.STATION_CHIEF and bool(scope.station_id))


def report_list(*, user, figures: bool = False) -> QuerySet[Report]:
    """The reports `user` may read, the newest built first (Report.visible_to).

    Without `figures` the data (which can be large) is left in the database and
    only the scope's name is read from it (`scope_name`).
    """
    if not may_read_reports(user):
        return Report.objects.none()
    reports = (
        visible(Report.objects.all(), user)
        .select_related("station", "created_by")
        .order_by("-created_at", "-id")
    )
    if not figures:
        reports = reports.defer("data").annotate(scope_name=KT("data__scope__name"))
    return reports


def report_scope_name(report: Report) -> str:
    """The district's or the station's name, as the report was built."""
    name = getattr(report, "scope_name", None)
    if name is None:
        name = report.data.get("scope", {}).get("name", "")
    return name


def report_station_for(user, station: Station | None) -> Station | None:
    """The station an ad-hoc report of `user` is for: a chief's own (the only one it
    may ask for), the district (None) or any station for the command center."""
    scope = scope_of(user)
    if scope.district_wide:
        return station
    if scope.role == Role.STATION_CHIEF and scope.station_id:
        if station is not None and station.pk != scope.station_id:
            raise PermissionDenied(_("That is outside your area."))
        return Station.objects.get(pk=scope.station_id)
    raise PermissionDenied(_("Your role does not read reports."))


# --- The periods of the periodic reports -----------------------------------------------


def daily_period(today: date) -> tuple[date, date]:
    """日报: yesterday, local."""
    yesterday = today - timedelta(days=1)
    return yesterday, yesterday


def weekly_period(today: date) -> tuple[date, date]:
    """周报: the last whole week, Monday to Sunday, before `today`'s week."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday - timedelta(days=1)


# --- The figures ----------------------------------------------------------------------


def _district_name() -> str:
    bureau = Bureau.objects.order_by("id").first()
    return bureau.district_name if bureau else _("District")


def _breaches(*, start: date, end: date, station: Station | None) -> dict:
    """The late clocks (breached or excused) of the jobs received start..end: the rows
    the `breaches` KPI counts (by the job's received day and station, as its facts)."""
    clocks = ClockInstance.objects.filter(
        state__in=(ClockState.BREACHED, ClockState.EXCUSED),
        # No clock of a job starts before the job came in: the (state, started_at)
        # index narrows the scan before the facts pick the jobs of the range.
        started_at__gte=local_day_bounds(start)[0],
        incident__fact__day__gte=start,
        incident__fact__day__lte=end,
    )
    if station is not None:
        clocks = clocks.filter(incident__fact__station=station.pk)
    total = clocks.count()
    rows = []
    for clock in clocks.select_related(
        "definition", "delay_reason", "incident__station", "order"
    ).order_by("due_at", "id")[:BREACH_ROWS]:
        late_until = clock.stopped_at or timezone.now()
        rows.append(
            {
                "clock": clock.pk,
                "incident": clock.incident_id,
                "number": clock.incident.number,
                "order": clock.order.number if clock.order_id else None,
                "clock_code": clock.definition.code,
                "clock_name": clock.definition.name,
                "state": clock.state,
                "started_at": timezone.localtime(clock.started_at).isoformat(),
                "due_at": timezone.localtime(clock.due_at).isoformat(),
                "stopped_at": (
                    timezone.localtime(clock.stopped_at).isoformat() if clock.stopped_at else None
                ),
                "late_s": max(0, int((late_until - clock.due_at).total_seconds())),
                "delay_reason": clock.delay_reason.name if clock.delay_reason_id else "",
                "delay_note": clock.delay_note,
                "excuse_reason": clock.excuse_reason,
                "station": clock.incident.station.code if clock.incident.station_id else None,
                "station_name": (clock.incident.station.name if clock.incident.station_id else ""),
            }
        )
    return {"total": total, "rows": rows}


def _ranking(*, start: date, end: date, filters: dict) -> dict | None:
    result = ranking(scope=SYSTEM_SCOPE, start=start, end=end, level="team", filters=filters)
    if result["scheme"] is None:
        return None
    return {
        **result,
        # The table the report prints; each row's items stay in the data.
        "rows": [
            {
                key: row.get(key)
                for key in (
                    "rank",
                    "code",
                    "name",
                    "score",
                    "vetoed",
                    "previous_rank",
                    "previous_score",
                    "change",
                    "items",
                )
            }
            for row in result["rows"]
        ],
    }


def _comparison(now: dict, before: dict) -> list[dict]:
    rows = []
    for code, kpi in KPIS.items():
        if code not in now:
            continue
        current, previous = kpi_scalar(code, now.get(code)), kpi_scalar(code, before.get(code))
        rows.append(
            {
                "code": code,
                "kind": kpi.kind,
                "current": current,
                "previous": previous,
                "delta": (
                    round(current - previous, 4)
                    if current is not None and previous is not None
                    else None
                ),
                "higher_is_better": kpi.higher_is_better,
            }
        )
    return rows


def report_data(*, kind: str, start: date, end: date, station: Station | None) -> dict:
    """Every section of a report, as `kpi_query` and the ranking give them."""
    filters = {"station": station.code} if station else {}
    query = {"scope": SYSTEM_SCOPE, "start": start, "end": end, "filters": filters}
    before_start, before_end = previous_range(start, end)
    summary = kpi_query(**query)
    previous = kpi_query(**{**query, "start": before_start, "end": before_end})
    level = "team" if station else "station"
    return {
        "version": DATA_VERSION,
        "kind": kind,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "timezone": settings.TIME_ZONE,
        "cohort": summary["cohort"],
        "scope": {
            "station": station.code if station else None,
            "name": station.name if station else _district_name(),
        },
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "previous": {"from": before_start.isoformat(), "to": before_end.isoformat()},
        "summary": summary,
        "previous_summary": previous,
        "comparison": _comparison(only_figures(summary), only_figures(previous)),
        "units": {
            "level": level,
            **kpi_query(**query, group_by=[level], kpis=list(UNIT_KPIS)),
        },
        "categories": kpi_query(**query, group_by=["category"], kpis=list(CATEGORY_KPIS)),
        "hours": kpi_query(**query, group_by=["hour"], kpis=list(HOUR_KPIS)),
        "breaches": _breaches(start=start, end=end, station=station),
        "ranking": _ranking(start=start, end=end, filters=filters),
    }


def _check(kind: str, start: date, end: date) -> None:
    errors = {}
    if kind not in ReportKind.values:
        errors["kind"] = _("Choose daily, weekly or ad hoc.")
    if end < start:
        errors["to"] = _("The end of the range is before its start.")
    elif (end - start).days + 1 > MAX_DAYS:
        errors["to"] = _("A range may span at most %(n)s days.") % {"n": MAX_DAYS}
    elif kind == ReportKind.DAILY and end != start:
        errors["to"] = _("A daily report is one day.")
    elif kind == ReportKind.WEEKLY and (start.weekday() != 0 or (end - start).days != 6):
        errors["from"] = _("A weekly report runs from a Monday to the Sunday after.")
    if errors:
        raise ValidationError(errors)


def report_build(
    *, kind: str, start: date, end: date, station: Station | None = None, actor=None
) -> Report:
    """Compute and store a report of local days start..end for the district or a station.

    With an actor (an ad-hoc report from the dashboard) the scope is the actor's:
    a station chief's report is its station's. Periodic reports (daily, weekly)
    are one per kind, start and station: building one again replaces it.
    """
    _check(kind, start, end)
    if actor is not None:
        station = report_station_for(actor, station)
    # The slow part, outside the transaction: reads only.
    data = report_data(kind=kind, start=start, end=end, station=station)
    fields = {
        "end": end,
        "data": data,
        "created_at": timezone.now(),
        "created_by": actor if actor is not None and actor.is_authenticated else None,
    }
    if kind == ReportKind.ADHOC:
        return _store(
            lambda: Report.objects.create(kind=kind, start=start, station=station, **fields)
        )
    # Built again with the same figures (beat's task delivered twice): nothing to
    # replace and nothing to announce. New figures (late data) do replace it.
    stored = Report.objects.filter(kind=kind, start=start, station=station).first()
    if stored is not None and stored.end == end and stored.data == _as_stored(data):
        return stored
    try:
        return _store(
            lambda: Report.objects.update_or_create(
                kind=kind, start=start, station=station, defaults=fields
            )[0]
        )
    except IntegrityError:
        # Built twice at once: the other one inserted first; replace its figures.
        return _store(
            lambda: Report.objects.update_or_create(
                kind=kind, start=start, station=station, defaults=fields
            )[0]
        )


def _as_stored(data: dict) -> dict:
    """`data` as the JSON field gives it back (dates as text, tuples as lists)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _store(write) -> Report:
    with transaction.atomic():
        report = write()
        event_record(
            kind="report.created",
            subject=report,
            actor=report.created_by,
            payload={
                "kind": report.kind,
                "from": report.start.isoformat(),
                "to": report.end.isoformat(),
                "station": report.data["scope"]["station"],
            },
            station_id=report.station_id,
        )
    return report


def reports_periodic(*, kind: str, start: date, end: date) -> list[int]:
    """The district's report and each station's for one period (beat); idempotent."""
    built = [report_build(kind=kind, start=start, end=end).pk]
    for station in Station.objects.order_by("code"):
        built.append(report_build(kind=kind, start=start, end=end, station=station).pk)
    return built
