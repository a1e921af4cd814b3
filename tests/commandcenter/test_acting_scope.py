"""One scope rule for acting, not only for reading (commandcenter.access):
who may send which units, who may file which calls. Each refusal writes nothing."""

from commandcenter.models import Event
from dispatch.models import Assignment
from dispatch.selectors import units_recommend
from incidents.models import Incident
from patrol.choices import UnitStatus, UnitType
from patrol.models import Unit
from tests import factories as f

STATION_A_POINT = {"lat": 30.015, "lng": 120.005}  # zone-nw: station A, street 1, no post
POST_P_POINT = {"lat": 30.005, "lng": 120.005}  # zone-sw: station A, post P, street 1
STATION_B_POINT = {"lat": 30.015, "lng": 120.015}  # zone-ne: station B, street 2


def send(api_client_for, user, incident_id, *units):
    return api_client_for(user).post(
        f"/api/v1/incidents/{incident_id}/dispatch/",
        {"units": [unit.pk for unit in units]},
        format="json",
    )


def assert_nothing_sent(*units):
    assert not Assignment.objects.exists()
    assert set(
        Unit.objects.filter(pk__in=[u.pk for u in units]).values_list("status", flat=True)
    ) == {UnitStatus.AVAILABLE}


# --- Who may send which unit ---------------------------------------------------------


def test_a_station_chief_sends_its_own_units_not_another_stations(
    api_client_for, users, district, call
):
    incident = call(**STATION_A_POINT).json()
    events = Event.objects.count()
    response = send(api_client_for, users.chief_a, incident["id"], district.units.b)
    assert response.status_code == 400
    # The other station's car is not named as existing: "no such unit", its id only.
    assert "B-01" not in response.content.decode()
    assert_nothing_sent(district.units.b)
    assert Event.objects.count() == events

    assert send(api_client_for, users.chief_a, incident["id"], district.units.a).status_code == 200


def test_a_post_officer_sends_only_its_posts_units(api_client_for, users, district, call):
    incident = call(**POST_P_POINT).json()
    response = send(api_client_for, users.post_officer, incident["id"], district.units.a)
    assert response.status_code == 400
    assert_nothing_sent(district.units.a)
    assert (
        send(api_client_for, users.post_officer, incident["id"], district.units.p).status_code
        == 200
    )


def test_street_staff_sends_only_its_streets_street_force(api_client_for, users, district, call):
    other_street_force = f.UnitFactory(
        call_sign="S2-01",
        home_station=None,
        home_governance_center=district.center_2,
        unit_type=UnitType.STREET_FORCE,
    )
    job = call(category="dispute", description="邻里纠纷", **STATION_A_POINT).json()
    assert job["tier"] == "street"
    api_client_for(users.street_staff).post(
        f"/api/v1/incidents/{job['id']}/accept/", {}, format="json"
    )
    response = send(api_client_for, users.street_staff, job["id"], other_street_force)
    assert response.status_code == 400
    assert_nothing_sent(other_street_force)


def test_a_role_that_sends_no_units_is_refused_403(api_client_for, users, district, call, officer):
    incident = call(**STATION_A_POINT).json()
    # The officer reads its station's jobs but sends nothing; a partner does not see the job.
    assert send(api_client_for, officer, incident["id"], district.units.a).status_code == 403
    assert send(api_client_for, users.partner, incident["id"], district.units.a).status_code == 404
    assert_nothing_sent(district.units.a)


def test_recommendations_list_only_the_units_the_user_may_send(users, district, call):
    incident = Incident.objects.get(pk=call(**STATION_A_POINT).json()["id"])
    Unit.objects.filter(pk=district.units.b.pk).update(lat=30.015, lng=120.006)
    district_wide = {r.call_sign for r in units_recommend(incident=incident, user=users.dispatcher)}
    assert {"A-01", "B-01"} <= district_wide
    chiefs = {r.call_sign for r in units_recommend(incident=incident, user=users.chief_a)}
    assert "B-01" not in chiefs and "A-01" in chiefs
    assert units_recommend(incident=incident, user=users.partner) == []


def test_the_recommendations_api_answers_for_the_caller(api_client_for, users, district, call):
    incident = call(**STATION_A_POINT).json()
    Unit.objects.filter(pk=district.units.b.pk).update(lat=30.015, lng=120.006)
    ranked = api_client_for(users.chief_a).get(
        f"/api/v1/incidents/{incident['id']}/recommendations/"
    )
    assert ranked.status_code == 200
    assert "B-01" not in {row["call_sign"] for row in ranked.json()}


# --- Who may file which call ---------------------------------------------------------


def test_the_command_center_files_any_source_and_priority_anywhere(call, users):
    response = call(user=users.dispatcher, source="walk_in", priority=1, **STATION_B_POINT)
    assert response.status_code == 201, response.content
    assert (response.json()["source"], response.json()["priority"]) == ("walk_in", 1)


def test_street_staff_may_not_file_a_priority_1_police_call(call, users):
    for fields in (
        {"source": "phone_110"},
        {"priority": 1},
        {"source": "street_transfer", **STATION_B_POINT},  # another street
    ):
        response = call(user=users.street_staff, **{**STATION_A_POINT, **fields})
        assert response.status_code == 403, (fields, response.content)
    assert not Incident.objects.exists()


def test_street_staff_transfers_a_call_from_its_street_to_the_police(call, users):
    response = call(user=users.street_staff, **STATION_A_POINT)
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "street_transfer"


def test_a_station_files_walk_in_calls_in_its_area_only(call, users):
    taken = call(user=users.chief_a, **STATION_A_POINT)
    assert taken.status_code == 201, taken.content
    assert taken.json()["source"] == "walk_in"
    for fields in ({**STATION_B_POINT}, {"source": "phone_110"}, {"priority": 1}):
        assert call(user=users.chief_a, **{**STATION_A_POINT, **fields}).status_code == 403
    # A post officer: its post's zones, not the rest of its station.
    assert call(user=users.post_officer, **STATION_A_POINT).status_code == 403
    assert call(user=users.post_officer, **POST_P_POINT).status_code == 201
    assert Incident.objects.count() == 2


def test_a_partners_source_is_forced_and_an_officer_files_nothing(call, users, officer):
    response = call(user=users.partner, source="phone_110", **STATION_B_POINT)
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "partner_api"
    assert call(user=officer, **STATION_A_POINT).status_code == 403
    assert Incident.objects.count() == 1
