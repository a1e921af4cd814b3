"""The alarm review queue in a real browser on a real server stack: an alarm left for
review arrives in the dispatcher's panel from the live stream; one click accepts it
(its job comes into the dispatch queue), two dismiss another as a false alarm; the
panel and the site pages pass axe-core."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commandcenter.choices import Role
from community.choices import AlarmNature, AlarmState, SensorType
from community.models import Alarm
from community.services import AlarmInput, alarms_record
from tests import factories as f
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_consoles_live import LIVE_WITHIN_MS, assert_not_reloaded, open_console
from tests.community.conftest import sensor_make, site_make

pytestmark = pytest.mark.django_db(transaction=True)


def test_alarms_arrive_live_and_are_accepted_and_dismissed_from_the_queue(
    live_stack, browser_page, users
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    site = site_make("site-a", lat=30.004, lng=120.004)
    sensor_make(site, "IR-A-1", SensorType.INTRUSION)
    sensor_make(site, "GATE-A-1", SensorType.ACCESS_GATE)
    gateway = f.UserFactory(username="sensor-gw", role=Role.GATEWAY)
    open_console(page, live_stack, users.dispatcher.username, "/dispatch/")

    now = timezone.now()
    alarms_record(
        actor=gateway,
        key_kind="sensors",
        items=[
            AlarmInput(device="IR-A-1", time=now, alarm_type="intrusion", priority=4),
            AlarmInput(device="GATE-A-1", time=now, alarm_type="tailgating", priority=4),
        ],
    )
    intrusion = Alarm.objects.get(sensor__device_id="IR-A-1")
    tailgating = Alarm.objects.get(sensor__device_id="GATE-A-1")
    assert intrusion.state == tailgating.state == AlarmState.REVIEW

    # Both arrive without a reload.
    review = page.locator("#alarm-review")
    expect(review.locator(f"#alarm-{intrusion.pk}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(review.locator(f"#alarm-{tailgating.pk}")).to_be_visible(timeout=LIVE_WITHIN_MS)

    # One click: accepted; its job is in the dispatch queue.
    page.locator(f"#alarm-accept-{intrusion.pk}").click()
    expect(review.locator(f"#alarm-{intrusion.pk}")).to_have_count(0)
    expect(review.locator(".job-alert.is-ok")).to_be_visible()
    job = Alarm.objects.get(pk=intrusion.pk).incident
    assert job is not None
    expect(page.locator(f'#queue tr.queue-row[data-incident-id="{job.pk}"]')).to_be_visible()
    # The focus is on the next alarm, for the keyboard.
    expect(page.locator(f"#alarm-accept-{tailgating.pk}")).to_be_focused()

    # Two clicks: open the dismissal, pick the reason.
    page.locator(f"#alarm-dismiss-open-{tailgating.pk}").click()
    page.locator(f'#alarm-dismiss-{tailgating.pk} button[value="false_alarm"]').click()
    expect(review.locator(f"#alarm-{tailgating.pk}")).to_have_count(0)
    dismissed = Alarm.objects.get(pk=tailgating.pk)
    assert dismissed.state == AlarmState.DISMISSED and dismissed.nature == AlarmNature.FALSE
    assert_not_reloaded(page)
    assert errors == []


def test_the_review_queue_and_the_site_pages_have_no_serious_accessibility_violation(
    live_stack, browser_page, users
):
    page = browser_page
    site = site_make("site-a", lat=30.004, lng=120.004)
    sensor_make(site, "IR-A-1", SensorType.INTRUSION)
    gateway = f.UserFactory(username="sensor-gw", role=Role.GATEWAY)
    alarms_record(
        actor=gateway,
        key_kind="sensors",
        items=[
            AlarmInput(
                device="IR-A-1",
                time=timezone.now(),
                alarm_type="intrusion",
                priority=4,
                snapshot_url="https://cam.example/a.jpg",
            )
        ],
    )
    alarm = Alarm.objects.get()
    log_in(page, live_stack, users.dispatcher.username, "/dispatch/")
    page.locator(f"#alarm-dismiss-open-{alarm.pk}").click()
    expect(page.locator(f"#alarm-note-{alarm.pk}")).to_be_visible()
    assert serious_violations(page) == []
    for path in ("/sites/", f"/sites/{site.pk}/"):
        page.goto(f"{live_stack}{path}")
        assert serious_violations(page) == [], path
