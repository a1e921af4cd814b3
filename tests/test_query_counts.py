"""Endpoints whose query count must not grow with their rows (no N+1)."""

from datetime import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch.services import order_issue
from tests.patrol.test_patrol_time import track


def _count(client, url: str) -> int:
    """Queries of one GET, once the in-process directory of reference tables is warm."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def _send(dispatcher, incident_id: int, *units) -> None:
    response = dispatcher.post(
        f"/api/v1/incidents/{incident_id}/dispatch/",
        {"units": [unit.pk for unit in units]},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_assignment_list_queries_do_not_grow(api_client_for, users, district, call):
    dispatcher = api_client_for(users.dispatcher)
    _send(dispatcher, call().json()["id"], district.units.a)
    one = _count(dispatcher, "/api/v1/assignments/")
    _send(dispatcher, call(lat=30.015, lng=120.015).json()["id"], district.units.b)
    _send(dispatcher, call(category="traffic", lat=30.015).json()["id"], district.units.p)
    assert _count(dispatcher, "/api/v1/assignments/") == one


def test_order_list_queries_do_not_grow(api_client_for, users, district):
    dispatcher = api_client_for(users.dispatcher)

    def issue(recipient_type, recipient):
        order_issue(
            actor=users.dispatcher,
            recipient_type=recipient_type,
            recipient=recipient,
            content="巡查",
            deadline=None,
            incident_id=None,
        )

    issue("station", "station-a")
    one = _count(dispatcher, "/api/v1/orders/")
    issue("post", "post-p")
    issue("unit", "B-01")
    issue("governance_center", "center-1")
    assert _count(dispatcher, "/api/v1/orders/") == one


def test_incident_detail_queries_do_not_grow_with_units_and_steps(
    api_client_for, users, district, call
):
    dispatcher = api_client_for(users.dispatcher)
    incident = call().json()["id"]
    _send(dispatcher, incident, district.units.a)
    one = _count(dispatcher, f"/api/v1/incidents/{incident}/")
    _send(dispatcher, incident, district.units.p, district.units.b)
    call()  # a repeat call: another timeline step
    assert _count(dispatcher, f"/api/v1/incidents/{incident}/") == one


def test_patrol_time_queries_do_not_grow_with_units(api_client_for, users, district):
    supervisor = api_client_for(users.supervisor)
    start = timezone.make_aware(datetime(2026, 11, 20, 9))
    track(district.units.a, district.zones.sw, start, 30)
    one = _count(supervisor, "/api/v1/patrol-time/?date=2026-11-20")
    track(district.units.p, district.zones.sw, start, 30)
    track(district.units.b, district.zones.ne, start, 30)
    assert _count(supervisor, "/api/v1/patrol-time/?date=2026-11-20") == one
