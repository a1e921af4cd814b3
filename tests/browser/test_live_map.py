"""The live one map in a real browser, on a real server stack (Uvicorn + relay).

A call recorded elsewhere appears on the dispatcher's map without a reload,
and one click on a recommended unit sends it: the unit turns dispatched on
the map and in the list as the stream reports it. Units move when positions
arrive.
"""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone
from playwright.sync_api import expect

from commandcenter.choices import Role
from commandcenter.stream import DISTRICT_GROUP
from incidents.services import incident_create
from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

LIVE_WITHIN_MS = 2000


def open_map(page, base_url: str, username: str) -> None:
    log_in(page, base_url, username, "/")
    # The stream is open and the first snapshot is in.
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=10_000)
    expect(page.locator("#console")).to_have_class(re.compile(r"\bis-live-loaded\b"))


def send_position(unit, *, lat: float, lng: float) -> None:
    """What a position feed publishes: straight to the group, not logged."""
    position = {
        "id": unit.pk,
        "lat": lat,
        "lng": lng,
        "status": str(unit.status),
        "heading": 90,
        "speed": 8.0,
        "at": timezone.now().isoformat(),
    }
    send = async_to_sync(get_channel_layer().group_send)
    message = {"type": "positions.message", "units": [position]}
    # Playwright's loop owns this thread; the channel layer gets its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(send, DISTRICT_GROUP, message).result()


def test_unit_moves_when_its_position_arrives(live_stack, browser_page, district, users):
    page = browser_page
    open_map(page, live_stack, users.dispatcher.username)
    unit = district.units.b
    marker = page.locator(f'.unit-marker[data-unit-id="{unit.pk}"]')
    before = marker.bounding_box()

    send_position(unit, lat=30.015, lng=120.015)

    page.wait_for_function(
        """([id, x]) => {
             const marker = document.querySelector(`.unit-marker[data-unit-id="${id}"]`);
             return Math.abs(marker.getBoundingClientRect().x - x) > 20;
           }""",
        arg=[unit.pk, before["x"]],
        timeout=LIVE_WITHIN_MS,
    )


def test_units_move_in_the_embedded_default_when_another_process_stores_fixes(
    embedded_stack, browser_page, district, users
):
    """`make demo` without Redis: the simulator is another process; its fixes
    reach the map through the web process's own position relay."""
    from patrol.services import FixInput, positions_record

    page = browser_page
    open_map(page, embedded_stack, users.dispatcher.username)
    unit = district.units.b
    before = page.locator(f'.unit-marker[data-unit-id="{unit.pk}"]').bounding_box()
    fix = FixInput(
        unit=unit.pk, recorded_at=timezone.now(), lat=30.015, lng=120.015, speed=8, heading=90
    )
    # This process is not the web process: what it publishes never reaches the page.
    gateway = f.UserFactory(role=Role.GATEWAY)  # as the simulator reports: a gateway
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(
            positions_record, actor=gateway, fixes=[fix], gateway_units=frozenset({unit.pk})
        ).result()
    page.wait_for_function(
        """([id, x]) => {
             const marker = document.querySelector(`.unit-marker[data-unit-id="${id}"]`);
             return Math.abs(marker.getBoundingClientRect().x - x) > 20;
           }""",
        arg=[unit.pk, before["x"]],
        timeout=5000,
    )


def test_new_call_appears_live_and_a_recommended_unit_is_sent_from_the_map(
    live_stack, browser_page, district, users
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_map(page, live_stack, users.dispatcher.username)

    incident = incident_create(
        actor=users.dispatcher,
        category="criminal",
        description="有人抢包",
        lat=30.005,
        lng=120.005,
        address="测试路1号",
    )

    marker = page.locator(f'.inc-marker[data-incident-id="{incident.pk}"]')
    expect(marker).to_be_visible(timeout=LIVE_WITHIN_MS)
    row = page.locator(f'#jobs-list [data-incident-id="{incident.pk}"]')
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(page.locator('[data-counter="waiting"] [data-count="waiting"]')).to_have_text("1")

    marker.click()
    expect(row).to_have_class(re.compile(r"\bis-selected\b"), timeout=LIVE_WITHIN_MS)
    expect(page.locator("#info-body h3")).to_have_text(incident.number)
    first = page.locator("#info-body .rec-row").first
    expect(first).to_be_visible(timeout=LIVE_WITHIN_MS)
    unit_id = first.get_attribute("data-unit-id")
    # Recommended units are ringed on the map.
    expect(page.locator(f'.unit-marker.is-recommended[data-unit-id="{unit_id}"]')).to_have_count(1)

    first.locator('[data-action="dispatch"]').click()

    expect(page.locator(f'.unit-marker[data-unit-id="{unit_id}"]')).to_have_attribute(
        "data-status", "dispatched", timeout=LIVE_WITHIN_MS
    )
    expect(page.locator(f'#units-list [data-unit-id="{unit_id}"]')).to_have_attribute(
        "data-status", "dispatched"
    )
    expect(marker).to_have_attribute("data-stage", "out")
    expect(
        page.locator(f'#info-body [data-part="units"] [data-unit-id="{unit_id}"]')
    ).to_be_visible()

    # A refused dispatch shows the server's message under the unit.
    page.route(
        "**/dispatch/",
        lambda route: route.fulfill(
            status=409,
            json={"detail": "Unit X is Dispatched and cannot be sent.", "code": "unit_unavailable"},
        ),
    )
    other = page.locator("#info-body .rec-row").first
    expect(other).not_to_have_attribute("data-unit-id", unit_id, timeout=LIVE_WITHIN_MS)
    other.locator('[data-action="dispatch"]').click()
    expect(other.locator(".rec-error")).to_have_text("Unit X is Dispatched and cannot be sent.")
    assert errors == []
