"""The incident lifecycle through the API: police jobs, street jobs, refusals."""

import pytest

from commandcenter.models import Event
from incidents.models import Incident
from patrol.models import Unit


@pytest.fixture
def dispatcher_client(api_client_for, users):
    return api_client_for(users.dispatcher)


def post(client, url, body=None):
    return client.post(url, body or {}, format="json")


def test_police_job_walks_the_whole_lifecycle(call, dispatcher_client, district):
    incident = call(category="criminal", lat=30.005, lng=120.005).json()
    base = f"/api/v1/incidents/{incident['id']}"
    ranked = dispatcher_client.get(f"{base}/recommendations/").json()
    assert {r["call_sign"] for r in ranked} == {"A-01", "P-01", "B-01"}  # no street force
    response = post(dispatcher_client, f"{base}/dispatch/", {"units": [district.units.a.id]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "dispatched"
    assignment = body["assignments"][0]["id"]
    for step in ("acknowledge", "en-route", "on-scene"):
        response = post(dispatcher_client, f"/api/v1/assignments/{assignment}/{step}/")
        assert response.status_code == 200, (step, response.content)
    district.units.a.refresh_from_db()
    assert district.units.a.status == "on_scene"
    body = dispatcher_client.get(f"{base}/").json()
    assert body["status"] == "on_scene"
    assert body["on_scene_at"] is not None
    response = post(
        dispatcher_client,
        f"{base}/resolve/",
        {"result_code": "settled_on_site", "notes": "嫌疑人已控制"},
    )
    assert response.json()["status"] == "resolved"
    district.units.a.refresh_from_db()
    assert district.units.a.status == "available"
    body = post(dispatcher_client, f"{base}/close/", {"feedback": "已回访，群众满意"}).json()
    assert body["status"] == "closed"
    assert [entry["kind"] for entry in body["timeline"]] == [
        "incident.received",
        "incident.dispatched",
        "assignment.acknowledged",
        "assignment.en_route",
        "incident.on_scene",
        "assignment.cleared",
        "incident.resolved",
        "incident.closed",
    ]
    assert all(entry["actor"] == "dispatcher" and entry["time"] for entry in body["timeline"])
    assert body["assignments"][0]["on_scene_at"] is not None


def test_on_scene_time_is_the_first_units(call, dispatcher_client, district):
    incident = call().json()
    base = f"/api/v1/incidents/{incident['id']}"
    units = [district.units.a.id, district.units.p.id]
    assignments = post(dispatcher_client, f"{base}/dispatch/", {"units": units}).json()[
        "assignments"
    ]
    post(dispatcher_client, f"/api/v1/assignments/{assignments[1]['id']}/on-scene/")
    first = dispatcher_client.get(f"{base}/").json()["on_scene_at"]
    post(dispatcher_client, f"/api/v1/assignments/{assignments[0]['id']}/on-scene/")
    assert dispatcher_client.get(f"{base}/").json()["on_scene_at"] == first


def test_illegal_transition_is_409_naming_the_current_state(call, dispatcher_client):
    incident = call().json()
    response = post(dispatcher_client, f"/api/v1/incidents/{incident['id']}/close/")
    assert response.status_code == 409
    assert incident["number"] in response.json()["detail"]
    assert "已接警" in response.json()["detail"]  # the current state, in the user's language


def test_actions_on_a_closed_job_are_refused_and_change_nothing(call, dispatcher_client, district):
    incident = call(category="misdial").json()
    before = Event.objects.count()
    for action, body in [
        ("dispatch", {"units": [district.units.a.id]}),
        ("resolve", {"result_code": "other"}),
        ("cancel", {"reason": "x"}),
    ]:
        response = post(dispatcher_client, f"/api/v1/incidents/{incident['id']}/{action}/", body)
        assert response.status_code == 409, action
    assert Event.objects.count() == before
    district.units.a.refresh_from_db()
    assert district.units.a.status == "available"


def test_busy_unit_cannot_be_sent_again(call, dispatcher_client, district):
    first = call(lat=30.005, lng=120.005).json()
    second = call(category="traffic", lat=30.015, lng=120.015).json()
    post(
        dispatcher_client,
        f"/api/v1/incidents/{first['id']}/dispatch/",
        {"units": [district.units.b.id]},
    )
    response = post(
        dispatcher_client,
        f"/api/v1/incidents/{second['id']}/dispatch/",
        {"units": [district.units.a.id, district.units.b.id]},
    )
    assert response.status_code == 409
    assert "B-01" in response.json()["detail"]
    district.units.a.refresh_from_db()
    assert district.units.a.status == "available"  # all or nothing
    assert Incident.objects.get(pk=second["id"]).status == "received"


def test_unknown_or_duplicate_units_are_field_errors(call, dispatcher_client, district):
    incident = call().json()
    url = f"/api/v1/incidents/{incident['id']}/dispatch/"
    assert post(dispatcher_client, url, {"units": [999999]}).status_code == 400
    duplicate = post(dispatcher_client, url, {"units": [district.units.a.id] * 2})
    assert duplicate.status_code == 400
    assert "units" in duplicate.json()
    assert post(dispatcher_client, url, {"units": []}).status_code == 400


def test_street_force_cannot_go_to_a_police_job(call, dispatcher_client, district):
    incident = call().json()
    response = post(
        dispatcher_client,
        f"/api/v1/incidents/{incident['id']}/dispatch/",
        {"units": [district.units.street.id]},
    )
    assert response.status_code == 400


def test_invalidate_after_intake_records_the_reason(call, dispatcher_client):
    incident = call().json()
    url = f"/api/v1/incidents/{incident['id']}/invalidate/"
    assert post(dispatcher_client, url, {"reason": "criminal"}).status_code == 400
    body = post(dispatcher_client, url, {"reason": "prank"}).json()
    assert body["status"] == "invalid"
    assert body["invalid_reason"] == "prank"


def test_cancel_frees_the_units_and_needs_a_reason(call, dispatcher_client, district):
    incident = call().json()
    base = f"/api/v1/incidents/{incident['id']}"
    post(dispatcher_client, f"{base}/dispatch/", {"units": [district.units.a.id]})
    assert post(dispatcher_client, f"{base}/cancel/", {"reason": ""}).status_code == 400
    assert (
        post(dispatcher_client, f"{base}/cancel/", {"reason": "报警人撤警"}).json()["status"]
        == "cancelled"
    )
    assert Unit.objects.get(pk=district.units.a.id).status == "available"


def test_closing_a_job_closes_its_linked_repeat_calls(call, dispatcher_client):
    first = call().json()
    repeat = call().json()
    base = f"/api/v1/incidents/{first['id']}"
    post(dispatcher_client, f"{base}/resolve/", {"result_code": "settled_on_site"})
    post(dispatcher_client, f"{base}/close/", {"feedback": "ok"})
    assert Incident.objects.get(pk=repeat["id"]).status == "closed"


# --- street side ------------------------------------------------------------------


def test_diverted_job_is_settled_by_the_street(call, api_client_for, users, district):
    incident = call(category="dispute", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    assert post(street, f"{base}/accept/").json()["status"] == "accepted"
    ranked = street.get(f"{base}/recommendations/").json()
    assert [r["call_sign"] for r in ranked] == ["S1-01"]
    body = post(street, f"{base}/dispatch/", {"units": [district.units.street.id]}).json()
    assert body["status"] == "dispatched"
    post(street, f"/api/v1/assignments/{body['assignments'][0]['id']}/on-scene/")
    body = post(street, f"{base}/settle/", {"result_code": "mediated", "notes": "双方和解"}).json()
    assert body["status"] == "resolved"
    assert body["result_code"] == "mediated"
    body = post(street, f"{base}/close/", {"feedback": "回访满意"}).json()
    assert body["status"] == "closed"
    assert [e["actor"] for e in body["timeline"]][1:] == ["street_1"] * 6


def test_returned_job_reenters_the_dispatch_queue_with_its_history(
    call, api_client_for, users, district
):
    incident = call(category="assistance", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    post(street, f"{base}/accept/")
    assert post(street, f"{base}/return/", {"reason": ""}).status_code == 400
    body = post(street, f"{base}/return/", {"reason": "现场发现持刀，需警方处置"}).json()
    assert body["status"] == "returned"
    assert body["tier"] == "police"
    dispatcher = api_client_for(users.dispatcher)
    queue = dispatcher.get("/api/v1/incidents/?status=received&status=returned").json()
    assert incident["id"] in [i["id"] for i in queue["results"]]
    body = post(dispatcher, f"{base}/dispatch/", {"units": [district.units.a.id]}).json()
    assert [e["kind"] for e in body["timeline"]] == [
        "incident.diverted",
        "incident.accepted",
        "incident.returned",
        "incident.dispatched",
    ]
    # The street still sees the job it returned, but can no longer act on it.
    assert street.get(f"{base}/").status_code == 200
    assert post(street, f"{base}/accept/").status_code == 403


def test_street_refers_to_a_partner_department_which_then_sees_it(
    call, api_client_for, users, district
):
    incident = call(category="complaint", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    post(street, f"{base}/accept/")
    assert post(street, f"{base}/refer/", {"to": "nowhere"}).status_code == 400
    body = post(street, f"{base}/refer/", {"to": "chengguan", "notes": "占道经营"}).json()
    assert body["status"] == "referred"
    assert body["referred_to"] == "chengguan"
    partner = api_client_for(users.partner).get(f"{base}/").json()
    assert partner["caller_phone"] == "138****8000"
    assert partner["caller_name"] == "张*"


def test_street_user_cannot_act_as_police_or_for_another_street(
    call, api_client_for, users, district
):
    police_job = call(lat=30.015, lng=120.005).json()
    other_street_job = call(category="dispute", lat=30.015, lng=120.015).json()
    street = api_client_for(users.street_staff)
    assert street.get(f"/api/v1/incidents/{police_job['id']}/").status_code == 404
    assert street.get(f"/api/v1/incidents/{other_street_job['id']}/").status_code == 404
    own = call(category="dispute", lat=30.015, lng=120.005).json()
    response = post(
        street, f"/api/v1/incidents/{own['id']}/dispatch/", {"units": [district.units.a.id]}
    )
    assert response.status_code in (400, 409)


def test_dispatcher_cannot_accept_for_the_street(call, dispatcher_client):
    incident = call(category="dispute", lat=30.015, lng=120.005).json()
    response = post(dispatcher_client, f"/api/v1/incidents/{incident['id']}/accept/")
    assert response.status_code == 403


def test_station_chief_acts_only_in_its_area(call, api_client_for, users, district):
    own = call(lat=30.005, lng=120.005).json()
    other = call(category="traffic", lat=30.015, lng=120.015).json()
    chief = api_client_for(users.chief_a)
    assert chief.get(f"/api/v1/incidents/{other['id']}/").status_code == 404
    listed = [i["id"] for i in chief.get("/api/v1/incidents/").json()["results"]]
    assert listed == [own["id"]]
    response = post(
        chief, f"/api/v1/incidents/{own['id']}/dispatch/", {"units": [district.units.p.id]}
    )
    assert response.status_code == 200


def test_post_officer_sees_only_its_posts_jobs(call, api_client_for, users):
    in_post = call(lat=30.005, lng=120.005).json()
    call(category="traffic", lat=30.015, lng=120.005)  # station A, no post
    listed = api_client_for(users.post_officer).get("/api/v1/incidents/").json()["results"]
    assert [i["id"] for i in listed] == [in_post["id"]]


def test_incident_list_filters(call, dispatcher_client):
    call(category="dispute", lat=30.015, lng=120.005)
    call(lat=30.015, lng=120.015, category="traffic")
    assert dispatcher_client.get("/api/v1/incidents/?tier=street").json()["count"] == 1
    assert dispatcher_client.get("/api/v1/incidents/?station=station-b").json()["count"] == 1
    assert dispatcher_client.get("/api/v1/incidents/?street=street-1").json()["count"] == 1
    assert (
        dispatcher_client.get("/api/v1/incidents/?received_after=2000-01-01T00:00:00Z").json()[
            "count"
        ]
        == 2
    )
    assert (
        dispatcher_client.get("/api/v1/incidents/?received_before=2000-01-01T00:00:00Z").json()[
            "count"
        ]
        == 0
    )


def test_incident_list_uses_a_fixed_number_of_queries(
    call, dispatcher_client, django_assert_max_num_queries
):
    for i in range(6):
        call(lat=30.002 + i * 0.003, lng=120.002 + i * 0.003, category="traffic")
    with django_assert_max_num_queries(3):
        assert dispatcher_client.get("/api/v1/incidents/").status_code == 200


def test_a_street_job_nobody_reached_is_settled_only_as_remote(call, api_client_for, users):
    incident = call(category="dispute", lat=30.015, lng=120.005).json()
    street = api_client_for(users.street_staff)
    base = f"/api/v1/incidents/{incident['id']}"
    post(street, f"{base}/accept/")
    refused = street.post(f"{base}/settle/", {"result_code": "mediated"}, format="json")
    assert refused.status_code == 400
    assert "remote" in refused.json()
    assert Incident.objects.get(pk=incident["id"]).status == "accepted"
    body = post(street, f"{base}/settle/", {"result_code": "mediated", "remote": True}).json()
    assert body["status"] == "resolved"
    settled = Event.objects.get(subject_id=str(incident["id"]), kind="incident.settled")
    assert (settled.payload["on_scene"], settled.payload["on_scene_at"]) == (False, None)
