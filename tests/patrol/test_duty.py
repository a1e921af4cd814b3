"""Duty: teams go on and off shift; units follow; busy units finish their job first."""

from commandcenter.models import Event
from patrol.choices import UnitStatus
from patrol.models import Team, Unit


def post(client, url):
    return client.post(url, format="json")


def test_off_duty_stops_free_units_and_on_duty_starts_them(api_client_for, users, district):
    client = api_client_for(users.chief_a)
    team = district.teams.a
    response = post(client, f"/api/v1/teams/{team.id}/off-duty/")
    assert response.status_code == 200, response.content
    assert response.json()["on_duty"] is False
    assert set(Unit.objects.filter(team=team).values_list("status", flat=True)) == {
        UnitStatus.OFF_DUTY
    }
    event = Event.objects.get(kind="team.off_duty")
    assert sorted(u["unit"] for u in event.payload["units"]) == sorted(
        [district.units.a.id, district.units.p.id]
    )
    assert event.station_id == district.station_a.id
    post(client, f"/api/v1/teams/{team.id}/on-duty/")
    assert set(Unit.objects.filter(team=team).values_list("status", flat=True)) == {
        UnitStatus.AVAILABLE
    }


def test_a_busy_unit_goes_off_duty_when_it_clears(api_client_for, users, district, call):
    dispatcher = api_client_for(users.dispatcher)
    incident = call().json()
    assignment = dispatcher.post(
        f"/api/v1/incidents/{incident['id']}/dispatch/",
        {"units": [district.units.a.id]},
        format="json",
    ).json()["assignments"][0]["id"]
    post(dispatcher, f"/api/v1/teams/{district.teams.a.id}/off-duty/")
    assert Unit.objects.get(pk=district.units.a.id).status == UnitStatus.DISPATCHED
    post(dispatcher, f"/api/v1/assignments/{assignment}/clear/")
    assert Unit.objects.get(pk=district.units.a.id).status == UnitStatus.OFF_DUTY


def test_setting_the_same_duty_twice_is_409(api_client_for, users, district):
    response = post(
        api_client_for(users.dispatcher), f"/api/v1/teams/{district.teams.a.id}/on-duty/"
    )
    assert response.status_code == 409


def test_another_station_may_not_set_duty(api_client_for, users, district):
    response = post(api_client_for(users.chief_b), f"/api/v1/teams/{district.teams.a.id}/off-duty/")
    assert response.status_code == 404
    response = post(
        api_client_for(users.post_officer), f"/api/v1/teams/{district.teams.a.id}/off-duty/"
    )
    assert response.status_code == 403
    assert Team.objects.get(pk=district.teams.a.id).on_duty is True


def test_off_duty_units_are_not_recommended(api_client_for, users, district, call):
    dispatcher = api_client_for(users.dispatcher)
    post(dispatcher, f"/api/v1/teams/{district.teams.a.id}/off-duty/")
    incident = call().json()
    ranked = dispatcher.get(f"/api/v1/incidents/{incident['id']}/recommendations/").json()
    assert [r["call_sign"] for r in ranked] == ["B-01"]
