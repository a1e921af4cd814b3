"""`?incident=<id>` on assignments and orders does not tell another area's job
from one that does not exist: both give an empty list."""

import pytest

from dispatch.services import incident_dispatch


@pytest.fixture
def job_of_station_b(call, users, district):
    incident = call(lat=30.005, lng=120.015).json()  # zone-se, station B
    incident_dispatch(
        actor=users.dispatcher, incident_id=incident["id"], unit_ids=[district.units.b.id]
    )
    return incident["id"]


@pytest.mark.parametrize("path", ["/api/v1/assignments/", "/api/v1/orders/"])
def test_an_out_of_scope_id_and_a_missing_id_answer_alike(
    api_client_for, users, job_of_station_b, path
):
    client = api_client_for(users.chief_a)
    other_area = client.get(path, {"incident": job_of_station_b})
    missing = client.get(path, {"incident": job_of_station_b + 10_000})
    assert other_area.status_code == missing.status_code == 200
    assert other_area.json()["count"] == missing.json()["count"] == 0


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "9" * 30])
def test_an_incident_filter_that_is_no_id_is_400(api_client_for, users, district, value):
    response = api_client_for(users.dispatcher).get("/api/v1/assignments/", {"incident": value})
    assert response.status_code == 400
    assert "incident" in response.json()


def test_the_incident_filter_still_finds_the_job_in_scope(api_client_for, users, job_of_station_b):
    response = api_client_for(users.chief_b).get(
        "/api/v1/assignments/", {"incident": job_of_station_b}
    )
    assert response.json()["count"] == 1
