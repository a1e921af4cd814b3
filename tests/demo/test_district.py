"""Tests for the deterministic demo district (pure geometry, no database)."""

from __future__ import annotations

from collections import Counter

import pytest
import shapely
from shapely.geometry import Point, Polygon

from demo.district import (
    DistrictPlan,
    ZonePlan,
    area_m2,
    build_demo_district,
)

UNIT_TYPES = {"patrol_car", "motorcycle", "foot", "ptu", "mobile_team", "street_force"}


@pytest.fixture(scope="module")
def plan() -> DistrictPlan:
    return build_demo_district()


def _territory(zones: list[ZonePlan]) -> Polygon:
    return shapely.union_all([zone.polygon for zone in zones])


def _zones_by(plan: DistrictPlan, attribute: str) -> dict[str, list[ZonePlan]]:
    groups: dict[str, list[ZonePlan]] = {}
    for zone in plan.zones:
        key = getattr(zone, attribute)
        if key is not None:
            groups.setdefault(key, []).append(zone)
    return groups


def _assert_tiles_boundary(plan: DistrictPlan) -> None:
    boundary = plan.boundary
    union = _territory(list(plan.zones))
    assert area_m2(union.symmetric_difference(boundary)) <= 0.001 * area_m2(boundary)

    polygons = [zone.polygon for zone in plan.zones]
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            overlap = polygons[i].intersection(polygons[j]).area
            assert overlap <= 1e-4 * min(polygons[i].area, polygons[j].area), (i, j)


def _assert_structure(plan: DistrictPlan) -> None:
    assert len(plan.sectors) == 3
    assert len(plan.stations) == 17
    assert len(plan.posts) == 4
    assert len(plan.streets) == 14
    assert 60 <= len(plan.zones) <= 80
    assert 180 <= len(plan.units) <= 200
    assert len(plan.partner_departments) == 5
    for zone in plan.zones:
        assert isinstance(zone.polygon, Polygon)
        assert zone.polygon.is_valid
        assert not zone.polygon.is_empty


def _assert_points_inside_territories(plan: DistrictPlan) -> None:
    stations = {code: _territory(zones) for code, zones in _zones_by(plan, "station_code").items()}
    posts = {code: _territory(zones) for code, zones in _zones_by(plan, "post_code").items()}
    streets = {code: _territory(zones) for code, zones in _zones_by(plan, "street_code").items()}

    for station in plan.stations:
        assert stations[station.code].contains(Point(station.lng, station.lat)), station.name
    for post in plan.posts:
        assert posts[post.code].contains(Point(post.lng, post.lat)), post.name
    for street in plan.streets:
        center = Point(street.center_lng, street.center_lat)
        assert streets[street.code].contains(center), street.governance_center_name
    for unit in plan.units:
        position = Point(unit.lng, unit.lat)
        if unit.unit_type == "street_force":
            territory = streets[unit.home_street_code]
        elif unit.home_post_code is not None:
            territory = posts[unit.home_post_code]
        else:
            territory = stations[unit.home_station_code]
        assert territory.contains(position), unit.call_sign


def test_counts(plan: DistrictPlan) -> None:
    _assert_structure(plan)
    assert {unit.unit_type for unit in plan.units} == UNIT_TYPES
    assert plan.name == "上城区"
    assert plan.bureau_name == "杭州市公安局上城区分局"


def test_names_look_like_the_real_district(plan: DistrictPlan) -> None:
    assert all(station.name.endswith("派出所") for station in plan.stations)
    assert all(post.name.endswith("警务站") for post in plan.posts)
    assert all(street.name.endswith("街道") for street in plan.streets)
    for street in plan.streets:
        assert street.governance_center_name == f"{street.name}综治中心"
    assert {"湖滨派出所", "清波派出所", "九堡派出所", "丁兰派出所"} <= {
        station.name for station in plan.stations
    }
    assert {street.name for street in plan.streets} >= {"清波街道", "闸弄口街道", "丁兰街道"}
    assert all(zone.name.endswith("号防区") for zone in plan.zones)


def test_district_boundary(plan: DistrictPlan) -> None:
    boundary = plan.boundary
    assert boundary.is_valid
    assert 110e6 <= area_m2(boundary) <= 130e6
    assert 12 <= len(boundary.exterior.coords) - 1 <= 20
    # Irregular: clearly not convex.
    assert boundary.convex_hull.area > 1.02 * boundary.area
    assert boundary.contains(Point(120.17, 30.25))
    centroid = boundary.centroid
    assert abs(centroid.x - 120.17) < 0.1 and abs(centroid.y - 30.25) < 0.1


