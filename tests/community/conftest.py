"""Smart-secure sites of the test district, their sensors and a sensor gateway's key."""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from commandcenter.choices import Role
from commandcenter.machine_keys import machine_key_create
from commandcenter.models import MachineKeyKind
from community.choices import SensorType, SiteKind
from community.models import Sensor, SmartSite
from community.services import site_place
from tests import factories as f


def site_make(code: str, *, lat: float, lng: float, grade: int = 1, **fields) -> SmartSite:
    fields = {"name": f"{code} 小区", "kind": SiteKind.COMPOUND, "address": f"{code} 路 1 号",
              **fields}  # fmt: skip
    site = SmartSite(code=code, grade=grade, lat=lat, lng=lng, **fields)
    site_place(site)
    site.save()
    return site


def sensor_make(site: SmartSite, device: str, sensor_type: str, **fields) -> Sensor:
    return Sensor.objects.create(
        site=site,
        device_id=device,
        sensor_type=sensor_type,
        lat=site.lat,
        lng=site.lng,
        station_id=site.station_id,
        post_id=site.post_id,
        street_id=site.street_id,
        **fields,
    )


@pytest.fixture
def sites(district):
    """Site A in station A's post zone (south-west), site B in station B's (south-east)."""
    a = site_make("site-a", lat=30.004, lng=120.004)
    b = site_make("site-b", lat=30.004, lng=120.014, grade=3)
    return SimpleNamespace(
        a=a,
        b=b,
        ir_a=sensor_make(a, "IR-A-1", SensorType.INTRUSION),
        smoke_a=sensor_make(a, "SMOKE-A-1", SensorType.SMOKE),
        cam_a=sensor_make(a, "CAM-A-1", SensorType.CAMERA, heartbeat_seconds=30),
        ir_b=sensor_make(b, "IR-B-1", SensorType.INTRUSION),
    )


@pytest.fixture
def gateway(district):
    """An API client with a sensor gateway's machine key."""
    account = f.UserFactory(username="sensor-gw", role=Role.GATEWAY)
    _key, plaintext = machine_key_create(
        actor=None, name="智安网关", kind=MachineKeyKind.SENSORS, user=account
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {plaintext}")
    client.account = account
    return client
