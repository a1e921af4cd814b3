"""Smart-secure sites at district scale: heartbeat and alarm ingest, dedup, alarm to map,
offline detection.

    .venv/bin/python bench/sensors.py                  # 3,000 sites, 100,000 sensors
    .venv/bin/python bench/sensors.py --quick          # 300 sites, 10,000 sensors, short

Runs on a PostgreSQL cluster and a Redis server of its own (bench.harness.own_services:
spare ports, fsync off, both removed at the end), migrated and seeded with the demo
district, production settings; beside it the production-mode server (Uvicorn ×2), the
event relay, a Celery worker and beat, as tianshu/Procfile runs them.

1. The district: `--sites` sites over the demo district's patrol zones (each placed by
   community.services.site_place), `--sensors` sensors of the usual mix (COPY), all
   online with their last heartbeat within the minute, today's and yesterday's
   heartbeat counts, `--history-days` days of past alarms (`--history-alarms` a day,
   handled long ago), and a sensor gateway's machine key (kind `sensors`).
2. Heartbeats: every sensor once a minute (sensors ÷ 60 a second) from `--gateways`
   gateways, each with its own sites, in batches of `--heartbeat-batch` through
   `POST /api/v1/sensors/heartbeats/` with an Idempotency-Key, each gateway on its own
   schedule (one request at a time, the next due an interval after the last), for
   `--heartbeat-seconds`. A slice of `--silent` sensors has gone quiet: their
   deadlines fall early in the phase, and a district user's websocket on /ws/live/
   times each deadline to its `sensor.offline` (beat's sensors_scan every
   SENSOR_SCAN_SECONDS in the worker).
3. Alarm burst: `--alarm-rate` alarms a second for `--alarm-seconds` through
   `POST /api/v1/alarms/` in batches of `--alarm-batch`: mostly repeats of devices
   still alarming (the same device and type within the dedup window), recoveries of
   detectors that reset, reports a gateway buffered longer than the window, and
   intrusions at a few sites that become jobs (the rest go to review or the record).
   The generator keeps its own record of every (device, type, window) and expects the
   server's answer item by item; afterwards the Alarm rows and their counts must be
   exactly the generator's. Then the same burst again with the heartbeats running.
4. Alarm to map: with the heartbeats running, `--map-alarms` intrusions (priority 1,
   each at a site without an open job, so each becomes a job at once) at `--map-rate`
   a second; from each POST to its `alarm.incident` and `incident.received` on the
   websocket.
5. The scan in-process over all the sensors: sensors_scan() with none due, and with
   5,000 due; and the services alone on a batch (`--profile` prints where the time goes).

Targets (issue 14): heartbeats at one a minute per sensor and an alarm burst of 2,000/s,
both sustained on this 2-core machine; alarm to map p95 ≤ 2 s.
"""

import argparse
import asyncio
import bisect
import io
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

HEARTBEATS_PATH = "/api/v1/sensors/heartbeats/"
ALARMS_PATH = "/api/v1/alarms/"
MAP_TARGET_S = 2.0
US = 1_000_000  # device times are integer microseconds since the epoch (UTC)

# --- The district's sites and sensors --------------------------------------------------

SITE_KINDS = {"compound": 70, "campus": 8, "hospital": 3, "enterprise": 12, "market": 7}
SITE_NAMES = {
    "compound": "{road}{n}号小区",
    "campus": "{road}{n}号学校",
    "hospital": "{road}{n}号医院",
    "enterprise": "{road}{n}号科技园",
    "market": "{road}{n}号农贸市场",
}
# Hospitals and campuses have more sensors than a compound, markets fewer.
SITE_SIZE = {"compound": 1.0, "campus": 1.6, "hospital": 2.2, "enterprise": 1.0, "market": 0.6}
GRADES = {1: 50, 2: 35, 3: 15}
ROADS = ("解放路", "庆春路", "凯旋路", "秋涛路", "望江路", "钱江路", "景芳路", "笕桥路")
SENSOR_MIX = {
    "camera": 40,
    "access_gate": 8,
    "intrusion": 15,
    "smoke": 14,
    "gas": 4,
    "ebike_charging": 8,
    "elevator": 6,
    "emergency_button": 5,
}
# GB/T 28181 device type codes: 132 a network camera, 134 an alarm input device.
GB_TYPE = {"camera": "132"}
VENDORS = ("海康威视", "大华", "宇视", "天地伟业", "华为")
CENTER_CODE = "3301020001"  # 杭州市上城区, the grassroots unit, as a GB/T 28181 code starts
HEARTBEAT_SECONDS = 60
MISSED = 3  # settings.SENSOR_MISSED_HEARTBEATS in the bench's environment

# --- Alarms ----------------------------------------------------------------------------

# What each kind of device reports, with weights.
ALARM_TYPES = {
    "camera": {"loitering": 3, "tripwire": 3, "crowd": 1, "tamper": 0.5, "video_loss": 2},
    "access_gate": {"tailgating": 4, "tamper": 1, "device_fault": 1},
    "intrusion": {"intrusion": 6, "tamper": 1},
    "smoke": {"smoke": 5, "device_fault": 1},
    "gas": {"gas": 3, "device_fault": 1},
    "ebike_charging": {"ebike_fire": 3, "device_fault": 1},
    "elevator": {"elevator_trapped": 2, "device_fault": 2},
    "emergency_button": {"emergency_button": 1},
}
# Priorities of new alarms: at most sites detectors report low (review or record only);
# at the job sites intrusions and the like come urgent, and the rules make them jobs.
PRIORITIES = {"quiet": {3: 0.65, 4: 0.35}, "job": {1: 0.5, 2: 0.3, 3: 0.15, 4: 0.05}}
DESCRIPTIONS = {
    "intrusion": "周界红外对射报警",
    "loitering": "人员徘徊",
    "tripwire": "越界检测",
    "crowd": "人员聚集",
    "tailgating": "尾随闯闸",
    "tamper": "设备防拆报警",
    "video_loss": "视频信号丢失",
    "device_fault": "设备故障",
    "smoke": "烟感报警",
    "gas": "燃气浓度超限",
    "ebike_fire": "电瓶车充电温度异常",
    "elevator_trapped": "电梯困人",
    "emergency_button": "一键报警",
}
GB_METHOD = 2  # GB/T 28181 报警方式: device
GB_TYPE_CODE = {"intrusion": 6, "tripwire": 1, "loitering": 2, "crowd": 9, "video_loss": 1}


def _weighted(rng: random.Random, table):
    """A picker over {choice: weight} or (choice, weight) pairs."""
    pairs = list(table.items() if isinstance(table, dict) else table)
    choices = [choice for choice, _ in pairs]
    cumulative = list(accumulate(weight for _, weight in pairs))
    total = cumulative[-1]
    return lambda: choices[bisect.bisect_right(cumulative, rng.random() * total)]


def iso(us: int) -> str:
    """A device time as a gateway writes it (ISO 8601, UTC, microseconds)."""
    return datetime.fromtimestamp(us / US, tz=UTC).isoformat()


def now_us() -> int:
    return time.time_ns() // 1000


@dataclass
class Site:
    id: int
    code: str
    grade: int
    role: str  # quiet: alarms for review or the record; job: urgent ones too; map: phase 4's
    sensors: list = field(default_factory=list)  # indices into Fleet.devices


@dataclass
class Device:
    id: int
    device: str
    site: int  # index into Fleet.sites
    sensor_type: str


@dataclass
class Fleet:
    sites: list[Site]
    devices: list[Device]

    def gateway_sites(self, gateways: int, *, roles=("quiet", "job", "map")) -> list[list[int]]:
        """Each gateway's sites (site indices): site i is gateway i mod n's."""
        return [
            [i for i, s in enumerate(self.sites) if i % gateways == g and s.role in roles]
            for g in range(gateways)
        ]


