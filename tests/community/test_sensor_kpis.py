"""The 智安 KPIs: online rate from heartbeats ÷ expected, the alarms' rates, by group."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.choices import AlarmNature, AlarmState
from community.models import Alarm, Sensor, SensorDay

pytestmark = pytest.mark.django_db


def _alarm(sensor, *, state, nature="", count=1, days_ago=1):
    first = timezone.now() - timedelta(days=days_ago)
    return Alarm.objects.create(
        sensor=sensor, site=sensor.site, alarm_type="intrusion", priority=3, first_at=first,
        last_at=first, received_at=first, count=count, state=state, nature=nature,
        station_id=sensor.station_id, post_id=sensor.post_id, street_id=sensor.street_id,
    )  # fmt: skip


def test_online_rate_and_alarm_rates_by_station(sites, api_client_for, users):
    yesterday = timezone.localdate() - timedelta(days=1)
    # Installed long ago: a whole day expected. 60 s → 1440 a day, 30 s → 2880.
    Sensor.objects.update(installed_at=timezone.now() - timedelta(days=30))
    SensorDay.objects.create(sensor=sites.ir_a, day=yesterday, heartbeats=1440)
    SensorDay.objects.create(sensor=sites.smoke_a, day=yesterday, heartbeats=720)
    SensorDay.objects.create(sensor=sites.cam_a, day=yesterday, heartbeats=9999)  # capped
    SensorDay.objects.create(sensor=sites.ir_b, day=yesterday, heartbeats=0)
    _alarm(sites.ir_a, state=AlarmState.DISMISSED, nature=AlarmNature.FALSE, count=3)
    _alarm(sites.ir_a, state=AlarmState.INCIDENT, nature=AlarmNature.REAL)
    _alarm(sites.cam_a, state=AlarmState.RECORDED)
    _alarm(sites.ir_b, state=AlarmState.REVIEW)
    _alarm(sites.ir_b, state=AlarmState.REVIEW, days_ago=5)  # outside the range
    response = api_client_for(users.dispatcher).get(
        f"/api/v1/sensor-kpis/?from={yesterday}&to={yesterday}&group_by=station"
    )
    assert response.status_code == 200, response.data
    by = {r["key"]: r["figures"] for r in response.data["results"]}
    a, b = by[sites.a.station_id], by[sites.b.station_id]
    # Station A: 1440 + 720 + 2880 (capped) of 1440 + 1440 + 2880 expected.
    assert a["sensor_online_rate"]["num"] == 5040 and a["sensor_online_rate"]["den"] == 5760
    assert a["sensor_online_rate"]["value"] == round(5040 / 5760, 4)
    assert b["sensor_online_rate"]["value"] == 0
    assert a["alarms"]["value"] == 3 and a["alarms"]["reports"] == 5
    assert a["false_alarm_rate"]["value"] == 0.5
    assert a["alarm_job_rate"] == {"value": 0.5, "num": 1, "den": 2}
    assert a["alarms_per_site"]["value"] == 3.0
    assert b["alarms"]["value"] == 1 and b["alarms"]["pending"] == 1


def test_a_station_chief_reads_only_its_station(sites, api_client_for, users):
    _alarm(sites.ir_b, state=AlarmState.REVIEW, days_ago=0)
    data = api_client_for(users.chief_a).get("/api/v1/sensor-kpis/").data
    assert data["results"][0]["figures"]["alarms"]["value"] == 0
    assert api_client_for(users.partner).get("/api/v1/sensor-kpis/").status_code == 403
    bad = api_client_for(users.dispatcher).get("/api/v1/sensor-kpis/?group_by=planet")
    assert bad.status_code == 400 and "group_by" in bad.data
    dashboard = api_client_for(users.chief_b).get("/api/v1/dashboard/").data["sensors"]
    assert dashboard["figures"]["alarms"]["value"] == 1
    assert [s["name"] for s in dashboard["sites"]] == ["site-b 小区"]


def test_the_dictionary_lists_the_sensor_kpis(api_client_for, users, district):
    codes = {d["code"]: d for d in api_client_for(users.dispatcher).get(
        "/api/v1/kpi-definitions/").data}  # fmt: skip
    assert codes["sensor_online_rate"]["source"] == "sensors"
    assert codes["calls"]["source"] == "jobs"


def test_closed_months_read_from_month_rows_give_the_same_rate(sites, api_client_for, users):
    from analytics.models import SensorMonth
    from analytics.sensor_kpis import sensor_months_update

    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    before = (last_month - timedelta(days=1)).replace(day=1)
    Sensor.objects.update(installed_at=timezone.now() - timedelta(days=120))
    # The day before the range: in the month row of `before`, not in the range (the
    # range's first month is read as its month row less that day).
    for day, beats in ((before + timedelta(days=1), 50), (before + timedelta(days=3), 700),
                       (last_month, 9999), (today, 60)):  # fmt: skip
        SensorDay.objects.create(sensor=sites.ir_a, day=day, heartbeats=beats)  # 60 s: ≤ 1440
    SensorDay.objects.create(sensor=sites.smoke_a, day=last_month + timedelta(days=9), heartbeats=5)

    def rate():
        response = api_client_for(users.supervisor).get(
            f"/api/v1/sensor-kpis/?from={before + timedelta(days=2)}&to={today}&group_by=site"
        )
        assert response.status_code == 200, response.data
        return {r["key"]: r["figures"]["sensor_online_rate"] for r in response.data["results"]}

    from_days = rate()
    assert from_days[sites.a.pk]["num"] == 700 + 1440 + 60 + 5
    assert sensor_months_update(today=today) == [before, last_month]
    assert SensorMonth.objects.get(sensor=sites.ir_a, month=last_month).received == 1440
    assert rate() == from_days  # the month rows for last month, days for the ragged ends
    # Run again: only the month just closed is written again, nothing doubles.
    assert sensor_months_update(today=today) == [last_month]
    assert SensorMonth.objects.filter(month=last_month).count() == 2
    assert rate() == from_days
