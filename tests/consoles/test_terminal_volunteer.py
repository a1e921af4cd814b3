"""The terminal in volunteer mode (义警): duty on and off, the job's steps, leave when done."""

import pytest
from django.utils import timezone

from commandcenter.choices import Role
from community.volunteer_models import VolunteerSession
from community.volunteer_services import (
    volunteer_member_create,
    volunteer_session_start,
    volunteer_team_create,
)
from dispatch.models import Assignment
from dispatch.services import incident_dispatch
from incidents.models import Incident
from incidents.services import incident_accept
from patrol.choices import UnitStatus
from tests import factories as f

HTMX = {"HX-Request": "true"}
URL = "/terminal/"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def volunteer(district):
    team = volunteer_team_create(actor=None, code="s1", name="湖滨义警队", street=district.street_1)
    return volunteer_member_create(
        actor=None,
        team_id=team.pk,
        name="王小明",
        phone="13912345678",
        user=f.UserFactory(username="vol_wang", role=Role.VOLUNTEER),
    )


def test_an_off_duty_volunteer_sees_volunteer_mode_with_start_duty(client, volunteer):
    client.force_login(volunteer.user)
    page = client.get(URL).content.decode()
    assert "Volunteer terminal" in page and "YJ-s1-01" in page and "湖滨义警队" in page
    assert 'id="terminal-on-duty"' in page and "Off duty: start your duty" in page
    assert 'id="position-toggle"' not in page  # never tracked off duty
    assert "every 10s" in page.split('id="terminal-job"')[1].split(">")[0]


def test_a_volunteer_lands_on_the_terminal_not_the_map(client, volunteer):
    client.force_login(volunteer.user)
    response = client.get("/")
    assert response.status_code == 302 and response.url == URL


def test_the_volunteer_starts_duty_and_may_report_its_position(client, volunteer):
    client.force_login(volunteer.user)
    response = client.post(URL, {"action": "on_duty"})
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert 'id="terminal-off-duty"' in page and "On duty since" in page
    assert 'id="position-toggle"' in page and "No job: patrolling." in page
    session = VolunteerSession.objects.get(member=volunteer)
    assert session.started_by == volunteer.user and session.ended_at is None


def test_the_volunteer_ends_duty(client, volunteer):
    volunteer_session_start(actor=volunteer.user, member_id=volunteer.pk)
    client.force_login(volunteer.user)
    assert client.post(URL, {"action": "off_duty"}).status_code == 302
    volunteer.unit.refresh_from_db()
    assert volunteer.unit.status == UnitStatus.OFF_DUTY
    assert VolunteerSession.objects.get(member=volunteer).ended_at is not None


def test_starting_duty_twice_shows_the_refusal(client, volunteer):
    volunteer_session_start(actor=volunteer.user, member_id=volunteer.pk)
    client.force_login(volunteer.user)
    response = client.post(URL, {"action": "on_duty"}, headers=HTMX)
    assert response.status_code == 409
    assert "already on duty" in response.content.decode()


def test_an_officer_may_not_use_the_duty_buttons(client, officer):
    client.force_login(officer)
    response = client.post(URL, {"action": "on_duty"}, headers=HTMX)
    assert response.status_code == 400


@pytest.fixture
def sent(call, users, volunteer):
    """The volunteer on duty, sent by its street to a help job."""
    volunteer_session_start(actor=volunteer.user, member_id=volunteer.pk)
    created = call(category="assistance", description="老人迷路", lat=30.015, lng=120.005).json()
    incident_accept(actor=users.street_staff, incident_id=created["id"])
    (assignment,) = incident_dispatch(
        actor=users.street_staff, incident_id=created["id"], unit_ids=[volunteer.unit_id]
    )
    return assignment


def test_the_volunteer_walks_the_job_and_leaves_when_done(client, volunteer, sent):
    client.force_login(volunteer.user)
    page = client.get(URL).content.decode()
    assert sent.incident.number in page and "老人迷路" in page
    for target in ("acknowledged", "en_route", "on_scene"):
        body = {"action": "step", "assignment": sent.pk, "target": target}
        response = client.post(URL, body, headers=HTMX)
        assert response.status_code == 200, response.content
    page = response.content.decode()
    assert 'name="result_code"' not in page  # no report-back: the street ends the job
    assert 'id="terminal-leave"' in page and "Done: leave the scene" in page
    body = {"action": "step", "assignment": sent.pk, "target": "cleared"}
    response = client.post(URL, body, headers=HTMX)
    assert response.status_code == 200
    assert "No job: patrolling." in response.content.decode()
    assert Assignment.objects.get(pk=sent.pk).status == "cleared"
    assert Incident.objects.get(pk=sent.incident_id).status == "on_scene"  # the street settles


def test_ending_duty_on_a_job_is_refused_on_the_page(client, volunteer, sent):
    client.force_login(volunteer.user)
    response = client.post(URL, {"action": "off_duty"})
    assert response.status_code == 409
    assert "leave the scene first" in response.content.decode()


def test_the_volunteer_posts_its_position_to_the_positions_api(client, volunteer):
    volunteer_session_start(actor=volunteer.user, member_id=volunteer.pk)
    client.force_login(volunteer.user)
    fix = {"unit": volunteer.unit_id, "time": timezone.now().isoformat(), "lat": 30.0, "lng": 120.0}
    response = client.post("/api/v1/positions/", {"fixes": [fix]}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
