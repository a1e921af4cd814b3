"""Console alerts and the job panel's map, in a real browser.

A P1 call recorded elsewhere flashes its row at the top of the dispatcher's
queue and counts in the tab title until the row is clicked; a muted sound
stays muted after a reload; a job turning late alerts once; the job panel's
map draws the job, its recommended units and the units sent to it.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_consoles_live import (
    LIVE_WITHIN_MS,
    assert_not_reloaded,
    dispatch,
    job_path,
    open_console,
)


@pytest.mark.django_db(transaction=True)
def test_p1_call_flashes_at_the_top_of_the_queue_and_counts_in_the_title(
    live_stack, browser_page, users, call
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    older = call(priority=3, lat=30.015, lng=120.015)
    assert older.status_code == 201, older.content
    open_console(page, live_stack, users.dispatcher.username, "/dispatch/")
    title = page.title()
    assert not title.startswith("(")

    response = call(priority=1, lat=30.005, lng=120.005)
    assert response.status_code == 201, response.content
    incident = response.json()

    first_row = page.locator("#queue tr.queue-row").first
    expect(first_row).to_have_attribute(
        "data-incident-id", str(incident["id"]), timeout=LIVE_WITHIN_MS
    )
    expect(first_row).to_have_class(re.compile(r"\bis-alerting\b"), timeout=LIVE_WITHIN_MS)
    expect(page).to_have_title(f"(1) {title}")
    root = page.locator("html")
    expect(root).to_have_attribute("data-last-alert", f"new:{incident['id']}")
    expect(root).to_have_attribute("data-alert-count", "1")
    # The older P3 call raised nothing.
    expect(page.locator("#queue tr.queue-row.is-alerting")).to_have_count(1)
    expect(page.locator("#alert-clear")).to_be_visible()

    # The user looks: a click on the row opens the job and clears its alert.
    first_row.locator("td.col-address").click()
    expect(page.locator("#job")).to_have_attribute("data-incident-id", str(incident["id"]))
    expect(page).to_have_title(title)
    expect(page.locator("#queue tr.queue-row.is-alerting")).to_have_count(0)
    expect(page.locator("#alert-clear")).to_be_hidden()
    assert_not_reloaded(page)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_a_p3_call_raises_no_alert(live_stack, browser_page, users, call):
    page = browser_page
    open_console(page, live_stack, users.dispatcher.username, "/dispatch/")
    response = call(priority=3)
    row = page.locator(f'#queue tr.queue-row[data-incident-id="{response.json()["id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert "is-alerting" not in (row.get_attribute("class") or "")
    assert page.locator("html").get_attribute("data-alert-count") == "0"


@pytest.mark.django_db(transaction=True)
def test_muted_sound_stays_muted_after_a_reload_in_that_console_only(
    live_stack, browser_page, users
):
    page = browser_page
    open_console(page, live_stack, users.dispatcher.username, "/dispatch/")
    sound, desktop = page.locator("#alert-sound"), page.locator("#alert-desktop")
    expect(sound).to_have_attribute("aria-pressed", "true")
    expect(desktop).to_have_attribute("aria-pressed", "false")

    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(page.locator("#alert-sound")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("localStorage.getItem('tianshu.alerts.dispatch.sound')") == "off"
    assert page.evaluate("localStorage.getItem('tianshu.alerts.street.sound')") is None


@pytest.mark.django_db(transaction=True)
def test_job_panel_map_draws_the_job_its_recommended_units_and_the_units_sent(
    live_stack, browser_page, district, users, call, api_client_for
):
    incident = call().json()
    page = browser_page
    open_console(page, live_stack, users.dispatcher.username, job_path(incident["id"]))

    recommended = page.locator("#job .recommend-table tbody tr:not(.empty-row)")
    expect(recommended.first).to_be_visible()
    count = recommended.count()
    assert count >= 2
    expect(page.locator("#job-map .job-map-marker.is-job")).to_have_count(1)
    expect(page.locator("#job-map .job-map-marker.is-recommended")).to_have_count(count)
    expect(page.locator("#job-map path.job-map-route")).to_have_count(count)
    # The order is explained: drive time, head start, the figure ranked by.
    first = recommended.first
    assert first.locator("td.eta").get_attribute("data-travel-seconds").isdigit()
    assert first.locator("td.head-start").get_attribute("data-covering-bonus-seconds").isdigit()

    dispatch(api_client_for, users.dispatcher, incident["id"], district.units.p)
    assigned = page.locator(
        f'#job-map .job-map-marker.is-assigned[data-unit="{district.units.p.pk}"]'
    )
    expect(page.locator("#job .assignment-table")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(assigned).to_have_count(1, timeout=LIVE_WITHIN_MS)
    expect(assigned).to_have_class(re.compile(r"\bstatus-dispatched\b"))
    assert_not_reloaded(page)


LATE_JOB = """async () => {
  document.body.insertAdjacentHTML("beforeend", `
    <header class="topbar"><div class="topbar-tools"></div></header>
    <section id="queue"><table><tbody>
      <tr class="queue-row" data-incident-id="7">
        <td><span class="timer" data-since="${new Date().toISOString()}"></span></td>
        <td class="col-number"><a href="#">20261201-0007</a></td></tr>
      <tr class="queue-row alert-breached" data-incident-id="8">
        <td><span class="timer" data-since="${new Date().toISOString()}"></span></td>
        <td class="col-number"><a href="#">20261201-0008</a></td></tr>
    </tbody></table></section>`);
  const script = document.createElement("script");
  script.dataset.alerts = "";
  script.dataset.console = "dispatch";
  document.body.append(script);
  document.title = "Dispatch";
  await import("/static/js/consoles/alerts.js");
  await import("/static/js/consoles/timers.js");
}"""

# The server's sweep says a job's clock ran out (analytics/engine.py), as the
# live stream hands it on (live-console.js dispatches `live:event`).
BREACH = """(id) => document.dispatchEvent(new CustomEvent("live:event", { detail: {
  type: "event", kind: "clock.breached", subject: { type: "incidents.incident", id: String(id) },
  payload: { number: `20261201-000${id}`, alert: "breached", clock: { code: "dispatch" } },
} }))"""


def test_a_job_turning_late_alerts_once_and_one_late_already_does_not(modules_page):
    page = modules_page
    page.evaluate(LATE_JOB)
    page.wait_for_timeout(1200)  # ticks: a row already marked late raises nothing
    assert page.locator("html").get_attribute("data-alert-count") == "0"
    page.evaluate(BREACH, 7)
    late = page.locator('tr.queue-row[data-incident-id="7"]')
    expect(late).to_have_class(re.compile(r"\bis-alerting\b"), timeout=3000)
    expect(late).to_have_class(re.compile(r"\bis-alert-late\b"))
    expect(page.locator("html")).to_have_attribute("data-last-alert", "late:7")
    expect(page).to_have_title("(1) Dispatch")
    page.evaluate(BREACH, 7)  # told again (a resync): still one alert
    page.evaluate(BREACH, 9)  # not in this console's queue: not its alert
    page.wait_for_timeout(500)
    assert page.locator("html").get_attribute("data-alert-count") == "1"
    assert "is-alerting" not in page.locator('tr[data-incident-id="8"]').get_attribute("class")
    page.locator("#alert-clear").click()
    expect(page).to_have_title("Dispatch")
