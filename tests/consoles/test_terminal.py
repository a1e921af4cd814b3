"""The officer terminal (/terminal/): its unit's job, the next step, report back."""

import pytest
from django.urls import reverse

from commandcenter.choices import Role
from commandcenter.models import Event
from dispatch.models import Assignment
from dispatch.services import incident_dispatch
from incidents.models import Incident
from tests import factories as f

HTMX = {"HX-Request": "true"}
URL = "/terminal/"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def dispatched(call, users):
    def make(unit):
        incident = call(lat=30.015, lng=120.005, description="两车剐蹭").json()
        (assignment,) = incident_dispatch(
            actor=users.dispatcher, incident_id=incident["id"], unit_ids=[unit.pk]
        )
        return assignment

    return make


def test_the_terminal_is_at_its_url_and_in_the_officers_navigation(client, officer):
    assert reverse("officer-terminal") == URL
    client.force_login(officer)
    home = client.get("/").content.decode()
    assert f'href="{URL}"' in home


def test_an_idle_unit_is_patrolling(client, officer):
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert "A-01" in page
    assert "No job: patrolling." in page
    assert 'hx-trigger="queue-changed from:body"' in page
    assert "every " not in page.split('id="terminal-job"')[1].split(">")[0]


def test_the_terminal_shows_the_job_and_the_one_next_step(client, officer, dispatched):
    assignment = dispatched(officer.unit_officer.unit)
    client.force_login(officer)
    page = client.get(URL).content.decode()
    incident = assignment.incident
    assert incident.number in page and "两车剐蹭" in page and "测试路1号" in page
    assert 'data-target="acknowledged"' in page
    assert 'name="result_code"' not in page


