"""The smart-secure sites' layers of the live one map, in a real browser on a real
server stack (Uvicorn + relay).

A site is drawn and opens its panel; a sensor the beat scan finds silent turns
offline on the map; an alarm a gateway posts appears pulsing (steady for users
who prefer reduced motion), and leaves when it is dismissed. Sensors are canvas
shapes with no DOM: the test reads the colour of the canvas under the map's
centre, where the camera stands.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.test import APIClient

from commandcenter.choices import Role
from commandcenter.machine_keys import machine_key_create
from commandcenter.models import MachineKeyKind
from community import services
from community.choices import DismissReason, SensorStatus, SensorType
from community.models import Sensor
from tests import factories as f
from tests.browser.conftest import log_in
from tests.community.conftest import sensor_make, site_make

pytestmark = pytest.mark.django_db(transaction=True)

LIVE_WITHIN_MS = 2000
# The test district's zones span 120.00–120.02 × 30.00–30.02: the map frames them, so
# their centre is the map's centre.
CENTRE = (30.01, 120.01)
# sensors.js STATUS_COLOURS' fills.
ONLINE_FILL = "34,197,94"
OFFLINE_FILL = "255,255,255"

PIXEL_AT = """([x, y]) => {
  const canvas = document.querySelector("#map .leaflet-overlay-pane canvas");
  const rect = canvas.getBoundingClientRect();
  const scale = canvas.width / rect.width;
  const at = (offset) => Math.round(offset * scale);
  const context = canvas.getContext("2d");
  const [r, g, b] = context.getImageData(at(x - rect.left), at(y - rect.top), 1, 1).data;
  return `${r},${g},${b}`;
}"""


def square_around(lat: float, lng: float, half: float) -> list:
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half]]
    return [[*ring, [lng - half, lat + half], [lng - half, lat - half]]]


@pytest.fixture
def site(district):
    """A grade-2 compound around the map's centre: a camera at the very centre, online
    but past its deadline (the next scan finds it silent), and an intrusion detector."""
    lat, lng = CENTRE
    site = site_make("site-c", lat=lat, lng=lng, grade=2, boundary=square_around(lat, lng, 0.0015))
    now = timezone.now()
    camera = sensor_make(
        site,
        "CAM-C-1",
        SensorType.CAMERA,
        status=SensorStatus.ONLINE,
        last_heartbeat_at=now - timedelta(minutes=4),
        offline_after=now - timedelta(minutes=1),
    )
    detector = Sensor.objects.create(
        site=site, device_id="IR-C-1", sensor_type=SensorType.INTRUSION,
        lat=lat + 0.0008, lng=lng - 0.0008, status=SensorStatus.ONLINE, **site.location,
    )  # fmt: skip
    return site, camera, detector


def gateway_client() -> APIClient:
    account = f.UserFactory(username="sensor-gw", role=Role.GATEWAY)
    _key, plaintext = machine_key_create(
        actor=None, name="智安网关", kind=MachineKeyKind.SENSORS, user=account
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {plaintext}")
    return client


def test_sites_sensors_and_alarms_are_on_the_map_and_follow_the_stream(
    live_stack, browser_page, users, site
):
    site, camera, detector = site
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_stack, users.dispatcher.username, "/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=10_000)
    expect(page.locator("#console")).to_have_class(re.compile(r"\bis-community-loaded\b"))
    expect(page.locator('[data-layer-count="sites"]')).to_have_text("1")
    expect(page.locator('[data-layer-count="sensors"]')).to_have_text("2")
    expect(page.locator('[data-layer-count="alarms"]')).to_have_text("0")

    # Zoomed in on the site, every sensor of it is drawn.
    page.click(".leaflet-control-zoom-in")
    page.click(".leaflet-control-zoom-in")
    box = page.locator("#map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.wait_for_function(f"([x, y]) => ({PIXEL_AT})([x, y]) === '{ONLINE_FILL}'", arg=[x, y])

    # The site: its panel, with a link to its page.
    page.mouse.click(x - 60, y + 20)
    panel = page.locator("#info-body")
    expect(panel.locator("h3")).to_have_text(site.name)
    expect(panel.locator('[data-part="site-link"]')).to_have_attribute("href", f"/sites/{site.pk}/")
    expect(panel.locator('[data-field="sensors_online"]')).to_contain_text("2 / 2")

    # The camera: online, then offline once the scan finds it silent.
    page.mouse.click(x, y)
    expect(panel.locator("h3")).to_have_text(camera.device_id)
    expect(panel.locator('[data-part="status"]')).to_have_attribute("data-sensor-status", "online")
    assert services.sensors_scan() == 1
    expect(panel.locator('[data-part="status"]')).to_have_attribute(
        "data-sensor-status", "offline", timeout=LIVE_WITHIN_MS
    )
    assert page.evaluate(PIXEL_AT, [x, y]) == OFFLINE_FILL
    expect(page.locator('[data-count="sensorsOffline"]')).to_have_text("1")

    # An alarm a gateway posts appears, pulsing, in the review queue's state.
    answer = gateway_client().post(
        "/api/v1/alarms/",
        {"alarms": [{"device": detector.device_id, "time": timezone.now().isoformat(),
                     "type": "intrusion", "priority": 3}]},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    alarm_id = answer.json()["alarms"][0]["alarm"]
    marker = page.locator(f'.alarm-marker[data-alarm-id="{alarm_id}"]')
    expect(marker).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(marker).to_have_attribute("data-stage", "pending")
    expect(page.locator('[data-layer-count="alarms"]')).to_have_text("1")
    pulse = marker.locator(".alarm-pulse")
    animation = "(element) => getComputedStyle(element).animationName"
    assert pulse.evaluate(animation) == "alarm-pulse"
    page.emulate_media(reduced_motion="reduce")
    assert pulse.evaluate(animation) == "none"  # a steady double ring instead
    marker.click()
    expect(panel.locator('[data-field="state"]')).not_to_be_empty()
    expect(panel.locator('[data-part="site"]')).to_have_text(site.name)

    # Dismissed as a false alarm: it leaves the map; the panel says so.
    services.alarm_dismiss(
        actor=users.dispatcher, alarm_id=alarm_id, reason=DismissReason.FALSE_ALARM
    )
    expect(marker).to_have_count(0, timeout=LIVE_WITHIN_MS)
    expect(panel.locator('[data-part="gone"]')).to_be_visible()
    expect(page.locator('[data-layer-count="alarms"]')).to_have_text("0")
    assert errors == []
