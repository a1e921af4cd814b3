"""Organisation endpoints: shapes, filters, scoping and query counts."""

import pytest


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_stations_list_for_dispatcher(users, api_client_for):
    body = api_client_for(users.dispatcher).get("/api/v1/stations/").json()
    assert body["count"] == 2
    assert {"code", "name", "sector", "sector_name", "lat", "lng"} <= set(body["results"][0])


def test_stations_filter_by_sector(users, api_client_for):
    client = api_client_for(users.dispatcher)
    assert len(results(client.get("/api/v1/stations/?sector=sector-1"))) == 2
    assert len(results(client.get("/api/v1/stations/?sector=none"))) == 0


def test_station_chief_gets_404_for_another_station(users, api_client_for, district):
    client = api_client_for(users.chief_a)
    assert client.get(f"/api/v1/stations/{district.station_a.id}/").status_code == 200
    assert client.get(f"/api/v1/stations/{district.station_b.id}/").status_code == 404


def test_posts_streets_and_centers_lists(users, api_client_for):
    client = api_client_for(users.dispatcher)
    assert [p["code"] for p in results(client.get("/api/v1/posts/"))] == ["post-p"]
    streets = results(client.get("/api/v1/streets/"))
    assert [s["governance_center"] for s in streets] == ["center-1", "center-2"]
    centers = results(client.get("/api/v1/governance-centers/?street=street-2"))
    assert [c["code"] for c in centers] == ["center-2"]


def test_zones_are_a_geojson_feature_collection(users, api_client_for):
    body = api_client_for(users.dispatcher).get("/api/v1/zones/").json()
    assert body["type"] == "FeatureCollection"
    assert body["count"] == 4
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Polygon"
    assert {"code", "station", "post", "street", "sector", "area_class"} <= set(
        feature["properties"]
    )


def test_zones_filter_and_scope(users, api_client_for):
    dispatcher = api_client_for(users.dispatcher)
    body = dispatcher.get("/api/v1/zones/?station=station-b").json()
    assert sorted(f["properties"]["code"] for f in body["features"]) == ["zone-ne", "zone-se"]
    body = api_client_for(users.post_officer).get("/api/v1/zones/").json()
    assert [f["properties"]["code"] for f in body["features"]] == ["zone-sw"]


def test_units_scoped_and_filtered(users, api_client_for):
    chief = api_client_for(users.chief_a)
    assert sorted(u["call_sign"] for u in results(chief.get("/api/v1/units/"))) == [
        "A-01",
        "P-01",
    ]
    dispatcher = api_client_for(users.dispatcher)
    street_force = results(dispatcher.get("/api/v1/units/?unit_type=street_force"))
    assert [u["call_sign"] for u in street_force] == ["S1-01"]
    assert street_force[0]["home_governance_center"] == "center-1"
    assert results(api_client_for(users.partner).get("/api/v1/units/")) == []


def test_district_is_a_geojson_feature(users, api_client_for):
    body = api_client_for(users.street_staff).get("/api/v1/district/").json()
    assert body["type"] == "Feature"
    assert body["geometry"]["type"] == "Polygon"
    assert body["properties"]["district_name"] == "测试区"


def test_district_not_set_up_answers_404(db, api_client_for):
    from tests.factories import UserFactory

    client = api_client_for(UserFactory(username="early"))
    assert client.get("/api/v1/district/").status_code == 404


def test_pagination_limits_page_size(users, api_client_for):
    body = api_client_for(users.dispatcher).get("/api/v1/units/?page_size=2").json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert body["next"] is not None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/stations/",
        "/api/v1/posts/",
        "/api/v1/streets/",
        "/api/v1/governance-centers/",
        "/api/v1/zones/",
        "/api/v1/units/",
        "/api/v1/teams/",
    ],
)
def test_list_endpoints_use_a_fixed_number_of_queries(
    url, users, api_client_for, django_assert_max_num_queries, district
):
    from tests.factories import PatrolZoneFactory, UnitFactory

    client = api_client_for(users.dispatcher)
    for _ in range(5):  # more rows must not mean more queries
        UnitFactory(home_station=district.station_b, team=district.teams.b)
        PatrolZoneFactory(station=district.station_b, street=district.street_2)
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200
