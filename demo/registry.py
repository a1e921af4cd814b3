"""The demo district's 一标三实: standard addresses from the district down to the
rooms, the people living in them, their houses and the organisations on the
roads, all fictitious (names drawn from common characters, ID numbers and
phones valid in form, made up), with a community officer for every post.

`RegistryPlan` draws the tree and the people from a fixed seed; the demo
writes it with the ORM (`demo_registry_seed`), bench/registry.py writes a
Shangcheng-size one by COPY from the same plan.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from shapely.geometry import Point, shape

from commandcenter.choices import Role
from commandcenter.models import Bureau, Street
from community.choices import AddressElement as E
from community.choices import Gender, Household, HouseUse, Industry, Presence
from community.personal import credit_check_char, id_check_char
from community.registry import address_fill, resident_fill
from community.registry_models import House, Organisation, Resident, StandardAddress
from demo.sites import NAME_HEADS, _point_in
from patrol.models import PatrolZone

FAMILY = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华红玉梅建国志文浩宇欣怡子涵佳琪晨"
COMPOUND_TAILS = ("新村", "花园", "家园", "小区", "公寓", "苑")
ROAD_TAILS = ("路", "街", "巷")
RELATIONS = ("户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女")
SHOP_INDUSTRIES = (Industry.TRADE, Industry.HOSPITALITY, Industry.SERVICES, Industry.EDUCATION)
SHOPS = ("便利店", "餐饮店", "理发店", "药房", "五金店", "快递驿站", "棋牌室", "培训中心")
# People per room: the seeds' 1.64 million residents in about 600,000 rooms.
PEOPLE_PER_ROOM = ((0, 8), (1, 15), (2, 30), (3, 25), (4, 15), (5, 7))
# Area codes of fictitious households from elsewhere (the migrants' 户籍地).
HOME_AREAS = ("330102", "330105", "330106", "341122", "362330", "412726", "511602", "432524")


@dataclass
class Sizes:
    """How much to draw per patrol zone: the demo's default is a slice of a street."""

    compounds: tuple[int, int] = (1, 2)
    buildings: tuple[int, int] = (3, 6)
    units: tuple[int, int] = (1, 2)
    floors: tuple[int, int] = (5, 7)
    rooms_per_floor: int = 2
    door_plates: int = 6
    # Of the door plates on a road, the share that are shops (实有单位), not homes.
    shop_share: float = 0.5


@dataclass
class Node:
    """One address to write, with its parent's index in the plan (None: the root)."""

    code: str
    element: str
    name: str
    parent: int | None
    lat: float | None = None
    lng: float | None = None


@dataclass
class Person:
    room: int  # the index of its address in the plan
    id_number: str
    name: str
    gender: str
    birth_date: date
    phone: str
    household: str
    presence: str
    head_relation: str
    moved_in: date


@dataclass
class RegistryPlan:
    nodes: list[Node] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    shops: list[tuple[int, str, str, str]] = field(default_factory=list)  # (address, code, …)

    def add(self, node: Node) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1


def fake_id(rng: random.Random, *, area: str, born: date, male: bool) -> str:
    sequence = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def fake_credit_code(rng: random.Random) -> str:
    """91 (an enterprise) + 330102 (the district) + a made-up organisation code."""
    first17 = "91330102" + "".join(rng.choice(CREDIT_CHARS) for _ in range(9))
    return first17 + credit_check_char(first17)


def _person(rng: random.Random, room: int, today: date, relation: str, surname: str) -> Person:
    male = rng.random() < 0.5
    age = rng.randint(1, 92) if relation not in ("户主", "配偶") else rng.randint(24, 90)
    born = today - timedelta(days=age * 365 + rng.randrange(365))
    household = rng.choices(
        (Household.REGISTERED, Household.MIGRANT, Household.FOREIGN), (70, 29, 1)
    )[0]
    area = "330102" if household == Household.REGISTERED else rng.choice(HOME_AREAS)
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return Person(
        room=room,
        id_number=fake_id(rng, area=area, born=born, male=male),
        name=(surname if relation in ("子", "女", "孙子", "孙女") else rng.choice(FAMILY)) + given,
        gender=Gender.MALE if male else Gender.FEMALE,
        birth_date=born,
        phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}" if age >= 14 else "",
        household=household,
        presence=Presence.BOTH if household == Household.REGISTERED else Presence.HERE,
        head_relation=relation,
        moved_in=max(born, today - timedelta(days=rng.randrange(20 * 365))),
    )


