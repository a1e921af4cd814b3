"""Writes of smart-secure sites: heartbeats, alarms and what they become.

Heartbeats (`heartbeats_record`) move each sensor's deadline (`offline_after`);
the beat scan (`sensors_scan`) marks the ones past it offline. Both write one
event per status change, so the map and the consoles hear of it.

Alarms (`alarms_record`) go through the pipeline:

1. the same device and type within ALARM_DEDUP_SECONDS counts on the alarm
   already there (`count`, `last_at`), with no new row and no new event;
2. a "recovered" message within ALARM_RECOVERY_SECONDS of the alarm's last
   report suppresses it while it is still pending (held or in review);
3. otherwise the most specific active rule (type × priority × site grade)
   decides: a job, the review queue, or a record only. While the site has an
   open job made from an alarm, a job-worthy alarm attaches to it instead (as a
   repeat call does to its original).

A job-worthy alarm is first *held* until `hold_until` (the rule's hold, 0 s
for an intrusion): the batch promotes those due after its commit, and beat
promotes whatever is left (a crash between the two loses nothing). Promoting
locks the site, so two alarms of one site never make two jobs.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commandcenter.access import POLICE_ROLES, may_report_sensors, visible
from commandcenter.exceptions import ActionForbidden, DomainError
from commandcenter.services import event_record
from community.choices import (
    PENDING_STATES,
    AlarmNature,
    AlarmState,
    AlarmType,
    DismissReason,
    RuleAction,
    SensorStatus,
)
from community.models import Alarm, AlarmRule, Sensor, SensorDay, SmartSite
from community.selectors import alarm_job_open
from incidents.models import Incident
from incidents.services import incident_create_from_sensor
from patrol.zone_index import point_resolve

FUTURE_TOLERANCE = timedelta(minutes=5)
OLDEST_ACCEPTED = timedelta(days=1)
ALARM_CATEGORY = "alarm"
DESCRIPTION_LIMIT = Incident._meta.get_field("description").max_length
# What becomes of a new alarm, by its rule's action.
ACTION_STATE = {
    RuleAction.INCIDENT: AlarmState.HELD,
    RuleAction.REVIEW: AlarmState.REVIEW,
    RuleAction.RECORD: AlarmState.RECORDED,
}


@dataclass(frozen=True)
class BeatInput:
    device: str
    time: datetime
    status: str = SensorStatus.ONLINE


@dataclass(frozen=True)
class AlarmInput:
    device: str
    time: datetime
    alarm_type: str
    priority: int = 3
    method: int | None = None
    type_code: int | None = None
    description: str = ""
    snapshot_url: str = ""
    video_url: str = ""
    recovered: bool = False


@dataclass
class BatchResult:
    accepted: int = 0
    rejected: list[dict] = field(default_factory=list)
    # Per accepted alarm: its index, the alarm's id and state, whether it was a repeat.
    alarms: list[dict] = field(default_factory=list)


def _require_gateway(actor, key_kind: str | None) -> None:
    if not may_report_sensors(actor, key_kind=key_kind):
        raise ActionForbidden(_("Heartbeats and alarms come from a sensor gateway's machine key."))


def _time_errors(moment: datetime, now: datetime) -> dict:
    if moment > now + FUTURE_TOLERANCE:
        return {"time": _("The time is in the future.")}
    if moment < now - OLDEST_ACCEPTED:
        return {"time": _("The time is more than a day old.")}
    return {}


def _locked_sensors(devices, *, with_site: bool = False) -> dict[str, Sensor]:
    """The batch's sensors by device id, locked in id order (no deadlock between batches)."""
    queryset = Sensor.objects.filter(device_id__in=set(devices)).order_by("pk")
    if with_site:
        queryset = queryset.select_related("site")
    return {s.device_id: s for s in queryset.select_for_update(of=("self",))}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def sensor_message(sensor: Sensor) -> dict:
    return {
        "sensor": sensor.pk,
        "device": sensor.device_id,
        "site": sensor.site_id,
        "type": sensor.sensor_type,
        "status": sensor.status,
        "lat": sensor.lat,
        "lng": sensor.lng,
        "last_heartbeat_at": _iso(sensor.last_heartbeat_at),
    }


