"""Orders (指令): issued, acknowledged, answered; overdue ones flagged (日清日结)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commandcenter.models import Event
from dispatch.models import Order
from dispatch.services import end_of_local_day, orders_flag_overdue


@pytest.fixture
def issue(api_client_for, users):
    def make(user=None, **fields):
        body = {
            "recipient_type": "station",
            "recipient": "station-a",
            "content": "加强辖区夜间巡逻",
            **fields,
        }
        return api_client_for(user or users.supervisor).post("/api/v1/orders/", body, format="json")

    return make


def test_order_runs_its_closed_loop(issue, api_client_for, users):
    response = issue()
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "issued"
    assert order["number"].startswith("ZL")
    assert order["recipient_name"] == users.chief_a.station.name
    chief = api_client_for(users.chief_a)
    assert (
        chief.post(f"/api/v1/orders/{order['id']}/acknowledge/").json()["status"] == "acknowledged"
    )
    assert (
        chief.post(
            f"/api/v1/orders/{order['id']}/feedback/", {"feedback": ""}, format="json"
        ).status_code
        == 400
    )
    done = chief.post(
        f"/api/v1/orders/{order['id']}/feedback/", {"feedback": "已落实"}, format="json"
    ).json()
    assert done["status"] == "completed"
    assert done["feedback"] == "已落实"
    kinds = list(Event.objects.filter(subject_type="dispatch.order").values_list("kind", flat=True))
    assert kinds == ["order.issued", "order.acknowledged", "order.completed"]


def test_default_deadline_is_the_end_of_the_local_day(issue):
    order = Order.objects.get(pk=issue().json()["id"])
    assert order.deadline == end_of_local_day(order.issued_at)
    assert order.due_at == order.deadline


def test_a_later_deadline_is_still_due_the_same_day(issue):
    deadline = (timezone.now() + timedelta(days=3)).isoformat()
    order = Order.objects.get(pk=issue(deadline=deadline).json()["id"])
    assert order.due_at == end_of_local_day(order.issued_at)


def test_orders_to_units_posts_and_centers(issue, district, api_client_for, users):
    assert issue(recipient_type="unit", recipient="A-01").status_code == 201
    assert issue(recipient_type="post", recipient="post-p").status_code == 201
    center_order = issue(recipient_type="governance_center", recipient="center-1").json()
    street = api_client_for(users.street_staff)
    assert street.post(f"/api/v1/orders/{center_order['id']}/acknowledge/").status_code == 200
    assert [o["id"] for o in street.get("/api/v1/orders/").json()["results"]] == [
        center_order["id"]
    ]


def test_bad_orders_are_field_errors(issue):
    assert "recipient" in issue(recipient="nowhere").json()
    assert "recipient_type" in issue(recipient_type="planet").json()
    assert "content" in issue(content="").json()
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert "deadline" in issue(deadline=past).json()
    assert Order.objects.count() == 0


def test_only_the_command_center_issues_orders(issue, users):
    assert issue(user=users.chief_a).status_code == 403


def test_another_station_cannot_answer_the_order(issue, api_client_for, users):
    order = issue().json()
    other = api_client_for(users.chief_b)
    assert other.post(f"/api/v1/orders/{order['id']}/acknowledge/").status_code == 404


def test_overdue_orders_are_flagged_once(issue):
    order = issue().json()
    later = timezone.now() + timedelta(days=1, hours=1)
    assert orders_flag_overdue(now=later) == 1
    assert orders_flag_overdue(now=later) == 0
    flagged = Order.objects.get(pk=order["id"])
    assert flagged.overdue_at == later
    assert Event.objects.filter(kind="order.overdue").count() == 1


def test_completed_orders_are_never_flagged(issue, api_client_for, users):
    order = issue().json()
    api_client_for(users.chief_a).post(
        f"/api/v1/orders/{order['id']}/feedback/", {"feedback": "done"}, format="json"
    )
    assert orders_flag_overdue(now=timezone.now() + timedelta(days=2)) == 0


def test_overdue_filter(issue, api_client_for, users):
    issue()
    orders_flag_overdue(now=timezone.now() + timedelta(days=2))
    client = api_client_for(users.supervisor)
    assert client.get("/api/v1/orders/?overdue=true").json()["count"] == 1
    assert client.get("/api/v1/orders/?overdue=false").json()["count"] == 0
