"""The orders pages (指令 / 督办): issuing from the job panel and the inbox,
acknowledging and answering in the inbox, overdue ones first and red."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dispatch.choices import OrderStatus
from dispatch.models import Order
from dispatch.services import end_of_local_day, order_issue, orders_flag_overdue
from incidents.models import Incident

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client):
    """These tests read English messages; the default UI language is Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def page(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def issue(users):
    def make(recipient_type="station", recipient="station-a", content="加强夜间巡逻", **fields):
        return order_issue(
            actor=users.dispatcher,
            recipient_type=recipient_type,
            recipient=recipient,
            content=content,
            **fields,
        )

    return make


def act_url(order: Order, action: str) -> str:
    return reverse("order-action", kwargs={"pk": order.pk, "action": action})


def inbox(client) -> str:
    response = client.get(reverse("orders"))
    assert response.status_code == 200
    return response.content.decode()


def test_order_issued_from_the_job_panel_reaches_the_station_chiefs_inbox(page, users, call):
    incident = Incident.objects.get(pk=call().json()["id"])  # station A's
    dispatcher = page(users.dispatcher)
    panel = dispatcher.get(
        reverse("console-incident", kwargs={"console": "dispatch", "pk": incident.pk})
    ).content.decode()
    assert 'class="job-order-form"' in panel
    assert 'value="station:station-a"' in panel
    assert 'value="post:post-p" selected' in panel  # the job's own post, chosen already

    response = dispatcher.post(
        reverse("job-order-issue", kwargs={"console": "dispatch", "pk": incident.pk}),
        {"recipient": "station:station-a", "content": "核查报警人身份", "deadline": ""},
        headers=HTMX,
    )
    assert response.status_code == 200, response.content
    assert response["HX-Trigger"] == "queue-changed"
    order = Order.objects.get()
    assert order.incident_id == incident.pk
    assert order.station == incident.station
    assert order.number in response.content.decode()  # listed in the panel

    html = inbox(page(users.chief_a))
    assert order.number in html
    assert "核查报警人身份" in html
    assert incident.number in html
    assert reverse("console-incident", kwargs={"console": "dispatch", "pk": incident.pk}) in html


def test_job_panel_offers_the_jobs_units_as_recipients(page, users, call, district):
    incident_id = call().json()["id"]
    dispatcher = page(users.dispatcher)
    url = reverse(
        "incident-action", kwargs={"console": "dispatch", "pk": incident_id, "action": "dispatch"}
    )
    dispatcher.post(url, {"unit": district.units.a.pk}, headers=HTMX)
    panel = dispatcher.get(
        reverse("console-incident", kwargs={"console": "dispatch", "pk": incident_id})
    ).content.decode()
    assert 'value="unit:A-01"' in panel
    assert 'value="unit:B-01"' not in panel  # not on this job


def test_the_job_panel_has_no_issue_form_for_a_station_chief(page, users, call):
    incident_id = call().json()["id"]
    panel = (
        page(users.chief_a)
        .get(reverse("console-incident", kwargs={"console": "dispatch", "pk": incident_id}))
        .content.decode()
    )
    assert 'class="job-order-form"' not in panel


def test_station_chief_acknowledges_then_answers_and_the_order_is_completed(page, users, issue):
    order = issue()
    chief = page(users.chief_a)
    assert 'class="btn btn-acknowledge"' in inbox(chief)

    response = chief.post(act_url(order, "acknowledge"), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "queue-changed"
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED
    assert order.acknowledged_by == users.chief_a

    response = chief.post(act_url(order, "feedback"), {"feedback": "已落实"}, headers=HTMX)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.feedback == "已落实"
    assert "已落实" in response.content.decode()


def test_chief_of_another_station_sees_nothing_and_gets_404_on_acting(page, users, issue):
    order = issue()
    chief_b = page(users.chief_b)
    assert order.number not in inbox(chief_b)
    assert chief_b.post(act_url(order, "acknowledge"), headers=HTMX).status_code == 404
    assert chief_b.post(act_url(order, "feedback"), {"feedback": "x"}).status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


def test_empty_feedback_shows_the_services_message_with_400_and_changes_nothing(
    page, users, issue, event_count
):
    order = issue()
    events = event_count()
    response = page(users.chief_a).post(
        act_url(order, "feedback"), {"feedback": "  "}, headers=HTMX
    )
    assert response.status_code == 400
    assert "Write what was done." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED
    assert event_count() == events


def test_answering_twice_shows_the_refusal_with_409(page, users, issue):
    order = issue()
    chief = page(users.chief_a)
    chief.post(act_url(order, "feedback"), {"feedback": "已落实"}, headers=HTMX)
    response = chief.post(act_url(order, "acknowledge"), headers=HTMX)
    assert response.status_code == 409
    assert "cannot become" in response.content.decode()


# At noon: near midnight every order's due time is the end of the day (日清日结).
@time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
def test_overdue_order_is_highlighted_and_listed_first(page, users, issue):
    soon = issue(content="先到期", deadline=timezone.now() + timedelta(minutes=30))
    late = issue(content="后到期", deadline=timezone.now() + timedelta(minutes=60))
    assert orders_flag_overdue(now=late.due_at - timedelta(minutes=1)) == 1  # `soon` only
    other = issue(content="另一条", deadline=timezone.now() + timedelta(minutes=10))
    assert orders_flag_overdue(now=soon.due_at + timedelta(seconds=1)) == 1  # `other`, due first

    html = inbox(page(users.chief_a))
    positions = [html.index(f'id="order-{order.pk}"') for order in (other, soon, late)]
    assert positions == sorted(positions)  # overdue, by due time, then the open one
    for order in (other, soon):
        row = "order-row order-issued order-kind-instruction is-overdue"
        assert f'class="{row}" id="order-{order.pk}"' in html
    assert f'class="order-row order-issued order-kind-instruction" id="order-{late.pk}"' in html


def test_overdue_highlight_says_chaoqi_in_chinese(client, users, issue):
    order = issue(deadline=timezone.now() + timedelta(minutes=5))
    orders_flag_overdue(now=order.due_at + timedelta(seconds=1))
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    client.force_login(users.chief_a)
    assert "已超期" in client.get(reverse("orders")).content.decode()


def test_street_staff_see_their_centers_orders(page, users, issue):
    ours = issue(recipient_type="governance_center", recipient="center-1")
    theirs = issue(recipient_type="governance_center", recipient="center-2")
    html = inbox(page(users.street_staff))
    assert ours.number in html
    assert theirs.number not in html
    assert 'class="btn btn-acknowledge"' in html


def test_post_officer_answers_an_order_to_a_unit_of_the_post(page, users, issue):
    order = issue(recipient_type="unit", recipient="P-01")
    officer = page(users.post_officer)
    assert order.number in inbox(officer)
    assert officer.post(act_url(order, "acknowledge"), headers=HTMX).status_code == 200


def test_partner_gets_403(page, users):
    assert page(users.partner).get(reverse("orders")).status_code == 403


def test_command_center_lists_every_order_filtered_by_status_and_overdue(page, users, issue):
    done = issue(recipient_type="post", recipient="post-p")
    page(users.chief_a).post(act_url(done, "feedback"), {"feedback": "好"})
    late = issue(deadline=timezone.now() + timedelta(minutes=5))
    orders_flag_overdue(now=late.due_at + timedelta(seconds=1))
    supervisor = page(users.supervisor)
    html = inbox(supervisor)
    assert done.number in html and late.number in html
    assert 'class="order-issue-form"' in html

    completed = supervisor.get(reverse("orders"), {"status": "completed"}).content.decode()
    assert done.number in completed and late.number not in completed
    overdue = supervisor.get(reverse("orders-inbox"), {"overdue": "1"}).content.decode()
    assert late.number in overdue and done.number not in overdue


def test_command_center_issues_an_order_from_the_inbox(page, users):
    response = page(users.supervisor).post(
        reverse("order-issue"),
        {"recipient": "governance_center:center-1", "content": "排查矛盾纠纷", "deadline": ""},
        headers=HTMX,
    )
    assert response.status_code == 200, response.content
    order = Order.objects.get()
    assert order.governance_center.code == "center-1"
    assert order.incident is None
    assert order.number in response.content.decode()


def test_an_order_without_content_is_refused_with_the_services_message(page, users):
    response = page(users.supervisor).post(
        reverse("order-issue"),
        {"recipient": "station:station-a", "content": "", "deadline": ""},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "Write what is to be done." in response.content.decode()
    assert not Order.objects.exists()


def test_a_station_chief_cannot_issue_orders(page, users):
    response = page(users.chief_a).post(
        reverse("order-issue"), {"recipient": "station:station-a", "content": "巡逻"}, headers=HTMX
    )
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_inbox_region_follows_the_stream_not_a_poll(page, users):
    html = inbox(page(users.chief_a))
    assert 'hx-trigger="queue-changed from:body"' in html
    assert "every " not in html.split('id="orders-inbox"')[1].split(">")[0]


@pytest.mark.parametrize("user", ["supervisor", "chief_a"])
def test_inbox_queries_do_not_grow_with_orders(page, users, issue, user):
    client = page(getattr(users, user))
    issue()

    def count() -> int:
        client.get(reverse("orders"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("orders")).status_code == 200
        return len(queries)

    one = count()
    issue(recipient_type="post", recipient="post-p")
    issue(recipient_type="unit", recipient="A-01")
    issue(recipient_type="unit", recipient="P-01")
    order = issue(deadline=timezone.now() + timedelta(minutes=5))
    orders_flag_overdue(now=order.due_at + timedelta(seconds=1))
    assert count() == one


def test_answered_orders_come_after_the_open_ones_latest_first(page, users, issue):
    first, second, still_open = issue(), issue(), issue()
    chief = page(users.chief_a)
    for order in (first, second):
        chief.post(act_url(order, "feedback"), {"feedback": "已落实"})
    html = inbox(chief)
    positions = [html.index(f'id="order-{order.pk}"') for order in (still_open, second, first)]
    assert positions == sorted(positions)


def test_a_deadline_typed_in_the_job_panel_is_the_orders_due_time(page, users, call):
    incident_id = call().json()["id"]
    deadline = timezone.localtime() + timedelta(minutes=45)
    response = page(users.dispatcher).post(
        reverse("job-order-issue", kwargs={"console": "dispatch", "pk": incident_id}),
        {
            "recipient": "post:post-p",
            "content": "协助疏导交通",
            "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        },
        headers=HTMX,
    )
    assert response.status_code == 200, response.content
    order = Order.objects.get()
    assert order.post.code == "post-p"
    assert order.due_at == min(
        deadline.replace(second=0, microsecond=0), end_of_local_day(order.issued_at)
    )


def test_a_past_deadline_in_the_job_panel_is_refused_and_nothing_is_issued(page, users, call):
    incident_id = call().json()["id"]
    past = timezone.localtime() - timedelta(hours=1)
    response = page(users.dispatcher).post(
        reverse("job-order-issue", kwargs={"console": "dispatch", "pk": incident_id}),
        {
            "recipient": "station:station-a",
            "content": "巡逻",
            "deadline": past.strftime("%Y-%m-%dT%H:%M"),
        },
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "The deadline must be in the future." in response.content.decode()
    assert not Order.objects.exists()


# --- From the live map's job panel ----------------------------------------------------------


def test_the_map_reads_the_order_form_of_a_job_with_its_station_chosen(page, users, call):
    incident = call().json()
    response = page(users.dispatcher).get(reverse("map-order", kwargs={"pk": incident["id"]}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="station:station-a" selected' in html or 'value="post:' in html


def test_an_order_issued_from_the_map_is_tied_to_the_job(page, users, call):
    incident = call().json()
    url = reverse("map-order", kwargs={"pk": incident["id"]})
    response = page(users.dispatcher).post(
        url, {"recipient": "station:station-a", "content": "核实情况"}, headers=HTMX
    )
    assert response.status_code == 200
    order = Order.objects.get()
    assert order.incident_id == incident["id"]
    assert f"Order {order.number} issued" in response.content.decode()


def test_a_bad_order_from_the_map_says_why_and_writes_nothing(page, users, call):
    incident = call().json()
    url = reverse("map-order", kwargs={"pk": incident["id"]})
    response = page(users.dispatcher).post(url, {"recipient": "station:nowhere"}, headers=HTMX)
    assert response.status_code in (400, 404, 422)
    assert 'role="alert"' in response.content.decode()
    assert not Order.objects.exists()


def test_only_the_command_center_issues_orders_from_the_map(page, users, call):
    incident = call().json()
    url = reverse("map-order", kwargs={"pk": incident["id"]})
    for user in (users.chief_a, users.street_staff):
        client = page(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"recipient": "station:station-a"}).status_code == 403
    assert not Order.objects.exists()
