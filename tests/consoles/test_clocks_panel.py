"""The clocks in the consoles: the job panel's time limits with their forms, the
queues' alert level, the orders the clocks issue in the inbox."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from analytics.engine import clocks_tick
from analytics.models import ClockInstance

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def late_job(call):
    """A police call (station A, post P) left undispatched past its dispatch clock."""
    job = call().json()
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        clocks_tick()
    return job


def panel(client, user, job_id):
    client.force_login(user)
    url = reverse("console-incident", kwargs={"console": "dispatch", "pk": job_id})
    return client.get(url, headers=HTMX).content.decode()


def test_the_panel_lists_the_jobs_clocks_with_its_reminder(client, users, late_job):
    html = panel(client, users.dispatcher, late_job["id"])
    assert 'class="job tier-police alert-breached"' in html
    assert 'data-clock="dispatch" data-state="breached"' in html
    assert 'data-clock="arrival" data-state="running"' in html
    reminder = ClockInstance.objects.get(definition__code="dispatch").reminder
    assert reminder.number in html
    assert "Why was it late?" in html  # the dispatcher may explain it
    assert "Excuse the breach" not in html  # only a supervisor excuses


def test_a_station_chief_records_the_reason_and_a_supervisor_excuses(client, users, late_job):
    clock = ClockInstance.objects.get(definition__code="dispatch")
    panel(client, users.chief_a, late_job["id"])
    delay = reverse(
        "job-clock-delay",
        kwargs={"console": "dispatch", "pk": late_job["id"], "clock_id": clock.pk},
    )
    refused = client.post(delay, {"reason": ""}, headers=HTMX)
    assert refused.status_code == 400
    assert "Choose a reason from the list." in refused.content.decode()
    done = client.post(delay, {"reason": "road-congestion", "note": "西湖大道拥堵"}, headers=HTMX)
    assert done.status_code == 200
    assert "Delay reason recorded." in done.content.decode()
    clock.refresh_from_db()
    assert clock.delay_reason.code == "road-congestion"

    excuse = reverse(
        "job-clock-excuse",
        kwargs={"console": "dispatch", "pk": late_job["id"], "clock_id": clock.pk},
    )
    assert client.post(excuse, {"reason": "x"}, headers=HTMX).status_code == 403
    html = panel(client, users.supervisor, late_job["id"])
    assert "Excuse the breach" in html
    answer = client.post(excuse, {"reason": "接警系统故障"}, headers=HTMX)
    assert answer.status_code == 200
    clock.refresh_from_db()
    assert clock.state == "excused"
    assert "接警系统故障" in answer.content.decode()


def test_another_jobs_clock_is_not_found_from_this_panel(client, users, late_job, call):
    other = call(lat=30.005, lng=120.015).json()
    clock = ClockInstance.objects.get(definition__code="dispatch", incident_id=late_job["id"])
    client.force_login(users.dispatcher)
    url = reverse(
        "job-clock-delay", kwargs={"console": "dispatch", "pk": other["id"], "clock_id": clock.pk}
    )
    assert client.post(url, {"reason": "other"}, headers=HTMX).status_code == 404


def test_the_queue_row_carries_the_alert_level(client, users, late_job):
    client.force_login(users.dispatcher)
    html = client.get(reverse("dispatch-queue"), headers=HTMX).content.decode()
    assert 'class="queue-row alert-breached"' in html
    assert 'data-alert="breached"' in html
    assert "data-red" not in html  # no threshold in the page


def test_the_chief_finds_the_reminder_in_the_inbox(client, users, late_job):
    client.force_login(users.chief_a)
    html = client.get(reverse("orders")).content.decode()
    assert "order-kind-reminder" in html
    assert "Reminder (提示单)" in html
    client.force_login(users.supervisor)
    listed = client.get(reverse("orders"), {"kind": "supervision"}).content.decode()
    assert "order-kind-reminder" not in listed.split('id="orders-issued"')[-1]
