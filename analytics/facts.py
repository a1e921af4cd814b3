"""The fact consumer: one interval fact row per job, and the daily rollups, from the event log.

- **Facts.** A job's fact is computed from its whole history (its events in
  sequence order, its clocks, the incident's place), never folded step by
  step: replaying the log from any point recomputes the same rows, and a
  rerun changes nothing. Intervals are "event A → event B" by the events'
  own times (ANALYTICS.md), the cohort is the local day the call came in.
- **Rollups.** Each fact contributes to one row per grain (analytics.measures);
  when a fact changes, the consumer adds its new contribution and takes back
  its old one, as signed deltas upserted in the same transaction as the
  facts and the cursor. `facts_rebuild` truncates both and aggregates the
  rollups from the facts in SQL: the same rows (a test holds them equal).

The consumer runs in the clock tick, after the clock engine, and never reads
past the engine's cursor: a job's clocks are settled for every event its
fact is computed from.
"""

import io
from collections import defaultdict
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.fields.json import KT
from django.utils import timezone

from analytics.choices import ClockState
from analytics.measures import (
    BIN_EDGES,
    BINS,
    COUNTS,
    DIMENSIONS,
    GRAINS,
    INTERVALS,
    MEASURES,
    PERIODS,
    SUMS,
    TEXT_DIMENSIONS,
    bin_of,
)
from analytics.models import (
    ClockCursor,
    ClockDefinition,
    ClockInstance,
    JobFact,
    Rollup,
    UnitDay,
)
from commandcenter.directory import directory
from commandcenter.models import Event
from dispatch.models import Assignment
from incidents.choices import IncidentStatus, Tier
from incidents.models import Incident
from patrol.choices import UnitType
from patrol.models import PatrolZone, PositionFix, Unit
from patrol.selectors import local_day_bounds, track_intervals

INCIDENT_SUBJECT = "incidents.incident"
CURSOR = "facts"
CLOCKS_CURSOR = "events"
# Events read per consumer transaction (a range of sequence numbers).
BATCH = 5000
# Incidents recomputed per query when rebuilding.
REBUILD_CHUNK = 5000

DISPATCHED = "incident.dispatched"
ON_SCENE = "incident.on_scene"
ACKNOWLEDGING = frozenset(
    {"assignment.acknowledged", "assignment.en_route", "assignment.on_scene", ON_SCENE}
)
RESOLVING = frozenset({"incident.resolved", "incident.settled", "incident.referred"})
# Where the police clocks start (again): the call, or its return from the street.
POLICE_START = frozenset({"incident.received", "incident.returned", "incident.unlinked"})
FACT_FIELDS = [f.name for f in JobFact._meta.concrete_fields if not f.primary_key]


# --- Targets --------------------------------------------------------------------


class Targets:
    """The clocks' targets in seconds (ClockDefinition rows), by area class."""

    CODES = {
        "dispatch": "dispatch",
        "ack": "acknowledge",
        "arrival": "arrival",
        "street_accept": "street-accept",
        "street_arrival": "street-arrival",
    }

    def __init__(self) -> None:
        definitions = {
            d.code: d
            for d in ClockDefinition.objects.filter(code__in=self.CODES.values()).only(
                "code", "target_urban_s", "target_suburban_s", "target_rural_s", "target_other_s"
            )
        }
        self._by = {interval: definitions.get(code) for interval, code in self.CODES.items()}

    def of(self, interval: str, area_class: str) -> int | None:
        definition = self._by.get(interval)
        return definition.target_for(area_class or None) if definition else None


# --- Computing facts --------------------------------------------------------------


def _seconds(later: datetime | None, earlier: datetime | None) -> int | None:
    if later is None or earlier is None:
        return None
    return max(0, int(round((later - earlier).total_seconds())))


def _first(events: list[tuple], kinds, after: datetime | None = None) -> tuple | None:
    for event in events:
        if event[1] in kinds and (after is None or event[2] >= after):
            return event
    return None


