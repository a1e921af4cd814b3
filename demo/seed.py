"""Load a demo district plan (see `demo_district`) into the database.

One transaction: either the whole district is there, or nothing is.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from shapely.geometry import mapping

from commandcenter.choices import Role
from commandcenter.models import (
    Bureau,
    GovernanceCenter,
    PartnerDepartment,
    Post,
    Sector,
    Station,
    Street,
)
from commandcenter.services import event_record
from demo.district import DistrictPlan
from patrol.choices import UnitStatus, UnitType
from patrol.models import PatrolZone, Team, Unit
from patrol.services import unit_officer_bind

DEMO_PASSWORD = "tianshu-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    org_unit: str


def _geojson(polygon) -> dict:
    """GeoJSON with coordinates rounded to ~1 cm: smaller payloads, same shapes."""
    geometry = mapping(polygon)
    return {
        "type": geometry["type"],
        "coordinates": [
            [[round(x, 7), round(y, 7)] for x, y in ring] for ring in geometry["coordinates"]
        ],
    }


@transaction.atomic
def demo_district_seed(*, plan: DistrictPlan, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """Create the district of `plan` and one demo user per role; return the accounts."""
    bureau = Bureau.objects.create(
        code="bureau",
        name=plan.bureau_name,
        district_name=plan.name,
        boundary=_geojson(plan.boundary),
    )
    sectors = {
        s.code: s
        for s in Sector.objects.bulk_create(
            Sector(code=p.code, name=p.name, bureau=bureau) for p in plan.sectors
        )
    }
    stations = {
        s.code: s
        for s in Station.objects.bulk_create(
            Station(
                code=p.code,
                name=p.name,
                sector=sectors[p.sector_code],
                address=p.address,
                phone=f"0571-8{index:03d}0110",
                lat=p.lat,
                lng=p.lng,
            )
            for index, p in enumerate(plan.stations, start=1)
        )
    }
    posts = {
        p.code: p
        for p in Post.objects.bulk_create(
            Post(code=p.code, name=p.name, station=stations[p.station_code], lat=p.lat, lng=p.lng)
            for p in plan.posts
        )
    }
    streets = {
        s.code: s
        for s in Street.objects.bulk_create(
            Street(code=p.code, name=p.name, bureau=bureau) for p in plan.streets
        )
    }
    centers = {
        c.street.code: c
        for c in GovernanceCenter.objects.bulk_create(
            GovernanceCenter(
                code=f"{p.code}-center",
                name=p.governance_center_name,
                street=streets[p.code],
                phone=f"0571-8{index:03d}1234",
                lat=p.center_lat,
                lng=p.center_lng,
            )
            for index, p in enumerate(plan.streets, start=1)
        )
    }
    PatrolZone.objects.bulk_create(
        PatrolZone(
            code=p.code,
            name=p.name,
            boundary=_geojson(p.polygon),
            station=stations[p.station_code],
            post=posts[p.post_code] if p.post_code else None,
            street=streets[p.street_code],
            area_class=p.area_class,
        )
        for p in plan.zones
    )
    # The first team of each station is on shift; its units patrol, the others rest.
    on_duty_stations: set[str] = set()
    team_objects = []
    for p in plan.teams:
        on_duty = p.station_code not in on_duty_stations
        on_duty_stations.add(p.station_code)
        team_objects.append(
            Team(code=p.code, name=p.name, station=stations[p.station_code], on_duty=on_duty)
        )
    teams = {t.code: t for t in Team.objects.bulk_create(team_objects)}
    Unit.objects.bulk_create(
        Unit(
            call_sign=p.call_sign,
            name=p.name,
            unit_type=p.unit_type,
            status=(
                UnitStatus.AVAILABLE
                if p.team_code is None or teams[p.team_code].on_duty
                else UnitStatus.OFF_DUTY
            ),
            # Street forces answer to their governance center, not to a station.
            home_station=None if p.home_street_code else stations[p.home_station_code],
            home_post=posts[p.home_post_code] if p.home_post_code else None,
            home_governance_center=centers[p.home_street_code] if p.home_street_code else None,
            team=teams[p.team_code] if p.team_code else None,
            lat=p.lat,
            lng=p.lng,
        )
        for p in plan.units
    )
    PartnerDepartment.objects.bulk_create(
        PartnerDepartment(code=p.code, name=p.name) for p in plan.partner_departments
    )
    accounts = _create_demo_users(
        password=password,
        station=stations[plan.stations[0].code],
        post=posts[plan.posts[0].code],
        street=streets[plan.streets[0].code],
        partner=PartnerDepartment.objects.get(code=plan.partner_departments[0].code),
    )
    event_record(
        kind="district.seeded",
        subject=bureau,
        payload={"zones": len(plan.zones), "units": len(plan.units)},
    )
    return accounts


def _officer_unit(station) -> Unit:
    """The patrol car the demo officer drives: the station's first one on shift."""
    cars = Unit.objects.filter(home_station=station, unit_type=UnitType.PATROL_CAR)
    return (
        cars.filter(status=UnitStatus.AVAILABLE).order_by("call_sign").first()
        or cars.order_by("call_sign").first()
    )


def _create_demo_users(*, password, station, post, street, partner) -> list[DemoAccount]:
    User = get_user_model()
    specs = [
        ("dispatcher", Role.DISPATCHER, {}, "接警调度员"),
        ("supervisor", Role.SUPERVISOR, {}, "指挥中心值班长"),
        ("chief", Role.STATION_CHIEF, {"station": station}, "所长"),
        ("post_officer", Role.POST_OFFICER, {"post": post}, "警务站民警"),
        ("officer", Role.OFFICER, {"station": station}, "巡逻民警"),
        ("street_staff", Role.STREET_STAFF, {"street": street}, "综治中心工作人员"),
        ("partner", Role.PARTNER, {"partner_department": partner}, "合作部门"),
        ("admin", Role.ADMINISTRATOR, {}, "系统管理员"),
        # An AVL gateway's account: no password, it reports with a machine key.
        ("gateway", Role.GATEWAY, {}, "车载定位网关"),
    ]
    accounts = []
    for username, role, scope, title in specs:
        user = User(username=username, role=role, first_name=title, **scope)
        if role == Role.ADMINISTRATOR:
            user.is_staff = user.is_superuser = True
        if role == Role.GATEWAY:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.full_clean()
        user.save()
        org_unit = next(iter(scope.values())).name if scope else "全区 (district)"
        if role == Role.OFFICER:
            unit = _officer_unit(station)
            unit_officer_bind(actor=None, user=user, unit=unit)
            org_unit = f"{unit.call_sign} · {station.name}"
        accounts.append(DemoAccount(username=username, role=role, org_unit=org_unit))
    return accounts
