"""Each console checked with axe-core (from npm, in frontend/node_modules): no serious or
critical violations."""

from pathlib import Path

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    # From the page's own origin: the Content-Security-Policy allows no inline script.
    page.route(
        "**/__axe.js", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript")
    )
    page.add_script_tag(url="/__axe.js")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("dispatcher", "/"),
        ("dispatcher", "/dispatch/"),
        ("street_staff", "/street/"),
        ("chief_a", "/station/"),
        ("dispatcher", "/search/?q=13800"),
        ("chief_a", "/orders/"),
        ("dispatcher", "/orders/"),
        ("officer", "/terminal/"),
    ],
)
def test_a_console_has_no_serious_accessibility_violation(
    live_stack, browser_page, district, users, officer, call, role, path
):
    call()  # a job in the lists
    call(category="dispute", lat=30.015, lng=120.005)
    page = browser_page
    user = officer if role == "officer" else getattr(users, role)
    log_in(page, live_stack, user.username, path)
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