def _last_before(events: list[tuple], kinds, before: datetime) -> tuple | None:
    found = None
    for event in events:
        if event[2] > before:
            break
        if event[1] in kinds:
            found = event
    return found


def fact_compute(incident: dict, events: list[tuple], clocks: list[tuple], *, targets, teams):
    """The fact of one job from its row, its events (seq, kind, time, first unit sent,
    callback result) and its late clocks (state, delay reason id)."""
    received = incident["received_at"]
    local = timezone.localtime(received)
    zone = directory.get(PatrolZone, incident["zone_id"])
    area_class = zone.area_class if zone else ""
    kinds = {e[1] for e in events}
    tier = incident["tier"]
    fact = JobFact(
        incident_id=incident["id"],
        received_at=received,
        day=local.date(),
        hour=local.hour,
        station=incident["station_id"] or 0,
        post=incident["post_id"] or 0,
        zone=incident["zone_id"] or 0,
        street=incident["street_id"] or 0,
        category=incident["category_id"] or 0,
        tier=tier,
        area_class=area_class,
        priority=incident["priority"] or 0,
        valid=tier != Tier.INVALID,
        repeat=incident["repeat_of_id"] is not None,
        diverted="incident.diverted" in kinds,
        returned="incident.returned" in kinds,
        referred="incident.referred" in kinds,
        transferred=incident["status"] == IncidentStatus.TRANSFERRED,
        street_settled="incident.settled" in kinds,
        last_seq=max((e[0] for e in events), default=0),
    )
    dispatched = _first(events, {DISPATCHED})
    if dispatched is not None:
        fact.dispatched = True
        if dispatched[3]:
            fact.unit = int(dispatched[3])
            fact.team = teams.get(fact.unit) or 0
    on_scene = _first(events, {ON_SCENE})
    acknowledged = dispatched and _first(events, ACKNOWLEDGING, after=dispatched[2])
    fact.acknowledged = bool(acknowledged)
    resolving = _first(events, RESOLVING)
    closed = _first(events, {"incident.closed"})
    fact.resolved = resolving is not None
    fact.completed = resolving is not None or closed is not None
    fact.on_site = bool(
        resolving
        and resolving[1] != "incident.referred"
        and on_scene
        and on_scene[2] <= resolving[2]
    )
    fact.closed_same_day = bool(closed and timezone.localtime(closed[2]).date() == fact.day)
    seconds = {"resolve": _seconds(resolving and resolving[2], received)}
    if tier == Tier.POLICE:
        start = received
        if dispatched is not None:
            restart = _last_before(events, POLICE_START, dispatched[2])
            start = restart[2] if restart and restart[2] > received else received
        seconds["dispatch"] = _seconds(dispatched and dispatched[2], start)
        seconds["ack"] = _seconds(acknowledged and acknowledged[2], dispatched and dispatched[2])
        seconds["arrival"] = _seconds(on_scene and on_scene[2], start)
    diverted = _first(events, {"incident.diverted"})
    accepted = _first(events, {"incident.accepted"})
    if diverted is not None:
        seconds["street_accept"] = _seconds(accepted and accepted[2], diverted[2])
    if tier == Tier.STREET:
        seconds["street_arrival"] = _seconds(on_scene and on_scene[2], accepted and accepted[2])
    for interval in INTERVALS:
        value = seconds.get(interval)
        setattr(fact, f"{interval}_s", value)
        target = targets.of(interval, area_class) if interval != "resolve" else None
        setattr(
            fact, f"{interval}_met", None if value is None or target is None else value <= target
        )
    for event in events:
        if event[1] == "callback.recorded":
            fact.callback = event[4] or ""
    for state, delay_reason_id in clocks:
        fact.breaches += 1
        if state == ClockState.EXCUSED:
            fact.excused += 1
        elif delay_reason_id is None:
            fact.unexplained += 1
    return fact


INCIDENT_COLUMNS = [
    "id",
    "received_at",
    "status",
    "tier",
    "priority",
    "zone_id",
    "station_id",
    "post_id",
    "street_id",
    "category_id",
    "repeat_of_id",
]