def test_the_officer_walks_the_job_and_reports_back(client, officer, dispatched):
    assignment = dispatched(officer.unit_officer.unit)
    client.force_login(officer)
    for target in ("acknowledged", "en_route", "on_scene"):
        body = {"action": "step", "assignment": assignment.pk, "target": target}
        response = client.post(URL, body, headers=HTMX)
        assert response.status_code == 200, response.content
    assert 'name="result_code"' in response.content.decode()
    response = client.post(
        URL,
        {
            "action": "report",
            "incident": assignment.incident_id,
            "result_code": "settled_on_site",
            "notes": "已处理",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "No job: patrolling." in response.content.decode()
    incident = Incident.objects.get(pk=assignment.incident_id)
    assert incident.status == "resolved"
    kinds = ("assignment.acknowledged", "assignment.en_route", "incident.on_scene")
    steps = Event.objects.filter(kind__in=kinds, actor=officer)
    assert [event.payload["on_behalf"] for event in steps] == [False, False, False]


def test_a_refused_step_shows_its_status_and_changes_nothing(client, officer, dispatched, district):
    other = dispatched(district.units.p)
    client.force_login(officer)
    events = Event.objects.count()
    body = {"action": "step", "assignment": other.pk, "target": "acknowledged"}
    response = client.post(URL, body, headers=HTMX)
    assert response.status_code == 403
    assert "You may not act for unit P-01." in response.content.decode()
    assert Event.objects.count() == events


def test_a_report_without_a_result_is_refused(client, officer, dispatched, api_client_for):
    assignment = dispatched(officer.unit_officer.unit)
    for name in ("acknowledge", "en-route", "on-scene"):
        api_client_for(officer).post(f"/api/v1/assignments/{assignment.pk}/{name}/")
    client.force_login(officer)
    response = client.post(
        URL,
        {"action": "report", "incident": assignment.incident_id, "notes": "记着"},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "Choose a result." in response.content.decode()
    assert "记着" in response.content.decode()  # the typing is kept
    assert Incident.objects.get(pk=assignment.incident_id).status == "on_scene"


def test_a_plain_form_step_redirects_back_to_the_terminal(client, officer, dispatched):
    assignment = dispatched(officer.unit_officer.unit)
    client.force_login(officer)
    body = {"action": "step", "assignment": assignment.pk, "target": "acknowledged"}
    response = client.post(URL, body)
    assert (response.status_code, response["Location"]) == (302, URL)


def test_an_officer_without_a_unit_gets_a_clear_403_page(client, district):
    unbound = f.UserFactory(role=Role.OFFICER, station=district.station_a)
    client.force_login(unbound)
    response = client.get(URL)
    assert response.status_code == 403
    assert "Your account is not bound to a unit" in response.content.decode()


def test_other_roles_may_not_open_the_terminal(client, users):
    client.force_login(users.dispatcher)
    assert client.get(URL).status_code == 403


def test_the_unit_status_shown_is_the_one_after_the_step(client, officer, dispatched):
    assignment = dispatched(officer.unit_officer.unit)
    client.force_login(officer)
    body = {"action": "step", "assignment": assignment.pk, "target": "en_route"}
    page = client.post(URL, body, headers=HTMX).content.decode()
    status = page.split('id="terminal-unit-status">')[1].split("<")[0]
    assert status == "En route"


def test_the_terminal_reads_its_job_in_a_few_queries(client, officer, dispatched):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dispatched(officer.unit_officer.unit)
    client.force_login(officer)
    client.get(URL, headers=HTMX)  # warm the directory cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, headers=HTMX).status_code == 200
    # Session, user, unit, its status, the assignment, other units, the job's clocks.
    assert len(queries) <= 7, [q["sql"] for q in queries]


def test_a_job_in_another_stations_area_is_read_on_a_timer_own_area_is_not(
    client, officer, call, users
):
    """The stream carries the officer's station: a reinforcement elsewhere is read every 10 s."""
    unit = officer.unit_officer.unit
    client.force_login(officer)
    own = call(lat=30.015, lng=120.005).json()
    incident_dispatch(actor=users.dispatcher, incident_id=own["id"], unit_ids=[unit.pk])
    assert "terminal-out-of-area" not in client.get(URL).content.decode()

    Incident.objects.filter(pk=own["id"]).update(station=users.chief_b.station)
    page = client.get(URL).content.decode()
    assert 'id="terminal-out-of-area"' in page
    assert 'hx-trigger="every 10s"' in page


def test_leaving_the_scene_is_offered_only_while_another_unit_stays(
    client, officer, call, users, district
):
    unit = officer.unit_officer.unit
    incident = call().json()
    incident_dispatch(actor=users.dispatcher, incident_id=incident["id"], unit_ids=[unit.pk])
    client.force_login(officer)
    Assignment.objects.filter(unit=unit).update(status="on_scene")
    assert 'id="terminal-leave"' not in client.get(URL).content.decode()

    incident_dispatch(
        actor=users.dispatcher, incident_id=incident["id"], unit_ids=[district.units.p.pk]
    )
    assert 'id="terminal-leave"' in client.get(URL).content.decode()


def test_the_officer_says_why_a_late_job_was_late(client, officer, call, users):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from analytics.engine import clocks_tick
    from analytics.models import ClockInstance

    incident = call(lat=30.015, lng=120.005).json()
    with time_machine.travel(timezone.now() + timedelta(seconds=70), tick=False):
        incident_dispatch(
            actor=users.dispatcher,
            incident_id=incident["id"],
            unit_ids=[officer.unit_officer.unit.pk],
        )
        clocks_tick()
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert 'class="terminal-delay"' in page and 'data-clock="dispatch"' in page
    late = ClockInstance.objects.get(incident_id=incident["id"], definition__code="dispatch")
    refused = client.post(URL, {"action": "delay", "clock": late.pk, "reason": ""}, headers=HTMX)
    assert refused.status_code == 400
    answer = client.post(
        URL, {"action": "delay", "clock": late.pk, "reason": "road-congestion"}, headers=HTMX
    )
    assert answer.status_code == 200
    assert "Delay reason recorded." in answer.content.decode()
    assert 'data-clock="dispatch"' not in answer.content.decode()  # given: the form goes
    late.refresh_from_db()
    assert late.delay_reason.code == "road-congestion"
    assert late.delay_by == officer
