"""The demo district's smart-secure sites (智安小区/校园/医院), their sensors, ten days of
heartbeat counts and alarms, the demo sensor gateway key, and the simulator's part
that keeps them alive: heartbeats, sensors dropping out and coming back, and a
stream of alarms, mostly false, some real.

The seed is fixed; the key's value is the README's (demo only: production keys are
made by an administrator and shown once).
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from commandcenter.choices import Role
from commandcenter.exceptions import DomainError
from commandcenter.machine_keys import machine_key_create
from commandcenter.models import MachineKeyKind
from community.choices import (
    AlarmNature,
    AlarmState,
    DismissReason,
    SensorStatus,
    SensorType,
    SiteGrade,
    SiteKind,
)
from community.models import Alarm, Sensor, SensorDay, SmartSite
from community.services import (
    AlarmInput,
    BeatInput,
    alarm_dismiss,
    alarms_record,
    heartbeats_record,
    site_place,
)
from patrol.models import PatrolZone
from patrol.selectors import local_day_bounds

SENSOR_GATEWAY_USER = "sensor-gateway"
# The demo sensor gateway's machine key (README): tsk_<prefix>_<secret>.
DEMO_SENSOR_KEY_PREFIX = "demo0014"
DEMO_SENSOR_KEY_SECRET = "tianshu-demo-sensor-gateway"
DEMO_SENSOR_KEY = f"tsk_{DEMO_SENSOR_KEY_PREFIX}_{DEMO_SENSOR_KEY_SECRET}"

KIND_WEIGHTS = {
    SiteKind.COMPOUND: 60,
    SiteKind.CAMPUS: 14,
    SiteKind.HOSPITAL: 3,
    SiteKind.ENTERPRISE: 13,
    SiteKind.MARKET: 10,
}
GRADE_WEIGHTS = {SiteGrade.ONE: 50, SiteGrade.TWO: 35, SiteGrade.THREE: 15}
NAME_HEADS = (
    "翠苑 文鼎 金色 紫荆 丁桥 景芳 采荷 三塘 濮家 笕桥 闸弄 东园 "
    "南肖 望江 复兴 清泰 湖墅 和睦 大关 德胜 朝晖 潮鸣 长庆 小营"
).split()
NAME_TAILS = {
    SiteKind.COMPOUND: ["新村", "花园", "家园", "小区", "公寓", "苑"],
    SiteKind.CAMPUS: ["小学", "中学", "实验学校", "幼儿园", "职业学校"],
    SiteKind.HOSPITAL: ["社区卫生服务中心", "医院", "中医院"],
    SiteKind.ENTERPRISE: ["科技园", "产业园", "物流园", "大厦"],
    SiteKind.MARKET: ["农贸市场", "商业街", "综合市场"],
}
# Sensors per site by kind: (type, how many low, high).
EQUIPMENT = {
    SiteKind.COMPOUND: [
        (SensorType.CAMERA, 3, 6), (SensorType.ACCESS_GATE, 1, 3), (SensorType.INTRUSION, 1, 3),
        (SensorType.SMOKE, 1, 3), (SensorType.EBIKE_CHARGING, 0, 2), (SensorType.ELEVATOR, 0, 2),
        (SensorType.EMERGENCY_BUTTON, 0, 1),
    ],
    SiteKind.CAMPUS: [
        (SensorType.CAMERA, 4, 7), (SensorType.ACCESS_GATE, 1, 2), (SensorType.INTRUSION, 2, 3),
        (SensorType.SMOKE, 1, 3), (SensorType.EMERGENCY_BUTTON, 1, 2),
    ],
    SiteKind.HOSPITAL: [
        (SensorType.CAMERA, 6, 9), (SensorType.ACCESS_GATE, 2, 3), (SensorType.SMOKE, 2, 4),
        (SensorType.GAS, 1, 2), (SensorType.ELEVATOR, 2, 3), (SensorType.EMERGENCY_BUTTON, 2, 3),
    ],
    SiteKind.ENTERPRISE: [
        (SensorType.CAMERA, 2, 5), (SensorType.ACCESS_GATE, 1, 2), (SensorType.INTRUSION, 1, 2),
        (SensorType.SMOKE, 1, 2), (SensorType.GAS, 0, 1),
    ],
    SiteKind.MARKET: [
        (SensorType.CAMERA, 3, 5), (SensorType.SMOKE, 1, 3), (SensorType.GAS, 1, 2),
        (SensorType.EMERGENCY_BUTTON, 0, 1),
    ],
}  # fmt: skip
VENDORS = ["海康威视", "大华", "宇视", "华为", "天地伟业", "海曼"]
# Heartbeat interval by type (seconds): video devices report more often.
INTERVAL = {SensorType.CAMERA: 60, SensorType.ACCESS_GATE: 60, SensorType.SMOKE: 300,
            SensorType.GAS: 300}  # fmt: skip
DEFAULT_INTERVAL = 120
# What each type raises, with weights: (alarm type, priority, weight, share that is real).
ALARMS = {
    SensorType.CAMERA: [("loitering", 3, 4, 0.05), ("tripwire", 3, 3, 0.05),
                        ("crowd", 3, 1, 0.1), ("video_loss", 4, 2, 0.0)],
    SensorType.ACCESS_GATE: [("tailgating", 3, 3, 0.05)],
    SensorType.INTRUSION: [("intrusion", 2, 1, 0.25), ("intrusion", 4, 3, 0.02)],
    SensorType.SMOKE: [("smoke", 1, 2, 0.1), ("smoke", 3, 2, 0.05)],
    SensorType.GAS: [("gas", 2, 1, 0.15)],
    SensorType.EBIKE_CHARGING: [("ebike_fire", 3, 2, 0.05)],
    SensorType.ELEVATOR: [("elevator_trapped", 2, 1, 0.6)],
    SensorType.EMERGENCY_BUTTON: [("emergency_button", 1, 1, 0.4)],
}  # fmt: skip
DESCRIPTIONS = {
    "intrusion": ["周界红外对射触发", "围墙区域红外入侵", "地下车库入侵报警"],
    "loitering": ["单元门口人员徘徊", "车库出入口徘徊"],
    "tripwire": ["围墙越界", "消防通道越界"],
    "smoke": ["楼道烟感报警", "配电房烟感报警"],
    "gas": ["厨房燃气浓度超限"],
    "ebike_fire": ["电瓶车充电桩温度异常"],
    "elevator_trapped": ["电梯困人"],
    "emergency_button": ["一键报警按钮按下"],
    "tailgating": ["门禁尾随闯闸"],
    "crowd": ["出入口人员聚集"],
    "video_loss": ["视频信号丢失"],
}
ONLINE_RATE = 0.986  # the seeds' 98.63%


def _site_boundary(rng, lat: float, lng: float, kind: str) -> list:
    """A rotated rectangle of a compound's size around its point, as GeoJSON coordinates."""
    half_w, half_h = rng.uniform(60, 160), rng.uniform(50, 130)
    if kind == SiteKind.MARKET:
        half_w, half_h = half_w / 2, half_h / 2
    angle = rng.uniform(0, math.pi)
    ky, kx = 111_320.0, 111_320.0 * math.cos(math.radians(lat))
    ring = []
    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
        x, y = dx * half_w, dy * half_h
        rx, ry = (
            x * math.cos(angle) - y * math.sin(angle),
            x * math.sin(angle) + y * math.cos(angle),
        )
        ring.append([round(lng + rx / kx, 6), round(lat + ry / ky, 6)])
    return [ring]


