"""Heartbeats: status, deadlines, offline scan, online counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commandcenter.models import Event
from community.choices import SensorStatus
from community.models import Sensor, SensorDay
from community.services import sensors_scan

pytestmark = pytest.mark.django_db


def beats(client, *items):
    return client.post("/api/v1/sensors/heartbeats/", {"heartbeats": list(items)}, format="json")


def test_a_heartbeat_brings_a_sensor_online_and_silence_takes_it_offline(gateway, sites):
    now = timezone.now()
    response = beats(
        gateway,
        {"device": "CAM-A-1", "time": (now - timedelta(seconds=30)).isoformat()},
        {"device": "CAM-A-1", "time": now.isoformat()},
        {"device": "GHOST", "time": now.isoformat()},
    )
    assert response.status_code == 200
    assert response.data["accepted"] == 2 and response.data["rejected"][0]["index"] == 2
    cam = sites.cam_a
    cam.refresh_from_db()
    assert cam.status == SensorStatus.ONLINE
    assert cam.offline_after == now + timedelta(seconds=90)  # 3 intervals of 30 s
    assert SensorDay.objects.get(sensor=cam).heartbeats == 2
    assert Event.objects.filter(kind="sensor.online", subject_id=str(cam.pk)).count() == 1
    assert sensors_scan(now=now + timedelta(seconds=89)) == 0
    assert sensors_scan(now=now + timedelta(seconds=91)) == 1
    cam.refresh_from_db()
    assert cam.status == SensorStatus.OFFLINE and cam.status_since == cam.offline_after
    assert Event.objects.filter(kind="sensor.offline", subject_id=str(cam.pk)).exists()
    beats(gateway, {"device": "CAM-A-1", "time": timezone.now().isoformat(), "status": "fault"})
    cam.refresh_from_db()
    assert cam.status == SensorStatus.FAULT


def test_a_late_heartbeat_counts_but_does_not_move_the_deadline(gateway, sites):
    now = timezone.now()
    beats(gateway, {"device": "IR-A-1", "time": now.isoformat()})
    beats(gateway, {"device": "IR-A-1", "time": (now - timedelta(minutes=5)).isoformat()})
    sites.ir_a.refresh_from_db()
    assert sites.ir_a.last_heartbeat_at == now
    assert SensorDay.objects.get(sensor=sites.ir_a).heartbeats == 2


def test_a_password_login_cannot_send_heartbeats(api_client_for, users, sites):
    response = api_client_for(users.administrator).post(
        "/api/v1/sensors/heartbeats/",
        {"heartbeats": [{"device": "IR-A-1", "time": timezone.now().isoformat()}]},
        format="json",
    )
    assert response.status_code == 403


def test_the_scan_marks_a_mass_outage_in_several_transactions(gateway, sites, monkeypatch):
    from community import services

    monkeypatch.setattr(services, "SCAN_CHUNK", 3)
    now = timezone.now()
    devices = ("IR-A-1", "SMOKE-A-1", "CAM-A-1", "IR-B-1")
    beats(gateway, *({"device": d, "time": now.isoformat()} for d in devices))
    assert sensors_scan(now=now + timedelta(hours=1)) == 4
    assert set(Sensor.objects.values_list("status", flat=True)) == {SensorStatus.OFFLINE}
    assert Event.objects.filter(kind="sensor.offline").count() == 4
    assert sensors_scan(now=now + timedelta(hours=1), limit=2) == 0


def test_sites_and_sensors_import_row_by_row(api_client_for, users, district):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from community.models import Sensor, SmartSite

    sites_csv = (
        "编码,名称,类型,等级,地址,纬度,经度\n"
        "S1,翠苑一区,compound,2,翠苑路1号,30.004,120.004\n"
        "S2,文三小学,校园,1,文三路2号,30.004,120.014\n"
        "S3,,compound,1,,north,120.0\n"
    ).encode()
    admin = api_client_for(users.administrator)
    upload = SimpleUploadedFile("sites.csv", sites_csv, content_type="text/csv")
    response = admin.post("/api/v1/sites/import/", {"file": upload}, format="multipart")
    assert response.status_code == 422
    assert response.data["created"] == 2
    assert response.data["refused"][0]["row"] == 4
    assert set(response.data["refused"][0]["errors"]) == {"name", "lat"}
    s2 = SmartSite.objects.get(code="S2")
    assert s2.kind == "campus" and s2.station_id == district.station_b.pk
    sensors_csv = "设备编号,小区编码,设备类型,心跳间隔\nD1,S1,camera,30\nD2,S9,smoke,60\n".encode()
    upload = SimpleUploadedFile("sensors.csv", sensors_csv, content_type="text/csv")
    refused = admin.post(
        "/api/v1/sensors/import/?errors_as=xlsx", {"file": upload}, format="multipart"
    )
    assert refused["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(refused.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == 3 and "site" in rows[1][-1]
    d1 = Sensor.objects.get(device_id="D1")
    assert d1.heartbeat_seconds == 30 and d1.station_id == district.station_a.pk
    upload = SimpleUploadedFile("sites.csv", sites_csv, content_type="text/csv")
    chief = api_client_for(users.chief_a)
    assert chief.post("/api/v1/sites/import/", {"file": upload}).status_code == 403
