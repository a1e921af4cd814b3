"""factory_boy factories for the organisation, users and patrol."""

import factory
from django.contrib.auth import get_user_model

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
from patrol.choices import UnitStatus, UnitType
from patrol.models import PatrolZone, Team, Unit, UnitOfficer

PASSWORD = "tianshu-test-pass"


def square(west: float, south: float, east: float, north: float) -> dict:
    """A GeoJSON Polygon for an axis-aligned box (lng/lat)."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bureau
        django_get_or_create = ["code"]

    code = "bureau"
    name = "测试分局"
    district_name = "测试区"
    boundary = factory.LazyFunction(lambda: square(120.0, 30.0, 120.02, 30.02))


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    code = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"第{n}战区")
    bureau = factory.SubFactory(BureauFactory)


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    code = factory.Sequence(lambda n: f"station-{n}")
    name = factory.Sequence(lambda n: f"测试{n}派出所")
    sector = factory.SubFactory(SectorFactory)
    lat = 30.005
    lng = 120.005


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    code = factory.Sequence(lambda n: f"post-{n}")
    name = factory.Sequence(lambda n: f"测试{n}警务站")
    station = factory.SubFactory(StationFactory)
    lat = 30.005
    lng = 120.005


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    code = factory.Sequence(lambda n: f"street-{n}")
    name = factory.Sequence(lambda n: f"测试{n}街道")
    bureau = factory.SubFactory(BureauFactory)


class GovernanceCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernanceCenter

    code = factory.Sequence(lambda n: f"center-{n}")
    name = factory.Sequence(lambda n: f"测试{n}街道综治中心")
    street = factory.SubFactory(StreetFactory)
    lat = 30.005
    lng = 120.005


class PartnerDepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerDepartment

    code = factory.Sequence(lambda n: f"partner-{n}")
    name = factory.Sequence(lambda n: f"测试{n}局")


class PatrolZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatrolZone

    code = factory.Sequence(lambda n: f"zone-{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}号防区")
    boundary = factory.LazyFunction(lambda: square(120.0, 30.0, 120.01, 30.01))
    station = factory.SubFactory(StationFactory)
    street = factory.SubFactory(StreetFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"{n}组")
    station = factory.SubFactory(StationFactory)
    on_duty = True


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    call_sign = factory.Sequence(lambda n: f"UNIT-{n:03d}")
    name = factory.Sequence(lambda n: f"巡逻车{n}")
    unit_type = UnitType.PATROL_CAR
    status = UnitStatus.AVAILABLE
    home_station = factory.SubFactory(StationFactory)
    lat = 30.005
    lng = 120.005


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.DISPATCHER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class UnitOfficerFactory(factory.django.DjangoModelFactory):
    """An officer (its own user, of the unit's station) bound to a unit."""

    class Meta:
        model = UnitOfficer

    unit = factory.SubFactory(UnitFactory)
    user = factory.SubFactory(
        UserFactory,
        role=Role.OFFICER,
        station=factory.SelfAttribute("..unit.home_station"),
    )
