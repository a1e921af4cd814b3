"""The dashboard in a real browser: a station chief and a supervisor open /dashboard/,
every chart draws (an ECharts canvas in each container), a card shows the API's
figure, a range preset and the station filter read the figures again without a
reload and go into the address, and nothing is refused by the CSP or logs an error."""

import pytest
from playwright.sync_api import expect

from analytics.engine import clocks_tick
from analytics.facts import facts_tick
from tests.browser.conftest import log_in
from tests.browser.test_content_security_policy import watched_page

pytestmark = pytest.mark.django_db(transaction=True)

CHARTS = ("gauges", "arrival", "heat", "zones", "ranking")


@pytest.fixture
def figures(call, district):
    """Two calls in station A (one in its post's zone) and one in station B, today."""
    call(lat=30.005, lng=120.005)
    call(category="dispute", lat=30.015, lng=120.005, caller_phone="13700000000")
    call(lat=30.015, lng=120.015, caller_phone="13900000000")
    clocks_tick()
    facts_tick()


def api_card(page, code: str, **params) -> float | None:
    """The card's value as /api/v1/dashboard/ gives it to the page's own session."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    body = page.evaluate(
        "async (url) => (await fetch(url, {credentials: 'same-origin'})).json()",
        f"/api/v1/dashboard/?{query}",
    )
    return next(card["value"] for card in body["cards"] if card["code"] == code)


def shown_card(page, code: str) -> str:
    return page.get_attribute(f'.kpi-card[data-code="{code}"] [data-slot="value"]', "data-value")


def expect_card(page, code: str, value: str) -> None:
    card = page.locator(f'.kpi-card[data-code="{code}"] [data-slot="value"]')
    expect(card).to_have_attribute("data-value", value, timeout=10_000)


def expect_read(page) -> None:
    """Until the figures asked for last are drawn."""
    expect(page.locator("#dashboard")).not_to_have_class("is-loading", timeout=10_000)


def wait_for_charts(page) -> None:
    for name in CHARTS:
        page.wait_for_selector(f'[data-chart="{name}"] canvas', state="attached", timeout=15_000)


def test_a_station_chief_s_dashboard_draws_and_switches_range(
    live_stack, browser_page, users, figures
):
    problems: list[str] = []
    page = watched_page(browser_page.context.browser, problems)
    log_in(page, live_stack, "chief_a", "/dashboard/")
    wait_for_charts(page)
    assert page.locator('[data-chart="zones"] canvas').count() >= 1
    # Station A's two calls, as the API counts them for the chief.
    assert api_card(page, "calls", range="today") == 2
    assert shown_card(page, "calls") == "2"
    assert page.locator("#dash-station").count() == 0
    assert "Asia/Shanghai" in page.inner_text(".dash-meta")

    page.click('a[data-range="this_week"]')
    page.wait_for_url("**/dashboard/?range=this_week")
    expect(page.locator('a[data-range="this_week"]')).to_have_attribute("aria-pressed", "true")
    expect_read(page)
    assert shown_card(page, "calls") == str(api_card(page, "calls", range="this_week"))
    # The definitions: a card's title opens the dictionary at its row.
    page.click('.kpi-card[data-code="arrival_rate"] .kpi-def')
    page.wait_for_selector("#definitions[open] tr.is-current#definition-arrival_rate")
    page.keyboard.press("Escape")
    page.wait_for_load_state("networkidle")
    assert problems == []


def test_a_supervisor_filters_by_station(live_stack, browser_page, users, figures, district):
    problems: list[str] = []
    page = watched_page(browser_page.context.browser, problems)
    log_in(page, live_stack, "supervisor", "/dashboard/")
    wait_for_charts(page)
    assert shown_card(page, "calls") == "3"
    assert page.locator('[data-part="stations"] tr').count() == 2

    page.select_option("#dash-station", "station-b")
    page.wait_for_url("**/dashboard/?range=today&station=station-b")
    expect_card(page, "calls", "1")
    assert api_card(page, "calls", range="today", station="station-b") == 1
    assert page.inner_text('[data-part="scope-name"]') == district.station_b.name
    # Yesterday: a day with no calls draws zeros and says so, with no broken chart.
    page.click('a[data-range="yesterday"]')
    page.wait_for_url("**/dashboard/?range=yesterday&station=station-b")
    expect_card(page, "calls", "0")
    assert page.is_visible('[data-empty="heat"]')
    wait_for_charts(page)
    # Back returns to the station's today.
    page.go_back()
    expect_card(page, "calls", "1")
    page.wait_for_load_state("networkidle")
    assert problems == []