def _status_event(sensor: Sensor, *, actor=None) -> None:
    event_record(
        kind=f"sensor.{sensor.status}",
        subject=sensor,
        actor=actor,
        payload=sensor_message(sensor),
        **sensor.location,
    )


# --- Heartbeats ------------------------------------------------------------------------


def heartbeats_record(*, actor, beats: list[BeatInput], key_kind: str | None) -> BatchResult:
    """Store a batch of heartbeats: each sensor's newest sets its status and deadline;
    every one counts for its local day's online rate. Unknown devices are refused
    one by one, the rest kept."""
    _require_gateway(actor, key_kind)
    now = timezone.now()
    missed = settings.SENSOR_MISSED_HEARTBEATS
    result = BatchResult()
    with transaction.atomic():
        sensors = _locked_sensors(b.device for b in beats)
        newest: dict[int, BeatInput] = {}
        counts: dict[tuple[int, object], int] = defaultdict(int)
        for index, beat in enumerate(beats):
            errors = _time_errors(beat.time, now)
            sensor = sensors.get(beat.device)
            if sensor is None:
                errors["device"] = _("Unknown device.")
            if beat.status not in (SensorStatus.ONLINE, SensorStatus.FAULT):
                errors["status"] = _("A heartbeat's status is online or fault.")
            if errors:
                result.rejected.append({"index": index, "errors": errors})
                continue
            result.accepted += 1
            counts[(sensor.pk, timezone.localdate(beat.time))] += 1
            if sensor.pk not in newest or beat.time > newest[sensor.pk].time:
                newest[sensor.pk] = beat
        by_pk = {s.pk: s for s in sensors.values()}
        moved, changed = [], []
        for pk, beat in newest.items():
            sensor = by_pk[pk]
            if sensor.last_heartbeat_at is not None and beat.time <= sensor.last_heartbeat_at:
                continue  # late: counts for the day, changes nothing
            sensor.last_heartbeat_at = beat.time
            sensor.offline_after = beat.time + timedelta(seconds=missed * sensor.heartbeat_seconds)
            if sensor.status != beat.status:
                sensor.status, sensor.status_since = beat.status, beat.time
                changed.append(sensor)
            moved.append(sensor)
        _rows_update(
            Sensor, moved, ["status", "status_since", "last_heartbeat_at", "offline_after"]
        )
        _days_add(counts)
        for sensor in changed:
            _status_event(sensor, actor=actor)
    return result


def _rows_update(model, rows: list, fields: list[str]) -> None:
    """Write `fields` of these rows. On PostgreSQL one UPDATE from arrays: bulk_update
    builds a CASE per row and field, and building it was most of a heartbeat batch's
    time (bench/sensors.py)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields, batch_size=500)
        return
    quote = connection.ops.quote_name
    columns = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    names = ", ".join(quote(f.column) for f in columns)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in columns)
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    values = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for row in rows] for f in columns
    ]
    table, pk = quote(model._meta.db_table), quote(columns[0].column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}) "
            f"WHERE {table}.{pk} = v.{pk}",
            values,
        )


def _days_add(counts: dict[tuple[int, object], int]) -> None:
    """Add heartbeats to the sensor days (the sensors are locked: no lost count)."""
    if not counts:
        return
    if connection.vendor == "postgresql":
        # One upsert: the day's row is made by its first heartbeat, added to after.
        keys = sorted(counts)
        table = SensorDay._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (sensor_id, day, heartbeats, online_s) "
                "SELECT v.sensor_id, v.day, v.heartbeats, 0 "
                "FROM unnest(%s::bigint[], %s::date[], %s::integer[]) "
                "AS v(sensor_id, day, heartbeats) "
                f"ON CONFLICT (sensor_id, day) DO UPDATE SET heartbeats = {table}.heartbeats "
                "+ excluded.heartbeats",
                [[pk for pk, _day in keys], [day for _pk, day in keys], [counts[k] for k in keys]],
            )
        return
    days = {day for _pk, day in counts}
    pks = {pk for pk, _day in counts}
    have = {
        (row.sensor_id, row.day): row
        for row in SensorDay.objects.filter(sensor_id__in=pks, day__in=days)
    }
    new, old = [], []
    for (pk, day), count in counts.items():
        row = have.get((pk, day))
        if row is None:
            new.append(SensorDay(sensor_id=pk, day=day, heartbeats=count))
        else:
            row.heartbeats += count
            old.append(row)
    SensorDay.objects.bulk_create(new, batch_size=500)
    SensorDay.objects.bulk_update(old, ["heartbeats"], batch_size=500)


# Sensors marked offline per transaction: each one's event holds the event log's
# ordering lock until commit, so a mass outage must not hold it for seconds.
SCAN_CHUNK = 500


def sensors_scan(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Mark the sensors past their deadline offline (from the time they went silent);
    one event each, SCAN_CHUNK per transaction. Returns how many."""
    now = now or timezone.now()
    marked = 0
    while marked < limit:
        chunk = min(SCAN_CHUNK, limit - marked)
        with transaction.atomic():
            due = list(
                Sensor.objects.filter(~Q(status=SensorStatus.OFFLINE), offline_after__lt=now)
                .order_by("pk")
                .select_for_update(skip_locked=True)[:chunk]
            )
            for sensor in due:
                sensor.status, sensor.status_since = SensorStatus.OFFLINE, sensor.offline_after
            _rows_update(Sensor, due, ["status", "status_since"])
            for sensor in due:
                _status_event(sensor)
        marked += len(due)
        if len(due) < chunk:
            break
    return marked


