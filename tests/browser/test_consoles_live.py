"""The consoles on the live stream, in a real browser on a real server stack.

A call recorded elsewhere appears in the dispatcher's queue, and a diverted
job in its street's queue, without a reload and without polling; the open job
follows its incident, but not while the user is typing in it. The console
templates carry no polling trigger any more.

The last tests drive the live map's modules on their own (no server): the
snapshot and stream state machine, the arrival clock, and events that carry
the names the map shows.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incidents.models import Incident
from tests.browser.conftest import log_in

LIVE_WITHIN_MS = 2000
POLLING = re.compile(r'hx-trigger="[^"]*\bevery\s')


# Notes the id of every region htmx has read again and put in place.
NOTE_REFRESHES = """
window.refreshed = [];
document.addEventListener("htmx:afterSettle", (event) => {
  window.refreshed.push(event.detail.target?.id ?? "");
});
"""


def log_in_noting_refreshes(page, base_url: str, username: str, path: str) -> None:
    page.add_init_script(NOTE_REFRESHES)
    log_in(page, base_url, username, path)


def wait_for_first_refresh(page) -> None:
    """Until each region of the page has been read once since it connected."""
    page.wait_for_function(
        """() => ["queue", "station-board", "job"]
             .filter((id) => document.getElementById(id))
             .every((id) => window.refreshed.includes(id))""",
        timeout=10_000,
    )


def open_console(page, base_url: str, username: str, path: str) -> None:
    """Log in, open the console at `path` and wait until its stream is live and
    the page has read what changed while the stream connected (so what the
    test does next reaches the page through the stream only)."""
    log_in_noting_refreshes(page, base_url, username, path)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=10_000)
    wait_for_first_refresh(page)
    # A full reload would drop this mark: what follows must come without one.
    page.evaluate("window.stillThisPage = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.stillThisPage === true")


# --- The consoles follow the stream ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_new_call_appears_in_the_dispatch_queue_without_reload(
    live_stack, browser_page, users, call
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_console(page, live_stack, users.dispatcher.username, "/dispatch/")

    response = call(category="criminal", lat=30.005, lng=120.005)
    assert response.status_code == 201, response.content

    row = page.locator(f'#queue tr.queue-row[data-incident-id="{response.json()["id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(row).to_contain_text(response.json()["number"])
    assert_not_reloaded(page)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_diverted_job_appears_in_the_street_queue_without_reload(
    live_stack, browser_page, users, call
):
    page = browser_page
    open_console(page, live_stack, users.street_staff.username, "/street/")

    # A dispute is not a police matter: routed to the governance center of street 1.
    response = call(category="dispute", description="邻里纠纷", lat=30.005, lng=120.005)
    assert response.status_code == 201, response.content
    assert response.json()["tier"] == "street"

    row = page.locator(f'#queue tr.queue-row[data-incident-id="{response.json()["id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert_not_reloaded(page)


def job_path(incident_id: int) -> str:
    return reverse("console-incident", kwargs={"console": "dispatch", "pk": incident_id})


def dispatch(api_client_for, user, incident_id: int, unit) -> None:
    response = api_client_for(user).post(
        f"/api/v1/incidents/{incident_id}/dispatch/", {"units": [unit.pk]}, format="json"
    )
    assert response.status_code == 200, response.content


@pytest.mark.django_db(transaction=True)
def test_open_job_follows_its_incident(
    live_stack, browser_page, district, users, call, api_client_for
):
    incident = call().json()
    page = browser_page
    open_console(page, live_stack, users.dispatcher.username, job_path(incident["id"]))
    expect(page.locator("#job .job-head .badge.status-received")).to_be_visible()

    dispatch(api_client_for, users.dispatcher, incident["id"], district.units.p)

    expect(page.locator("#job .job-head .badge.status-dispatched")).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    expect(page.locator("#job .assignment-table")).to_contain_text(district.units.p.call_sign)
    assert_not_reloaded(page)


@pytest.mark.django_db(transaction=True)
def test_open_job_waits_for_the_user_to_leave_a_field(
    live_stack, browser_page, district, users, call, api_client_for
):
    incident = call().json()
    page = browser_page
    open_console(page, live_stack, users.dispatcher.username, job_path(incident["id"]))
    page.focus("#cancel-reason")

    dispatch(api_client_for, users.dispatcher, incident["id"], district.units.p)

    job = page.locator("#job")
    expect(job).to_have_attribute("data-stale", "true", timeout=LIVE_WITHIN_MS)
    expect(page.locator("#job .job-head .badge.status-received")).to_be_visible()
    page.locator("#cancel-reason").blur()  # left untouched

    expect(page.locator("#job .job-head .badge.status-dispatched")).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    expect(job).not_to_have_attribute("data-stale", "true")


@pytest.mark.django_db(transaction=True)
def test_open_job_keeps_what_the_user_typed(
    live_stack, browser_page, district, users, call, api_client_for
):
    incident = call().json()
    page = browser_page
    open_console(page, live_stack, users.dispatcher.username, job_path(incident["id"]))
    page.fill("#cancel-reason", "报警人称已解决")

    dispatch(api_client_for, users.dispatcher, incident["id"], district.units.p)

    expect(page.locator("#job")).to_have_attribute("data-stale", "true", timeout=LIVE_WITHIN_MS)
    # The queue has followed the same event: the job moved on to "units on the job".
    expect(page.locator(f"#progress-link-{incident['id']}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    page.locator("#cancel-reason").blur()
    expect(page.locator("#cancel-reason")).to_have_value("报警人称已解决")
    expect(page.locator("#job .job-head .badge.status-received")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_station_board_follows_the_stream(live_stack, browser_page, users, call):
    page = browser_page
    open_console(page, live_stack, users.chief_a.username, "/station/")

    response = call(category="criminal", lat=30.005, lng=120.005)
    assert response.status_code == 201, response.content

    row = page.locator(f'#station-board tr.queue-row[data-incident-id="{response.json()["id"]}"]')
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert_not_reloaded(page)


@pytest.mark.django_db(transaction=True)
def test_console_without_live_view_says_so_and_refreshes_slowly(live_stack, browser_page, users):
    page = browser_page
    # What the server answers a role with no live group: accept, then close with 4403.
    page.route_web_socket("**/ws/live/**", lambda socket: socket.close(code=4403))
    log_in_noting_refreshes(page, live_stack, users.dispatcher.username, "/dispatch/")

    indicator = page.locator("#live-status")
    expect(indicator).to_have_attribute("data-state", "static", timeout=LIVE_WITHIN_MS)
    expect(indicator).to_have_text("Refreshed every 30 s")
    wait_for_first_refresh(page)  # the slow refresh starts with one at once


# --- No polling left ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("dispatcher", "dispatch-console"),
        ("dispatcher", "dispatch-queue"),
        ("dispatcher", "station-console"),
        ("street_staff", "street-console"),
        ("street_staff", "street-queue"),
    ],
)
def test_console_pages_have_no_polling_trigger(client, users, call, role, url_name):
    call(category="criminal")  # a queue with a row in it
    call(category="dispute", lat=30.015, lng=120.005)
    client.force_login(getattr(users, role))

    html = client.get(reverse(url_name)).content.decode()

    assert not POLLING.search(html), POLLING.search(html).group(0)


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("dispatcher", "dispatch-console"),
        ("dispatcher", "station-console"),
        ("street_staff", "street-console"),
    ],
)
def test_console_pages_listen_to_the_live_stream(client, users, role, url_name):
    client.force_login(getattr(users, role))

    html = client.get(reverse(url_name)).content.decode()

    assert "js/consoles/live-console.js" in html
    assert 'hx-trigger="queue-changed from:body"' in html


def test_an_open_job_in_a_console_page_is_refreshed_from_its_own_url(client, users, call):
    incident = Incident.objects.get(pk=call().json()["id"])
    client.force_login(users.dispatcher)

    html = client.get(
        reverse("console-incident", kwargs={"console": "dispatch", "pk": incident.pk})
    ).content.decode()

    assert f'id="job" data-incident-id="{incident.pk}"' in html
    job_url = reverse("console-incident", kwargs={"console": "dispatch", "pk": 0})
    assert f'data-job-url="{job_url}"' in html


# --- The live map's modules on their own -------------------------------------------------------

LIVE_SYNC = """async () => {
  const { LiveSync } = await import("/static/js/map/live-sync.js");
  const log = [];
  const store = {
    replace: (snapshot) => log.push(`replace:${snapshot.tag}`),
    applyEvent: (message) => log.push(`event:${message.seq}`),
    applyPositions: () => log.push("positions"),
    undetailed: () => [],
  };
  const snapshots = [];
  const sync = new LiveSync({
    store,
    readSnapshot: () => new Promise((resolve) => snapshots.push(resolve)),
    readDetail: async () => ({}),
  });
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
  const steps = {};

  sync.receive({ type: "event", seq: 1 }); // before the stream's position: held
  sync.receive({ type: "hello", seq: 1 });
  steps.readsAfterHello = snapshots.length;
  sync.receive({ type: "event", seq: 2 }); // while the snapshot is read: held
  sync.receive({ type: "positions", units: [] });
  sync.receive({ type: "hello", seq: 2 }); // a reconnect: the log replays, no snapshot
  steps.appliedWhileLoading = [...log];
  snapshots[0]({ tag: "a" });
  await tick();
  steps.afterFirst = [...log];
  sync.receive({ type: "event", seq: 3 }); // live: applied at once
  steps.live = log.at(-1);

  sync.receive({ type: "reload", seq: 9 });
  sync.receive({ type: "reload", seq: 9 }); // asked again while read: once more after
  sync.receive({ type: "event", seq: 10 });
  snapshots[1]({ tag: "b" });
  await tick();
  steps.readsAfterReloads = snapshots.length;
  snapshots[2]({ tag: "c" });
  await tick();
  steps.afterReloads = log.slice(steps.afterFirst.length + 1);
  steps.loaded = sync.loaded;
  return steps;
}"""


def test_live_sync_holds_stream_messages_until_the_snapshot_is_in(modules_page):
    steps = modules_page.evaluate(LIVE_SYNC)

    assert steps["readsAfterHello"] == 1
    assert steps["appliedWhileLoading"] == []
    assert steps["afterFirst"] == ["replace:a", "event:1", "event:2", "positions"]
    assert steps["live"] == "event:3"
    assert steps["readsAfterReloads"] == 3
    assert steps["afterReloads"] == ["replace:b", "event:10", "replace:c"]
    assert steps["loaded"] is True


URGENCY = """async () => {
  const { urgencyOf } = await import("/static/js/map/incidents.js");
  const { LiveStore } = await import("/static/js/map/store.js");
  const ago = (seconds) => new Date(Date.now() - seconds * 1000).toISOString();
  const job = (status, age, alert) => ({ status, received_at: ago(age), alert });
  const store = new LiveStore();
  const event = (kind, payload) => store.applyEvent({
    type: "event", kind, time: new Date().toISOString(),
    subject: { type: "incidents.incident", id: "5" },
    payload: { number: "N5", status: "received", tier: "police", priority: 2, ...payload },
  });
  event("incident.received", {});
  const fresh = urgencyOf(store.incidents.get(5));
  event("clock.breached", { alert: "breached" });
  const breached = urgencyOf(store.incidents.get(5));
  event("incident.repeat_call", {});  // an event without the clocks' word keeps it
  const kept = urgencyOf(store.incidents.get(5));
  event("clock.stopped", { alert: "", status: "dispatched" });
  return {
    oldButNotSaidLate: urgencyOf(job("received", 3600, "")),
    warned: urgencyOf(job("received", 40, "warning")),
    atRisk: urgencyOf(job("dispatched", 100, "at_risk")),
    late: urgencyOf(job("received", 61, "breached")),
    fresh, breached, kept,
    cleared: urgencyOf(store.incidents.get(5)),
  };
}"""


def test_a_jobs_lateness_is_the_servers_word(modules_page):
    urgency = modules_page.evaluate(URGENCY)

    assert urgency == {
        "oldButNotSaidLate": "",
        "warned": "amber",
        "atRisk": "risk",
        "late": "red",
        "fresh": "",
        "breached": "red",
        "kept": "red",
        "cleared": "",
    }


STORE = """async () => {
  const { LiveStore } = await import("/static/js/map/store.js");
  const store = new LiveStore();
  store.replace({ incidents: [], units: [], assignments: [] });
  const state = {
    number: "20260101-0001", status: "received", tier: "police", category: "criminal",
    priority: 1, lat: 30.005, lng: 120.005, received_at: new Date().toISOString(),
    area_class: "urban",
  };
  const names = {
    address: "测试路1号", category_name: "刑事案件", station_name: "A 所", post_name: null,
    street_name: "1 街道", governance_center_name: "1 中心", routing_reason: "警务类",
    call_count: 1, out_of_jurisdiction: false, description: "有人抢包",
  };
  const event = (id, payload) => ({
    type: "event", seq: id, kind: "incident.received", time: state.received_at,
    subject: { type: "incidents.incident", id }, payload,
  });
  store.applyEvent(event(1, state)); // today's payload
  store.applyEvent(event(2, { ...state, ...names })); // with the names
  return {
    undetailed: store.undetailed(),
    address: store.incidents.get(2).address,
    post: store.incidents.get(2).post_name,
  };
}"""


def test_an_event_with_the_names_needs_no_detail_request(modules_page):
    result = modules_page.evaluate(STORE)

    assert result == {"undetailed": [1], "address": "测试路1号", "post": None}