# --- Loading the district --------------------------------------------------------------


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        raise ValueError(f"{text!r} would need escaping in COPY's text format")
    return text


def copy_rows(cursor, model, rows: list[dict]) -> None:
    """COPY rows of a model, keyed by column; every column but the id must be given (a
    new column shows here rather than as a default the generator never thought of)."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    if not rows:
        return
    missing = set(columns) - set(rows[0])
    if missing or set(rows[0]) - set(columns):
        raise RuntimeError(
            f"{model._meta.db_table} changed: the bench lacks {sorted(missing)}, the table "
            f"lacks {sorted(set(rows[0]) - set(columns))}"
        )
    text = io.StringIO(
        "".join("\t".join(_copy_text(row[c]) for c in columns) + "\n" for row in rows)
    )
    cursor.copy_expert(
        f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", text, size=1 << 20
    )


def _zone_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Points inside the district's patrol zones, urban zones three times as often."""
    from shapely.geometry import Point, shape

    from patrol.models import PatrolZone

    zones = [(shape(z.boundary), z.area_class) for z in PatrolZone.objects.order_by("pk")]
    if not zones:
        raise RuntimeError("the district has no patrol zones: seed it first")
    pick = _weighted(rng, [(z, 3 if area == "urban" else 1) for z, area in zones])
    points = []
    while len(points) < count:
        zone = pick()
        minx, miny, maxx, maxy = zone.bounds
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if zone.contains(Point(x, y)):
            points.append((round(y, 6), round(x, 6)))
    return points


def fleet_load(
    rng: random.Random,
    *,
    sites: int,
    sensors: int,
    map_sites: int,
    job_share: float,
    now: datetime | None = None,
) -> Fleet:
    """The district's sites (placed by site_place) and sensors, online, with today's and
    yesterday's heartbeat counts. `map_sites` sites with an intrusion detector are kept
    for the alarm-to-map phase; `job_share` of the others are where urgent alarms come."""
    from django.db import connection, transaction
    from django.utils import timezone

    from community.models import Sensor, SensorDay, SmartSite
    from community.services import site_place

    now = now or timezone.now()
    pick_kind, pick_grade = _weighted(rng, SITE_KINDS), _weighted(rng, GRADES)
    pick_type, pick_vendor = _weighted(rng, SENSOR_MIX), _weighted(rng, dict.fromkeys(VENDORS, 1))
    prefix = f"BZA{rng.randrange(16**4):04X}"
    rows = []
    for n, (lat, lng) in enumerate(_zone_points(rng, sites)):
        kind = pick_kind()
        d = 0.0004 * SITE_SIZE[kind]  # a ~40–90 m square around its point
        site = SmartSite(
            code=f"{prefix}-{n:05d}",
            name=SITE_NAMES[kind].format(road=rng.choice(ROADS), n=n + 1),
            kind=kind,
            grade=pick_grade(),
            address=f"{rng.choice(ROADS)}{n + 1}号",
            lat=lat,
            lng=lng,
            boundary=[
                [
                    [lng - d, lat - d],
                    [lng + d, lat - d],
                    [lng + d, lat + d],
                    [lng - d, lat + d],
                    [lng - d, lat - d],
                ]
            ],
            contact_name="物业保安室",
            contact_phone=f"0571-8{rng.randrange(10**6):06d}",
        )
        site_place(site)
        rows.append(site)
    with transaction.atomic():
        SmartSite.objects.bulk_create(rows, batch_size=1000)
        weights = [SITE_SIZE[s.kind] * math.exp(rng.gauss(0, 0.35)) for s in rows]
        scale = sensors / sum(weights)
        counts = [max(3, int(w * scale)) for w in weights]
        for i in range(sensors - sum(counts)):
            counts[i % len(counts)] += 1
        local_now = timezone.localtime(now)
        local_today = local_now.date()
        minutes_today = local_now.hour * 60 + local_now.minute
        sensor_rows, serial = [], 0
        for site, count in zip(rows, counts, strict=True):
            types = [pick_type() for _ in range(count)]
            if "intrusion" not in types:
                types[0] = "intrusion"  # every site has a perimeter detector
            for sensor_type in types:
                serial += 1
                code = f"{CENTER_CODE}{GB_TYPE.get(sensor_type, '134')}{serial:07d}"
                beat = now - timedelta(seconds=rng.uniform(0, HEARTBEAT_SECONDS))
                sensor_rows.append(
                    {
                        "station_id": site.station_id,
                        "post_id": site.post_id,
                        "street_id": site.street_id,
                        "site_id": site.pk,
                        "device_id": code,
                        "gb_code": code,
                        "sensor_type": sensor_type,
                        "vendor": pick_vendor(),
                        "name": f"{site.name} {sensor_type} {serial}",
                        "lat": round(site.lat + rng.uniform(-0.0003, 0.0003), 6),
                        "lng": round(site.lng + rng.uniform(-0.0003, 0.0003), 6),
                        "heartbeat_seconds": HEARTBEAT_SECONDS,
                        "status": "online",
                        "status_since": now - timedelta(days=2),
                        "last_heartbeat_at": beat,
                        "offline_after": beat + timedelta(seconds=MISSED * HEARTBEAT_SECONDS),
                        "installed_at": now - timedelta(days=90),
                    }
                )
        with connection.cursor() as cursor:
            copy_rows(cursor, Sensor, sensor_rows)
            cursor.execute(
                "SELECT s.id, s.device_id, s.site_id, s.sensor_type FROM community_sensor s "
                "WHERE s.site_id = ANY(%s) ORDER BY s.id",
                [[s.pk for s in rows]],
            )
            loaded = cursor.fetchall()
            day_rows = []
            for pk, *_ in loaded:
                for day, beats in (
                    (local_today - timedelta(days=1), 1440),
                    (local_today, minutes_today),
                ):
                    day_rows.append(
                        {"sensor_id": pk, "day": day, "heartbeats": beats, "online_s": beats * 60}
                    )
            copy_rows(cursor, SensorDay, day_rows)
    site_index = {site.pk: i for i, site in enumerate(rows)}
    fleet_sites = [Site(id=s.pk, code=s.code, grade=s.grade, role="quiet") for s in rows]
    devices = []
    for pk, device, site_id, sensor_type in loaded:
        index = site_index[site_id]
        fleet_sites[index].sensors.append(len(devices))
        devices.append(Device(id=pk, device=device, site=index, sensor_type=sensor_type))
    order = list(range(len(fleet_sites)))
    rng.shuffle(order)
    for i in order[:map_sites]:
        fleet_sites[i].role = "map"
    for i in order[map_sites : map_sites + round(job_share * (len(order) - map_sites))]:
        fleet_sites[i].role = "job"
    return Fleet(sites=fleet_sites, devices=devices)


