"""bench/sensors.py at a tiny size: the district it loads is what the services make, its
heartbeat batches are accepted whole, and its alarm generator's record of every (device,
type, window) is exactly what the pipeline keeps, item by item and row by row."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from bench.sensors import (
    HEARTBEATS_PATH,
    Alarms,
    Heartbeats,
    Sent,
    alarms_check,
    beats_fresh,
    fleet_load,
    gateway_key,
    history_load,
    jobs_check,
    now_us,
    rate_figures,
    silence,
)
from commandcenter.models import Event
from community.choices import SensorStatus
from community.models import Sensor, SensorDay, SmartSite
from community.services import rules_active, sensors_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(district):
    fleet = fleet_load(random.Random(1), sites=12, sensors=160, map_sites=2, job_share=0.25)
    history_load(random.Random(2), fleet, days=1, per_day=40)
    return fleet


@pytest.fixture
def gateway(district):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {gateway_key()}")
    return client


def test_the_district_is_placed_online_and_counted(fleet):
    assert len(fleet.sites) == 12 and len(fleet.devices) == 160
    assert not SmartSite.objects.filter(station__isnull=True).exists()
    sensors = Sensor.objects.filter(site_id__in=[s.id for s in fleet.sites])
    assert sensors.count() == 160
    assert set(sensors.values_list("status", flat=True)) == {SensorStatus.ONLINE}
    for sensor in sensors.select_related("site")[:20]:
        assert (sensor.station_id, sensor.street_id) == (
            sensor.site.station_id,
            sensor.site.street_id,
        )
    assert SensorDay.objects.count() == 320  # today and yesterday
    assert {s.role for s in fleet.sites} == {"quiet", "job", "map"}
    assert all(
        any(fleet.devices[d].sensor_type == "intrusion" for d in s.sensors) for s in fleet.sites
    )


def test_heartbeat_batches_are_accepted_whole(fleet, gateway):
    silent = [fleet.devices[d].id for d in (0, 1)]
    before = dict(Sensor.objects.filter(pk__in=silent).values_list("pk", "last_heartbeat_at"))
    beats = Heartbeats(fleet, random.Random(3), gateways=2, silent=(0, 1))
    assert beats.sensors == 158
    sent = datetime.now(tz=UTC)
    for gateway_number in (0, 1, 0, 1):  # twice 50 of each gateway's ~79: all of them
        body, items = beats.batch(gateway_number, now_us(), 50, 1.0)
        response = gateway.post(HEARTBEATS_PATH, data=body, content_type="application/json")
        assert response.status_code == 200
        assert response.data == {"accepted": items, "rejected": []}
    beaten = Sensor.objects.filter(last_heartbeat_at__gte=sent - timedelta(seconds=2))
    assert set(beaten.values_list("pk", flat=True)) == {d.id for d in fleet.devices} - set(silent)
    assert dict(Sensor.objects.filter(pk__in=silent).values_list("pk", "last_heartbeat_at")) == (
        before
    )


def test_the_silent_sensors_and_only_they_go_offline(fleet):
    silent = [3, 40, 90]
    Sensor.objects.update(offline_after=datetime.now(tz=UTC))  # loaded long ago
    beats_fresh(fleet)
    assert sensors_scan() == 0
    deadlines = silence(fleet, silent, first_s=-30.0, spread_s=10.0)
    assert sensors_scan() == 3
    offline = Sensor.objects.filter(status=SensorStatus.OFFLINE)
    assert set(offline.values_list("pk", flat=True)) == set(deadlines)
    assert Event.objects.filter(kind="sensor.offline").count() == 3


def test_the_alarm_generator_knows_what_the_pipeline_keeps(fleet, gateway):
    since = datetime.now(tz=UTC) - timedelta(seconds=1)
    generator = Alarms(
        fleet,
        random.Random(5),
        gateways=2,
        rules=rules_active(),
        dedup_s=settings.ALARM_DEDUP_SECONDS,
        recovery_s=settings.ALARM_RECOVERY_SECONDS,
        recovery_share=0.15,
        buffered_share=0.1,
    )
    start = now_us() - 60_000_000
    outcomes_seen = set()
    for number in range(12):
        body, outcomes = generator.batch(number % 2, start + number * 5_000_000, 40)
        response = gateway.post("/api/v1/alarms/", data=body, content_type="application/json")
        assert response.status_code == 200, response.data
        assert response.data["rejected"] == []
        assert [a["outcome"] for a in response.data["alarms"]] == outcomes
        outcomes_seen.update(outcomes)
    assert outcomes_seen == {"new", "repeat", "recovered"}
    check = alarms_check(generator, since=since)
    assert check["keys_wrong"] == 0, check["wrong_example"]
    assert check["rows"] == check["rows_expected"] > 0
    assert check["counts"] == check["counts_expected"] == check["sent"]["alarm"]
    assert check["suppressed"] == check["suppressed_expected"] > 0
    assert check["rows"] < check["counts"]  # repeats counted, not multiplied
    jobs = jobs_check(fleet, since=since)
    assert jobs["jobs"] == jobs["sites"] > 0 and not jobs["doubled"] and not jobs["unmade"]
    sent = json.loads(body)["alarms"]
    assert {item["device"] for item in sent} <= {d.device for d in fleet.devices}


def test_a_phase_is_sustained_only_if_it_kept_its_schedule():
    on_time = [Sent(due=k, sent=k, answered=k + 0.2, items=100, status=200, accepted=100)
               for k in range(10)]  # fmt: skip
    figures = rate_figures(on_time, began=0.0, seconds=10.0, rate=100.0, interval=1.0)
    assert figures["sustained"] and figures["rate"] == pytest.approx(100.0)
    late = [Sent(due=k, sent=k * 1.5, answered=k * 1.5 + 1.4, items=100, status=200, accepted=100)
            for k in range(10)]  # fmt: skip
    figures = rate_figures(late, began=0.0, seconds=10.0, rate=100.0, interval=1.0)
    assert not figures["sustained"] and figures["lag_max"] > 1.0
