"""Smart-secure sites of the test district, their sensors and a sensor gateway's key."""

from datetime import date
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from commandcenter.choices import Role
from commandcenter.machine_keys import machine_key_create
from commandcenter.models import MachineKeyKind
from community.choices import AddressElement as E
from community.choices import Gender, Household, Presence, SensorType, SiteKind
from community.models import Sensor, SmartSite
from community.personal import id_check_char
from community.registry import AddressInput, address_register, resident_fill
from community.registry_models import Resident
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


# --- 一标三实 ---------------------------------------------------------------------------


def valid_id(first17: str) -> str:
    return first17 + id_check_char(first17)


def add(parent, element, name, **point):
    return address_register(AddressInput(element=element, name=name, parent=parent, **point))


@pytest.fixture
def tree(district, users):
    """A compound in the post's zone (station A) and one in station B's."""
    district_ = add(None, E.DISTRICT, "上城区", lat=30.005, lng=120.005)
    street = add(district_, E.STREET, "湖滨街道")
    community = add(street, E.COMMUNITY, "东坡路社区", lat=30.004, lng=120.004)
    compound = add(community, E.COMPOUND, "翠苑一区", lat=30.004, lng=120.004)
    building = add(compound, E.BUILDING, "3幢", lat=30.004, lng=120.004)
    unit = add(building, E.UNIT, "2单元")
    room = add(unit, E.ROOM, "301室")
    other = add(
        add(street, E.COMMUNITY, "清波社区", lat=30.004, lng=120.014),
        E.COMPOUND,
        "清波小区",
        lat=30.004,
        lng=120.014,
    )
    far_building = add(other, E.BUILDING, "1幢", lat=30.004, lng=120.014)
    far_room = add(far_building, E.ROOM, "101室")
    return type("Tree", (), locals())


def resident_make(address, id17: str, name: str, **values) -> Resident:
    resident = Resident(
        address=address,
        id_number=valid_id(id17),
        name=name,
        gender=Gender.FEMALE,
        birth_date=date(1950, 1, 1),
        phone=values.pop("phone", "13800001234"),
        household=Household.REGISTERED,
        presence=Presence.BOTH,
        moved_in=date(2010, 5, 1),
        **values,
    )
    resident_fill(resident)
    resident.save()
    return resident
