"""Unit recommendations: ranked by estimated arrival, covering units preferred."""

from dispatch.selectors import COVERING_POST_BONUS_S, units_recommend
from incidents.models import Incident
from patrol.choices import UnitStatus, UnitType
from tests.factories import TeamFactory, UnitFactory


def incident_at(call, **fields) -> Incident:
    return Incident.objects.get(pk=call(**fields).json()["id"])


def test_nearest_unit_ranks_first_with_distance_and_eta(call, district):
    district.units.b.lat, district.units.b.lng = 30.0151, 120.0151
    district.units.b.save()
    incident = incident_at(call, category="traffic", lat=30.015, lng=120.015)
    ranked = units_recommend(incident=incident, user=None)
    assert ranked[0].call_sign == "B-01"
    assert ranked[0].distance_m < 20
    assert ranked[0].eta_seconds < 10


def test_covering_post_unit_is_preferred_when_nearly_as_close(call, district):
    # Unit B (another station) is 300 m closer than the post's foot patrol in a car.
    district.units.p.unit_type = UnitType.PATROL_CAR
    district.units.p.lat, district.units.p.lng = 30.008, 120.005
    district.units.p.save()
    district.units.b.lat, district.units.b.lng = 30.0055, 120.005
    district.units.b.save()
    incident = incident_at(call, lat=30.005, lng=120.005)
    ranked = units_recommend(incident=incident, user=None)
    assert ranked[0].call_sign == "P-01"
    assert ranked[0].covering == "post"


def test_busy_off_duty_and_off_shift_units_are_not_recommended(call, district):
    district.units.a.status = UnitStatus.DISPATCHED
    district.units.a.save()
    district.units.b.status = UnitStatus.OFF_DUTY
    district.units.b.save()
    off_shift = TeamFactory(station=district.station_a, on_duty=False)
    UnitFactory(call_sign="OFF-01", home_station=district.station_a, team=off_shift)
    incident = incident_at(call)
    assert [r.call_sign for r in units_recommend(incident=incident, user=None)] == ["P-01"]


def test_street_jobs_get_street_forces_only(call, district):
    incident = incident_at(call, category="dispute", lat=30.015, lng=120.005)
    assert [r.call_sign for r in units_recommend(incident=incident, user=None)] == ["S1-01"]


def test_limit_caps_the_list(call, district):
    for i in range(20):
        UnitFactory(home_station=district.station_b, lat=30.01 + i * 0.0001, lng=120.01)
    incident = incident_at(call)
    assert len(units_recommend(incident=incident, user=None, limit=5)) == 5


def test_recommendations_endpoint_answers_in_a_fixed_number_of_queries(
    call, api_client_for, users, district, django_assert_max_num_queries
):
    for i in range(30):
        UnitFactory(home_station=district.station_b, lat=30.01 + i * 0.0001, lng=120.01)
    incident = call().json()
    client = api_client_for(users.dispatcher)
    with django_assert_max_num_queries(3):
        ranked = client.get(f"/api/v1/incidents/{incident['id']}/recommendations/").json()
    assert len(ranked) == 10
    assert {"unit", "call_sign", "eta_seconds", "distance_m", "covering"} <= set(ranked[0])


def test_recommendation_explains_its_rank_by_drive_time_less_the_covering_head_start(
    call, api_client_for, users, district
):
    # The post's car is farther than unit B, but its head start puts it first.
    district.units.p.unit_type = UnitType.PATROL_CAR
    district.units.p.lat, district.units.p.lng = 30.008, 120.005
    district.units.p.save()
    district.units.b.lat, district.units.b.lng = 30.0055, 120.005
    district.units.b.save()
    incident = call(lat=30.005, lng=120.005).json()
    client = api_client_for(users.dispatcher)
    ranked = client.get(f"/api/v1/incidents/{incident['id']}/recommendations/").json()
    first, others = ranked[0], {row["call_sign"]: row for row in ranked}
    assert first["call_sign"] == "P-01"
    assert first["covering"] == "post"
    assert first["covering_bonus_seconds"] == COVERING_POST_BONUS_S
    assert first["travel_seconds"] == first["eta_seconds"]
    assert first["ranked_seconds"] == first["travel_seconds"] - COVERING_POST_BONUS_S
    # B drives there sooner, with no head start, and still ranks behind.
    b = others["B-01"]
    assert b["covering_bonus_seconds"] == 0
    assert b["travel_seconds"] < first["travel_seconds"]
    assert b["ranked_seconds"] == b["travel_seconds"] > first["ranked_seconds"]