def _incident_events(ids: list[int]):
    """(subject id, seq, kind, time, first unit sent, callback result) of the jobs' events,
    in seq order: two values of the payload, not the payload (the rebuild reads every event).

    On PostgreSQL the ids are joined as an array, one index lookup per job: with
    thousands of ids in `IN (…)` the planner scans the whole log instead, once
    per rebuild chunk.
    """
    subject_ids = [str(i) for i in ids]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.subject_id, e.seq, e.kind, e.occurred_at, "
                "e.payload -> 'units' -> 0 ->> 'unit', e.payload ->> 'result' "
                "FROM unnest(%s::text[]) AS s(id) "
                f"JOIN {Event._meta.db_table} e ON e.subject_type = %s AND e.subject_id = s.id "
                "ORDER BY e.seq",
                [subject_ids, INCIDENT_SUBJECT],
            )
            yield from cursor
        return
    yield from (
        Event.objects.filter(subject_type=INCIDENT_SUBJECT, subject_id__in=subject_ids)
        .order_by("seq")
        .values_list(
            "subject_id",
            "seq",
            "kind",
            "occurred_at",
            KT("payload__units__0__unit"),
            KT("payload__result"),
        )
    )


def facts_compute(incident_ids, *, targets=None) -> list[JobFact]:
    """The facts of these jobs, from the log as it is now."""
    ids = sorted(set(incident_ids))
    if not ids:
        return []
    targets = targets or Targets()
    teams = dict(Unit.objects.values_list("pk", "team_id"))
    incidents = Incident.objects.filter(pk__in=ids).values(*INCIDENT_COLUMNS)
    events = defaultdict(list)
    for subject_id, *event in _incident_events(ids):
        events[int(subject_id)].append(tuple(event))
    clocks = defaultdict(list)
    for incident_id, state, reason in ClockInstance.objects.filter(
        incident_id__in=ids, state__in=(ClockState.BREACHED, ClockState.EXCUSED)
    ).values_list("incident_id", "state", "delay_reason_id"):
        clocks[incident_id].append((state, reason))
    return [
        fact_compute(row, events[row["id"]], clocks[row["id"]], targets=targets, teams=teams)
        for row in incidents
    ]


# --- Rollup contributions ----------------------------------------------------------


def contribution(fact: JobFact) -> dict[str, int]:
    """What one fact adds to each of its rollup rows (non-zero columns only)."""
    row = {name: 1 for name, (_sql, test) in COUNTS.items() if test(fact)}
    for name, (_sql, value) in SUMS.items():
        if amount := value(fact):
            row[name] = amount
    for interval in INTERVALS:
        seconds = getattr(fact, f"{interval}_s")
        if seconds is None:
            continue
        row[f"n_{interval}"] = 1
        row[f"sum_{interval}"] = seconds
        if getattr(fact, f"{interval}_met"):
            row[f"met_{interval}"] = 1
        row[f"h_{interval}_{bin_of(seconds)}"] = 1
    return row


def rollup_key(fact: JobFact, grain: str, period: str) -> tuple:
    kept = GRAINS[grain]
    start = fact.day if period == "day" else fact.day.replace(day=1)
    return (grain, period, start) + tuple(
        getattr(fact, d) if d in kept else ("" if d in TEXT_DIMENSIONS else 0) for d in DIMENSIONS
    )


def rollup_deltas(old: list[JobFact], new: list[JobFact]) -> dict[tuple, dict[str, int]]:
    deltas: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for facts, sign in ((old, -1), (new, 1)):
        for fact in facts:
            row = contribution(fact)
            for grain in GRAINS:
                for period in PERIODS:
                    target = deltas[rollup_key(fact, grain, period)]
                    for name, value in row.items():
                        target[name] += sign * value
    return {
        key: {n: v for n, v in delta.items() if v}
        for key, delta in deltas.items()
        if any(delta.values())
    }


ROLLUP_TABLE = Rollup._meta.db_table
KEY_COLUMNS = ["grain", "period", "day", *DIMENSIONS]