# --- Alarm rules -----------------------------------------------------------------------


def _specificity(rule: AlarmRule) -> tuple:
    """More specific first: a named type, a priority bound, a grade bound, then the
    tighter bound."""
    return (
        rule.alarm_type == "",
        rule.max_priority is None,
        rule.min_grade is None,
        rule.max_priority or 9,
        -(rule.min_grade or 0),
        rule.pk,
    )


def rules_active() -> list[AlarmRule]:
    return sorted(AlarmRule.objects.filter(active=True), key=_specificity)


def rule_for(rules: list[AlarmRule], *, alarm_type: str, priority: int, grade: int):
    """The rule an alarm falls under (rules in `rules_active` order), or None."""
    for rule in rules:
        if rule.alarm_type not in ("", alarm_type):
            continue
        if rule.max_priority is not None and priority > rule.max_priority:
            continue
        if rule.min_grade is not None and grade < rule.min_grade:
            continue
        return rule
    return None


# --- Alarms ----------------------------------------------------------------------------


def alarm_message(alarm: Alarm) -> dict:
    """What the live map and the review queue need to show an alarm."""
    sensor, site = alarm.sensor, alarm.site
    return {
        "alarm": alarm.pk,
        "type": alarm.alarm_type,
        "type_name": str(AlarmType(alarm.alarm_type).label),
        "priority": alarm.priority,
        "state": alarm.state,
        "count": alarm.count,
        "first_at": _iso(alarm.first_at),
        "site": site.pk,
        "site_name": site.name,
        "device": sensor.device_id,
        "sensor_type": sensor.sensor_type,
        "lat": sensor.lat,
        "lng": sensor.lng,
        "incident": alarm.incident_id,
        "incident_number": alarm.incident.number if alarm.incident_id else None,
    }


def _alarm_event(alarm: Alarm, kind: str, *, actor=None, **extra) -> None:
    event_record(
        kind=f"alarm.{kind}",
        subject=alarm,
        actor=actor,
        payload={**alarm_message(alarm), **extra},
        **alarm.location,
    )


def _open_alarm_jobs(site_ids) -> dict[int, Incident]:
    """Each site's open job made from its alarms (the newest), by site id. A job the
    intake linked as a repeat call of another open one (a neighbouring site's alarm job
    within the repeat radius) is the site's open job while that one is open."""
    jobs = {}
    for alarm in (
        Alarm.objects.filter(alarm_job_open(), site_id__in=set(site_ids))
        .select_related("incident")
        .order_by("site_id", "-incident_id")
    ):
        jobs.setdefault(alarm.site_id, alarm.incident)
    return jobs