def registry_plan(*, seed: int = 15, sizes: Sizes | None = None, zones=None) -> RegistryPlan:
    """The tree (district → street → community → compound → building → unit → room, and
    a road with door plates) and its people, one community per patrol zone."""
    sizes = sizes or Sizes()
    rng = random.Random(seed)
    today = date.today()
    plan = RegistryPlan()
    bureau = Bureau.objects.order_by("pk").first()
    if zones is None:
        zones = list(PatrolZone.objects.order_by("code"))
    if bureau is None or not zones:
        return plan
    centroid = shape(bureau.boundary).representative_point()
    root = plan.add(Node("A13", E.DISTRICT, bureau.district_name or bureau.name, None,
                         centroid.y, centroid.x))  # fmt: skip
    streets: dict[int, int] = {}
    for street in Street.objects.order_by("code"):
        streets[street.pk] = plan.add(Node(f"A23{street.pk:03d}", E.STREET, street.name, root))
    used_names: set[str] = set()
    for z, zone in enumerate(zones, start=1):
        geometry = shape(zone.boundary)
        lat, lng = _point_in(rng, geometry)
        name = f"{rng.choice(NAME_HEADS)}社区"
        while name in used_names:
            name = f"{rng.choice(NAME_HEADS)}{rng.choice('东西南北中')}社区"
        used_names.add(name)
        community = plan.add(Node(f"A31{z:04d}", E.COMMUNITY, name, streets[zone.street_id],
                                  lat, lng))  # fmt: skip
        compound_names: set[str] = set()
        for c in range(1, rng.randint(*sizes.compounds) + 1):
            clat, clng = _point_in(rng, geometry)
            cname = f"{rng.choice(NAME_HEADS)}{rng.choice(COMPOUND_TAILS)}"
            while cname in compound_names:
                cname = f"{cname[:-1]}{rng.choice('一二三四')}区"
            compound_names.add(cname)
            compound = plan.add(Node(f"A42{z:04d}{c:02d}", E.COMPOUND, cname, community,
                                     clat, clng))  # fmt: skip
            for b in range(1, rng.randint(*sizes.buildings) + 1):
                blat, blng = _near(rng, geometry, clat, clng, 0.0006)
                code = f"A50{z:04d}{c:02d}{b:02d}"
                building = plan.add(Node(code, E.BUILDING, f"{b}幢", compound, blat, blng))
                units = rng.randint(*sizes.units)
                floors = rng.randint(*sizes.floors)
                for u in range(1, units + 1):
                    parent = building
                    if units > 1:
                        parent = plan.add(Node(f"{code}{u}", E.UNIT, f"{u}单元", building))
                    for floor in range(1, floors + 1):
                        for r in range(1, sizes.rooms_per_floor + 1):
                            room = plan.add(Node(f"{code}{u}{floor:02d}{r:02d}", E.ROOM,
                                                 f"{floor}{r:02d}室", parent))  # fmt: skip
                            _household(rng, plan, room, today)
        # A road through the community, with its door plates (houses and shops).
        road = plan.add(Node(f"A41{z:04d}", E.ROAD, f"{rng.choice(NAME_HEADS)}"
                             f"{rng.choice(ROAD_TAILS)}", community, lat, lng))  # fmt: skip
        for d in range(1, sizes.door_plates + 1):
            plat, plng = _near(rng, geometry, lat, lng, 0.0004)
            plate = plan.add(Node(f"A50{z:04d}R{d:02d}", E.BUILDING, f"{d * 2 - 1}号", road,
                                  plat, plng))  # fmt: skip
            if rng.random() >= sizes.shop_share:
                _household(rng, plan, plate, today)
            else:
                shop = f"{plan.nodes[road].name}{rng.choice(SHOPS)}"
                industry = rng.choice(SHOP_INDUSTRIES)
                plan.shops.append((plate, fake_credit_code(rng), shop, industry))
    return plan


def _near(rng: random.Random, geometry, lat: float, lng: float, spread: float):
    """A point up to `spread` degrees from (lat, lng), inside the zone (else the point)."""
    near_lat, near_lng = lat + rng.uniform(-spread, spread), lng + rng.uniform(-spread, spread)
    if geometry.contains(Point(near_lng, near_lat)):
        return near_lat, near_lng
    return lat, lng