def rollups_apply(deltas: dict[tuple, dict[str, int]]) -> None:
    """Upsert signed deltas into the rollups; drop rows left empty."""
    if not deltas:
        return
    columns = KEY_COLUMNS + MEASURES
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    updates = ", ".join(
        f"{connection.ops.quote_name(m)} = {ROLLUP_TABLE}.{connection.ops.quote_name(m)} "
        f"+ excluded.{connection.ops.quote_name(m)}"
        for m in MEASURES
    )
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    rows = [list(key) + [delta.get(m, 0) for m in MEASURES] for key, delta in deltas.items()]
    conflict = ", ".join(connection.ops.quote_name(c) for c in KEY_COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 200):
            chunk = rows[start : start + 200]
            cursor.execute(
                f"INSERT INTO {ROLLUP_TABLE} ({quoted}) VALUES "
                + ", ".join([placeholders] * len(chunk))
                + f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                [value for row in chunk for value in row],
            )
        days = sorted({key[2] for key in deltas})
        cursor.execute(
            f"DELETE FROM {ROLLUP_TABLE} WHERE calls = 0 AND day IN ("
            + ", ".join(["%s"] * len(days))
            + ")",
            days,
        )


# --- The consumer ---------------------------------------------------------------


def facts_apply(incident_ids, *, targets=None) -> int:
    """Recompute these jobs' facts and move their rollup contributions; in the caller's
    transaction. Returns how many facts changed."""
    new = facts_compute(incident_ids, targets=targets)
    old = {
        f.incident_id: f
        for f in JobFact.objects.filter(incident_id__in=[f.incident_id for f in new])
    }
    changed = [f for f in new if _differs(old.get(f.incident_id), f)]
    if not changed:
        return 0
    rollups_apply(
        rollup_deltas([old[f.incident_id] for f in changed if f.incident_id in old], changed)
    )
    JobFact.objects.bulk_create(
        changed, update_conflicts=True, unique_fields=["incident"], update_fields=FACT_FIELDS
    )
    return len(changed)


def _differs(old: JobFact | None, new: JobFact) -> bool:
    if old is None:
        return True
    return any(getattr(old, f) != getattr(new, f) for f in FACT_FIELDS if f != "last_seq") or (
        old.last_seq != new.last_seq
    )


def clocks_settled_upto() -> int:
    """The last event the clock engine is done with: everything up to its cursor, and
    the engine's own clock events after it (it never reads those), up to the next
    event it has still to read."""
    read = (
        ClockCursor.objects.filter(name=CLOCKS_CURSOR).values_list("last_seq", flat=True).first()
        or 0
    )
    unread = (
        Event.objects.filter(seq__gt=read)
        .exclude(kind__startswith="clock.")
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if unread is not None:
        return unread - 1
    return Event.objects.filter(seq__gt=read).aggregate(last=Max("seq"))["last"] or read


def facts_tick(*, batch: int = BATCH) -> int:
    """Read the events after the consumer's cursor (not past the clock engine's) into
    the facts and rollups; returns how many events were read."""
    read = 0
    targets = Targets()
    while True:
        ClockCursor.objects.get_or_create(name=CURSOR)
        with transaction.atomic():
            cursor = ClockCursor.objects.select_for_update().get(name=CURSOR)
            limit = clocks_settled_upto()
            upto = min(limit, cursor.last_seq + batch)
            if upto <= cursor.last_seq:
                return read
            ids = {
                int(i)
                for i in Event.objects.filter(
                    seq__gt=cursor.last_seq, seq__lte=upto, subject_type=INCIDENT_SUBJECT
                ).values_list("subject_id", flat=True)
            }
            facts_apply(ids, targets=targets)
            read += upto - cursor.last_seq
            cursor.last_seq = upto
            cursor.save(update_fields=["last_seq"])


# --- Rebuilding -----------------------------------------------------------------


def aggregate_measures(names=None) -> list[str]:
    """The rollup measures (all, or these) as SQL aggregates over job facts."""
    expressions = {
        name: f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END)" for name, (sql, _) in COUNTS.items()
    }
    expressions |= {name: f"SUM({sql})" for name, (sql, _) in SUMS.items()}
    for interval in INTERVALS:
        column = f"{interval}_s"
        expressions[f"n_{interval}"] = f"SUM(CASE WHEN {column} IS NOT NULL THEN 1 ELSE 0 END)"
        expressions[f"sum_{interval}"] = f"COALESCE(SUM({column}), 0)"
        expressions[f"met_{interval}"] = f"SUM(CASE WHEN {interval}_met THEN 1 ELSE 0 END)"
        for index, low in enumerate(BIN_EDGES):
            high = f" AND {column} < {BIN_EDGES[index + 1]}" if index + 1 < BINS else ""
            expressions[f"h_{interval}_{index}"] = (
                f"SUM(CASE WHEN {column} >= {low}{high} THEN 1 ELSE 0 END)"
            )
    return [f"{expressions[name]} AS {name}" for name in (names or MEASURES)]