def _item_errors(item: AlarmInput, now: datetime) -> dict:
    errors = _time_errors(item.time, now)
    if item.alarm_type not in AlarmType.values:
        errors["type"] = _("Unknown alarm type “%(type)s”.") % {"type": item.alarm_type}
    if not 1 <= item.priority <= 4:
        errors["priority"] = _("Priority is 1 (most urgent) to 4.")
    if item.method is not None and not 1 <= item.method <= 7:
        errors["method"] = _("The GB/T 28181 alarm method is 1 to 7.")
    if item.type_code is not None and not 0 <= item.type_code <= 99:
        errors["type_code"] = _("The GB/T 28181 alarm type is 0 to 99.")
    for name in ("description", "snapshot_url", "video_url"):
        limit = Alarm._meta.get_field(name).max_length
        if len(getattr(item, name)) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    for name in ("snapshot_url", "video_url"):
        value = getattr(item, name)
        if value and not value.startswith(("http://", "https://", "rtsp://")):
            errors[name] = _("An http(s) or rtsp URL is required.")
    return errors


def alarms_record(*, actor, items: list[AlarmInput], key_kind: str | None) -> BatchResult:
    """Take a batch of alarms through deduplication, recovery and the rules (module
    docstring); alarms due for a job now are promoted right after the batch commits."""
    _require_gateway(actor, key_kind)
    now = timezone.now()
    dedup = timedelta(seconds=settings.ALARM_DEDUP_SECONDS)
    recovery = timedelta(seconds=settings.ALARM_RECOVERY_SECONDS)
    result = BatchResult()
    with transaction.atomic():
        sensors = _locked_sensors((i.device for i in items), with_site=True)
        good = []
        for index, item in enumerate(items):
            errors = _item_errors(item, now)
            if item.device not in sensors:
                errors["device"] = _("Unknown device.")
            if errors:
                result.rejected.append({"index": index, "errors": errors})
            else:
                good.append((index, item, sensors[item.device]))
        good.sort(key=lambda entry: (entry[1].time, entry[0]))
        since = now - OLDEST_ACCEPTED - dedup
        latest = _latest_alarms({s.pk for _i, _item, s in good}, since=since)
        jobs = _open_alarm_jobs(s.site_id for _i, _item, s in good)
        rules = rules_active()
        new, touched, outcome = [], {}, {}
        for index, item, sensor in good:
            key = (sensor.pk, item.alarm_type)
            alarm = latest.get(key)
            if item.recovered:
                if alarm is not None and item.time - alarm.last_at <= recovery:
                    alarm.recovered_at = item.time
                    if alarm.state in PENDING_STATES:
                        alarm.state, alarm.hold_until = AlarmState.SUPPRESSED, None
                        # Over: the device's next report of this type is a new alarm, in
                        # this batch as in a later one (_latest_alarms leaves it out).
                        del latest[key]
                    touched[id(alarm)] = alarm
                outcome[index] = (alarm, "recovered")
                continue
            if alarm is not None and abs(item.time - alarm.last_at) <= dedup:
                alarm.count += 1
                alarm.last_at = max(alarm.last_at, item.time)
                touched[id(alarm)] = alarm
                outcome[index] = (alarm, "repeat")
                continue
            previous = alarm
            alarm = _alarm_new(item, sensor, now=now, rules=rules, job=jobs.get(sensor.site_id))
            if previous is None or alarm.last_at >= previous.last_at:
                # The newest live alarm is where the next report counts (a report sent
                # late opens its own alarm but leaves the newer one current).
                latest[key] = alarm
            new.append(alarm)
            outcome[index] = (alarm, "new")
        Alarm.objects.bulk_create(new, batch_size=500)
        stored = [a for a in touched.values() if a.pk is not None]
        _rows_update(Alarm, stored, ["count", "last_at", "recovered_at", "state", "hold_until"])
        if new and connection.vendor == "postgresql":
            # The new alarms' foreign keys are checked at commit, which locks their site
            # and job rows (KEY SHARE) after the events below took the event log's lock;
            # a promotion holds the site and waits for that lock: a deadlock. Check now.
            connection.check_constraints()
        for alarm in new:
            _alarm_event(alarm, "attached" if alarm.state == AlarmState.ATTACHED else "raised")
        for alarm in stored:
            if alarm.state == AlarmState.SUPPRESSED and alarm.recovered_at is not None:
                _alarm_event(alarm, "suppressed")
        due = [a.pk for a in new if a.state == AlarmState.HELD and a.hold_until <= now]
    if due:
        # After the batch's commit, so its rows are there for anyone to see first.
        alarms_promote(due, actor=actor)
        for alarm in Alarm.objects.filter(pk__in=due).only("state", "incident"):
            promoted = next(a for a in new if a.pk == alarm.pk)
            promoted.state, promoted.incident_id = alarm.state, alarm.incident_id
    for index, (alarm, how) in sorted(outcome.items()):
        result.accepted += 1
        result.alarms.append(
            {
                "index": index,
                "alarm": alarm.pk if alarm is not None else None,
                "state": alarm.state if alarm is not None else None,
                "count": alarm.count if alarm is not None else 0,
                "incident": alarm.incident_id if alarm is not None else None,
                "outcome": how,
            }
        )
    return result


