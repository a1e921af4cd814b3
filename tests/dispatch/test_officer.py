"""The unit officer: it works its own unit's job (steps, report back), nobody else's;
a step taken by anyone else is recorded on the unit's behalf."""

import pytest
from django.core.exceptions import ValidationError

from commandcenter.choices import Role
from commandcenter.exceptions import ActionForbidden
from commandcenter.models import Event
from dispatch.models import Assignment
from dispatch.services import incident_dispatch
from incidents.models import Incident
from incidents.selectors import incident_timeline
from patrol.choices import UnitStatus
from patrol.models import Unit
from patrol.selectors import unit_of_officer
from patrol.services import unit_officer_bind
from tests import factories as f


@pytest.fixture
def job(call, users):
    """A police job in station A's zone (no post), dispatched to `unit`."""

    def make(unit) -> Assignment:
        response = call(lat=30.015, lng=120.005)
        assert response.status_code == 201, response.content
        (assignment,) = incident_dispatch(
            actor=users.dispatcher, incident_id=response.json()["id"], unit_ids=[unit.pk]
        )
        return assignment

    return make


def step(client, assignment: Assignment, name: str):
    return client.post(f"/api/v1/assignments/{assignment.pk}/{name}/", format="json")


def test_an_officer_advances_its_own_units_assignment(job, district, officer, api_client_for):
    assignment = job(district.units.a)
    client = api_client_for(officer)
    assert step(client, assignment, "acknowledge").status_code == 200
    assert step(client, assignment, "en-route").status_code == 200
    assignment.refresh_from_db()
    assert assignment.status == "en_route"
    event = Event.objects.filter(kind="assignment.en_route").get()
    assert event.actor == officer
    assert event.payload["on_behalf"] is False


def test_an_officer_may_not_advance_another_units_assignment(
    job, district, officer, api_client_for
):
    assignment = job(district.units.p)  # P-01, of the officer's own station
    events = Event.objects.count()
    response = step(api_client_for(officer), assignment, "acknowledge")
    assert response.status_code == 403
    assert "P-01" in response.json()["detail"]
    assignment.refresh_from_db()
    assert assignment.status == "dispatched"
    assert Event.objects.count() == events


def test_a_dispatchers_step_is_recorded_on_the_units_behalf(
    job, district, officer, users, api_client_for
):
    assignment = job(district.units.a)
    assert step(api_client_for(users.dispatcher), assignment, "acknowledge").status_code == 200
    event = Event.objects.filter(kind="assignment.acknowledged").get()
    assert event.payload["on_behalf"] is True
    (row,) = [r for r in incident_timeline(incident=assignment.incident) if r["seq"] == event.seq]
    assert "on the unit's behalf" in row["detail"] or "代为操作" in row["detail"]


def test_an_officer_reports_back_its_job_and_its_unit_is_free(
    job, district, officer, api_client_for
):
    assignment = job(district.units.a)
    client = api_client_for(officer)
    for name in ("acknowledge", "en-route", "on-scene"):
        assert step(client, assignment, name).status_code == 200
    response = client.post(
        f"/api/v1/incidents/{assignment.incident_id}/resolve/",
        {"result_code": "settled_on_site", "notes": "双方和解"},
        format="json",
    )
    assert response.status_code == 200, response.content
    incident = Incident.objects.get(pk=assignment.incident_id)
    assert (incident.status, incident.result_notes) == ("resolved", "双方和解")
    assert Unit.objects.get(pk=district.units.a.pk).status == UnitStatus.AVAILABLE
    resolved = Event.objects.get(kind="incident.resolved")
    assert (resolved.actor, resolved.payload["call_sign"]) == (officer, "A-01")


def test_an_officer_may_not_resolve_a_job_its_unit_is_not_on(
    job, district, officer, api_client_for
):
    assignment = job(district.units.p)
    response = api_client_for(officer).post(
        f"/api/v1/incidents/{assignment.incident_id}/resolve/",
        {"result_code": "settled_on_site"},
        format="json",
    )
    assert response.status_code == 403
    assert Incident.objects.get(pk=assignment.incident_id).status == "dispatched"


def test_an_officer_may_not_dispatch(call, district, officer, api_client_for):
    incident = call(lat=30.015, lng=120.005).json()
    response = api_client_for(officer).post(
        f"/api/v1/incidents/{incident['id']}/dispatch/",
        {"units": [district.units.a.pk]},
        format="json",
    )
    assert response.status_code == 403


def test_an_officer_is_bound_only_to_a_unit_of_its_station(district, users):
    user = f.UserFactory(role=Role.OFFICER, station=district.station_a)
    with pytest.raises(ValidationError) as error:
        unit_officer_bind(actor=users.administrator, user=user, unit=district.units.b)
    assert "unit" in error.value.message_dict
    assert unit_of_officer(user) is None


def test_only_an_administrator_binds_officers(district, users):
    user = f.UserFactory(role=Role.OFFICER, station=district.station_a)
    with pytest.raises(ActionForbidden):
        unit_officer_bind(actor=users.chief_a, user=user, unit=district.units.a)


def test_an_officer_must_belong_to_a_station(district):
    user = f.UserFactory.build(role=Role.OFFICER)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "station" in error.value.message_dict