def month_start_sql(column: str) -> str:
    """SQL for the first day of the month of a date column."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


# Where the rebuild takes each grain's day rows from: the facts (None), or the day
# rows of a finer grain already built, summed (every measure is a count or a sum,
# so a coarser row is the sum of the finer rows within it). Each grain's month
# rows are the sums of its own day rows. The facts are read twice, not twenty
# times: reading them costs one CASE per measure, over two hundred per fact.
ROLLUP_SOURCES: dict[str, str | None] = {
    "full": None,
    "hour": None,
    "weekhour": "hour",
    "district_weekhour": "weekhour",
    "zone": "full",
    "team": "full",
    "category": "full",
    "post": "zone",
    "street": "zone",
    "station": "post",
    "district_category": "category",
    "district": "station",
}


def weekday_sql(column: str) -> str:
    """SQL for the weekday (Monday 0 … Sunday 6) of a date column."""
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(ISODOW FROM {column}) AS integer) - 1)"
    return f"((CAST(strftime('%%w', {column}) AS integer) + 6) %% 7)"


def _rollup_insert(grain: str, period: str) -> tuple[str, list]:
    """INSERT … SELECT of one grain's rows of one period (see ROLLUP_SOURCES)."""
    columns = ", ".join(connection.ops.quote_name(c) for c in KEY_COLUMNS + MEASURES)
    source = ROLLUP_SOURCES[grain]
    # The columns read: the weekday from the day where the rows read do not keep it.
    from_day = period == "day" and (source is None or "weekday" not in GRAINS[source])
    expression = {d: d for d in DIMENSIONS} | ({"weekday": weekday_sql("day")} if from_day else {})
    kept = [expression[d] for d in DIMENSIONS if d in GRAINS[grain]]
    keys = [
        (expression[d] if d in GRAINS[grain] else ("''" if d in TEXT_DIMENSIONS else "0"))
        + f" AS {d}"
        for d in DIMENSIONS
    ]
    if period == "day" and source is None:
        measures, origin, params = aggregate_measures(), "analytics_jobfact", []
    else:
        quoted = [connection.ops.quote_name(m) for m in MEASURES]
        measures = [f"SUM({m}) AS {m}" for m in quoted]
        origin = f"{ROLLUP_TABLE} WHERE grain = %s AND period = 'day'"
        params = [grain if period == "month" else source]
    day = "day" if period == "day" else month_start_sql("day")
    select = ", ".join(
        [f"'{grain}' AS grain", f"'{period}' AS period", f"{day} AS day", *keys] + measures
    )
    group = ", ".join([day, *kept])
    sql = f"INSERT INTO {ROLLUP_TABLE} ({columns}) SELECT {select} FROM {origin} GROUP BY {group}"
    return sql, params