def history_load(rng: random.Random, fleet: Fleet, *, days: int, per_day: int) -> int:
    """Past alarms (handled long ago: dismissed, recorded, recovered), `per_day` a day for
    `days` days before the last hour; a few noisy devices raise most of them."""
    from django.db import connection
    from django.utils import timezone

    from community.models import Alarm

    if not days or not per_day:
        return 0
    now = timezone.now()
    noisy = [rng.randrange(len(fleet.devices)) for _ in range(max(1, len(fleet.devices) // 20))]
    combos = {}
    for sensor_type, types in ALARM_TYPES.items():
        combos[sensor_type] = _weighted(rng, types)
    sites = fleet.sites
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, station_id, post_id, street_id FROM community_smartsite WHERE id = ANY(%s)",
            [[s.id for s in sites]],
        )
        places = {pk: (station, post, street) for pk, station, post, street in cursor.fetchall()}
        for day in range(days):
            rows = []
            for _ in range(per_day):
                device = fleet.devices[
                    rng.choice(noisy) if rng.random() < 0.6 else rng.randrange(len(fleet.devices))
                ]
                site = sites[device.site]
                alarm_type = combos[device.sensor_type]()
                first = now - timedelta(hours=1, days=day, seconds=rng.uniform(0, 86400))
                count = max(1, int(math.exp(rng.gauss(0.5, 1.0))))
                last = first + timedelta(seconds=min(290, 10 * (count - 1)))
                state = rng.choices(("dismissed", "recorded", "suppressed"), (70, 20, 10))[0]
                station, post, street = places[site.id]
                rows.append(
                    {
                        "station_id": station,
                        "post_id": post,
                        "street_id": street,
                        "sensor_id": device.id,
                        "site_id": site.id,
                        "alarm_type": alarm_type,
                        "priority": rng.choice((3, 4)),
                        "method": GB_METHOD,
                        "type_code": GB_TYPE_CODE.get(alarm_type),
                        "description": DESCRIPTIONS[alarm_type],
                        "snapshot_url": "",
                        "video_url": "",
                        "first_at": first,
                        "last_at": last,
                        "count": count,
                        "received_at": first + timedelta(seconds=1),
                        "state": state,
                        "nature": "false" if state == "dismissed" else "",
                        "rule_id": None,
                        "hold_until": None,
                        "recovered_at": last if state == "suppressed" else None,
                        "incident_id": None,
                        "handled_at": last + timedelta(minutes=5) if state == "dismissed" else None,
                        "handled_by_id": None,
                        "dismiss_reason": "false_alarm" if state == "dismissed" else "",
                        "dismiss_note": "",
                    }
                )
            copy_rows(cursor, Alarm, rows)
            written += len(rows)
    return written


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("community_smartsite", "community_sensor", "community_sensorday"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("VACUUM ANALYZE community_alarm")


def gateway_key() -> str:
    """A sensor gateway's machine key, as an administrator makes one."""
    from commandcenter.choices import Role
    from commandcenter.machine_keys import machine_key_create
    from commandcenter.models import MachineKeyKind, User

    account = User.objects.create(username=f"sensor-gw-{os.getpid()}", role=Role.GATEWAY)
    account.set_unusable_password()
    account.save(update_fields=["password"])
    _key, plaintext = machine_key_create(
        actor=None, name="智安网关 (bench)", kind=MachineKeyKind.SENSORS, user=account
    )
    return plaintext


# --- Heartbeats ------------------------------------------------------------------------


class Heartbeats:
    """Each gateway's sensors in a fixed rotation: a batch is the next `size` of them,
    their beats spread over the interval since the gateway's last batch."""

    def __init__(self, fleet: Fleet, rng: random.Random, *, gateways: int, silent=()):
        silent = set(silent)
        self.cycles = []
        for sites in fleet.gateway_sites(gateways):
            devices = [
                fleet.devices[d].device
                for s in sites
                for d in fleet.sites[s].sensors
                if d not in silent
            ]
            rng.shuffle(devices)
            # The JSON of each item up to its time: a batch is joined from these.
            self.cycles.append([f'{{"device":"{d}","time":"' for d in devices])
        self.position = [0] * gateways
        self.sensors = sum(len(c) for c in self.cycles)

    def rate(self) -> float:
        return self.sensors / HEARTBEAT_SECONDS

    def batch(self, gateway: int, now: int, size: int, interval_s: float) -> tuple[bytes, int]:
        cycle = self.cycles[gateway]
        start = self.position[gateway]
        take = [cycle[(start + k) % len(cycle)] for k in range(min(size, len(cycle)))]
        self.position[gateway] = (start + len(take)) % len(cycle)
        step = int(interval_s * US / max(1, len(take)))
        last = len(take) - 1
        parts = [head + iso(now - (last - k) * step) + '"}' for k, head in enumerate(take)]
        return ('{"heartbeats":[' + ",".join(parts) + "]}").encode(), len(take)


# --- The alarm generator and its record ------------------------------------------------


@dataclass
class Episode:
    """One alarm as the server should keep it: a (device, type) within the window."""

    key: tuple[int, str]
    last_at: int
    pending: bool  # review: a recovery within the window suppresses it
    count: int = 1
    suppressed: bool = False


@dataclass
class AlarmItem:
    index: int
    key: tuple[int, str]
    time: int
    priority: int
    recovered: bool


class Alarms:
    """Batches of alarms for each gateway's sites, and what the server must make of them.

    The mix: `repeat_share` repeats of a device still alarming (a chattering detector:
    the same device and type within the dedup window); `recovery_share` recoveries of
    a detector that alarmed in the last recovery window at a quiet site (suppressing
    it if it waits for review, changing nothing if it was recorded only); the rest new
    alarms: a device of one of the gateway's sites and a type its kind reports; at the
    job sites urgent (the rules make jobs of intrusions, emergency buttons…), elsewhere
    only what the rules send to review or the record. `buffered_share` of new alarms
    arrive late, reported longer than the window ago (a gateway's link was down), so the
    device's live reports that follow open a second alarm.

    The record mirrors the pipeline (community.services.alarms_record): per gateway
    batch, items in time order; a report within ALARM_DEDUP_SECONDS of the newest live
    alarm of its device and type counts on it; a recovery within ALARM_RECOVERY_SECONDS
    of it suppresses it if pending, and the next report opens a new one.
    """

    def __init__(
        self,
        fleet: Fleet,
        rng: random.Random,
        *,
        gateways: int,
        rules,
        dedup_s: int,
        recovery_s: int,
        repeat_share: float = 0.72,
        recovery_share: float = 0.06,
        buffered_share: float = 0.03,
    ):
        from community.choices import RuleAction
        from community.services import rule_for

        self.fleet, self.rng = fleet, rng
        self.dedup, self.recovery = dedup_s * US, recovery_s * US
        self.repeat_share, self.recovery_share = repeat_share, recovery_share
        self.buffered_share = buffered_share
        self.sites = fleet.gateway_sites(gateways, roles=("quiet", "job"))
        self.combos: dict[tuple, tuple] = {}
        for sensor_type, types in ALARM_TYPES.items():
            for grade in GRADES:
                for role, priorities in PRIORITIES.items():
                    options, actions = [], {}
                    for alarm_type, weight in types.items():
                        for priority, share in priorities.items():
                            rule = rule_for(
                                rules, alarm_type=alarm_type, priority=priority, grade=grade
                            )
                            action = rule.action if rule is not None else RuleAction.REVIEW
                            if role == "quiet" and action == RuleAction.INCIDENT:
                                continue  # never a job at a quiet site
                            options.append(((alarm_type, priority), weight * share))
                            actions[alarm_type, priority] = action
                    if options:
                        self.combos[sensor_type, grade, role] = (_weighted(rng, options), actions)
        self.review = RuleAction.REVIEW
        self.live: dict[tuple[int, str], Episode] = {}
        self.episodes: list[Episode] = []
        self.priority: dict[tuple[int, str], int] = {}
        self.active = [deque(maxlen=400) for _ in range(gateways)]
        self.recoverable = [deque() for _ in range(gateways)]
        self.sent = Counter()

    def _new(self, gateway: int, now: int):
        fleet = self.fleet
        for _attempt in range(20):
            site = fleet.sites[self.rng.choice(self.sites[gateway])]
            device = self.rng.choice(site.sensors)
            combo = self.combos.get((fleet.devices[device].sensor_type, site.grade, site.role))
            if combo is None:
                continue
            alarm_type, priority = combo[0]()
            key = (device, alarm_type)
            moment = now - self.rng.randrange(US // 2)
            if key not in self.priority and self.rng.random() < self.buffered_share:
                moment = now - self.rng.randrange(self.dedup + 20 * US, self.dedup + 600 * US)
            self.priority.setdefault(key, priority)
            self.active[gateway].append(key)
            if site.role == "quiet":
                self.recoverable[gateway].append((key, now))
            return key, moment
        raise RuntimeError("no site of this gateway raises alarms")

    def batch(self, gateway: int, now: int, size: int) -> tuple[bytes, list[str]]:
        """A batch for `gateway` at `now`, and the outcome expected for each item."""
        rng = self.rng
        recoverable = self.recoverable[gateway]
        while recoverable and recoverable[0][1] < now - self.recovery + 5 * US:
            recoverable.popleft()  # too old to recover by the time it arrives
        items = []
        for index in range(size):
            draw = rng.random()
            recovered = False
            if draw < self.repeat_share and self.active[gateway]:
                key = rng.choice(self.active[gateway])
                moment = now - rng.randrange(US // 2)
            elif draw < self.repeat_share + self.recovery_share and recoverable:
                key, _raised = recoverable.popleft()
                moment, recovered = now - rng.randrange(US // 2), True
                try:
                    self.active[gateway].remove(key)  # the detector has reset
                except ValueError:
                    pass
            else:
                key, moment = self._new(gateway, now)
            items.append(AlarmItem(index, key, moment, self.priority[key], recovered))
        outcomes = self.record(items)
        body = []
        for item in items:
            device, alarm_type = item.key
            entry = {
                "device": self.fleet.devices[device].device,
                "time": iso(item.time),
                "type": alarm_type,
                "priority": item.priority,
                "method": GB_METHOD,
                "description": DESCRIPTIONS[alarm_type],
            }
            if alarm_type in GB_TYPE_CODE:
                entry["type_code"] = GB_TYPE_CODE[alarm_type]
            if item.recovered:
                entry["recovered"] = True
            body.append(entry)
        return json.dumps({"alarms": body}, ensure_ascii=False).encode(), outcomes

    def record(self, items: list[AlarmItem]) -> list[str]:
        """Apply a batch to the record, as the pipeline does; the outcome of each item."""
        outcomes = [""] * len(items)
        for item in sorted(items, key=lambda i: (i.time, i.index)):
            episode = self.live.get(item.key)
            self.sent["recovery" if item.recovered else "alarm"] += 1
            if item.recovered:
                outcomes[item.index] = "recovered"
                if episode is not None and item.time - episode.last_at <= self.recovery:
                    if episode.pending:
                        episode.suppressed = True
                        del self.live[item.key]
                continue
            if episode is not None and abs(item.time - episode.last_at) <= self.dedup:
                episode.count += 1
                episode.last_at = max(episode.last_at, item.time)
                outcomes[item.index] = "repeat"
                continue
            device, alarm_type = item.key
            site = self.fleet.sites[self.fleet.devices[device].site]
            _pick, actions = self.combos[
                self.fleet.devices[device].sensor_type, site.grade, site.role
            ]
            pending = site.role == "quiet" and actions[alarm_type, item.priority] == self.review
            new = Episode(key=item.key, last_at=item.time, pending=pending)
            self.episodes.append(new)
            if episode is None or new.last_at >= episode.last_at:
                self.live[item.key] = new
            outcomes[item.index] = "new"
        return outcomes

    def expected(self) -> dict[tuple[str, str], list[int]]:
        """(device id, type) → the counts of its alarms, as the server must have them."""
        found: dict[tuple[str, str], list[int]] = defaultdict(list)
        for episode in self.episodes:
            device, alarm_type = episode.key
            found[self.fleet.devices[device].device, alarm_type].append(episode.count)
        return {key: sorted(counts) for key, counts in found.items()}


def alarms_check(generator: Alarms, *, since: datetime) -> dict:
    """The Alarm rows of the generator's devices received since `since` against its record."""
    from community.models import Alarm

    devices = {generator.fleet.devices[d].id for d, _type in {e.key for e in generator.episodes}}
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    suppressed = 0
    states = Counter()
    for device, alarm_type, count, state in Alarm.objects.filter(
        received_at__gte=since, sensor_id__in=devices
    ).values_list("sensor__device_id", "alarm_type", "count", "state"):
        found[device, alarm_type].append(count)
        suppressed += state == "suppressed"
        states[state] += 1
    found = {key: sorted(counts) for key, counts in found.items()}
    expected = generator.expected()
    wrong = [key for key in expected.keys() | found.keys() if expected.get(key) != found.get(key)]
    return {
        "rows": sum(len(c) for c in found.values()),
        "rows_expected": sum(len(c) for c in expected.values()),
        "counts": sum(sum(c) for c in found.values()),
        "counts_expected": sum(sum(c) for c in expected.values()),
        "suppressed": suppressed,
        "suppressed_expected": sum(e.suppressed for e in generator.episodes),
        "keys": len(expected),
        "keys_wrong": len(wrong),
        "wrong_example": [(key, expected.get(key), found.get(key)) for key in wrong[:3]],
        "states": dict(states),
        "sent": dict(generator.sent),
    }


def jobs_check(fleet: Fleet, *, since: datetime) -> dict:
    """The jobs made from the burst's alarms: one per site at most (a site's open alarm
    job takes its further alarms), each with the alarm it was made from."""
    from community.models import Alarm

    burst_sites = [s.id for s in fleet.sites if s.role != "map"]
    rows = Alarm.objects.filter(
        received_at__gte=since, site_id__in=burst_sites, incident__isnull=False
    ).values_list("site_id", "incident_id", "state")
    jobs_of: dict[int, set] = defaultdict(set)
    made_by: Counter = Counter()
    alarms = 0
    for site, incident, state in rows:
        jobs_of[site].add(incident)
        made_by[incident] += state == "incident"
        alarms += 1
    return {
        "jobs": sum(len(j) for j in jobs_of.values()),
        "sites": len(jobs_of),
        "alarms": alarms,
        "doubled": {site: sorted(j) for site, j in jobs_of.items() if len(j) > 1},
        # Jobs whose alarms are all "attached": the one that made it lost its state.
        "unmade": sorted(incident for incident, n in made_by.items() if n != 1),
    }


# --- Driving the server ----------------------------------------------------------------


@dataclass
class Sent:
    due: float  # monotonic: when the schedule said
    sent: float
    answered: float
    items: int
    status: int
    accepted: int


async def reopened(connection: harness.Connection) -> None:
    """Uvicorn closes a keep-alive connection idle for 5 s: a gateway that waited longer
    than that between batches connects again, as a real one does."""
    if connection.reader.at_eof():
        connection.close()
        await connection.open()


class Gateways:
    """`count` gateways on keep-alive connections, each sending its next batch one
    interval after the last was due (at once if it is late: one request in flight per
    gateway, as a gateway's uplink does)."""

    def __init__(self, port: int, key: str, *, count: int, path: str, tag: str):
        self.port, self.key, self.count, self.path, self.tag = port, key, count, path, tag
        self.log: list[Sent] = []
        self.errors: list = []
        self.number = 0

    async def run(self, make, *, interval: float, until: float, check=None) -> None:
        started = time.monotonic()

        async def gateway(g: int) -> None:
            connection = harness.Connection(self.port, self.key, scheme="Key")
            await connection.open()
            due = started + interval * g / self.count
            try:
                while due < until:
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    body, context, items = make(g)
                    self.number += 1
                    headers = {"Idempotency-Key": f"{self.tag}-{g}-{self.number}"}
                    await reopened(connection)
                    sent = time.monotonic()
                    status, data = await connection.request("POST", self.path, body, headers)
                    answered = time.monotonic()
                    accepted = 0
                    if status in (200, 400):
                        answer = json.loads(data)
                        accepted = answer.get("accepted", 0)
                        if check is not None:
                            check(context, answer)
                    if status != 200 or accepted != items:
                        self.errors.append((status, data[:300]))
                    self.log.append(Sent(due, sent, answered, items, status, accepted))
                    due += interval
            finally:
                connection.close()

        await asyncio.gather(*(gateway(g) for g in range(self.count)))


def rate_figures(log: list[Sent], *, began: float, seconds: float, rate: float, interval: float):
    """Throughput, request latency and lag behind schedule of a phase's batches."""
    batches = [s for s in log if s.due >= began]
    if not batches:
        return {"accepted": 0, "rate": 0.0, "target": rate, "sustained": False}
    accepted = sum(s.accepted for s in batches)
    ended = max(s.answered for s in batches)
    elapsed = max(seconds, ended - began)
    lag = [s.sent - s.due for s in batches]
    latency = [s.answered - s.sent for s in batches]
    achieved = accepted / elapsed
    return {
        "batches": len(batches),
        "accepted": accepted,
        "items": sum(s.items for s in batches),
        "seconds": elapsed,
        "rate": achieved,
        "target": rate,
        "p50": harness.percentile(latency, 0.5),
        "p95": harness.percentile(latency, 0.95),
        "p99": harness.percentile(latency, 0.99),
        "lag_p95": harness.percentile(lag, 0.95),
        "lag_max": max(lag),
        "interval": interval,
        # Sustained: the rate was met and no gateway ever fell a whole interval behind.
        "sustained": achieved >= 0.97 * rate and max(lag) < interval,
    }


def rate_line(label: str, f: dict) -> str:
    if not f.get("accepted"):
        return f"  {label:<28} nothing accepted"
    verdict = "sustained" if f["sustained"] else "NOT sustained"
    return (
        f"  {label:<28} {f['accepted']:>7,} in {f['seconds']:5.1f} s = {f['rate']:7.0f}/s "
        f"(target {f['target']:.0f}/s, {verdict}); {f['batches']} requests p50 "
        f"{f['p50'] * 1000:6.1f} ms p95 {f['p95'] * 1000:6.1f} ms p99 {f['p99'] * 1000:6.1f} ms;"
        f" behind schedule p95 {f['lag_p95'] * 1000:.0f} ms, max {f['lag_max'] * 1000:.0f} ms "
        f"(interval {f['interval'] * 1000:.0f} ms)"
    )


class Listener:
    """A district user's websocket on /ws/live/: when each event of interest arrived."""

    MARKERS = ('"sensor.offline"', '"alarm.incident"', '"incident.')
    # The first event of a job, as the intake routes it (a repeat call is linked).
    JOB_KINDS = ("incident.received", "incident.linked", "incident.diverted")

    def __init__(self) -> None:
        self.offline: dict[int, tuple[float, str]] = {}  # sensor id → (arrival, event time)
        self.alarm_incident: dict[int, float] = {}  # alarm id → arrival
        self.job_heard: dict[int, tuple[float, str]] = {}  # incident id → (arrival, kind)
        self.frames = 0
        self.ready = asyncio.Event()

    async def run(self, port: int, cookie: str) -> None:
        import websockets

        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/live/",
            additional_headers={"Cookie": f"sessionid={cookie}", "Origin": "http://127.0.0.1"},
            max_queue=None,
            max_size=None,
        ) as socket:
            first = json.loads(await socket.recv())
            if first.get("type") != "hello":
                raise RuntimeError(f"the live stream answered {first}")
            self.ready.set()
            async for raw in socket:
                arrived = time.time()
                self.frames += 1
                if not any(marker in raw for marker in self.MARKERS):
                    continue  # most frames: alarm.raised and the like, not parsed
                message = json.loads(raw)
                for event in message if isinstance(message, list) else [message]:
                    kind = event.get("kind")
                    if kind == "sensor.offline":
                        self.offline.setdefault(
                            int(event["subject"]["id"]), (arrived, event["time"])
                        )
                    elif kind == "alarm.incident":
                        self.alarm_incident.setdefault(int(event["subject"]["id"]), arrived)
                    elif kind in self.JOB_KINDS:
                        self.job_heard.setdefault(int(event["subject"]["id"]), (arrived, kind))


async def map_alarms(port: int, key: str, fleet: Fleet, *, count: int, rate: float) -> list:
    """`count` urgent intrusions, each at its own map site, `rate` a second over two
    connections; (sent wall time, answer item) each."""
    sites = [s for s in fleet.sites if s.role == "map"]
    if len(sites) < count:
        raise RuntimeError(f"only {len(sites)} map sites for {count} alarms")
    posted: list = []
    started = time.monotonic()

    async def sender(lane: int, lanes: int) -> None:
        connection = harness.Connection(port, key, scheme="Key")
        await connection.open()
        try:
            for number in range(lane, count, lanes):
                await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
                site = sites[number]
                device = next(
                    fleet.devices[d] for d in site.sensors
                    if fleet.devices[d].sensor_type == "intrusion"
                )  # fmt: skip
                sent_us = now_us()
                body = {
                    "alarms": [
                        {
                            "device": device.device,
                            "time": iso(sent_us),
                            "type": "intrusion",
                            "priority": 1,
                            "method": GB_METHOD,
                            "type_code": GB_TYPE_CODE["intrusion"],
                            "description": "东门周界红外对射报警",
                        }
                    ]
                }
                await reopened(connection)
                sent = time.time()
                status, data = await connection.request(
                    "POST", ALARMS_PATH, body, {"Idempotency-Key": f"map-{number}"}
                )
                answered = time.time()
                if status != 200:
                    raise RuntimeError(f"alarm answered {status}: {data[:300]!r}")
                posted.append((sent, answered, json.loads(data)["alarms"][0]))
        finally:
            connection.close()

    await asyncio.gather(*(sender(lane, 2) for lane in range(2)))
    return posted


def beats_fresh(fleet: Fleet) -> None:
    """Every sensor's last heartbeat within the last minute, its deadline from that; the
    demo's own sensors (seed_demo's, whose gateway does not run here) offline already,
    so the scan has no work of theirs."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE community_sensor SET status = 'offline', status_since = now() "
            "WHERE NOT (site_id = ANY(%s)) AND status <> 'offline'",
            [[site.id for site in fleet.sites]],
        )
        cursor.execute(
            """
            UPDATE community_sensor AS s
            SET last_heartbeat_at = v.beat, offline_after = v.beat + %s * interval '1 second'
            FROM (SELECT id, now() - random() * %s * interval '1 second' AS beat
                  FROM community_sensor WHERE site_id = ANY(%s)) AS v
            WHERE s.id = v.id
            """,
            [MISSED * HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, [site.id for site in fleet.sites]],
        )


def silence(fleet: Fleet, silent: list[int], *, first_s: float, spread_s: float) -> dict:
    """The silent slice stopped beating: their deadlines from `first_s` to `first_s +
    spread_s` seconds from now. Returns sensor id → deadline (epoch seconds)."""
    from django.db import connection

    now = time.time()
    ids, deadlines = [], {}
    for k, d in enumerate(silent):
        pk = fleet.devices[d].id
        ids.append(pk)
        deadlines[pk] = now + first_s + spread_s * k / max(1, len(silent) - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE community_sensor AS s
            SET offline_after = to_timestamp(v.deadline),
                last_heartbeat_at = to_timestamp(v.deadline) - %s * interval '1 second'
            FROM unnest(%s::bigint[], %s::float8[]) AS v(id, deadline)
            WHERE s.id = v.id
            """,
            [MISSED * HEARTBEAT_SECONDS, ids, [deadlines[pk] for pk in ids]],
        )
    return deadlines


async def run_phases(args, port: int, key: str, cookie: str, fleet: Fleet, rng) -> dict:
    """Phases 2–4 against the running server, with the websocket listening throughout."""
    from django.conf import settings

    from community.services import rules_active

    figures: dict = {}
    listener = Listener()
    listening = asyncio.create_task(listener.run(port, cookie))
    await asyncio.wait_for(listener.ready.wait(), timeout=60)

    quiet = [d for d, device in enumerate(fleet.devices) if fleet.sites[device.site].role != "map"]
    silent = rng.sample(quiet, min(args.silent, len(quiet) // 10))
    beats = Heartbeats(fleet, rng, gateways=args.gateways, silent=silent)
    hb_rate = beats.rate()
    hb_interval = args.gateways * args.heartbeat_batch / hb_rate
    heartbeats = Gateways(port, key, count=args.gateways, path=HEARTBEATS_PATH, tag="hb")

    def beat_batch(g: int):
        body, items = beats.batch(g, now_us(), args.heartbeat_batch, hb_interval)
        return body, None, items

    async def beat_for(seconds: float) -> None:
        await heartbeats.run(beat_batch, interval=hb_interval, until=time.monotonic() + seconds)

    # --- Heartbeats alone, and the silent slice going offline -------------------------
    # The district has been beating all along: every sensor's last beat within the
    # minute, as the rotation will go on from (loading took longer than that).
    await asyncio.to_thread(beats_fresh, fleet)
    # Warm-up, not counted: each worker's first requests (imports, its connection pool).
    await beat_for(max(5.0, 2 * hb_interval))
    warm = len(heartbeats.log)
    deadlines = await asyncio.to_thread(
        silence, fleet, silent, first_s=5.0, spread_s=max(1.0, args.heartbeat_seconds / 2)
    )
    print(
        f"Heartbeats: {beats.sensors:,} sensors once a minute = {hb_rate:.0f}/s from "
        f"{args.gateways} gateways, batches of {args.heartbeat_batch} every "
        f"{hb_interval:.2f} s each, for {args.heartbeat_seconds:g} s; {len(silent):,} sensors "
        f"silent, their deadlines over the first {args.heartbeat_seconds / 2 + 5:.0f} s…",
        flush=True,
    )
    began = time.monotonic()
    await beat_for(args.heartbeat_seconds)
    figures["heartbeats"] = rate_figures(
        heartbeats.log[warm:],
        began=began,
        seconds=args.heartbeat_seconds,
        rate=hb_rate,
        interval=hb_interval,
    )
    print(rate_line("heartbeats", figures["heartbeats"]), flush=True)
    wait_until = max(deadlines.values()) + settings.SENSOR_SCAN_SECONDS * 2 + 10
    while time.time() < wait_until and not deadlines.keys() <= listener.offline.keys():
        await asyncio.sleep(0.5)
    delays = [listener.offline[pk][0] - deadline for pk, deadline in deadlines.items()
              if pk in listener.offline]  # fmt: skip
    recorded = [
        datetime.fromisoformat(listener.offline[pk][1]).timestamp() - deadline
        for pk, deadline in deadlines.items()
        if pk in listener.offline
    ]
    figures["offline"] = {
        "silent": len(deadlines),
        "heard": len(delays),
        "unexpected": len(
            (listener.offline.keys() & {d.id for d in fleet.devices}) - deadlines.keys()
        ),
        "p50": harness.percentile(delays, 0.5),
        "p95": harness.percentile(delays, 0.95),
        "max": max(delays) if delays else float("nan"),
        "scan_p95": harness.percentile(recorded, 0.95),
        "every": settings.SENSOR_SCAN_SECONDS,
    }
    o = figures["offline"]
    print(
        f"  offline: {o['heard']:,} of {o['silent']:,} silent sensors on the map; deadline → "
        f"sensor.offline on the socket p50 {o['p50']:.2f} s, p95 {o['p95']:.2f} s, max "
        f"{o['max']:.2f} s (deadline → event recorded p95 {o['scan_p95']:.2f} s; beat scans "
        f"every {o['every']:g} s); {o['unexpected']} other sensors went offline",
        flush=True,
    )

    # --- The alarm burst, alone and with the heartbeats --------------------------------
    generator = Alarms(
        fleet,
        rng,
        gateways=args.gateways,
        rules=await asyncio.to_thread(rules_active),
        dedup_s=settings.ALARM_DEDUP_SECONDS,
        recovery_s=settings.ALARM_RECOVERY_SECONDS,
    )
    alarm_interval = args.gateways * args.alarm_batch / args.alarm_rate
    alarms = Gateways(port, key, count=args.gateways, path=ALARMS_PATH, tag="alarms")
    mismatches = Counter()

    def alarm_batch(g: int):
        body, outcomes = generator.batch(g, now_us(), args.alarm_batch)
        return body, outcomes, len(outcomes)

    def alarm_check(outcomes, answer) -> None:
        for item in answer.get("alarms", []):
            if item["outcome"] != outcomes[item["index"]]:
                mismatches[outcomes[item["index"]], item["outcome"]] += 1

    figures["burst_since"] = datetime.now(tz=UTC) - timedelta(seconds=1)
    for label, with_beats in (("alarm burst", False), ("alarm burst + heartbeats", True)):
        print(
            f"{label.capitalize()}: {args.alarm_rate:g}/s for {args.alarm_seconds:g} s from "
            f"{args.gateways} gateways, batches of {args.alarm_batch} every "
            f"{alarm_interval:.2f} s each…",
            flush=True,
        )
        began = time.monotonic()
        burst = alarms.run(
            alarm_batch,
            interval=alarm_interval,
            until=began + args.alarm_seconds,
            check=alarm_check,
        )
        if with_beats:
            hb_began = time.monotonic()
            await asyncio.gather(burst, beat_for(args.alarm_seconds))
            figures["burst_heartbeats"] = rate_figures(
                heartbeats.log,
                began=hb_began,
                seconds=args.alarm_seconds,
                rate=hb_rate,
                interval=hb_interval,
            )
        else:
            await burst
        key_name = "burst_combined" if with_beats else "burst"
        figures[key_name] = rate_figures(
            alarms.log,
            began=began,
            seconds=args.alarm_seconds,
            rate=args.alarm_rate,
            interval=alarm_interval,
        )
        print(rate_line("alarms", figures[key_name]), flush=True)
        if with_beats:
            print(rate_line("heartbeats meanwhile", figures["burst_heartbeats"]), flush=True)
        if not with_beats:
            await beat_for(5)  # the rotation catches up before the next phase
    figures["outcome_mismatches"] = dict(mismatches)
    figures["errors"] = {"alarms": alarms.errors, "heartbeats": heartbeats.errors}
    figures["generator"] = generator

    # --- Alarm to map, with the heartbeats running -------------------------------------
    print(
        f"Alarm to map: {args.map_alarms} urgent intrusions at {args.map_rate:g}/s, each "
        "at a site without an open job, heartbeats running…",
        flush=True,
    )
    stop_beats = time.monotonic() + args.map_alarms / args.map_rate + 15
    background = asyncio.create_task(
        heartbeats.run(beat_batch, interval=hb_interval, until=stop_beats)
    )
    await asyncio.sleep(3)
    began = time.monotonic()
    posted = await map_alarms(port, key, fleet, count=args.map_alarms, rate=args.map_rate)
    deadline = time.time() + 15
    wanted = [(sent, item) for sent, _answered, item in posted]

    def all_heard() -> bool:
        return all(
            item["alarm"] in listener.alarm_incident and item["incident"] in listener.job_heard
            for _sent, item in wanted
        )

    while time.time() < deadline and not all_heard():
        await asyncio.sleep(0.2)
    await background
    figures["map_heartbeats"] = rate_figures(
        heartbeats.log,
        began=began,
        seconds=args.map_alarms / args.map_rate,
        rate=hb_rate,
        interval=hb_interval,
    )
    states = Counter(item["state"] for _sent, item in wanted)
    to_alarm = [listener.alarm_incident[i["alarm"]] - s for s, i in wanted
                if i["alarm"] in listener.alarm_incident]  # fmt: skip
    to_job = [listener.job_heard[i["incident"]][0] - s for s, i in wanted
              if i["incident"] in listener.job_heard]  # fmt: skip
    job_kinds = Counter(
        listener.job_heard[i["incident"]][1]
        for _s, i in wanted
        if i["incident"] in listener.job_heard
    )
    answer = [answered - sent for sent, answered, _item in posted]
    figures["map"] = {
        "posted": len(posted),
        "states": dict(states),
        "answer_p50": harness.percentile(answer, 0.5),
        "answer_p95": harness.percentile(answer, 0.95),
        "alarm_p50": harness.percentile(to_alarm, 0.5),
        "alarm_p95": harness.percentile(to_alarm, 0.95),
        "alarm_heard": len(to_alarm),
        "job_p50": harness.percentile(to_job, 0.5),
        "job_p95": harness.percentile(to_job, 0.95),
        "job_max": max(to_job) if to_job else float("nan"),
        "job_heard": len(to_job),
        "job_kinds": dict(job_kinds),
    }
    m = figures["map"]
    print(
        f"  {m['posted']} posted ({', '.join(f'{n} {s}' for s, n in states.items())}); "
        f"POST answered p50 {m['answer_p50'] * 1000:.0f} ms, p95 {m['answer_p95'] * 1000:.0f} ms"
    )
    print(
        f"  POST → the job on the map ({', '.join(f'{n} {k}' for k, n in job_kinds.items())}): "
        f"n={m['job_heard']} p50 {m['job_p50']:.3f} s, "
        f"p95 {m['job_p95']:.3f} s, max {m['job_max']:.3f} s; → alarm.incident: "
        f"n={m['alarm_heard']} p50 {m['alarm_p50']:.3f} s, p95 {m['alarm_p95']:.3f} s"
    )
    print(rate_line("heartbeats meanwhile", figures["map_heartbeats"]), flush=True)
    figures["frames"] = listener.frames
    ours = {device.id for device in fleet.devices}
    figures["offline_unexpected"] = len((listener.offline.keys() & ours) - deadlines.keys())
    listening.cancel()
    await asyncio.gather(listening, return_exceptions=True)
    return figures


# --- In-process: the scan and the services on one batch ---------------------------------


def timed(function, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        function()
        samples.append(time.perf_counter() - began)
    return samples


def scan_timing(fleet: Fleet, rng: random.Random, *, due: int, rounds: int) -> dict:
    """sensors_scan() over every sensor: with none due, and with `due` past their deadline."""
    from django.db import connection
    from django.utils import timezone

    from community.models import Sensor
    from community.services import sensors_scan

    with connection.cursor() as cursor:
        # Everyone beat just now: nothing is due (the bench's run left some offline).
        cursor.execute(
            "UPDATE community_sensor SET status = 'online', last_heartbeat_at = now(), "
            "offline_after = now() + interval '1 hour' WHERE site_id = ANY(%s)",
            [[s.id for s in fleet.sites]],
        )
        cursor.execute("VACUUM ANALYZE community_sensor")
    total = Sensor.objects.count()
    timed(sensors_scan, 5)
    idle = timed(sensors_scan, rounds)
    busy = []
    ids = [fleet.devices[d].id for d in rng.sample(range(len(fleet.devices)), due)]
    for _ in range(3):
        # Committed, as in the worker (events rolled back would leave dead rows that
        # every later append's numbering steps over).
        Sensor.objects.filter(pk__in=ids).update(
            status="online", offline_after=timezone.now() - timedelta(seconds=5)
        )
        began = time.perf_counter()
        marked = sensors_scan(limit=due)
        busy.append(time.perf_counter() - began)
        if marked != due:
            raise RuntimeError(f"the scan marked {marked} of {due}")
    return {"sensors": total, "idle": idle, "busy": busy, "due": due}


def services_timing(fleet: Fleet, rng: random.Random, key_user, *, size: int, profile: bool):
    """heartbeats_record and alarms_record alone on batches of `size` (committed, as the
    API does: they are the last writes of the bench)."""
    import cProfile
    import pstats

    from django.utils import timezone

    from community.services import AlarmInput, BeatInput, alarms_record, heartbeats_record

    def beats():
        now = timezone.now()
        devices = rng.sample(fleet.devices, size)
        return [BeatInput(device=d.device, time=now) for d in devices]

    def alarms():
        now = timezone.now()
        quiet = [d for d in fleet.devices if fleet.sites[d.site].role == "quiet"]
        picked = rng.sample(quiet, size // 4)
        return [
            AlarmInput(device=d.device, time=now, alarm_type="tamper", priority=4)
            for d in rng.choices(picked, k=size)
        ]

    results = {}
    for label, make, call in (
        ("heartbeats_record", beats, lambda items: heartbeats_record(
            actor=key_user, beats=items, key_kind="sensors")),
        ("alarms_record", alarms, lambda items: alarms_record(
            actor=key_user, items=items, key_kind="sensors")),
    ):  # fmt: skip
        samples = []
        for round_ in range(12):
            items = make()
            profiler = cProfile.Profile() if profile and round_ == 11 else None
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            call(items)
            if profiler:
                profiler.disable()
            samples.append(time.perf_counter() - began)
            if profiler:
                print(f"  profile of {label} on {size} items (cumulative, top 18):")
                stream = io.StringIO()
                pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(18)
                for row in stream.getvalue().splitlines():
                    if row.strip():
                        print("    " + row[:150])
        results[label] = samples[2:]
    return results


django_setup = harness.django_setup


def summary(figures: dict, args) -> None:
    print("Summary (issue 14):")
    print(
        f"  district: {figures['sites']:,} sites, {figures['sensors']:,} sensors, "
        f"{figures['history']:,} past alarms (and the demo's {figures['demo'][0]:,} sites, "
        f"{figures['demo'][1]:,} sensors); Uvicorn ×{args.workers}, relay, Celery worker and "
        "beat on this machine's cores"
    )
    for label, key in (
        ("heartbeats", "heartbeats"),
        ("alarm burst", "burst"),
        ("alarm burst + heartbeats", "burst_combined"),
        ("  heartbeats during it", "burst_heartbeats"),
        ("heartbeats during map", "map_heartbeats"),
    ):
        if key in figures:
            print(rate_line(label, figures[key]))
    check = figures["check"]
    exact = (
        not figures["jobs"]["doubled"]
        and not figures["jobs"]["unmade"]
        and check["rows"] == check["rows_expected"]
        and check["counts"] == check["counts_expected"]
        and not check["keys_wrong"]
        and check["suppressed"] == check["suppressed_expected"]
        and not figures["outcome_mismatches"]
    )
    print(
        f"  dedup: {check['sent'].get('alarm', 0):,} alarms and "
        f"{check['sent'].get('recovery', 0):,} recoveries sent → Alarm rows {check['rows']:,} "
        f"(expected {check['rows_expected']:,}), "
        f"sum of counts {check['counts']:,} (expected {check['counts_expected']:,}), suppressed "
        f"{check['suppressed']:,} (expected {check['suppressed_expected']:,}), "
        f"{check['keys_wrong']} of {check['keys']:,} (device, type) differ, item outcomes "
        f"differing {sum(figures['outcome_mismatches'].values())}: "
        f"{'CORRECT' if exact else 'WRONG'}"
    )
    if not exact:
        print(f"    e.g. {check['wrong_example']} {figures['outcome_mismatches']}")
    jobs = figures["jobs"]
    print(
        f"    states: {check['states']}; jobs made in the burst: {jobs['jobs']} at "
        f"{jobs['sites']} sites ({jobs['alarms']} alarms on them); sites with more than one "
        f"job: {jobs['doubled'] or 'none'}; jobs without the one alarm that made them: "
        f"{jobs['unmade'] or 'none'}"
    )
    m = figures["map"]
    print(
        f"  alarm to map (POST → the job's first event on the socket): p50 {m['job_p50']:.3f} s, "
        "p95 "
        f"{m['job_p95']:.3f} s of {m['job_heard']}/{m['posted']}; target p95 ≤ 2 s: "
        f"{'met' if m['job_p95'] <= MAP_TARGET_S and m['job_heard'] == m['posted'] else 'MISSED'}"
    )
    errors = figures["errors"]
    failed = errors["alarms"] + errors["heartbeats"]
    print(
        f"  requests not answered 200 with every item accepted: alarms "
        f"{len(errors['alarms'])}, heartbeats {len(errors['heartbeats'])}"
        f"{' e.g. ' + repr(failed[0]) if failed else ''}"
        f"; deadlocks in the database: {figures['deadlocks']}"
    )
    o = figures["offline"]
    print(
        f"  offline: deadline → on the map p95 {o['p95']:.2f} s (scan every {o['every']:g} s), "
        f"{o['heard']:,}/{o['silent']:,} heard; other sensors offline during the whole run: "
        f"{figures['offline_unexpected']}"
    )
    scan = figures["scan"]
    print(
        f"  sensors_scan() over {scan['sensors']:,} sensors: none due p50 "
        f"{harness.percentile(scan['idle'], 0.5) * 1000:.2f} ms, p95 "
        f"{harness.percentile(scan['idle'], 0.95) * 1000:.2f} ms; {scan['due']:,} due p50 "
        f"{harness.percentile(scan['busy'], 0.5) * 1000:.0f} ms"
    )
    for label, samples in figures["services"].items():
        print(
            f"  {label}() alone on {args.service_batch} items: p50 "
            f"{harness.percentile(samples, 0.5) * 1000:.0f} ms, p95 "
            f"{harness.percentile(samples, 0.95) * 1000:.0f} ms"
        )
    rates = [figures[k]["sustained"] for k in ("heartbeats", "burst") if k in figures]
    print(
        f"  targets: heartbeats {figures['heartbeats']['target']:.0f}/s "
        f"{'sustained' if figures['heartbeats']['sustained'] else 'NOT sustained'}, alarms "
        f"{args.alarm_rate:g}/s {'sustained' if figures['burst']['sustained'] else 'NOT sustained'}"
        f"{' (both together: ' + ('sustained' if figures['burst_combined']['sustained'] and figures['burst_heartbeats']['sustained'] else 'NOT sustained') + ')' if 'burst_combined' in figures else ''}"  # noqa: E501
        f"; all: {'met' if all(rates) and exact and not figures['deadlocks'] else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=3000)
    parser.add_argument("--sensors", type=int, default=100_000)
    parser.add_argument("--map-sites", type=int, default=200, help="sites kept for phase 4")
    parser.add_argument("--job-share", type=float, default=0.02, help="of sites: urgent alarms")
    parser.add_argument("--history-days", type=int, default=30)
    parser.add_argument("--history-alarms", type=int, default=20_000, help="past alarms a day")
    parser.add_argument("--gateways", type=int, default=4)
    parser.add_argument("--heartbeat-batch", type=int, default=500)
    parser.add_argument("--heartbeat-seconds", type=float, default=60.0)
    parser.add_argument("--silent", type=int, default=1000, help="sensors that stop beating")
    parser.add_argument("--alarm-rate", type=float, default=2000.0)
    parser.add_argument("--alarm-batch", type=int, default=500)
    parser.add_argument("--alarm-seconds", type=float, default=30.0)
    parser.add_argument("--map-alarms", type=int, default=100)
    parser.add_argument("--map-rate", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2, help="Uvicorn workers")
    parser.add_argument("--service-batch", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="cProfile the services")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--quick", action="store_true", help="300 sites, 10,000 sensors, short")
    args = parser.parse_args()
    if args.quick:
        args.sites, args.sensors, args.map_sites = 300, 10_000, 40
        args.history_days, args.history_alarms = 3, 5000
        args.heartbeat_seconds, args.alarm_seconds, args.silent = 20.0, 10.0, 100
        args.alarm_rate, args.map_alarms, args.map_rate = 500.0, 20, 2.0
        args.heartbeat_batch, args.alarm_batch = 100, 100
    rng = random.Random(args.seed)
    figures: dict = {}
    with harness.own_services(settings={"max_wal_size": "4GB"}) as services:
        print(
            "Own PostgreSQL (fsync off) and Redis: "
            f"{services['DATABASE_URL']} {services['REDIS_URL']}",
            flush=True,
        )
        print("Preparing the bench database (fresh, demo district)…", flush=True)
        harness.prepare_database("--history-days", "1")
        django_setup()
        from django.contrib.auth import get_user_model

        began = time.monotonic()
        fleet = fleet_load(
            rng,
            sites=args.sites,
            sensors=args.sensors,
            map_sites=args.map_sites,
            job_share=args.job_share,
        )
        figures["sites"], figures["sensors"] = len(fleet.sites), len(fleet.devices)
        from community.models import Sensor, SmartSite

        # seed_demo's own sites and sensors are there too (they send no heartbeats here).
        figures["demo"] = (
            SmartSite.objects.count() - len(fleet.sites),
            Sensor.objects.count() - len(fleet.devices),
        )
        figures["history"] = history_load(
            rng, fleet, days=args.history_days, per_day=args.history_alarms
        )
        analyze()
        key = gateway_key()
        cookie = harness.login_session()
        roles = Counter(s.role for s in fleet.sites)
        print(
            f"Loaded {len(fleet.sites):,} sites ({roles['quiet']:,} quiet, {roles['job']} with "
            f"urgent alarms, {roles['map']} for the map phase), {len(fleet.devices):,} sensors, "
            f"{figures['history']:,} past alarms in {time.monotonic() - began:.0f} s",
            flush=True,
        )
        from django.db import connection

        connection.close()
        with (
            harness.relay_process(),
            harness.production_server(workers=args.workers) as port,
            harness.celery_processes(concurrency=2),
        ):
            time.sleep(3)  # beat's first ticks, the workers' imports
            figures.update(asyncio.run(run_phases(args, port, key, cookie, fleet, rng)))
        generator = figures.pop("generator")
        figures["check"] = alarms_check(generator, since=figures["burst_since"])
        figures["jobs"] = jobs_check(fleet, since=figures["burst_since"])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
            )
            figures["deadlocks"] = cursor.fetchone()[0]
        print("In-process: the scan and the services alone…", flush=True)
        figures["scan"] = scan_timing(fleet, rng, due=min(5000, len(fleet.devices) // 2), rounds=60)
        account = get_user_model().objects.filter(role="gateway").order_by("-pk").first()
        figures["services"] = services_timing(
            fleet, rng, account, size=args.service_batch, profile=args.profile
        )
    summary(figures, args)


if __name__ == "__main__":
    main()
