"""移交: a call for another district or agency is transferred with a reason, on the timeline."""

from incidents.models import Incident


def test_a_call_outside_the_district_is_transferred_with_its_reason(api_client_for, users, call):
    incident = call(lat=31.5, lng=121.5).json()
    assert incident["out_of_jurisdiction"] is True
    dispatcher = api_client_for(users.dispatcher)
    assert dispatcher.get(f"/api/v1/incidents/{incident['id']}/recommendations/").json() == []
    response = dispatcher.post(
        f"/api/v1/incidents/{incident['id']}/transfer/",
        {"to": "拱墅区公安分局", "reason": "报警地点在拱墅区"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "transferred"
    step = body["timeline"][-1]
    assert step["kind"] == "incident.transferred"
    assert "拱墅区公安分局" in step["detail"] and "报警地点在拱墅区" in step["detail"]
    assert Incident.objects.get(pk=incident["id"]).closed_at is not None


def test_a_transfer_without_taker_or_reason_is_refused_and_changes_nothing(
    api_client_for, users, call
):
    incident = call(lat=31.5, lng=121.5).json()
    response = api_client_for(users.dispatcher).post(
        f"/api/v1/incidents/{incident['id']}/transfer/", {}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"to", "reason"}
    assert Incident.objects.get(pk=incident["id"]).status == "received"


def test_a_job_units_are_on_cannot_be_transferred(api_client_for, users, call, district):
    incident = call().json()
    dispatcher = api_client_for(users.dispatcher)
    dispatcher.post(
        f"/api/v1/incidents/{incident['id']}/dispatch/",
        {"units": [district.units.a.pk]},
        format="json",
    )
    response = dispatcher.post(
        f"/api/v1/incidents/{incident['id']}/transfer/",
        {"to": "铁路公安", "reason": "x"},
        format="json",
    )
    assert response.status_code == 409


def test_street_staff_cannot_transfer(api_client_for, users, call):
    incident = call(category="dispute", lat=30.015).json()
    response = api_client_for(users.street_staff).post(
        f"/api/v1/incidents/{incident['id']}/transfer/",
        {"to": "x", "reason": "y"},
        format="json",
    )
    assert response.status_code == 403
