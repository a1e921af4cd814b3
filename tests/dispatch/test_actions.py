"""One registry of job actions: the API's routes and the job panel's forms both come from it."""

import pytest
from django.urls import reverse

from commandcenter.models import Event
from dispatch.actions import JOB_ACTIONS, job_actions_offered
from dispatch.api.views import JobViewSet
from incidents.models import Incident


def test_every_registered_action_is_a_post_route_of_the_incident_resource():
    routes = {
        action.url_path for action in JobViewSet.get_extra_actions() if "post" in action.mapping
    }
    assert routes == {action.name for action in JOB_ACTIONS}


def test_the_job_panel_offers_the_registry_actions_the_user_may_take(client, users, call):
    incident = Incident.objects.get(pk=call().json()["id"])
    client.force_login(users.dispatcher)
    html = client.get(
        reverse("console-incident", kwargs={"console": "dispatch", "pk": incident.pk}),
        headers={"HX-Request": "true"},
    ).content.decode()
    offered = [action.name for action in job_actions_offered(users.dispatcher, incident)]
    assert offered == ["dispatch", "resolve", "transfer", "invalidate", "cancel"]
    for name in offered[1:]:  # dispatch has its own section, the recommendations
        url = reverse(
            "incident-action", kwargs={"console": "dispatch", "pk": incident.pk, "action": name}
        )
        assert f'hx-post="{url}"' in html
    for name in ("accept", "settle", "refer", "return", "close", "unlink"):
        assert f"action-{name}" not in html


@pytest.mark.parametrize("role", ["street_staff", "partner"])
def test_a_role_off_the_police_side_is_offered_nothing_on_a_police_job(users, call, role):
    incident = Incident.objects.get(pk=call().json()["id"])
    assert job_actions_offered(getattr(users, role), incident) == []


def test_street_staff_are_offered_the_street_actions_of_a_diverted_job(users, call):
    incident = Incident.objects.get(pk=call(category="dispute", lat=30.015).json()["id"])
    assert incident.status == "diverted"
    names = [action.name for action in job_actions_offered(users.street_staff, incident)]
    assert names == ["accept", "return"]


def test_a_new_calls_event_carries_what_a_console_shows(users, call, district):
    incident = call().json()
    payload = Event.objects.get(subject_id=str(incident["id"]), kind="incident.received").payload
    assert payload["address"] == "测试路1号"
    assert payload["station_name"] == district.station_a.name
    assert payload["post_name"] == district.post_p.name
    assert payload["category_name"]
    assert payload["routing_reason"] == incident["routing_reason"]
    assert payload["description"] == "有人抢包"
