"""Regression tests of the inputs that used to answer 500 (issue 11, item 5).

Each one now gets a 4xx with a message naming the field, and changes nothing.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from patrol.models import PositionFix

DEEP = 50_000


def deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


# --- 1. deeply nested JSON -------------------------------------------------------------


def test_deeply_nested_json_to_the_token_endpoint_is_400_without_login(client, db):
    response = client.post("/api/v1/auth/token/", deep_json(), content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_deeply_nested_json_inside_an_object_is_400(client, db):
    body = '{"username": ' + deep_json() + ', "password": "x"}'
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


def test_json_nested_past_the_limit_but_under_the_recursion_limit_is_400(
    api_client_for, users, event_count
):
    before = event_count()
    response = api_client_for(users.dispatcher).post(
        "/api/v1/incidents/", deep_json(200), content_type="application/json"
    )
    assert response.status_code == 400
    assert event_count() == before


def test_deeply_nested_json_to_an_authenticated_endpoint_is_400(api_client_for, users):
    response = api_client_for(users.dispatcher).post(
        "/api/v1/positions/", '{"fixes": ' + deep_json() + "}", content_type="application/json"
    )
    assert response.status_code == 400


def test_ordinary_nesting_is_still_accepted(call):
    assert call(description="a" * 10).status_code == 201


# --- 2. received_after / received_before with an offset PostgreSQL refuses ---------------


@pytest.mark.parametrize(
    "query",
    [
        {"received_after": "2026-01-01T00:00:00+16:00"},
        {"received_before": "2026-01-01T00:00:00-16:00"},
        {"received_after": "2026-01-01T00:00:00+23:59"},
    ],
)
def test_received_filters_with_a_large_utc_offset_are_answered(api_client_for, users, query):
    response = api_client_for(users.dispatcher).get("/api/v1/incidents/", query)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-02-30T00:00:00Z"]
)
def test_received_filters_out_of_range_are_400(api_client_for, users, value):
    response = api_client_for(users.dispatcher).get("/api/v1/incidents/", {"received_after": value})
    assert response.status_code == 400
    assert "received_after" in response.json()


def test_search_page_with_a_large_utc_offset_answers(client, users):
    client.force_login(users.dispatcher)
    response = client.get(reverse("incident-search"), {"received_after": "2026-01-01 00:00+16:00"})
    assert response.status_code in (200, 400)


# --- 3-7. GPS fixes whose time or unit could not be parsed ------------------------------


@pytest.fixture
def report(api_client_for, officer):
    """A fix from A-01's terminal (positions come from terminals and gateways)."""

    def send(**fields):
        now = timezone.now().isoformat()
        fix = {"unit": "A-01", "time": now, "lat": 30.005, "lng": 120.005}
        fix.update(fields)
        return api_client_for(officer).post("/api/v1/positions/", {"fixes": [fix]}, format="json")

    return send


@pytest.mark.parametrize(
    "time",
    [
        "2026-02-30T10:00:00+08:00",  # well formed, not a date
        "2026-01-01T25:00:00+08:00",
        "2026-01-01T10:00:00+24:00",  # offset of a day
        "2026-01-01T10:00:00+99:99",
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
    ],
)
def test_gps_time_that_is_not_a_real_time_is_refused_per_fix(report, district, time):
    response = report(time=time)
    assert response.status_code == 400, response.content
    assert response.json()["rejected"][0]["errors"].keys() == {"time"}
    assert PositionFix.objects.count() == 0


@pytest.mark.parametrize(
    "unit", ["²", "١٢", "A-01\x00", "\x00", "x" * 500, "99999999999999999999", 2**70, -1, 0]
)
def test_gps_unit_that_cannot_name_a_unit_is_refused_per_fix(report, district, unit):
    response = report(unit=unit)
    assert response.status_code == 400, response.content
    assert response.json()["rejected"][0]["errors"].keys() == {"unit"}
    assert PositionFix.objects.count() == 0


@pytest.mark.parametrize("unit", ["\\ud800", "A\\udfff"])
def test_gps_unit_with_a_lone_surrogate_is_400(api_client_for, officer, district, unit):
    fix = f'{{"unit": "{unit}", "time": "2026-01-01T08:00:00Z", "lat": 30, "lng": 120}}'
    body = f'{{"fixes": [{fix}]}}'
    response = api_client_for(officer).post(
        "/api/v1/positions/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content


# --- 8. recommendations?limit=abc -------------------------------------------------------


@pytest.mark.parametrize("limit", ["abc", "-1", "0", "1e3", "1.5"])
def test_recommendations_with_a_bad_limit_are_400(api_client_for, users, call, limit):
    incident = call().json()["id"]
    response = api_client_for(users.dispatcher).get(
        f"/api/v1/incidents/{incident}/recommendations/", {"limit": limit}
    )
    assert response.status_code == 400
    assert "limit" in response.json()


def test_recommendations_limit_above_the_maximum_is_capped(api_client_for, users, call):
    incident = call().json()["id"]
    response = api_client_for(users.dispatcher).get(
        f"/api/v1/incidents/{incident}/recommendations/", {"limit": "9" * 30}
    )
    assert response.status_code == 200


# --- 9. patrol-time and /station/ with a date that is no day or out of range ------------

BAD_DAYS = ["2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "someday"]


@pytest.mark.parametrize("day", BAD_DAYS)
def test_patrol_time_with_a_bad_date_is_400(api_client_for, users, district, day):
    response = api_client_for(users.dispatcher).get("/api/v1/patrol-time/", {"date": day})
    assert response.status_code == 400
    assert "date" in response.json()


@pytest.mark.parametrize("day", BAD_DAYS)
def test_station_view_with_a_bad_date_is_400(client, users, day):
    client.force_login(users.chief_a)
    response = client.get(reverse("station-console"), {"date": day})
    assert response.status_code == 400


def test_station_view_with_a_good_date_is_200(client, users):
    client.force_login(users.chief_a)
    response = client.get(reverse("station-console"), {"date": "2026-01-02"})
    assert response.status_code == 200


# --- Found by the schemathesis run (tests/test_api_fuzz.py) ------------------------------


def test_a_json_null_body_is_400_with_messages_in_an_object(api_client_for, users):
    response = api_client_for(users.dispatcher).post(
        "/api/v1/incidents/", "null", content_type="application/json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_an_unmatched_api_url_is_a_json_404(client, users):
    client.force_login(users.dispatcher)
    response = client.get("/api/v1/units/0.5/")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"


def test_too_many_form_fields_to_the_api_is_a_json_400(api_client_for, users):
    body = "&".join(["fixes=unit"] * 1500)
    response = api_client_for(users.dispatcher).post(
        "/api/v1/positions/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
