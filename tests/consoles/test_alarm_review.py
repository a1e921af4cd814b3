"""The dispatcher console's alarm review queue (告警研判): who sees which alarms, in
which order, and what accept and dismiss do, refuse and show."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commandcenter.choices import Role
from community.choices import AlarmNature, AlarmState, SensorType
from community.models import Alarm
from community.services import AlarmInput, alarms_record
from incidents.choices import Source
from incidents.models import Incident
from tests import factories as f
from tests.community.conftest import sensor_make, site_make

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client):
    """These tests read English messages; the default UI language is Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def sites(district):
    """Site A (grade 1) in station A's post zone, site B (grade 1) in station B's."""
    a = site_make("site-a", lat=30.004, lng=120.004)
    b = site_make("site-b", lat=30.004, lng=120.014)
    return SimpleNamespace(
        a=a,
        b=b,
        ir_a=sensor_make(a, "IR-A-1", SensorType.INTRUSION, name="东门红外"),
        cam_a=sensor_make(a, "CAM-A-1", SensorType.CAMERA),
        ir_b=sensor_make(b, "IR-B-1", SensorType.INTRUSION),
    )


@pytest.fixture
def raise_alarms(district):
    """Report alarms as a sensor gateway would; returns them, in the order given."""
    gateway = f.UserFactory(username="sensor-gw", role=Role.GATEWAY)

    def report(*items: AlarmInput) -> list[Alarm]:
        result = alarms_record(actor=gateway, items=list(items), key_kind="sensors")
        assert not result.rejected, result.rejected
        return [Alarm.objects.get(pk=a["alarm"]) for a in result.alarms]

    return report


def alarm(device: str, alarm_type: str = "intrusion", *, priority: int = 4, ago: int = 0, **kw):
    moment = timezone.now() - timedelta(seconds=ago)
    return AlarmInput(device=device, time=moment, alarm_type=alarm_type, priority=priority, **kw)


def action_url(alarm_id: int, action: str) -> str:
    return reverse("alarm-review-action", kwargs={"pk": alarm_id, "action": action})