def _household(rng: random.Random, plan: RegistryPlan, room: int, today: date) -> None:
    count = rng.choices([n for n, _w in PEOPLE_PER_ROOM], [w for _n, w in PEOPLE_PER_ROOM])[0]
    surname = rng.choice(FAMILY)
    for i in range(count):
        relation = RELATIONS[min(i, 2)] if i < 2 else rng.choice(RELATIONS[2:])
        plan.people.append(_person(rng, room, today, relation, surname))


def community_officers(*, seed: int = 15) -> int:
    """A community officer (网格民警) for every patrol zone, with a duty phone, named on
    its plates: the demo's post officer for its post's zones, elsewhere an officer of
    the zone's station who does not log in (no password)."""
    rng = random.Random(seed)
    User = get_user_model()
    made = 0
    demo_officer = User.objects.filter(username="post_officer").first()
    if demo_officer is not None and not demo_officer.duty_phone:
        demo_officer.duty_phone = "0571-87010001"
        demo_officer.save(update_fields=["duty_phone"])
    for index, zone in enumerate(PatrolZone.objects.order_by("code"), start=1):
        if demo_officer is not None and zone.post_id == demo_officer.post_id:
            officer = demo_officer
        else:
            officer = User(
                username=f"grid-{zone.code}",
                role=Role.OFFICER,
                station_id=zone.station_id,
                first_name=f"{rng.choice(FAMILY)}{rng.choice(GIVEN)}",
                last_name="",
                duty_phone=f"0571-87{index:03d}{rng.randrange(1000):03d}",
            )
            officer.set_unusable_password()
            officer.save()
            made += 1
        zone.community_officer = officer
        zone.save(update_fields=["community_officer"])
    return made


@transaction.atomic
def demo_registry_seed(*, seed: int = 15, sizes: Sizes | None = None) -> dict:
    """Write the demo registry with the ORM; returns what it wrote."""
    community_officers(seed=seed)
    plan = registry_plan(seed=seed, sizes=sizes)
    officers: dict = {}
    written: list[StandardAddress | None] = [None] * len(plan.nodes)
    # Level by level: a parent has its key before its children are filled.
    for level in sorted({n.element for n in plan.nodes}):
        batch = []
        for index, node in enumerate(plan.nodes):
            if node.element != level:
                continue
            parent = written[node.parent] if node.parent is not None else None
            address = StandardAddress(code=node.code, element=node.element, name=node.name,
                                      parent=parent, lat=node.lat, lng=node.lng)  # fmt: skip
            address_fill(address, parent, officers=officers)
            batch.append((index, address))
        StandardAddress.objects.bulk_create([a for _i, a in batch], batch_size=2000)
        for index, address in batch:
            written[index] = address
    residents = []
    for person in plan.people:
        resident = Resident(address=written[person.room], **{
            f: getattr(person, f) for f in ("id_number", "name", "gender", "birth_date", "phone",
                                             "household", "presence", "head_relation",
                                             "moved_in")})  # fmt: skip
        resident_fill(resident)
        residents.append(resident)
    Resident.objects.bulk_create(residents, batch_size=2000)
    rng = random.Random(seed + 1)
    rooms = {p.room for p in plan.people}
    houses = [
        House(address=written[i], use=HouseUse.RENTED if rng.random() < 0.25 else HouseUse.HOME,
              area_m2=rng.randint(45, 140), owner_name=f"{rng.choice(FAMILY)}某",
              station_id=written[i].station_id, post_id=written[i].post_id,
              street_id=written[i].street_id)
        for i in sorted(rooms)
    ]  # fmt: skip
    for house in houses:
        house.rented = house.use == HouseUse.RENTED
    House.objects.bulk_create(houses, batch_size=2000)
    Organisation.objects.bulk_create(
        Organisation(credit_code=code, name=name, address=written[i], industry=industry,
                     contact_name=f"{rng.choice(FAMILY)}经理", staff=rng.randint(2, 30),
                     station_id=written[i].station_id, post_id=written[i].post_id,
                     street_id=written[i].street_id)
        for i, code, name, industry in plan.shops
    )  # fmt: skip
    return {
        "addresses": len(written),
        "rooms": sum(1 for n in plan.nodes if n.element == E.ROOM),
        "buildings": sum(1 for n in plan.nodes if n.element == E.BUILDING),
        "residents": len(residents),
        "organisations": len(plan.shops),
    }
