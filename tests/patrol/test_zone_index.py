"""Placing a point in its zone, station, post, street and sector."""

from patrol import zone_index
from patrol.zone_index import point_resolve, zone_index_invalidate
from tests.factories import square


def test_point_inside_a_zone_resolves_to_its_whole_chain(district):
    placement = point_resolve(lat=30.005, lng=120.005)
    assert placement.zone_id == district.zones.sw.id
    assert placement.station_id == district.station_a.id
    assert placement.post_id == district.post_p.id
    assert placement.street_id == district.street_1.id
    assert placement.sector_id == district.sector.id


def test_zone_without_post_resolves_to_no_post(district):
    placement = point_resolve(lat=30.015, lng=120.015)
    assert placement.zone_id == district.zones.ne.id
    assert placement.post_id is None


def test_point_on_a_shared_border_goes_to_the_lowest_zone_code(district):
    # On the line between zone-sw and zone-se: "zone-se" < "zone-sw".
    assert point_resolve(lat=30.005, lng=120.01).zone_code == "zone-se"
    # The corner shared by all four zones.
    assert point_resolve(lat=30.01, lng=120.01).zone_code == "zone-ne"


def test_point_on_the_district_boundary_is_inside(district):
    assert point_resolve(lat=30.0, lng=120.005).zone_code == "zone-sw"


def test_point_outside_the_district_resolves_to_none(district):
    assert point_resolve(lat=30.03, lng=120.005) is None
    assert point_resolve(lat=-30.0, lng=-120.0) is None


def test_changed_zones_are_seen_after_invalidation(district, monkeypatch):
    assert point_resolve(lat=30.005, lng=120.005).zone_code == "zone-sw"
    zone = district.zones.sw
    zone.boundary = square(120.0, 30.0, 120.005, 30.01)
    zone.save()
    zone_index_invalidate()
    assert point_resolve(lat=30.005, lng=120.0075) is None


def test_changed_zones_are_seen_after_the_refresh_interval(district, monkeypatch):
    assert point_resolve(lat=30.005, lng=120.005).zone_code == "zone-sw"
    district.zones.sw.delete()
    monkeypatch.setattr(zone_index, "REFRESH_SECONDS", 0.0)
    assert point_resolve(lat=30.005, lng=120.005) is None