def rollups_rebuild(grains=None) -> None:
    """Replace the rollups (all, or these grains': their sources are read as they are)
    by aggregating the facts."""
    with connection.cursor() as cursor:
        if grains is None:
            cursor.execute(f"DELETE FROM {ROLLUP_TABLE}")
        else:
            cursor.execute(f"DELETE FROM {ROLLUP_TABLE} WHERE grain IN %s", [tuple(grains)])
        for grain in ROLLUP_SOURCES:  # finer grains first
            if grains is None or grain in grains:
                for period in PERIODS:  # day rows, then the months summed from them
                    cursor.execute(*_rollup_insert(grain, period))


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _facts_insert(facts: list[JobFact]) -> None:
    """Insert new facts: by COPY on PostgreSQL (the rebuild writes millions), else in bulk."""
    if connection.vendor != "postgresql":
        JobFact.objects.bulk_create(facts, batch_size=2000)
        return
    columns = [f.column for f in JobFact._meta.concrete_fields]
    names = [f.attname for f in JobFact._meta.concrete_fields]
    rows = io.StringIO()
    for fact in facts:
        rows.write("\t".join(_copy_value(getattr(fact, name)) for name in names))
        rows.write("\n")
    rows.seek(0)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {JobFact._meta.db_table} ({quoted}) FROM STDIN", rows, size=1 << 20
        )


def facts_rebuild(*, chunk: int = REBUILD_CHUNK, progress=None) -> int:
    """Truncate the facts and rollups and build both again from the log; returns the
    number of facts. Holds the consumer's cursor meanwhile (the tick waits)."""
    ClockCursor.objects.get_or_create(name=CURSOR)
    targets = Targets()
    with transaction.atomic():
        cursor = ClockCursor.objects.select_for_update().get(name=CURSOR)
        upto = clocks_settled_upto()
        JobFact.objects.all().delete()
        last, built = 0, 0
        while True:
            ids = list(
                Incident.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk]
            )
            if not ids:
                break
            facts = facts_compute(ids, targets=targets)
            _facts_insert(facts)
            built += len(facts)
            last = ids[-1]
            if progress:
                progress(built)
        rollups_rebuild()
        cursor.last_seq = upto
        cursor.save(update_fields=["last_seq"])
    return built


# --- Unit days (patrol time, on-duty time) ----------------------------------------


def unit_days_update(day: date) -> int:
    """Recompute the unit days of a local day from the GPS tracks and the assignments.

    On duty: the track's stretches (a terminal reports while its unit is on
    duty); patrolling: the free stretches inside a zone ("有警处警、无警巡逻",
    as patrol.selectors.patrol_time); on jobs: the stretches with a job.
    """
    start, end = local_day_bounds(day)
    frame = track_intervals(PositionFix.objects.all(), start=start, end=end)
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    if not frame.empty:
        for unit, seconds in frame.groupby("unit")["seconds"].sum().items():
            totals[int(unit)]["on_duty_s"] = seconds
        free = frame[~frame["on_job"] & frame["zone"].notna()]
        for unit, seconds in free.groupby("unit")["seconds"].sum().items():
            totals[int(unit)]["patrol_s"] = seconds
        for unit, seconds in frame[frame["on_job"]].groupby("unit")["seconds"].sum().items():
            totals[int(unit)]["on_job_s"] = seconds
    for unit, count in (
        Assignment.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        .values_list("unit_id")
        .annotate(n=Count("id"))
    ):
        totals[unit]["assignments"] = count
    # Volunteers (义警) count their own hours (duty sessions, community.volunteer_selectors),
    # not in the police's patrol time.
    units = {
        u["pk"]: u
        for u in Unit.objects.filter(pk__in=list(totals))
        .exclude(unit_type=UnitType.VOLUNTEER)
        .values("pk", "team_id", "home_station_id", "home_post_id")
    }
    rows = [
        UnitDay(
            day=day,
            unit=unit,
            team=units[unit]["team_id"] or 0,
            station=units[unit]["home_station_id"] or 0,
            post=units[unit]["home_post_id"] or 0,
            **{name: int(round(value)) for name, value in values.items()},
        )
        for unit, values in totals.items()
        if unit in units
    ]
    with transaction.atomic():
        UnitDay.objects.filter(day=day).delete()
        UnitDay.objects.bulk_create(rows)
    return len(rows)
