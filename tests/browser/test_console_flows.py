"""A shift's less common steps, in a real browser: caller history at intake,
the transfer (移交) of a call placed outside the district, a search by phone
with its export, the alerts and an order issued on the live map, and a unit
leaving the scene from the terminal while another stays.
"""

import re

import pytest
from playwright.sync_api import expect

from dispatch.models import Assignment, Order
from incidents.choices import IncidentStatus
from incidents.models import Incident
from tests.browser.conftest import log_in
from tests.browser.test_consoles_live import LIVE_WITHIN_MS, dispatch, job_path
from tests.browser.test_live_map import open_map

pytestmark = pytest.mark.django_db(transaction=True)

KNOWN_PHONE = "13911112222"


def test_caller_history_shows_the_numbers_earlier_calls_as_it_is_typed(
    live_stack, browser_page, users, call
):
    page = browser_page
    first = call(caller_phone=KNOWN_PHONE).json()
    second = call(caller_phone=KNOWN_PHONE, address="测试路9号").json()
    call(caller_phone=KNOWN_PHONE)  # a third: a repeat caller (REPEAT_CALLER_CALLS)
    log_in(page, live_stack, users.dispatcher.username, "/dispatch/")

    page.locator("#id_caller_phone").fill(KNOWN_PHONE)

    history = page.locator("#caller-history")
    expect(history).to_contain_text(first["number"], timeout=5000)
    expect(history).to_contain_text(second["number"])
    expect(history.locator(".caller-flag")).to_be_visible()
    # Another number has no history: the box empties again.
    page.locator("#id_caller_phone").fill("13700000000")
    expect(history.locator(".caller-calls")).to_have_count(0, timeout=5000)


def test_a_call_outside_the_district_is_transferred_from_the_job_panel(
    live_stack, browser_page, users, call
):
    page = browser_page
    # 1,100 km away: no local unit is offered, no clock runs.
    incident = call(lat=39.9, lng=116.4, address="北京市东城区").json()
    log_in(page, live_stack, users.dispatcher.username, job_path(incident["id"]))
    panel = page.locator("#job")
    expect(panel).to_have_attribute("data-incident-id", str(incident["id"]))
    expect(panel.locator(".btn-dispatch")).to_have_count(0)

    page.locator("#transfer-to").fill("北京市公安局东城分局")
    page.locator("#transfer-reason").fill("报警人在辖区外")
    page.locator("form.action-transfer button[type=submit]").click()

    expect(page.locator("#job .job-alert.is-ok")).to_be_visible()
    expect(page.locator("#job")).to_contain_text("北京市公安局东城分局")
    transferred = Incident.objects.get(pk=incident["id"])
    assert transferred.status == IncidentStatus.TRANSFERRED
    assert not Assignment.objects.filter(incident=transferred).exists()


def test_a_search_by_phone_finds_the_calls_and_exports_them(live_stack, browser_page, users, call):
    page = browser_page
    mine = call(caller_phone=KNOWN_PHONE).json()
    other = call(caller_phone="13700000000").json()
    log_in(page, live_stack, users.dispatcher.username, "/search/")

    page.locator('input[name="phone"]').fill("139-1111-2222")
    page.locator('input[name="phone"]').press("Enter")

    results = page.locator(".search-table tbody")
    expect(results).to_contain_text(mine["number"])
    expect(results).not_to_contain_text(other["number"])
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("CSV")).click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert mine["number"] in exported
    assert other["number"] not in exported


def test_a_p1_call_alerts_on_the_live_map_until_its_row_is_clicked(
    live_stack, browser_page, users, call
):
    page = browser_page
    open_map(page, live_stack, users.dispatcher.username)
    title = page.title()

    incident = call(priority=1).json()

    row = page.locator(f'#jobs-list .lm-job-row[data-incident-id="{incident["id"]}"]')
    expect(row).to_have_class(re.compile(r"\bis-alerting\b"), timeout=LIVE_WITHIN_MS + 1000)
    expect(page).to_have_title(f"(1) {title}")
    expect(page.locator("#alert-sound")).to_be_visible()
    row.click()
    expect(page).to_have_title(title)
    expect(row).not_to_have_class(re.compile(r"\bis-alerting\b"))


def test_an_order_is_issued_about_a_job_from_the_live_map(live_stack, browser_page, users, call):
    page = browser_page
    incident = call(priority=2).json()
    open_map(page, live_stack, users.dispatcher.username)
    page.locator(f'#jobs-list .lm-job-row[data-incident-id="{incident["id"]}"]').click()

    page.get_by_role("button", name=re.compile("指令|order", re.IGNORECASE)).click()
    form = page.locator(".map-order-form")
    # The job's own post or station is chosen already.
    expect(form.locator("select[name=recipient]")).not_to_have_value("")
    form.locator("textarea[name=content]").fill("核实报警人位置")
    form.locator("button[type=submit]").click()

    expect(page.locator(".map-order-form .job-alert.is-ok")).to_be_visible()
    order = Order.objects.get()
    assert order.incident_id == incident["id"]
    assert order.content == "核实报警人位置"


def test_a_reinforcing_officer_leaves_the_scene_while_the_other_unit_stays(
    live_stack, browser_page, api_client_for, users, officer, district, call
):
    page = browser_page
    incident = call().json()
    own, other = district.units.a, district.units.p
    for unit in (own, other):
        dispatch(api_client_for, users.dispatcher, incident["id"], unit)
    Assignment.objects.filter(incident_id=incident["id"]).update(status="on_scene")
    log_in(page, live_stack, officer.username, "/terminal/")

    page.locator("#terminal-leave").click()

    expect(page.locator("#terminal-idle")).to_be_visible()
    statuses = dict(
        Assignment.objects.filter(incident_id=incident["id"]).values_list("unit_id", "status")
    )
    assert statuses == {own.pk: "cleared", other.pk: "on_scene"}