def test_area_m2_matches_projection() -> None:
    # 0.01 x 0.01 degree square at 30.25 N.
    square = shapely.box(120.0, 30.245, 120.01, 30.255)
    expected = 1105.74 * 1113.20 * 0.8638
    assert area_m2(square) == pytest.approx(expected, rel=1e-3)
    assert area_m2(Polygon()) == 0.0


def test_zones_tile_the_boundary(plan: DistrictPlan) -> None:
    _assert_tiles_boundary(plan)


def test_zone_assignment(plan: DistrictPlan) -> None:
    station_codes = {station.code for station in plan.stations}
    street_codes = {street.code for street in plan.streets}
    post_station = {post.code: post.station_code for post in plan.posts}
    for zone in plan.zones:
        assert zone.station_code in station_codes
        assert zone.street_code in street_codes
        assert zone.area_class in {"urban", "suburban"}
        if zone.post_code is not None:
            assert post_station[zone.post_code] == zone.station_code

    posts = _zones_by(plan, "post_code")
    assert set(posts) == set(post_station)
    assert all(1 <= len(zones) <= 3 for zones in posts.values())
    assert set(_zones_by(plan, "station_code")) == station_codes
    assert set(_zones_by(plan, "street_code")) == street_codes

    classes = Counter(zone.area_class for zone in plan.zones)
    assert classes["urban"] > classes["suburban"] > 0


def test_territories_are_contiguous(plan: DistrictPlan) -> None:
    for attribute in ("station_code", "street_code", "post_code"):
        for code, zones in _zones_by(plan, attribute).items():
            assert _territory(zones).geom_type == "Polygon", code


def test_points_inside_their_territories(plan: DistrictPlan) -> None:
    _assert_points_inside_territories(plan)


def test_sectors_teams_and_units_reference_real_things(plan: DistrictPlan) -> None:
    sector_codes = {sector.code for sector in plan.sectors}
    station_codes = {station.code for station in plan.stations}
    street_codes = {street.code for street in plan.streets}
    post_station = {post.code: post.station_code for post in plan.posts}
    team_station = {team.code: team.station_code for team in plan.teams}

    assert all(station.sector_code in sector_codes for station in plan.stations)
    assert {station.sector_code for station in plan.stations} == sector_codes

    teams_per_station = Counter(team.station_code for team in plan.teams)
    assert set(teams_per_station) == station_codes
    assert all(2 <= count <= 4 for count in teams_per_station.values())

    for unit in plan.units:
        assert unit.home_station_code in station_codes
        if unit.unit_type == "street_force":
            assert unit.home_street_code in street_codes
            assert unit.team_code is None
            assert unit.home_post_code is None
        else:
            assert unit.home_street_code is None
            assert team_station[unit.team_code] == unit.home_station_code
            if unit.home_post_code is not None:
                assert post_station[unit.home_post_code] == unit.home_station_code

    department_names = " ".join(department.name for department in plan.partner_departments)
    for word in ("城管", "市场监管", "劳动", "120", "119"):
        assert word in department_names


def test_codes_and_call_signs_are_unique(plan: DistrictPlan) -> None:
    groups = {
        "sectors": [sector.code for sector in plan.sectors],
        "stations": [station.code for station in plan.stations],
        "posts": [post.code for post in plan.posts],
        "streets": [street.code for street in plan.streets],
        "zones": [zone.code for zone in plan.zones],
        "teams": [team.code for team in plan.teams],
        "departments": [department.code for department in plan.partner_departments],
        "call signs": [unit.call_sign for unit in plan.units],
        "zone names": [zone.name for zone in plan.zones],
        "unit names": [unit.name for unit in plan.units],
    }
    for label, values in groups.items():
        assert len(values) == len(set(values)), label
    codes = [code for label, values in groups.items() if "names" not in label for code in values]
    assert len(codes) == len(set(codes))


def test_deterministic(plan: DistrictPlan) -> None:
    again = build_demo_district()
    assert [zone.polygon.wkt for zone in again.zones] == [zone.polygon.wkt for zone in plan.zones]
    assert [(unit.lng, unit.lat) for unit in again.units] == [
        (unit.lng, unit.lat) for unit in plan.units
    ]
    assert again == plan


def test_other_seeds_differ_but_keep_the_invariants(plan: DistrictPlan) -> None:
    other = build_demo_district(seed=7)
    assert [zone.polygon.wkt for zone in other.zones] != [zone.polygon.wkt for zone in plan.zones]
    assert other.stations == plan.stations
    _assert_structure(other)
    _assert_tiles_boundary(other)
    _assert_points_inside_territories(other)


def test_zone_codes_follow_their_station(plan: DistrictPlan) -> None:
    # Zone codes embed their station's abbreviation ("PZ-HB-01" belongs to "PS-HB").
    for zone in plan.zones:
        assert zone.code.split("-")[1] == zone.station_code.split("-")[1]