def _latest_alarms(sensor_ids, *, since: datetime) -> dict[tuple[int, str], Alarm]:
    """The newest live alarm of each (sensor, type) since `since`: where a repeat counts
    (not a dismissed or recovered one, nor one whose job is closed).

    Locked: the batch writes their state back, and a promotion or a review may be
    changing it meanwhile (they lock the site, then the alarm, never a sensor: the
    batch's order, sensors then their alarms, cannot deadlock with theirs)."""
    latest = {}
    for alarm in (
        Alarm.objects.filter(sensor_id__in=sensor_ids, last_at__gte=since)
        .exclude(state__in=(AlarmState.DISMISSED, AlarmState.SUPPRESSED))
        # An alarm whose job is over is no place to count a new one: it may be a new event.
        .exclude(Q(state__in=(AlarmState.INCIDENT, AlarmState.ATTACHED)) & ~alarm_job_open())
        .select_related("sensor", "site", "incident")
        .order_by("sensor_id", "alarm_type", "-last_at", "-pk")
        .select_for_update(of=("self",))
    ):
        latest.setdefault((alarm.sensor_id, alarm.alarm_type), alarm)
    return latest


def _alarm_new(item: AlarmInput, sensor: Sensor, *, now, rules, job: Incident | None) -> Alarm:
    site = sensor.site
    rule = rule_for(rules, alarm_type=item.alarm_type, priority=item.priority, grade=site.grade)
    action = rule.action if rule is not None else RuleAction.REVIEW
    alarm = Alarm(
        sensor=sensor,
        site=site,
        alarm_type=item.alarm_type,
        priority=item.priority,
        method=item.method,
        type_code=item.type_code,
        description=item.description.strip(),
        snapshot_url=item.snapshot_url,
        video_url=item.video_url,
        first_at=item.time,
        last_at=item.time,
        received_at=now,
        rule=rule,
        state=ACTION_STATE[action],
        station_id=site.station_id,
        post_id=site.post_id,
        street_id=site.street_id,
    )
    if job is not None and action != RuleAction.RECORD:
        alarm.state, alarm.incident, alarm.handled_at = AlarmState.ATTACHED, job, now
    elif action == RuleAction.INCIDENT:
        alarm.hold_until = now + timedelta(seconds=rule.hold_seconds)
    return alarm


def _job_description(alarm: Alarm) -> str:
    text = _("%(type)s alarm at %(site)s, device %(device)s") % {
        "type": AlarmType(alarm.alarm_type).label,
        "site": alarm.site.name,
        "device": alarm.sensor.name or alarm.sensor.device_id,
    }
    return f"{text}: {alarm.description}" if alarm.description else text


def _make_job(alarm: Alarm, *, actor, now) -> None:
    """Attach the alarm to its site's open alarm job, or file a new job from it
    (the site is locked by the caller). Records the alarm's event."""
    job = _open_alarm_jobs([alarm.site_id]).get(alarm.site_id)
    if job is not None:
        alarm.state, alarm.incident = AlarmState.ATTACHED, job
        kind = "attached"
    else:
        category = alarm.rule.category if alarm.rule and alarm.rule.category_id else None
        alarm.incident = incident_create_from_sensor(
            actor=actor,
            category=category.code if category else ALARM_CATEGORY,
            description=_job_description(alarm)[:DESCRIPTION_LIMIT],
            lat=alarm.sensor.lat,
            lng=alarm.sensor.lng,
            address=(alarm.site.address or alarm.site.name)[:200],
            priority=alarm.priority,
        )
        alarm.state = AlarmState.INCIDENT
        kind = "incident"
    alarm.hold_until, alarm.handled_at = None, now
    if actor is not None and actor.is_authenticated:
        alarm.handled_by = actor
    alarm.save(update_fields=["state", "incident", "hold_until", "handled_at", "handled_by"])
    _alarm_event(alarm, kind, actor=actor)