def _point_in(rng, geometry) -> tuple[float, float]:
    minx, miny, maxx, maxy = geometry.bounds
    for _ in range(50):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geometry.contains(Point(x, y)):
            return y, x
    point = geometry.representative_point()
    return point.y, point.x


def _gb_code(rng, station_index: int, kind_digit: int) -> str:
    """A 20-digit GB/T 28181 code: 330102 (district) + 2 station + 2 sector + 3 type + 7 serial."""
    kind = 131 if kind_digit else 132
    serial = rng.randrange(10**7)
    return f"330102{station_index % 100:02d}{rng.randrange(100):02d}{kind}{serial:07d}"


def demo_sites_seed(*, seed: int = 14, sites: int = 300, history_days: int = 10) -> dict:
    """Sites, sensors, the gateway account and key, and the past days' heartbeats and alarms."""
    rng = random.Random(seed)
    now = timezone.now()
    zones = [(zone, shape(zone.boundary)) for zone in PatrolZone.objects.order_by("code")]
    if not zones:
        return {"sites": 0, "sensors": 0, "days": 0, "alarms": 0, "key": None}
    weights = [3 if zone.area_class == "urban" else 1 for zone, _ in zones]
    officers = {
        u.station_id: u
        for u in get_user_model().objects.filter(role=Role.STATION_CHIEF).order_by("pk")
    }
    made, names = [], set()
    for number in range(1, sites + 1):
        zone, geometry = rng.choices(zones, weights=weights)[0]
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        name = f"{rng.choice(NAME_HEADS)}{rng.choice(NAME_TAILS[kind])}"
        while name in names:
            side = rng.choice(["", "东", "西", "南", "北"])
            name = f"{rng.choice(NAME_HEADS)}{side}{rng.choice(NAME_TAILS[kind])}"
            name = name if name not in names else f"{name}{number}"
        names.add(name)
        lat, lng = _point_in(rng, geometry)
        site = SmartSite(
            code=f"ZA{number:04d}",
            name=name,
            kind=kind,
            grade=rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()))[0],
            address=f"{zone.name}{rng.randint(1, 399)}号",
            lat=lat,
            lng=lng,
            boundary=_site_boundary(rng, lat, lng, kind),
            contact_name=f"{rng.choice('王李张刘陈杨赵黄周吴')}经理",
            contact_phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
        )
        site_place(site)
        site.officer = officers.get(site.station_id)
        made.append(site)
    SmartSite.objects.bulk_create(made)
    sites_by_code = {s.code: s for s in SmartSite.objects.all()}
    station_index = {pk: i for i, pk in enumerate(sorted({s.station_id or 0 for s in made}))}
    installed = local_day_bounds(timezone.localdate(now) - timedelta(days=history_days))[0]
    sensors = []
    for site in sites_by_code.values():
        polygon = shape({"type": "Polygon", "coordinates": site.boundary})
        serial = 0
        for sensor_type, low, high in EQUIPMENT[site.kind]:
            for _ in range(rng.randint(low, high)):
                serial += 1
                lat, lng = _point_in(rng, polygon)
                interval = INTERVAL.get(sensor_type, DEFAULT_INTERVAL)
                video = sensor_type in (SensorType.CAMERA, SensorType.ACCESS_GATE)
                sensors.append(
                    Sensor(
                        site=site,
                        device_id=f"{site.code}-{sensor_type[:3].upper()}-{serial:02d}",
                        gb_code=_gb_code(rng, station_index[site.station_id or 0], video)
                        if video
                        else "",
                        sensor_type=sensor_type,
                        vendor=rng.choice(VENDORS),
                        name=f"{site.name}{SensorType(sensor_type).label}{serial}",
                        lat=lat,
                        lng=lng,
                        heartbeat_seconds=interval,
                        status=SensorStatus.ONLINE,
                        status_since=now - timedelta(days=history_days),
                        last_heartbeat_at=now - timedelta(seconds=rng.uniform(0, interval)),
                        # Counted from the first day of the history the seed writes.
                        installed_at=installed,
                        station_id=site.station_id,
                        post_id=site.post_id,
                        street_id=site.street_id,
                    )
                )
    for sensor in sensors:
        sensor.offline_after = sensor.last_heartbeat_at + timedelta(
            seconds=3 * sensor.heartbeat_seconds
        )
    # A few dead already (weeks without a heartbeat), a few faulty.
    for sensor in rng.sample(sensors, k=max(1, len(sensors) // 120)):
        silent = now - timedelta(hours=rng.uniform(2, 72))
        sensor.status, sensor.status_since = SensorStatus.OFFLINE, silent
        sensor.last_heartbeat_at = silent - timedelta(seconds=3 * sensor.heartbeat_seconds)
        sensor.offline_after = silent
    for sensor in rng.sample(sensors, k=max(1, len(sensors) // 300)):
        sensor.status = SensorStatus.FAULT
    Sensor.objects.bulk_create(sensors, batch_size=1000)
    sensors = list(Sensor.objects.select_related("site"))
    days = _history_days(rng, sensors, now=now, days=history_days)
    alarms = _history_alarms(rng, sensors, now=now, days=history_days)
    key = _gateway_key()
    return {"sites": len(made), "sensors": len(sensors), "days": days, "alarms": alarms, "key": key}


def _history_days(rng, sensors, *, now: datetime, days: int) -> int:
    """Heartbeats per sensor and day for the past days, and for today up to now (the
    simulator's are counted on top): a newcomer sees today's online rate as it would
    be, not the few minutes since the demo started."""
    today = timezone.localdate(now)
    since_midnight = (now - local_day_bounds(today)[0]).total_seconds()
    rows = []
    for offset in range(0, days + 1):
        day = today - timedelta(days=offset)
        for sensor in sensors:
            seconds = since_midnight if offset == 0 else 86400
            expected = int(seconds // sensor.heartbeat_seconds)
            rate = ONLINE_RATE + rng.gauss(0, 0.01)
            if rng.random() < 0.01:
                rate = rng.uniform(0.2, 0.8)  # a device out for part of the day
            rows.append(
                SensorDay(sensor=sensor, day=day, heartbeats=int(expected * min(1.0, rate)))
            )
    SensorDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _alarm_choice(rng, sensor):
    options = ALARMS.get(sensor.sensor_type)
    if not options:
        return None
    return rng.choices(options, weights=[o[2] for o in options])[0]


def _history_alarms(rng, sensors, *, now: datetime, days: int) -> int:
    """Past alarms, as handled: most dismissed as false, some recorded or recovered."""
    alarming = [s for s in sensors if s.sensor_type in ALARMS]
    rows = []
    for _ in range(days * 40):
        sensor = rng.choice(alarming)
        alarm_type, priority, _w, real_share = _alarm_choice(rng, sensor)
        first = now - timedelta(days=rng.uniform(1, days))
        real = rng.random() < real_share
        state, nature, reason = AlarmState.DISMISSED, AlarmNature.FALSE, DismissReason.FALSE_ALARM
        if alarm_type in ("video_loss", "device_fault"):
            state, nature, reason = AlarmState.RECORDED, AlarmNature.UNKNOWN, ""
        elif alarm_type == "smoke" and rng.random() < 0.3:
            state, nature, reason = AlarmState.SUPPRESSED, AlarmNature.UNKNOWN, ""
        elif real:
            state, nature, reason = AlarmState.DISMISSED, AlarmNature.REAL, DismissReason.NO_ACTION
        count = 1 + (rng.random() < 0.3) * rng.randint(1, 4)
        rows.append(
            Alarm(
                sensor=sensor,
                site=sensor.site,
                alarm_type=alarm_type,
                priority=priority,
                description=rng.choice(DESCRIPTIONS.get(alarm_type, [""])),
                first_at=first,
                last_at=first + timedelta(seconds=30 * (count - 1)),
                count=count,
                received_at=first,
                state=state,
                nature=nature,
                dismiss_reason=reason,
                handled_at=first + timedelta(minutes=rng.uniform(1, 8)),
                station_id=sensor.station_id,
                post_id=sensor.post_id,
                street_id=sensor.street_id,
            )
        )
    Alarm.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _gateway_account():
    user, created = get_user_model().objects.get_or_create(
        username=SENSOR_GATEWAY_USER, defaults={"role": Role.GATEWAY, "first_name": "智安网关"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _gateway_key() -> str:
    """The demo sensor gateway's key, the README's value."""
    machine_key_create(
        actor=None,
        name="演示智安感知网关",
        kind=MachineKeyKind.SENSORS,
        user=_gateway_account(),
        fixed=(DEMO_SENSOR_KEY_PREFIX, DEMO_SENSOR_KEY_SECRET),
    )
    return DEMO_SENSOR_KEY


# --- The simulator's part ------------------------------------------------------------------


@dataclass
class SiteSimulator:
    """Heartbeats on time, a few sensors going quiet for a while, and alarms.

    Calls the services as the gateway would (the sensor gateway's account and
    key kind); the review queue's alarms are left to people for a while, then
    dismissed as false alarms so the queue of an unattended demo stays short.
    """

    rng: random.Random
    alarms_per_minute: float = 2.0
    # Of the sensors, this share drops out at a time, for a few minutes.
    dropout_share: float = 0.004
    dropout_minutes: tuple[float, float] = (4, 15)
    review_left_for: timedelta = timedelta(minutes=10)
    next_beat: dict = field(default_factory=dict)
    quiet_until: dict = field(default_factory=dict)
    pending_recovery: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.gateway = _gateway_account()
        self.sensors = list(
            Sensor.objects.exclude(status=SensorStatus.FAULT).select_related("site")
        )
        dead = {s.pk for s in self.sensors if s.status == SensorStatus.OFFLINE}
        now = timezone.now()
        for sensor in self.sensors:
            if sensor.pk in dead:
                continue  # out of order: stays offline in the demo
            self.next_beat[sensor.pk] = now + timedelta(
                seconds=self.rng.uniform(0, sensor.heartbeat_seconds)
            )
        self.by_pk = {s.pk: s for s in self.sensors}
        self.alarming = [s for s in self.sensors if s.sensor_type in ALARMS and s.pk not in dead]

    def tick(self, seconds: float, now: datetime) -> None:
        if not self.sensors:
            return
        self._dropouts(seconds, now)
        self._heartbeats(now)
        self._alarms(seconds, now)
        self._tidy_review(now)

    def _dropouts(self, seconds: float, now: datetime) -> None:
        expected = self.dropout_share * len(self.next_beat) * seconds / 600
        while expected > 0:
            if self.rng.random() < expected:
                pk = self.rng.choice(list(self.next_beat))
                minutes = self.rng.uniform(*self.dropout_minutes)
                self.quiet_until.setdefault(pk, now + timedelta(minutes=minutes))
            expected -= 1

    def _heartbeats(self, now: datetime) -> None:
        due = []
        for pk, at in self.next_beat.items():
            if at > now:
                continue
            sensor = self.by_pk[pk]
            self.next_beat[pk] = at + timedelta(seconds=sensor.heartbeat_seconds)
            if self.next_beat[pk] < now:  # the simulator was away: start again from now
                self.next_beat[pk] = now + timedelta(seconds=sensor.heartbeat_seconds)
            quiet = self.quiet_until.get(pk)
            if quiet is not None and quiet > now:
                continue
            self.quiet_until.pop(pk, None)
            due.append(BeatInput(device=sensor.device_id, time=now))
        for start in range(0, len(due), 500):
            heartbeats_record(
                actor=self.gateway, beats=due[start : start + 500], key_kind="sensors"
            )

    def _alarms(self, seconds: float, now: datetime) -> None:
        items = []
        for entry in list(self.pending_recovery):
            at, item = entry
            if at <= now:
                self.pending_recovery.remove(entry)
                items.append(AlarmInput(**{**item.__dict__, "time": now, "recovered": True}))
        if self.alarming and self.rng.random() < self.alarms_per_minute * seconds / 60:
            sensor = self.rng.choice(self.alarming)
            if self.quiet_until.get(sensor.pk, now) <= now:
                alarm_type, priority, _w, real_share = _alarm_choice(self.rng, sensor)
                item = AlarmInput(
                    device=sensor.device_id,
                    time=now,
                    alarm_type=alarm_type,
                    priority=priority,
                    method=5 if sensor.sensor_type == SensorType.CAMERA else 2,
                    description=self.rng.choice(DESCRIPTIONS.get(alarm_type, [""])),
                )
                items.append(item)
                if self.rng.random() < 0.3:  # the device repeats itself
                    items.append(
                        AlarmInput(**{**item.__dict__, "time": now + timedelta(seconds=1)})
                    )
                if alarm_type == "smoke" and self.rng.random() > real_share:
                    # A detector clearing itself within its hold: suppressed, no job.
                    wait = timedelta(seconds=self.rng.uniform(3, 12))
                    self.pending_recovery.append((now + wait, item))
        if items:
            alarms_record(actor=self.gateway, items=items, key_kind="sensors")

    def _tidy_review(self, now: datetime) -> None:
        stale = Alarm.objects.filter(
            state=AlarmState.REVIEW, received_at__lt=now - self.review_left_for
        ).values_list("pk", flat=True)[:20]
        reviewer = _reviewer()
        for pk in stale:
            try:
                with transaction.atomic():
                    alarm_dismiss(
                        actor=reviewer,
                        alarm_id=pk,
                        reason=DismissReason.FALSE_ALARM,
                        note="模拟复核：视频复核为误报",
                    )
            except (DomainError, Alarm.DoesNotExist):  # someone handled it meanwhile
                continue


def _reviewer():
    user, created = get_user_model().objects.get_or_create(
        username="simulator-review", defaults={"role": Role.DISPATCHER, "first_name": "模拟复核员"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
