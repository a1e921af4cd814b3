"""`manage.py seed_demo`: the stored demo district is complete and tiles its boundary."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from shapely.geometry import shape
from shapely.ops import unary_union

from commandcenter.choices import Role
from commandcenter.models import (
    Bureau,
    GovernanceCenter,
    PartnerDepartment,
    Post,
    Sector,
    Station,
    Street,
    User,
)
from demo.district import area_m2
from patrol.choices import UnitType
from patrol.models import PatrolZone, Team, Unit
from patrol.zone_index import point_resolve, zone_index_invalidate


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        zone_index_invalidate()
        yield
        transaction.set_rollback(True)
    zone_index_invalidate()


pytestmark = pytest.mark.usefixtures("seeded")


@pytest.mark.django_db
def test_the_district_has_the_size_of_shangcheng():
    assert Bureau.objects.count() == 1
    assert Sector.objects.count() == 3
    assert Station.objects.count() == 17
    assert Post.objects.count() == 4
    assert 13 <= Street.objects.count() <= 15
    assert GovernanceCenter.objects.count() == Street.objects.count()
    assert 60 <= PatrolZone.objects.count() <= 80
    volunteers = Unit.objects.filter(unit_type=UnitType.VOLUNTEER)
    assert 180 <= Unit.objects.exclude(pk__in=volunteers).count() <= 200
    assert 20 <= volunteers.count() <= 32  # four teams of 5–8 (demo.volunteers)
    assert PartnerDepartment.objects.count() == 5
    assert set(Unit.objects.values_list("unit_type", flat=True)) == set(UnitType.values)
    assert Team.objects.filter(on_duty=True).count() == 17
    area_km2 = area_m2(shape(Bureau.objects.get().boundary)) / 1e6
    assert 110 <= area_km2 <= 130


@pytest.mark.django_db
def test_zones_tile_the_boundary_without_gaps_or_overlaps():
    boundary = shape(Bureau.objects.get().boundary)
    zones = [shape(z) for z in PatrolZone.objects.values_list("boundary", flat=True)]
    union = unary_union(zones)
    assert area_m2(union.symmetric_difference(boundary)) <= 0.001 * area_m2(boundary)
    for a, b in itertools.combinations(zones, 2):
        if a.intersects(b):
            overlap = area_m2(a.intersection(b))
            assert overlap <= 0.0001 * min(area_m2(a), area_m2(b))


@pytest.mark.django_db
def test_every_station_post_and_center_is_placed_in_its_own_area():
    for station in Station.objects.all():
        assert point_resolve(lat=station.lat, lng=station.lng).station_id == station.id
    for post in Post.objects.all():
        placement = point_resolve(lat=post.lat, lng=post.lng)
        assert placement.station_id == post.station_id
        assert PatrolZone.objects.filter(post=post).exists()
    for center in GovernanceCenter.objects.all():
        assert point_resolve(lat=center.lat, lng=center.lng).street_id == center.street_id


@pytest.mark.django_db
def test_every_zone_post_belongs_to_the_zone_station():
    for zone in PatrolZone.objects.filter(post__isnull=False).select_related("post"):
        assert zone.post.station_id == zone.station_id


@pytest.mark.django_db
def test_there_is_one_valid_demo_user_per_role():
    # The volunteers' own accounts (demo.volunteers) are the simulator's phones, but one:
    # the login `volunteer`.
    simulated = User.objects.filter(role=Role.VOLUNTEER).exclude(username="volunteer")
    assert simulated.count() >= 15
    # Each post's community officer (网格民警, demo.registry) is named on its plates and
    # does not log in.
    grid = User.objects.filter(username__startswith="grid-")
    assert grid.count() >= 40 and all(u.duty_phone and u.role == Role.OFFICER for u in grid)
    simulated = simulated | grid
    people = (
        User.objects.exclude(role=Role.GATEWAY)
        .exclude(pk__in=simulated)
        .values_list("role", flat=True)
    )
    assert sorted(people) == sorted(set(Role.values) - {Role.GATEWAY})
    # Two machine accounts: the AVL gateway and the smart-site sensor gateway.
    gateways = User.objects.filter(role=Role.GATEWAY).values_list("username", flat=True)
    assert sorted(gateways) == ["gateway", "sensor-gateway"]
    for user in User.objects.all():
        user.full_clean()
        # A gateway has no password: it reports with a machine key; nor has a simulated phone.
        has_password = user.role != Role.GATEWAY and user not in simulated
        assert user.check_password("tianshu-demo") == has_password


@pytest.mark.django_db
def test_seeding_again_is_refused_or_skipped():
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)
    call_command("seed_demo", "--if-empty", verbosity=0)
    assert Bureau.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_has_yesterday_s_daily_report_with_the_dashboard_s_numbers():
    from datetime import timedelta

    from django.utils import timezone

    from analytics.dashboard import dashboard_data
    from analytics.kpis import SYSTEM_SCOPE
    from analytics.models import Report

    yesterday = timezone.localdate() - timedelta(days=1)
    daily = Report.objects.filter(kind="daily", start=yesterday)
    assert daily.count() == Station.objects.count() + 1
    district = daily.get(station__isnull=True)
    cards = dashboard_data(scope=SYSTEM_SCOPE, start=yesterday, end=yesterday)["cards"]
    current = {line["code"]: line["current"] for line in district.data["comparison"]}
    assert {card["code"]: card["value"] for card in cards} == {
        card["code"]: current[card["code"]] for card in cards
    }
    assert current["calls"] > 0
    assert Report.objects.filter(kind="weekly").count() == Station.objects.count() + 1


@pytest.mark.django_db
def test_the_demo_has_a_registry_with_plates_and_open_missing_persons():
    from community.choices import AddressElement, MissingStatus
    from community.missing_models import MissingPerson
    from community.registry import may_read_household
    from community.registry_models import Resident, StandardAddress
    from dispatch.models import Order

    buildings = StandardAddress.objects.filter(element=AddressElement.BUILDING)
    assert buildings.count() > 500 and not buildings.filter(station__isnull=True).exists()
    assert StandardAddress.objects.filter(element=AddressElement.ROOM).count() > 5000
    assert Resident.objects.count() > 10_000
    officer = User.objects.get(username="post_officer")
    mine = StandardAddress.objects.filter(post=officer.post, element=AddressElement.ROOM,
                                          residents__isnull=False).first()  # fmt: skip
    assert mine is not None and may_read_household(officer, mine)
    assert mine.officer is not None and mine.officer.duty_phone
    cases = MissingPerson.objects.all()
    assert cases.filter(status=MissingStatus.SEARCHING).count() == 2
    assert cases.filter(status=MissingStatus.FOUND).count() == 1
    for case in cases:
        assert Order.objects.filter(content__contains=case.number).exists()


@pytest.mark.django_db
def test_the_demo_partner_has_jobs_referred_to_chengguan_in_every_state():
    from dispatch.models import Referral

    partner = User.objects.get(username="partner")
    mine = Referral.objects.filter(department=partner.partner_department)
    states = set(mine.values_list("status", flat=True))
    assert {"referred", "accepted", "handled", "declined"} <= states
    assert mine.filter(status="referred").count() >= 2
    assert partner.machine_keys.filter(kind="partner", revoked_at__isnull=True).exists()
