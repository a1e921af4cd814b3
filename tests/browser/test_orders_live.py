"""The orders inbox in a real browser on a real server stack (Uvicorn + relay).

An order issued elsewhere appears in the station chief's open inbox without a
reload and without polling; the chief acknowledges and answers it there, and
an answer being written survives the inbox being read again.
"""

import pytest
from playwright.sync_api import expect

from dispatch.choices import OrderStatus
from dispatch.models import Order
from dispatch.services import order_issue
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

LIVE_WITHIN_MS = 2000

# Notes the id of every region htmx has read again and put in place.
NOTE_REFRESHES = """
window.refreshed = [];
document.addEventListener("htmx:afterSettle", (event) => {
  window.refreshed.push(event.detail.target?.id ?? "");
});
"""


def open_inbox(page, base_url: str, username: str) -> None:
    """Log in at /orders/, wait until the stream is live and the inbox was read
    once since it connected: what follows reaches the page through the stream."""
    page.add_init_script(NOTE_REFRESHES)
    log_in(page, base_url, username, "/orders/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=10_000)
    page.wait_for_function("() => window.refreshed.includes('orders-inbox')", timeout=10_000)
    page.evaluate("window.stillThisPage = true")


def test_order_issued_elsewhere_appears_in_the_chiefs_open_inbox(live_stack, browser_page, users):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_inbox(page, live_stack, users.chief_a.username)

    order = order_issue(
        actor=users.supervisor,
        recipient_type="station",
        recipient="station-a",
        content="加强辖区夜间巡逻",
    )

    row = page.locator(f"#orders-inbox tr#order-{order.pk}")
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(row).to_contain_text(order.number)
    expect(row.locator(".timer[data-due]")).not_to_have_text("")  # the clock runs
    assert page.evaluate("window.stillThisPage === true")

    row.locator(".btn-acknowledge").click()
    expect(row.locator(".order-status-acknowledged")).to_be_visible(timeout=LIVE_WITHIN_MS)
    row.locator("input[name=feedback]").fill("已落实")
    page.locator(".orders-page h1").click()  # leave the field, the answer unsent
    another = order_issue(
        actor=users.supervisor, recipient_type="post", recipient="post-p", content="走访商户"
    )
    expect(page.locator(f"#orders-inbox tr#order-{another.pk}")).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    # The inbox was read again; what the chief wrote is still there.
    expect(row.locator("input[name=feedback]")).to_have_value("已落实")
    row.locator(".btn-feedback").click()
    expect(row.locator(".order-status-completed")).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    assert errors == []
