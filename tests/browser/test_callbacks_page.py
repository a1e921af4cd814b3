"""The callback page (回访) in a real browser under the Content-Security-Policy:
the reveal, a refused save shown in the form, a save swapping its row and
refreshing today's satisfaction; and axe-core finds nothing serious on it."""

import pytest

from analytics.callbacks import callback_record
from analytics.models import Callback
from commandcenter.models import AccessRecord
from tests.analytics.test_callbacks import queued_callback
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_content_security_policy import watched_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_call_taker_records_an_unsatisfied_reply_on_the_page(
    live_stack, browser_page, users, api_client_for, call
):
    callback = queued_callback(api_client_for=api_client_for, users=users, call=call)
    problems: list[str] = []
    page = watched_page(browser_page.context.browser, problems)
    log_in(page, live_stack, "dispatcher", "/callbacks/")
    row = page.locator(f"#callback-{callback.pk}")
    row.wait_for()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # the live stream is connected and has caught up
    assert "138****8000" in row.inner_text()

    row.locator(".caller-reveal button").click()
    page.locator(f"#callback-{callback.pk}-caller .caller-revealed").wait_for()
    assert "13800138000" in row.inner_text()
    assert AccessRecord.objects.filter(object_id=str(callback.incident_id)).count() == 1

    row.locator("input[value=unsatisfied]").check()
    row.locator(".callback-form button[type=submit]").click()
    row.locator(".callback-comment .field-error").wait_for()  # 400, shown in the form
    assert Callback.objects.get(pk=callback.pk).attempts == 0

    row.locator("input[value=unsatisfied]").check()
    row.locator("textarea[name=comment]").fill("民警到场太慢")
    row.locator(".callback-form button[type=submit]").click()
    # Done: the row shows the reply, and leaves the queue when the stream reports it.
    page.locator(f"#callback-{callback.pk} .callback-form").wait_for(state="detached")
    page.locator(f"#callback-recent-{callback.pk}").wait_for()  # today's list read again
    assert "0.0%" in page.locator("#satisfaction").inner_text()
    done = Callback.objects.get(pk=callback.pk)
    assert (done.state, done.result) == ("done", "unsatisfied") and done.supervision_id
    page.wait_for_timeout(300)
    # The refused save answered 400 on purpose; nothing else went wrong.
    expected = (
        "400 ",
        "console: Failed to load resource: the server responded with a status of 400",
    )
    assert [p for p in problems if not p.startswith(expected)] == []
    assert any("/record/" in p for p in problems if p.startswith("400 "))
    page.context.close()


@pytest.mark.parametrize("role", ["dispatcher", "chief_a"])
def test_the_callback_page_has_no_serious_accessibility_violation(
    live_stack, browser_page, users, api_client_for, call, role
):
    fixtures = {"api_client_for": api_client_for, "users": users, "call": call}
    queued_callback(**fixtures)
    done = queued_callback(**fixtures, lat=30.005, lng=120.006)
    callback_record(callback_id=done.pk, actor=users.dispatcher, result="unsatisfied", comment="慢")
    log_in(browser_page, live_stack, getattr(users, role).username, "/callbacks/")
    browser_page.wait_for_load_state("networkidle")
    assert serious_violations(browser_page) == []
