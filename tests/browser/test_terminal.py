"""The officer terminal in a real browser at phone size (390×844), on a real stack.

A job dispatched to the officer's unit through the service is walked on the
terminal from acknowledge to report back; the position toggle sends the
browser's (emulated) geolocation to the positions API.
"""

import re

import pytest
from playwright.sync_api import expect

from dispatch.services import incident_dispatch
from incidents.models import Incident
from incidents.services import incident_create
from patrol.models import PositionFix, Unit
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def log_in_to_terminal(page, base_url: str, username: str) -> None:
    """At phone size, in the UI's own language (headless Chromium asks for English)."""
    page.set_viewport_size(PHONE)
    page.set_extra_http_headers({"Accept-Language": "zh-Hans"})
    log_in(page, base_url, username, "/terminal/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=10_000)


def assert_fits_a_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


def assert_big_button(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    size = page.locator(selector).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert box["height"] >= 44 and box["width"] >= 44, box
    assert size >= 14


def test_an_officer_walks_a_job_from_acknowledge_to_report_back(
    live_stack, browser_page, district, users, officer
):
    incident = incident_create(
        actor=users.dispatcher,
        category="criminal",
        description="有人抢包",
        caller_phone="13800138000",
        caller_name="张三",
        address="测试路1号",
        lat=30.015,
        lng=120.005,
    )
    incident_dispatch(
        actor=users.dispatcher, incident_id=incident.pk, unit_ids=[district.units.a.pk]
    )

    page = browser_page
    log_in_to_terminal(page, live_stack, officer.username)
    expect(page.locator("#terminal-call-sign")).to_have_text("A-01")
    expect(page.locator("#terminal-number")).to_have_text(incident.number)
    expect(page.locator("#terminal-assignment")).to_contain_text("测试路1号")
    assert_fits_a_phone(page)

    for label, status in (("签收", "acknowledged"), ("出发", "en_route"), ("到场", "on_scene")):
        button = page.locator("#terminal-next")
        expect(button).to_have_text(label)
        assert_big_button(page, "#terminal-next")
        button.click()
        expect(page.locator("#terminal-assignment")).to_have_attribute("data-status", status)

    expect(page.locator("#terminal-next")).to_have_count(0)
    # The steps' own events make the page read its job once more (coalesced, within
    # about a second), while the officer fills in the report: nothing is lost.
    page.select_option("#terminal-result", "settled_on_site")
    page.fill("#terminal-notes", "双方已和解")
    page.locator("#terminal-number").click()  # the focus leaves the form, unsent
    page.wait_for_timeout(1500)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(page.locator("#terminal-notes")).to_have_value("双方已和解")
    assert_big_button(page, "#terminal-report")
    assert_fits_a_phone(page)
    expect(page.locator("#terminal-result")).to_have_value("settled_on_site")
    page.click("#terminal-report")

    expect(page.locator("#terminal-idle")).to_be_visible()
    expect(page.locator(".terminal-notice")).to_be_visible()
    resolved = Incident.objects.get(pk=incident.pk)
    assert (resolved.status, resolved.result_notes) == ("resolved", "双方已和解")
    assert Unit.objects.get(pk=district.units.a.pk).status == "available"


def test_a_job_dispatched_while_the_terminal_is_open_appears_live(
    live_stack, browser_page, district, users, officer
):
    page = browser_page
    log_in_to_terminal(page, live_stack, officer.username)
    expect(page.locator("#terminal-idle")).to_be_visible()
    incident = incident_create(
        actor=users.dispatcher,
        category="criminal",
        description="有人抢包",
        caller_phone="13800138000",
        address="测试路2号",
        lat=30.015,
        lng=120.005,
    )
    incident_dispatch(
        actor=users.dispatcher, incident_id=incident.pk, unit_ids=[district.units.a.pk]
    )
    expect(page.locator("#terminal-number")).to_have_text(incident.number, timeout=5000)


def test_the_position_toggle_sends_the_browsers_position(
    live_stack, browser_page, district, officer
):
    page = browser_page
    page.context.grant_permissions(["geolocation"], origin=live_stack)
    page.context.set_geolocation({"latitude": 30.012, "longitude": 120.004, "accuracy": 10})
    log_in_to_terminal(page, live_stack, officer.username)
    toggle = page.locator("#position-toggle")
    expect(toggle).to_have_text("上报位置")
    assert_big_button(page, "#position-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#position-status")).to_have_text(re.compile("已于"), timeout=10_000)
    fix = PositionFix.objects.get()
    assert (fix.unit_id, round(fix.lat, 3), round(fix.lng, 3)) == (
        district.units.a.pk,
        30.012,
        120.004,
    )
