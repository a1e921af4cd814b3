"""Every console under the Content-Security-Policy in a real browser: no
`securitypolicyviolation` event and no console error on any page."""

import pytest

from commandcenter.choices import Role
from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
      `${event.sourceFile}:${event.lineNumber} ${event.sample || ""}`
  );
});
"""

PAGES = {
    "dispatcher": ["/api/docs/", "/", "/dispatch/", "/search/?q=13800", "/orders/"],
    "street_1": ["/street/"],
    "chief_a": ["/station/"],
    "officer_a01": ["/terminal/"],
    "root": ["/admin/", "/admin/incidents/incident/", "/admin/commandcenter/user/add/"],
}


def watched_page(browser, problems: list[str]):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.expose_binding("reportViolation", lambda source, text: problems.append(f"CSP {text}"))
    context.add_init_script(WATCH)
    page = context.new_page()
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{response.status} {response.url}")
        ),
    )
    return page


def test_every_console_runs_under_the_policy_without_a_violation(
    live_stack, browser_page, district, users, officer, call
):
    call()  # a job in the lists
    call(category="dispute", lat=30.015, lng=120.005)
    f.UserFactory(username="root", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    browser = browser_page.context.browser
    problems: list[str] = []

    page = watched_page(browser, problems)
    page.goto(f"{live_stack}/accounts/login/")
    page.wait_for_load_state("networkidle")
    assert problems == [], "/accounts/login/"
    page.context.close()

    for username, paths in PAGES.items():
        page = watched_page(browser, problems)
        log_in(page, live_stack, username, paths[0])
        for path in paths:
            if page.url != f"{live_stack}{path}":
                page.goto(f"{live_stack}{path}")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)  # late scripts (live stream, map) have run
            assert problems == [], f"{username} {path}"
        page.context.close()