def panel(client) -> str:
    response = client.get(reverse("alarm-review"), headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def review(sites, raise_alarms):
    """One intrusion of each site awaiting review, and a camera's video loss (recorded)."""
    in_a, in_b, recorded = raise_alarms(
        alarm("IR-A-1", snapshot_url="https://cam.example/a.jpg", description="东门有人翻墙"),
        alarm("IR-B-1", "loitering"),
        alarm("CAM-A-1", "video_loss"),
    )
    assert in_a.state == in_b.state == AlarmState.REVIEW
    assert recorded.state == AlarmState.RECORDED
    return SimpleNamespace(a=in_a, b=in_b, recorded=recorded)


# --- What the queue lists ------------------------------------------------------------------


def test_the_console_shows_the_review_queue_with_the_alarms_particulars(client, users, review):
    client.force_login(users.dispatcher)
    page = client.get(reverse("dispatch-console")).content.decode()
    assert 'id="alarm-review"' in page and 'hx-trigger="alarms-changed from:body"' in page
    assert f'id="alarm-{review.a.pk}"' in page and f'id="alarm-{review.b.pk}"' in page
    assert f'id="alarm-{review.recorded.pk}"' not in page
    assert "site-a 小区" in page and "东门红外" in page and "东门有人翻墙" in page
    assert 'href="https://cam.example/a.jpg"' in page
    assert reverse("site-page", kwargs={"pk": review.a.site_id}) in page
    # Every reason of DismissReason is one button of the dismissal.
    assert 'value="false_alarm"' in page and 'value="no_action"' in page


def test_a_station_sees_only_the_alarms_of_its_own_area(client, users, review):
    client.force_login(users.chief_a)
    shown = panel(client)
    assert f'id="alarm-{review.a.pk}"' in shown
    assert f'id="alarm-{review.b.pk}"' not in shown


def test_alarms_handled_or_held_are_not_in_the_queue(client, users, review, raise_alarms):
    (held,) = raise_alarms(alarm("IR-B-1", "smoke", priority=1))
    client.force_login(users.dispatcher)
    client.post(action_url(review.a.pk, "accept"), headers=HTMX)
    shown = panel(client)
    assert f'id="alarm-{review.a.pk}"' not in shown
    assert f'id="alarm-{held.pk}"' not in shown
    assert f'id="alarm-{review.b.pk}"' in shown


def test_the_most_urgent_come_first_then_the_newest(client, users, sites, raise_alarms):
    old, new, urgent_old = raise_alarms(
        alarm("IR-A-1", "loitering", priority=4, ago=300),
        alarm("IR-A-1", "tailgating", priority=4, ago=10),
        alarm("IR-B-1", "tamper", priority=3, ago=600),
    )
    client.force_login(users.dispatcher)
    shown = panel(client)
    positions = [shown.index(f'id="alarm-{a.pk}"') for a in (urgent_old, new, old)]
    assert positions == sorted(positions)


def test_the_panel_reads_the_same_queries_however_many_alarms(client, users, sites, raise_alarms):
    client.force_login(users.dispatcher)
    raise_alarms(alarm("IR-A-1", "loitering"))
    panel(client)  # warm: sessions, the user
    with CaptureQueriesContext(connection) as one:
        panel(client)
    raise_alarms(alarm("IR-B-1", "loitering"), alarm("CAM-A-1", "tamper"))
    with CaptureQueriesContext(connection) as three:
        panel(client)
    assert len(three) == len(one)


def test_street_staff_has_no_review_queue(client, users, review):
    client.force_login(users.street_staff)
    assert client.get(reverse("alarm-review"), headers=HTMX).status_code == 403
    assert client.post(action_url(review.a.pk, "accept"), headers=HTMX).status_code == 403
    assert Alarm.objects.get(pk=review.a.pk).state == AlarmState.REVIEW


# --- Accept ----------------------------------------------------------------------------------


def test_accept_makes_a_job_waiting_for_dispatch(client, users, review):
    client.force_login(users.dispatcher)
    response = client.post(action_url(review.a.pk, "accept"), headers=HTMX)
    assert response.status_code == 200
    accepted = Alarm.objects.get(pk=review.a.pk)
    assert accepted.state == AlarmState.INCIDENT and accepted.handled_by == users.dispatcher
    job = accepted.incident
    assert job.source == Source.SENSOR_ALARM and job.station_id == review.a.station_id
    # The dispatch queue reads the job at once; the panel says so and links it.
    assert response["HX-Trigger"] == "queue-changed"
    shown = response.content.decode()
    assert job.number in shown and "waiting for dispatch" in shown
    assert reverse("console-incident", kwargs={"console": "dispatch", "pk": job.pk}) in shown
    assert f'id="alarm-{review.a.pk}"' not in shown


def test_accept_without_htmx_comes_back_to_the_console(client, users, review):
    client.force_login(users.dispatcher)
    response = client.post(action_url(review.a.pk, "accept"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dispatch-console")
    number = Alarm.objects.get(pk=review.a.pk).incident.number
    assert number in response.content.decode()


def test_a_second_accept_shows_the_409_message(client, users, review):
    client.force_login(users.dispatcher)
    assert client.post(action_url(review.a.pk, "accept"), headers=HTMX).status_code == 200
    again = client.post(action_url(review.a.pk, "accept"), headers=HTMX)
    assert again.status_code == 409
    shown = again.content.decode()
    assert "This alarm has been handled already." in shown and 'role="alert"' in shown
    # The panel is what it is now: the other alarm is still there to act on.
    assert f'id="alarm-{review.b.pk}"' in shown
    assert Incident.objects.count() == 1


def test_dismissing_an_accepted_alarm_is_409_too(client, users, review):
    client.force_login(users.dispatcher)
    client.post(action_url(review.a.pk, "accept"), headers=HTMX)
    response = client.post(
        action_url(review.a.pk, "dismiss"), {"reason": "false_alarm"}, headers=HTMX
    )
    assert response.status_code == 409
    assert Alarm.objects.get(pk=review.a.pk).state == AlarmState.INCIDENT


def test_an_alarm_out_of_the_users_area_is_404_and_untouched(client, users, review):
    client.force_login(users.chief_b)
    response = client.post(action_url(review.a.pk, "accept"), headers=HTMX)
    assert response.status_code == 404
    assert "There is no such alarm in your area." in response.content.decode()
    assert Alarm.objects.get(pk=review.a.pk).state == AlarmState.REVIEW


def test_an_unknown_action_is_404(client, users, review):
    client.force_login(users.dispatcher)
    assert client.post(action_url(review.a.pk, "escalate"), headers=HTMX).status_code == 404


# --- Dismiss ---------------------------------------------------------------------------------


def test_dismiss_records_the_reason_the_note_and_the_nature(client, users, review):
    client.force_login(users.dispatcher)
    response = client.post(
        action_url(review.a.pk, "dismiss"),
        {"reason": "false_alarm", "note": " 树枝晃动 "},
        headers=HTMX,
    )
    assert response.status_code == 200
    dismissed = Alarm.objects.get(pk=review.a.pk)
    assert dismissed.state == AlarmState.DISMISSED
    assert dismissed.dismiss_reason == "false_alarm" and dismissed.dismiss_note == "树枝晃动"
    assert dismissed.nature == AlarmNature.FALSE and dismissed.handled_by == users.dispatcher
    assert "Alarm dismissed" in response.content.decode()
    assert "HX-Trigger" not in response and not Incident.objects.exists()


@pytest.mark.parametrize(
    ("reason", "nature"),
    [("test", AlarmNature.TEST), ("duplicate", AlarmNature.UNKNOWN)],
)
def test_the_reason_gives_the_nature(client, users, review, reason, nature):
    client.force_login(users.dispatcher)
    client.post(action_url(review.b.pk, "dismiss"), {"reason": reason}, headers=HTMX)
    assert Alarm.objects.get(pk=review.b.pk).nature == nature


@pytest.mark.parametrize("reason", ["", "bogus"])
def test_a_missing_or_unknown_reason_is_a_form_error(client, users, review, reason):
    client.force_login(users.dispatcher)
    response = client.post(action_url(review.a.pk, "dismiss"), {"reason": reason}, headers=HTMX)
    assert response.status_code == 400
    assert "Choose why the alarm is dismissed." in response.content.decode()
    assert Alarm.objects.get(pk=review.a.pk).state == AlarmState.REVIEW


def test_a_refusal_without_htmx_is_the_whole_console_with_the_message(client, users, review):
    client.force_login(users.dispatcher)
    response = client.post(action_url(review.a.pk, "dismiss"), {"reason": "bogus"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="queue"' in page and "Choose why the alarm is dismissed." in page
