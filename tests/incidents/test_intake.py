"""Call intake: placing, routing, repeats, invalid calls and bad input."""

import re

import pytest

from incidents.models import Incident


def test_police_call_in_a_post_zone_goes_to_the_post(call, district):
    response = call(category="criminal", lat=30.005, lng=120.005)
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"\d{8}-\d{4,}", body["number"])
    assert body["status"] == "received"
    assert body["tier"] == "police"
    assert body["zone"] == "zone-sw"
    assert body["station"] == "station-a"
    assert body["post"] == "post-p"
    assert body["street"] == "street-1"
    assert body["repeat_of"] is None
    assert "post-p" not in body["routing_reason"]  # names, not codes
    assert district.post_p.name in body["routing_reason"]
    assert body["routing_rule"] == "警务类由警务站接警、派出所兜底"


def test_police_call_in_a_zone_without_post_goes_to_the_station(call, district):
    body = call(category="traffic", lat=30.015, lng=120.015).json()
    assert body["post"] is None
    assert body["station"] == "station-b"
    assert district.station_b.name in body["routing_reason"]


def test_fire_is_routed_to_the_station_by_its_own_rule(call, district):
    body = call(category="fire", lat=30.005, lng=120.005).json()
    assert body["tier"] == "police"
    assert body["routing_rule"] == "火灾由派出所兜底"
    assert district.station_a.name in body["routing_reason"]


def test_non_police_call_is_diverted_to_the_street_center(call, district):
    body = call(category="dispute", lat=30.015, lng=120.005).json()
    assert body["status"] == "diverted"
    assert body["tier"] == "street"
    assert body["governance_center"] == "center-1"
    assert district.center_1.name in body["routing_reason"]


def test_invalid_call_is_closed_at_intake_with_its_reason(call):
    body = call(category="misdial", description="拨错了").json()
    assert body["status"] == "invalid"
    assert body["tier"] == "invalid"
    assert body["invalid_reason"] == "misdial"
    assert body["closed_at"] is not None


def test_repeat_call_is_linked_and_counted_not_dispatched_again(call, api_client_for, users):
    first = call(category="criminal", lat=30.005, lng=120.005).json()
    second = call(
        category="public_order", lat=30.0051, lng=120.0052, caller_phone="13900000000"
    ).json()
    assert second["status"] == "received"  # another group: not a repeat
    repeat = call(category="criminal", lat=30.0052, lng=120.0051, caller_phone="13700000000")
    body = repeat.json()
    assert repeat.status_code == 201
    assert body["status"] == "linked"
    assert body["repeat_of"] == first["id"]
    assert body["repeat_of_number"] == first["number"]
    original = api_client_for(users.dispatcher).get(f"/api/v1/incidents/{first['id']}/").json()
    assert original["call_count"] == 2
    assert [e["kind"] for e in original["timeline"]] == [
        "incident.received",
        "incident.repeat_call",
    ]


def test_call_far_away_or_late_is_not_a_repeat(call, settings):
    call(category="criminal", lat=30.005, lng=120.005)
    assert call(category="criminal", lat=30.015, lng=120.015).json()["repeat_of"] is None
    settings.INCIDENT_REPEAT_WINDOW_MINUTES = 0
    assert call(category="criminal", lat=30.005, lng=120.005).json()["repeat_of"] is None


def test_unlinking_a_repeat_routes_it_as_its_own_incident(call, api_client_for, users):
    first = call(category="dispute", lat=30.015, lng=120.005).json()
    repeat = call(category="dispute", lat=30.015, lng=120.005).json()
    client = api_client_for(users.dispatcher)
    response = client.post(f"/api/v1/incidents/{repeat['id']}/unlink/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["repeat_of"] is None
    assert body["status"] == "diverted"
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds == ["incident.linked", "incident.unlinked", "incident.diverted"]
    assert client.get(f"/api/v1/incidents/{first['id']}/").json()["call_count"] == 1


def test_unlinking_an_incident_that_is_not_a_repeat_is_refused(call, api_client_for, users):
    first = call().json()
    response = api_client_for(users.dispatcher).post(f"/api/v1/incidents/{first['id']}/unlink/")
    assert response.status_code == 409
    assert "Received" in response.json()["detail"] or "已接警" in response.json()["detail"]


def test_point_outside_the_district_is_accepted_and_held_by_the_command_center(call):
    body = call(lat=31.5, lng=121.5).json()
    assert body["out_of_jurisdiction"] is True
    assert body["tier"] == "police"
    assert body["station"] is None
    assert body["status"] == "received"
    assert "command center" in body["routing_reason"] or "指挥中心" in body["routing_reason"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lat": 91}, "lat"),
        ({"lng": -181}, "lng"),
        ({"lat": "north"}, "lat"),
        ({"category": "alien-landing"}, "category"),
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"address": "x" * 201}, "address"),
        ({"caller_phone": "call me maybe"}, "caller_phone"),
        ({"source": "carrier-pigeon"}, "source"),
    ],
)
def test_bad_input_gets_a_field_error_and_writes_nothing(call, event_count, fields, field):
    before = event_count()
    response = call(**fields)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Incident.objects.count() == 0
    assert event_count() == before


def test_numbers_run_per_day(call):
    numbers = [call(lat=30.005 + i * 0.003, category="traffic").json()["number"] for i in range(3)]
    running = [int(n.split("-")[1]) for n in numbers]
    assert running == [running[0], running[0] + 1, running[0] + 2]


def test_partner_call_is_recorded_as_from_the_partner_and_visible_to_it(
    call, users, api_client_for
):
    body = call(user=users.partner, category="assistance", source="phone_110").json()
    assert body["source"] == "partner_api"
    listed = api_client_for(users.partner).get("/api/v1/incidents/").json()
    assert [i["id"] for i in listed["results"]] == [body["id"]]


def test_categories_list_the_standard_set(api_client_for, users):
    codes = {
        c["code"]
        for c in api_client_for(users.dispatcher).get("/api/v1/incident-categories/").json()
    }
    assert {
        "criminal",
        "public_order",
        "traffic",
        "fire",
        "dispute",
        "assistance",
        "inquiry",
        "complaint",
        "missing_person",
        "alarm",
        "misdial",
        "prank",
        "silent",
        "repeat",
    } <= codes


# --- Idempotency-Key: a caller that lost the answer retries safely -------------------


def _intake(client, key: str, **fields):
    body = {"category": "criminal", "description": "抢包", "lat": 30.005, "lng": 120.005, **fields}
    return client.post("/api/v1/incidents/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_call_retried_with_its_idempotency_key_is_taken_once(api_client_for, users, event_count):
    client = api_client_for(users.dispatcher)
    first = _intake(client, "call-7f3a")
    events = event_count()
    again = _intake(client, "call-7f3a")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1
    assert event_count() == events


def test_the_same_idempotency_key_with_another_call_is_refused(api_client_for, users):
    client = api_client_for(users.dispatcher)
    _intake(client, "call-7f3a")
    other = _intake(client, "call-7f3a", description="另一起")
    assert other.status_code == 422
    assert Incident.objects.count() == 1