def _locked_alarm(alarm_id: int, states) -> Alarm | None:
    """The alarm, its site locked first (jobs of one site are made one at a time)."""
    site_id = Alarm.objects.filter(pk=alarm_id).values_list("site_id", flat=True).first()
    if site_id is None:
        return None
    SmartSite.objects.select_for_update().filter(pk=site_id).first()
    return (
        Alarm.objects.select_for_update(of=("self",))
        .select_related("sensor", "site", "rule__category", "incident")
        .filter(pk=alarm_id, state__in=states)
        .first()
    )


def alarms_promote(alarm_ids=None, *, actor=None, now: datetime | None = None) -> int:
    """Make jobs of the held alarms whose hold has ended (these ids, or all due);
    each in its own transaction. Returns how many were promoted."""
    now = now or timezone.now()
    due = Alarm.objects.filter(state=AlarmState.HELD, hold_until__lte=now)
    if alarm_ids is not None:
        due = due.filter(pk__in=list(alarm_ids))
    promoted = 0
    for pk in due.order_by("hold_until", "pk").values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            alarm = _locked_alarm(pk, (AlarmState.HELD,))
            if alarm is None:
                continue  # promoted meanwhile, or recovered
            _make_job(alarm, actor=actor, now=now)
            promoted += 1
    return promoted


# --- The review queue ------------------------------------------------------------------


def may_review_alarms(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in POLICE_ROLES)


def _reviewable(actor, alarm_id: int) -> Alarm:
    """The alarm, locked, if the actor reviews alarms, sees this one and it is pending."""
    if not may_review_alarms(actor):
        raise ActionForbidden(_("Alarms are reviewed by the command center and the stations."))
    if not visible(Alarm.objects.filter(pk=alarm_id), actor).exists():
        raise Alarm.DoesNotExist
    alarm = _locked_alarm(alarm_id, PENDING_STATES)
    if alarm is None:
        raise DomainError(_("This alarm has been handled already."))
    return alarm


def alarm_accept(*, actor, alarm_id: int) -> Alarm:
    """Accept an alarm from the review queue as a job (or onto the site's open alarm job)."""
    with transaction.atomic():
        alarm = _reviewable(actor, alarm_id)
        _make_job(alarm, actor=actor, now=timezone.now())
    return alarm


def alarm_dismiss(*, actor, alarm_id: int, reason: str, note: str = "") -> Alarm:
    """Dismiss an alarm from the review queue: 误报, a test, a duplicate, nothing to do."""
    errors = {}
    if reason not in DismissReason.values:
        errors["reason"] = _("Choose why the alarm is dismissed.")
    if len(note) > Alarm._meta.get_field("dismiss_note").max_length:
        errors["note"] = _("At most %(limit)d characters.") % {"limit": 300}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        alarm = _reviewable(actor, alarm_id)
        alarm.state, alarm.hold_until = AlarmState.DISMISSED, None
        alarm.dismiss_reason, alarm.dismiss_note = reason, note.strip()
        alarm.nature = {
            DismissReason.FALSE_ALARM: AlarmNature.FALSE,
            DismissReason.TEST: AlarmNature.TEST,
        }.get(reason, AlarmNature.UNKNOWN)
        alarm.handled_at, alarm.handled_by = timezone.now(), actor
        alarm.save(
            update_fields=[
                "state", "hold_until", "dismiss_reason", "dismiss_note", "nature",
                "handled_at", "handled_by",
            ]
        )  # fmt: skip
        _alarm_event(alarm, "dismissed", actor=actor, reason=reason)
    return alarm


# --- Sites -----------------------------------------------------------------------------


def site_place(site: SmartSite) -> None:
    """Place a site by the zone index (its zone, station, post, street)."""
    placement = point_resolve(lat=site.lat, lng=site.lng)
    site.zone_id = placement.zone_id if placement else None
    site.station_id = placement.station_id if placement else None
    site.post_id = placement.post_id if placement else None
    site.street_id = placement.street_id if placement else None
